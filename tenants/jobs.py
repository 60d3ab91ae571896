"""A persistent job queue in the application's own database.

Jobs are rows, enqueued in the same transaction as the change that causes them
(an extension created and its PIN email commit together, or neither does). A
worker claims due jobs, runs the handler registered for their kind, and on
failure retries with exponential backoff; the operator sees every job. Nothing
is lost when a process stops: a claim expires and the job runs again.
"""
from __future__ import annotations

import datetime as dt
import logging
import traceback
from collections.abc import Callable

from tenants.db import database
from tenants.models import Job, Tenant, utcnow

log = logging.getLogger(__name__)

Handler = Callable[[dict], None]
_handlers: dict[str, Handler] = {}
# Kinds may be queued by one layer and run by another (the media plane's handlers are
# registered by the processes that load rtp/); queueing checks the kind is known.
_kinds: set[str] = set()
# Which process runs a kind: "worker" (``flask --app wsgi jobs work``) unless declared
# otherwise. Message-waiting NOTIFYs are the media app's: they must leave from its SIP
# socket, the one Kamailio trusts.
WORKER, MEDIA = "worker", "media"
_runner: dict[str, str] = {}
CLAIM_SECONDS = 300  # a job still "running" after this is taken to have died with its worker
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600


def declare(kind: str, runner: str = WORKER) -> str:
    """Make ``kind`` a job kind that may be queued; its handler may live in another layer.

    ``runner`` names the process that runs it (``WORKER`` or ``MEDIA``)."""
    if runner not in (WORKER, MEDIA):
        raise ValueError(f"unknown job runner {runner!r}")
    _kinds.add(kind)
    _runner[kind] = runner
    return kind


def kinds_of(runner: str) -> set[str]:
    """The declared kinds that ``runner`` runs."""
    return {kind for kind in _kinds if _runner.get(kind, WORKER) == runner}


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of ``kind``."""
    def register(func: Handler) -> Handler:
        _kinds.add(kind)
        _handlers[kind] = func
        return func
    return register


def backoff(attempts: int) -> dt.timedelta:
    """Delay before the next try after ``attempts`` failures: 30 s, 60 s, 120 s... capped at 1 h."""
    return dt.timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_CAP_SECONDS))


def enqueue(kind: str, payload: dict, tenant: Tenant | None = None, run_at: dt.datetime | None = None) -> Job:
    if kind not in _kinds:
        raise ValueError(f"unknown job kind {kind!r}")
    return Job.create(kind=kind, payload=payload, tenant=tenant, run_at=run_at or utcnow())


def _claim(now: dt.datetime, runner: str) -> Job | None:
    """Take one due job of ``runner``'s kinds, so that two workers never run the same one."""
    media_kinds = sorted(kinds_of(MEDIA))
    # the worker also takes kinds nobody declared: they fail loudly rather than wait forever
    mine = Job.kind.in_(media_kinds) if runner == MEDIA else Job.kind.not_in(media_kinds)
    due = (Job.select(Job.id)
           .where((((Job.status == Job.QUEUED) & (Job.run_at <= now))
                   | ((Job.status == Job.RUNNING) & (Job.locked_until < now))) & mine)
           .order_by(Job.run_at, Job.id).limit(5))
    for row in due:
        taken = (Job.update(status=Job.RUNNING, locked_until=now + dt.timedelta(seconds=CLAIM_SECONDS))
                 .where((Job.id == row.id)
                        & (((Job.status == Job.QUEUED) & (Job.run_at <= now))
                           | ((Job.status == Job.RUNNING) & (Job.locked_until < now))))
                 .execute())
        if taken:
            return Job.get_by_id(row.id)
    return None


def run_one(now: dt.datetime | None = None, runner: str = WORKER) -> Job | None:
    """Run the next due job of ``runner``'s kinds, if any, and return it as it ended."""
    now = now or utcnow()
    with database.atomic():
        job = _claim(now, runner)
    if job is None:
        return None
    try:
        run = _handlers.get(job.kind)
        if run is None:
            raise LookupError(f"this worker has no handler for {job.kind!r}")
        run(job.payload)
    except Exception as exc:  # any failure is retried; the operator sees the error
        job.attempts += 1
        job.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        log.warning("job %s (%s) failed, attempt %d: %s", job.id, job.kind, job.attempts, job.last_error)
        log.debug("%s", traceback.format_exc())
        if job.attempts >= job.max_attempts:
            job.status, job.finished_at = Job.FAILED, utcnow()
        else:
            job.status, job.run_at = Job.QUEUED, utcnow() + backoff(job.attempts)
    else:
        job.attempts += 1
        job.status, job.finished_at, job.last_error = Job.DONE, utcnow(), None
    job.locked_until = None
    job.save()
    return job


def run_due(now: dt.datetime | None = None, limit: int = 1000, runner: str = WORKER) -> int:
    """Run every job of ``runner``'s kinds due at ``now``; return how many ran."""
    count = 0
    while count < limit and run_one(now, runner) is not None:
        count += 1
    return count


def retry_now(job: Job) -> None:
    """Operator action: run a waiting or failed job at the next turn of the worker."""
    Job.update(status=Job.QUEUED, run_at=utcnow(), locked_until=None).where(
        (Job.id == job.id) & (Job.status != Job.RUNNING) & (Job.status != Job.DONE)).execute()


def listing(status: str | None = None, page: int = 1, per_page: int = 50):
    query = Job.select().order_by(Job.id.desc())
    if status:
        query = query.where(Job.status == status)
    return query.paginate(page, per_page), query.count()


def counts() -> dict[str, int]:
    return {status: Job.select().where(Job.status == status).count()
            for status in (Job.QUEUED, Job.RUNNING, Job.DONE, Job.FAILED)}
