"""A persistent job queue in the application's own database.

Jobs are rows, enqueued in the same transaction as the change that causes them
(an extension created and its PIN email commit together, or neither does). A
worker claims due jobs, runs the handler registered for their kind, and on
failure retries with exponential backoff; the operator sees every job. Nothing
is lost when a process stops: a claim is short and renewed while its job runs,
so a job whose worker died is taken again within ``CLAIM_SECONDS``.

A kind is declared where it is queued (``declare``); the code that runs it is
registered by the process that runs it, explicitly (``register``): the worker's
handlers in ``wiring.py``, the media app's in ``rtp/mediaapp/mwi_jobs.py``. Each
checks with ``require_handlers`` before it takes a job. A job may run twice (a
worker killed between its effect and its "done"): what a handler sends is named
after the job (``current_job().mark()``), so a repeat is recognisable.
"""
from __future__ import annotations

import contextvars
import datetime as dt
import itertools
import logging
import threading
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import cast

import peewee as pw

from tenants import audit
from tenants.audit import Actor
from tenants.db import database
from tenants.models import Job, Tenant, utcnow
from tenants.problems import N_, DomainError, Problem

log = logging.getLogger(__name__)

# A handler may answer why it had nothing to do (kept as the done job's ``outcome``).
Handler = Callable[[dict], str | None]
_handlers: dict[str, Handler] = {}
# Kinds may be queued by one layer and run by another (the media plane's handlers are
# registered by the processes that load rtp/); queueing checks the kind is known.
_kinds: set[str] = set()
# Which process runs a kind: "worker" (``flask --app wsgi jobs work``) unless declared
# otherwise. Message-waiting NOTIFYs are the media app's: they must leave from its SIP
# socket, the one Kamailio trusts.
WORKER, MEDIA = "worker", "media"
_runner: dict[str, str] = {}
CLAIM_SECONDS = 30  # a claim not renewed for this long is taken to have died with its worker
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


def register(kind: str, func: Handler) -> None:
    """Make ``func`` run the jobs of the declared ``kind`` in this process."""
    if kind not in _kinds:
        raise ValueError(f"unknown job kind {kind!r}")
    _handlers[kind] = func


def require_handlers(runner: str) -> None:
    """Refuse to run ``runner``'s jobs in a process that lacks a handler for one of its kinds."""
    missing = sorted(kinds_of(runner) - set(_handlers))
    if missing:
        raise RuntimeError(
            f"Aucun gestionnaire pour les tâches {', '.join(missing)} dans ce processus ({runner}) : "
            "le worker se lance par « flask --app wsgi jobs work » (wiring.register_handlers).")


@dataclass
class RunningJob:
    """The job a handler is running, as the handler may need it (``current_job()``)."""

    id: int
    kind: str
    created_at: dt.datetime
    _marks: itertools.count = field(default_factory=itertools.count)

    def mark(self) -> str:
        """A name for the next thing this run sends (an email's Message-ID), the same on every try."""
        return f"job{self.id}.{self.created_at:%Y%m%d%H%M%S%f}.{next(self._marks)}"


_current: contextvars.ContextVar[RunningJob | None] = contextvars.ContextVar("poste_job", default=None)


def current_job() -> RunningJob | None:
    """The job this thread is running, or None outside a job."""
    return _current.get()


def backoff(attempts: int) -> dt.timedelta:
    """Delay before the next try after ``attempts`` failures: 30 s, 60 s, 120 s... capped at 1 h."""
    return dt.timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_CAP_SECONDS))


def enqueue(kind: str, payload: dict, tenant: Tenant | None = None, run_at: dt.datetime | None = None) -> Job:
    if kind not in _kinds:
        raise ValueError(f"unknown job kind {kind!r}")
    return Job.create(kind=kind, payload=payload, tenant=tenant, run_at=run_at or utcnow())


def _claimable(now: dt.datetime):
    return (((Job.status == Job.QUEUED) & (Job.run_at <= now))
            | ((Job.status == Job.RUNNING) & (Job.locked_until < now)))


def _claim(now: dt.datetime, runner: str) -> tuple[Job, dt.datetime] | None:
    """Take one due job of ``runner``'s kinds, so that two workers never run the same one.

    Returns the job and its claim's end, which is also the claim's token: only its holder
    renews it (``_Claim``) or ends the job."""
    media_kinds = sorted(kinds_of(MEDIA))
    # the worker also takes kinds nobody declared: they fail loudly rather than wait forever
    mine = Job.kind.in_(media_kinds) if runner == MEDIA else Job.kind.not_in(media_kinds)
    due = Job.select(Job.id).where(_claimable(now) & mine).order_by(Job.run_at, Job.id).limit(5)
    until = now + dt.timedelta(seconds=CLAIM_SECONDS)
    for row in due:
        if Job.update(status=Job.RUNNING, locked_until=until).where((Job.id == row.id) & _claimable(now)).execute():
            return Job.get_by_id(row.id), until
    return None


class _Claim(threading.Thread):
    """Renews a running job's claim every third of ``CLAIM_SECONDS`` until stopped: a live
    job is never taken by another worker, a dead worker's job soon is."""

    def __init__(self, job_id: int, until: dt.datetime):
        super().__init__(name=f"job-claim-{job_id}", daemon=True)
        self.job_id, self.until = job_id, until
        self.stopped = threading.Event()

    def run(self) -> None:
        with database.connection_context():
            while not self.stopped.wait(CLAIM_SECONDS / 3):
                try:
                    self._renew()
                except Exception:  # a busy database: try again at the next beat
                    log.exception("job %s: claim not renewed", self.job_id)

    def _renew(self) -> None:
        until = utcnow() + dt.timedelta(seconds=CLAIM_SECONDS)
        if Job.update(locked_until=until).where(self._held()).execute():
            self.until = until
        else:
            log.warning("job %s: its claim was lost (taken to have died)", self.job_id)
            self.stopped.set()

    def _held(self):
        return (Job.id == self.job_id) & (Job.status == Job.RUNNING) & (Job.locked_until == self.until)

    def __enter__(self) -> _Claim:
        self.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stopped.set()
        self.join()


def _run(job: Job) -> dict:
    """Run ``job``'s handler; the fields that record how it ended."""
    running = _current.set(RunningJob(job.id, job.kind, job.created_at))
    attempts = job.attempts + 1
    try:
        run = _handlers.get(job.kind)
        if run is None:
            raise LookupError(f"this worker has no handler for {job.kind!r}")
        outcome = run(job.payload)
    except Exception as exc:  # any failure is retried; the operator sees the error
        error = f"{type(exc).__name__}: {exc}"[:2000]
        log.warning("job %s (%s) failed, attempt %d: %s", job.id, job.kind, attempts, error)
        log.debug("%s", traceback.format_exc())
        if attempts >= job.max_attempts:
            return dict(attempts=attempts, last_error=error, status=Job.FAILED, finished_at=utcnow())
        return dict(attempts=attempts, last_error=error, status=Job.QUEUED, run_at=utcnow() + backoff(attempts))
    finally:
        _current.reset(running)
    return dict(attempts=attempts, last_error=None, status=Job.DONE, finished_at=utcnow(),
                outcome=outcome if isinstance(outcome, str) else None)


def run_one(now: dt.datetime | None = None, runner: str = WORKER) -> Job | None:
    """Run the next due job of ``runner``'s kinds, if any, and return it as it ended."""
    now = now or utcnow()
    with database.atomic():
        claimed = _claim(now, runner)
    if claimed is None:
        return None
    job, until = claimed
    with _Claim(job.id, until) as claim:
        ended = _run(job)
    if not Job.update(locked_until=None, **ended).where(claim._held()).execute():
        log.warning("job %s (%s) ended after its claim was lost; another worker has it", job.id, job.kind)
    for name, value in {**ended, "locked_until": None}.items():
        setattr(job, name, value)
    return job


def run_due(now: dt.datetime | None = None, limit: int = 1000, runner: str = WORKER) -> int:
    """Run every job of ``runner``'s kinds due at ``now``; return how many ran."""
    count = 0
    while count < limit and run_one(now, runner) is not None:
        count += 1
    return count


def retry_now(job: Job) -> None:
    """Run a waiting or failed job at the next turn of the worker."""
    Job.update(status=Job.QUEUED, run_at=utcnow(), locked_until=None).where(
        (Job.id == job.id) & (Job.status != Job.RUNNING) & (Job.status != Job.DONE)).execute()


def require(job_id: int | str) -> Job:
    """The job numbered ``job_id`` (as typed), or a DomainError that says there is none."""
    text = str(job_id).strip()
    job = Job.get_or_none(Job.id == int(text)) if text.isdigit() and int(text) < 2**31 else None
    if job is None:
        raise DomainError(Problem("id", N_("Aucune tâche n° %(id)s."), {"id": text[:20]}))
    return job


def _snapshot(job: Job) -> dict:
    return {"kind": job.kind, "status": job.status, "run_at": f"{job.run_at:%Y-%m-%d %H:%M:%S}"}


def retry(actor: Actor, job: Job) -> Job:
    """Operator action: run a waiting or failed job now, with its audit entry."""
    if job.status == Job.RUNNING:
        raise DomainError(Problem("id", N_("La tâche n° %(id)d est en cours : elle ne peut pas être relancée."),
                                  {"id": job.id}))
    if job.status == Job.DONE:
        raise DomainError(Problem("id", N_("La tâche n° %(id)d est terminée : rien à relancer."), {"id": job.id}))
    with database.atomic():
        before = _snapshot(job)
        retry_now(job)
        job = Job.get_by_id(job.id)
        audit.record(actor, "job.retry", job.tenant, "job", job.id, job.kind, before, _snapshot(job))
    return job


def listing(status: str | None = None, page: int = 1, per_page: int = 50, tenant: Tenant | None = None):
    """Jobs newest first (with their tenant, in the same query), of one status and tenant when given."""
    query = Job.select(Job, Tenant).join(Tenant, pw.JOIN.LEFT_OUTER).order_by(Job.id.desc())
    if status:
        query = query.where(Job.status == status)
    if tenant is not None:
        query = query.where(Job.tenant == tenant)
    return query.paginate(page, per_page), query.count()


def purge_done(days: int, now: dt.datetime | None = None, batch: int = 1000) -> int:
    """Delete up to ``batch`` jobs done more than ``days`` ago; how many went. Failed and waiting
    jobs stay. Every email, MWI and paid call queues one: kept for ever, they made the operator's
    "Tâches" page count more rows every day (``POSTE_DONE_JOBS_RETENTION_DAYS``)."""
    before = (now or utcnow()) - dt.timedelta(days=days)
    due = Job.select(Job.id).where((Job.status == Job.DONE) & (Job.finished_at < before)).limit(batch)
    return Job.delete().where(Job.id.in_(due)).execute()


def counts(tenant: Tenant | None = None) -> dict[str, int]:
    """How many jobs of each status (of ``tenant`` when given), in one query."""
    query = Job.select(Job.status, pw.fn.COUNT(Job.id).alias("n")).group_by(Job.status)
    if tenant is not None:
        query = query.where(Job.tenant == tenant)
    found = {row["status"]: row["n"] for row in cast(Iterable[dict], query.dicts())}
    return {status: found.get(status, 0) for status in (Job.QUEUED, Job.RUNNING, Job.DONE, Job.FAILED)}


def latest(kind: str, payload: dict, tenant: Tenant | None) -> Job | None:
    """The last job of ``kind`` queued with exactly ``payload`` (the PIN email of a mailbox, say)."""
    return (Job.select().where((Job.kind == kind) & (Job.tenant == tenant) & (Job.payload == payload))
            .order_by(Job.id.desc()).first())
