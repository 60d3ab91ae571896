"""The job worker: runs due jobs until stopped (``flask --app wsgi jobs work``)."""
from __future__ import annotations

import logging
import signal
import threading
import time

from tenants import config, jobs

log = logging.getLogger(__name__)


HOUSEKEEPING_SECONDS = 3600.0


def housekeeping() -> None:
    """What the worker does when it starts and then every hour (no cron, no row in the job list):
    purge the voice messages deleted past their retention (E7) and the jobs done past theirs.
    A failure is logged and tried again in an hour; jobs go on meanwhile."""
    from tenants.voicemail import retention

    try:
        retention.purge_due()
    except Exception:  # noqa: BLE001
        log.exception("purge of deleted voice messages failed")
    days = config.current().done_jobs_retention_days
    try:
        total = 0
        while done := jobs.purge_done(days):
            total += done
        if total:
            log.info("deleted %d job(s) done more than %d days ago", total, days)
    except Exception:  # noqa: BLE001
        log.exception("purge of done jobs failed")


def run_forever(poll_seconds: float = 1.0, stop: threading.Event | None = None) -> None:
    """Run jobs as they fall due; return on SIGTERM/SIGINT or when ``stop`` is set.

    Refuses to start (RuntimeError) unless every kind the worker runs has its handler
    registered (``wiring.register_handlers``, which ``wsgi.py`` calls)."""
    jobs.require_handlers(jobs.WORKER)
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    log.info("job worker started")
    next_purge = 0.0
    while not stop.is_set():
        if time.monotonic() >= next_purge:
            housekeeping()
            next_purge = time.monotonic() + HOUSEKEEPING_SECONDS
        try:
            ran = jobs.run_due()
        except Exception:  # a database hiccup must not kill the worker
            log.exception("job worker loop failed; retrying")
            ran = 0
        if not ran:
            stop.wait(poll_seconds)
    log.info("job worker stopped")
