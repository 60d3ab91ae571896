"""E7: messages in Supprimés (deleted by phone or in the portal) are purged with their files
after the operator's retention (``POSTE_DELETED_RETENTION_DAYS``, default 30 days).

The job worker runs ``purge_due`` when it starts and then every hour (``tenants/worker.py``
``housekeeping``):
no cron, no row left waiting in the job list. Several workers may purge at once: a row is
deleted once, a file already gone is no error.
"""
from __future__ import annotations

import datetime as dt
import logging

from tenants import config
from tenants.voicemail import portal

log = logging.getLogger(__name__)


def purge_due(now: dt.datetime | None = None) -> int:
    """Purge every message past the retention (in batches); how many went."""
    settings = config.current()
    total = 0
    while done := portal.purge_expired(settings.data_dir, settings.deleted_retention_days, now):
        total += done
    if total:
        log.info("purged %d voice message(s) deleted more than %d days ago", total, settings.deleted_retention_days)
    return total
