"""E7: messages in Supprimés (deleted by phone or in the portal) are purged with their files
after the operator's retention (``POSTE_DELETED_RETENTION_DAYS``, default 30 days).

One job (``voicemail_purge``) does it and queues the next run an hour later; the job worker
makes sure one is queued when it starts (``ensure_scheduled``), so the purge needs no cron.
"""
from __future__ import annotations

import datetime as dt

from tenants import config, jobs
from tenants.models import Job, utcnow
from tenants.voicemail import portal

PURGE_JOB = jobs.declare("voicemail_purge")
EVERY = dt.timedelta(hours=1)


def ensure_scheduled() -> None:
    """Queue the purge unless one is already waiting."""
    waiting = Job.select().where((Job.kind == PURGE_JOB) & (Job.status.in_([Job.QUEUED, Job.RUNNING]))).exists()
    if not waiting:
        jobs.enqueue(PURGE_JOB, {})


def purge(payload: dict) -> None:
    """The job: purge what is past the retention, then queue the next run."""
    settings = config.current()
    while portal.purge_expired(settings.data_dir, settings.deleted_retention_days):
        pass  # batches of 500, until none is left
    jobs.enqueue(PURGE_JOB, {}, run_at=utcnow() + EVERY)
