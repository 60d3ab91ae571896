"""``python -m rtp.mediaapp``: run the media app until SIGTERM/SIGINT.

Environment (with the platform's usual POSTE_DATA, DATABASE_URL, POSTE_SIP_ADDRESS):
  POSTE_MEDIA_ADDRESS   address for SIP and RTP (default: POSTE_SIP_ADDRESS or 127.0.0.1)
  POSTE_MEDIA_SIP_PORT  SIP port, UDP and TCP (default 5090)
  POSTE_MEDIA_PEERS     who may send SIP: Kamailio's socket POSTE_SIP_ADDRESS:POSTE_SIP_PORT (default);
                        comma-separated host:port (or a bare host: any port, for tests and benchmarks)
  POSTE_MEDIA_SECRET    the secret Kamailio's requests carry (default: generated in $POSTE_DATA/secrets/)
  POSTE_MEDIA_RTP_ADDRESS  address of the RTP sockets, if different
  POSTE_MEDIA_UVLOOP    1 to run on uvloop when installed (default: asyncio's own loop)
  POSTE_MEDIA_REALTIME  1 to ask for real-time scheduling (SCHED_RR 10, as Asterisk's -p), when allowed
"""
from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys

from rtp.mediaapp.app import MediaApp
from tenants.config import Settings
from tenants.runtime import start
from tenants.secrets_store import media_secret


def options(settings: Settings, environ=None) -> dict:
    env = os.environ if environ is None else environ
    address = env.get("POSTE_MEDIA_ADDRESS") or settings.sip_address
    kamailio = f"{settings.sip_address}:{settings.sip_port}"
    peers = env.get("POSTE_MEDIA_PEERS") or kamailio
    return {"address": address, "sip_port": int(env.get("POSTE_MEDIA_SIP_PORT") or 5090),
            "trusted": [h.strip() for h in peers.split(",") if h.strip()],
            "rtp_address": env.get("POSTE_MEDIA_RTP_ADDRESS") or address,
            "secret": media_secret(settings.data_dir), "proxy": (settings.sip_address, settings.sip_port)}


async def serve() -> None:
    settings, _db = start()
    app = MediaApp(settings.data_dir, **options(settings))
    await app.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"media app ready on {app.address}:{app.stack.port}", flush=True)
    await stop.wait()
    logging.getLogger(__name__).info("stopping: ending %d call(s)", len(app.calls))
    await app.close()


def main() -> int:
    # Database and DSP work run on threads; a short GIL switch interval keeps them from
    # delaying the 20 ms RTP clock by the default 5 ms (measured with bench/media.py).
    sys.setswitchinterval(float(os.environ.get("POSTE_MEDIA_SWITCH_INTERVAL") or 0.0005))
    logging.basicConfig(level=os.environ.get("POSTE_MEDIA_LOG", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if os.environ.get("POSTE_MEDIA_REALTIME") == "1":
        try:  # the 20 ms clock keeps its beat on a busy machine (needs CAP_SYS_NICE)
            os.sched_setscheduler(0, os.SCHED_RR, os.sched_param(10))
        except (OSError, AttributeError) as exc:
            logging.getLogger(__name__).warning("real-time scheduling refused: %s", exc)
    if os.environ.get("POSTE_MEDIA_UVLOOP") == "1":
        try:
            import uvloop
            uvloop.install()
        except ImportError:
            pass
    asyncio.run(serve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
