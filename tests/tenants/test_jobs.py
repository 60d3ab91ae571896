"""The persistent job queue: retries with backoff, short claims renewed while a job runs and
taken again when its worker died, operator retry."""
import datetime as dt
import threading
import time

import pytest

from tenants import jobs
from tenants.db import database
from tenants.models import Job, utcnow
from tests.job_worker import running_worker
from tests.sip_fixtures import wait_for

calls: list[dict] = []


def flaky(payload: dict) -> None:
    calls.append(payload)
    if payload.get("fail_until", 0) >= len(calls):
        raise ConnectionRefusedError("smtp down")


@pytest.fixture(autouse=True)
def registry(monkeypatch):
    """This module's kinds and handlers, gone after each test: other tests see the product's only."""
    monkeypatch.setattr(jobs, "_kinds", set(jobs._kinds))
    monkeypatch.setattr(jobs, "_runner", dict(jobs._runner))
    monkeypatch.setattr(jobs, "_handlers", dict(jobs._handlers))
    jobs.register(jobs.declare("test_flaky"), flaky)
    calls.clear()


def test_backoff_doubles_and_is_capped():
    assert [jobs.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert jobs.backoff(50).total_seconds() == 3600


def test_unknown_kind_is_refused(db):
    with pytest.raises(ValueError):
        jobs.enqueue("no_such_kind", {})


def test_failure_is_retried_later_then_succeeds(db):
    job = jobs.enqueue("test_flaky", {"fail_until": 1})
    now = utcnow()
    jobs.run_due(now)
    job = Job.get_by_id(job.id)
    assert job.status == Job.QUEUED and job.attempts == 1 and "smtp down" in job.last_error
    assert job.run_at >= now + dt.timedelta(seconds=29)
    assert jobs.run_due(now) == 0  # not due yet
    jobs.run_due(job.run_at + dt.timedelta(seconds=1))
    job = Job.get_by_id(job.id)
    assert job.status == Job.DONE and job.attempts == 2 and job.last_error is None


def test_gives_up_after_max_attempts(db):
    job = jobs.enqueue("test_flaky", {"fail_until": 99})
    Job.update(max_attempts=2).where(Job.id == job.id).execute()
    moment = utcnow()
    for _ in range(2):
        jobs.run_due(moment)
        moment += dt.timedelta(hours=2)
    assert Job.get_by_id(job.id).status == Job.FAILED
    jobs.retry_now(Job.get_by_id(job.id))
    assert Job.get_by_id(job.id).status == Job.QUEUED


def test_a_claim_left_by_a_dead_worker_expires(db):
    job = jobs.enqueue("test_flaky", {})
    past = utcnow() - dt.timedelta(hours=1)
    Job.update(status=Job.RUNNING, locked_until=past).where(Job.id == job.id).execute()
    assert jobs.run_due() == 1 and Job.get_by_id(job.id).status == Job.DONE


def test_a_running_job_is_not_taken_twice(db):
    job = jobs.enqueue("test_flaky", {})
    Job.update(status=Job.RUNNING, locked_until=utcnow() + dt.timedelta(minutes=5)).where(Job.id == job.id).execute()
    assert jobs.run_due() == 0 and calls == []


def test_a_kind_declared_without_a_handler_here_waits_for_a_worker_that_has_one(db):
    kind = jobs.declare("test_elsewhere")
    job = jobs.enqueue(kind, {})
    jobs.run_due()
    job = Job.get_by_id(job.id)
    assert job.status == Job.QUEUED and "no handler" in job.last_error
    jobs.register(kind, calls.append)
    jobs.run_due(job.run_at)
    assert Job.get_by_id(job.id).status == Job.DONE and calls == [{}]


def wait_until(condition, timeout: float = 20.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def test_a_long_job_keeps_its_claim_while_it_runs(db, monkeypatch):
    """The claim is renewed while the handler runs: another worker never takes a live job."""
    monkeypatch.setattr(jobs, "CLAIM_SECONDS", 3)
    started, release, runs = threading.Event(), threading.Event(), []

    def long(payload):
        runs.append(threading.current_thread().name)
        if len(runs) == 1:  # the first worker's run lasts; a second taker returns at once
            started.set()
            release.wait(30)

    jobs.register(jobs.declare("test_long"), long)
    job = jobs.enqueue("test_long", {})

    def first_worker():
        with database.connection_context():
            jobs.run_one()

    worker = threading.Thread(target=first_worker, name="first-worker")
    worker.start()
    try:
        assert started.wait(20)
        first_claim = Job.get_by_id(job.id).locked_until
        wait_until(lambda: utcnow() > first_claim + dt.timedelta(seconds=2), what="the first claim to pass")
        assert jobs.run_one() is None  # another worker finds nothing to take
        assert Job.get_by_id(job.id).locked_until > utcnow()
    finally:
        release.set()
        worker.join(30)
    assert runs == ["first-worker"] and Job.get_by_id(job.id).status == Job.DONE


def test_a_dead_workers_job_is_taken_again_after_the_short_claim(db):
    def killed(payload):
        raise SystemExit("worker killed")  # nothing after this runs in that worker

    jobs.register(jobs.declare("test_killed"), killed)
    job = jobs.enqueue("test_killed", {})
    with pytest.raises(SystemExit):
        jobs.run_one()
    assert Job.get_by_id(job.id).status == Job.RUNNING
    assert not [t for t in threading.enumerate() if t.name.startswith("job-claim")]  # nobody renews it
    jobs.register("test_killed", calls.append)  # the next worker
    assert jobs.run_due(utcnow() + dt.timedelta(seconds=jobs.CLAIM_SECONDS / 2)) == 0
    assert jobs.run_due(utcnow() + dt.timedelta(seconds=61)) == 1  # within a minute, not five
    assert calls == [{}] and Job.get_by_id(job.id).status == Job.DONE


def test_jobs_done_past_their_retention_are_purged_in_batches_and_failed_ones_stay(db):
    now = utcnow()
    old_done = [jobs.enqueue("test_flaky", {"n": n}) for n in range(5)]
    recent_done = jobs.enqueue("test_flaky", {"n": "recent"})
    old_failed = jobs.enqueue("test_flaky", {"n": "failed"})
    waiting = jobs.enqueue("test_flaky", {"n": "waiting"})
    long_ago = now - dt.timedelta(days=31)
    Job.update(status=Job.DONE, finished_at=long_ago).where(Job.id.in_([j.id for j in old_done])).execute()
    Job.update(status=Job.DONE, finished_at=now - dt.timedelta(days=29)).where(Job.id == recent_done.id).execute()
    Job.update(status=Job.FAILED, finished_at=long_ago).where(Job.id == old_failed.id).execute()
    assert jobs.purge_done(30, now, batch=3) == 3
    assert jobs.purge_done(30, now, batch=3) == 2
    assert jobs.purge_done(30, now, batch=3) == 0
    assert {j.id for j in Job.select()} == {recent_done.id, old_failed.id, waiting.id}


def test_the_worker_purges_done_jobs_when_it_starts(db, settings):
    job = jobs.enqueue("test_flaky", {"n": 1})
    Job.update(status=Job.DONE, finished_at=utcnow() - dt.timedelta(days=settings.done_jobs_retention_days + 1)
               ).where(Job.id == job.id).execute()
    with running_worker():
        wait_for(lambda: Job.get_or_none(Job.id == job.id) is None, 20, what="the worker to purge the done job")
