"""The persistent job queue: retries with backoff, claims that expire, operator retry."""
import datetime as dt

import pytest

from tenants import jobs
from tenants.models import Job, utcnow

calls: list[dict] = []


@jobs.handler("test_flaky")
def flaky(payload: dict) -> None:
    calls.append(payload)
    if payload.get("fail_until", 0) >= len(calls):
        raise ConnectionRefusedError("smtp down")


@pytest.fixture(autouse=True)
def reset_calls():
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
    jobs.handler(kind)(calls.append)
    jobs.run_due(job.run_at)
    assert Job.get_by_id(job.id).status == Job.DONE and calls == [{}]
