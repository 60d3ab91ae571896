"""``python -m rtp.mediaapp``: run the media app until SIGTERM/SIGINT.

Its settings (``tenants.config.Settings``, the README's table) beside the platform's usual
POSTE_DATA, DATABASE_URL, POSTE_SIP_ADDRESS/PORT:
  POSTE_MEDIA_ADDRESS   address for SIP and RTP (default: POSTE_SIP_ADDRESS)
  POSTE_MEDIA_SIP_PORT  SIP port, UDP and TCP (default 5090)
  POSTE_MEDIA_RTP_PORT_MIN/MAX  the RTP ports of its calls (default 31000-31999)
  POSTE_MEDIA_PEERS     who may send SIP: Kamailio's socket POSTE_SIP_ADDRESS:POSTE_SIP_PORT (default);
                        comma-separated host:port (or a bare host: any port, for tests and benchmarks)
  POSTE_MEDIA_SECRET    the secret Kamailio's requests carry (default: generated in $POSTE_DATA/secrets/)
  POSTE_MEDIA_RTP_ADDRESS  address of the RTP sockets, if different
  POSTE_MEDIA_UVLOOP    1 to run on uvloop when installed (default: asyncio's own loop)
  POSTE_MEDIA_REALTIME  real-time scheduling (SCHED_RR 10, as Asterisk's -p) once ready: 1 (default) when
                        the system allows it (root, CAP_SYS_NICE or LimitRTPRIO), else one warning; 0: never
"""
from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys

from rtp.mediaapp.app import MediaApp
from tenants import listeners
from tenants.config import Settings, load_or_exit
from tenants.runtime import start
from tenants.secrets_store import media_secret

log = logging.getLogger("rtp.mediaapp")
REALTIME_PRIORITY = 10


def options(settings: Settings) -> dict:
    """``MediaApp``'s arguments for ``settings``."""
    return {"address": settings.media_address, "sip_port": settings.media_sip_port,
            "trusted": list(settings.media_peers), "rtp_address": settings.media_rtp_address,
            "rtp_ports": (settings.media_rtp_port_min, settings.media_rtp_port_max),
            "secret": media_secret(settings.data_dir, settings.media_secret),
            "proxy": (settings.sip_address, settings.sip_port)}


def realtime(wanted: bool) -> bool:
    """Put every thread of the process on SCHED_RR (threads started later inherit it), so the
    20 ms clock keeps its beat on a busy machine. Says in the log whether it is on, and why not."""
    if not wanted:
        log.info("real-time scheduling off (POSTE_MEDIA_REALTIME=0)")
        return False
    try:
        for tid in sorted(int(t) for t in os.listdir("/proc/self/task")):
            try:
                os.sched_setscheduler(tid, os.SCHED_RR, os.sched_param(REALTIME_PRIORITY))
            except ProcessLookupError:  # a thread that just ended
                continue
    except (OSError, AttributeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        log.warning("real-time scheduling refused (%s): the RTP clock may run late on a busy machine; "
                    "allow it with LimitRTPRIO=%d or CAP_SYS_NICE (see README, systemd), or set "
                    "POSTE_MEDIA_REALTIME=0 to silence this", reason, REALTIME_PRIORITY)
        return False
    log.info("real-time scheduling on (SCHED_RR, priority %d)", REALTIME_PRIORITY)
    return True


async def serve(settings: Settings) -> None:
    settings, _db = start(settings)
    app = MediaApp(settings.data_dir, **options(settings))
    await app.start()
    # Once the JIT warm-up and the spool recovery are done: they would hold a CPU at real-time priority.
    realtime(settings.media_realtime)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"media app ready on {app.address}:{app.stack.port}", flush=True)
    await stop.wait()
    log.info("stopping: ending %d call(s)", len(app.calls))
    await app.close()


def main() -> int:
    settings = load_or_exit()
    # Database and DSP work run on threads; a short GIL switch interval keeps them from
    # delaying the 20 ms RTP clock by the default 5 ms (measured with bench/media.py).
    sys.setswitchinterval(settings.media_switch_interval)
    logging.basicConfig(level=settings.media_log, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    problems = listeners.problems(settings, ("media",))
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    if settings.media_uvloop:
        try:
            import uvloop
            uvloop.install()
        except ImportError:
            pass
    asyncio.run(serve(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
