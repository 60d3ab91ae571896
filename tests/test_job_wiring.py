"""Job handlers are registered in one place (``wiring.py``), checked, and the worker started the
documented way (``flask --app wsgi jobs work``) runs every kind of job it is declared to run."""
from __future__ import annotations

import ast
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import wiring
from rtp.mediaapp.mwi_jobs import MwiJobs
from tenants import jobs, mail, prepaid
from tenants.audit import Actor
from tenants.models import Job, Mailbox
from tenants.voicemail import portal_mail, service
from tenants.voicemail.models import VoiceMessage
from tests import factories as f
from tests.voicemail.test_voicemail_service import write_wav

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("tenants", "rtp", "console", "kamailio")


def declared_in_source() -> dict[str, str]:
    """Every ``jobs.declare("kind"[, runner=jobs.X])`` of the project's code: kind -> runner."""
    found: dict[str, str] = {}
    for layer in LAYERS:
        for path in (ROOT / layer).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr == "declare" and getattr(node.func.value, "id", "") == "jobs"):
                    runner = next((kw.value.attr.lower() for kw in node.keywords if kw.arg == "runner"),
                                  jobs.WORKER)
                    found[node.args[0].value] = runner
    return found


@pytest.fixture
def empty_registry(monkeypatch):
    """A process that declared its kinds but registered no handler yet."""
    monkeypatch.setattr(jobs, "_handlers", {})


def test_every_declared_kind_has_exactly_one_runner_with_a_handler():
    declared = declared_in_source()
    assert {"send_mail", "pin_email", "voicemail_email", "voicemail_mwi"} <= set(declared)
    worker = set(wiring.worker_handlers())
    media = set(MwiJobs(stack=None, proxy=None).handlers())
    assert not worker & media
    assert worker == {kind for kind, runner in declared.items() if runner == jobs.WORKER}
    assert media == {kind for kind, runner in declared.items() if runner == jobs.MEDIA}
    for kind, runner in declared.items():  # the queue agrees with the source on who runs what
        assert kind in jobs.kinds_of(runner) and kind not in jobs.kinds_of(
            jobs.MEDIA if runner == jobs.WORKER else jobs.WORKER)


def test_a_process_without_its_handlers_refuses_to_run_jobs(empty_registry):
    with pytest.raises(RuntimeError, match="voicemail_email"):
        jobs.require_handlers(jobs.WORKER)
    wiring.register_handlers()
    jobs.require_handlers(jobs.WORKER)
    with pytest.raises(RuntimeError, match="voicemail_mwi"):
        jobs.require_handlers(jobs.MEDIA)  # the media app registers its own


def test_handlers_are_registered_for_declared_kinds_only(empty_registry):
    with pytest.raises(ValueError, match="never_declared"):
        jobs.register("never_declared", print)


def _env(settings, smtp) -> dict[str, str]:
    return {**os.environ, "POSTE_DATA": str(settings.data_dir), "DATABASE_URL": settings.database_url,
            "POSTE_SMTP_HOST": "127.0.0.1", "POSTE_SMTP_PORT": str(smtp.port)}


def _example_jobs(settings) -> dict[str, Job]:
    """One job of each kind, queued the way the product queues it."""
    acme = f.tenant()
    ext = f.extension(acme, "2001", name="Alice Martin", email="alice@acme.example")  # its first PIN's email
    mail.queue_mail("ops@acme.example", "Essai", "Un e-mail de la file.", tenant=acme)
    rel = service.message_path(acme.domain, "2001", "rec-wiring")
    write_wav(settings.data_dir / rel)
    service.store_message(Mailbox.get(Mailbox.extension == ext).id, "rec-wiring", rel, 1000, 16044, "0612345678",
                          "Bob", dt.datetime(2026, 3, 1, 13, 5), "noanswer")  # its email and its MWI
    box = Mailbox.get(Mailbox.extension == ext)
    portal_mail.queue_forward(box.id, VoiceMessage.get(VoiceMessage.recording_id == "rec-wiring").id,
                              "paul@example.org", "", "", "Pour toi.")  # issue 17: forwarded as email
    prepaid.import_rates(Actor.cli(), "prefix,description,cents_per_minute,increment_s,first_increment_s\n+1,US,60,60,\n")
    prepaid.enable(Actor.cli(), acme)
    prepaid.topup(Actor.cli(), acme, 100)
    prepaid.reserve(acme, "call-wiring", "2001", "+12125550100", now=dt.datetime(2026, 3, 1, 13, 5))  # its reconciliation
    return {job.kind: job for job in Job.select()}


def test_the_worker_started_the_documented_way_runs_every_kind(smtp, settings):
    queued = _example_jobs(settings)
    declared = declared_in_source()
    worker_kinds = {kind for kind, runner in declared.items() if runner == jobs.WORKER}
    assert set(queued) == set(declared), "give every declared kind an example job here"
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "work", "--poll", "0.2"],
                              cwd=ROOT, env=_env(settings, smtp), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while any(Job.get_by_id(queued[kind].id).status != Job.DONE for kind in worker_kinds):
            failed = [(j.kind, j.last_error) for j in Job.select() if j.last_error]
            assert not failed and worker.poll() is None and time.monotonic() < deadline, failed
            time.sleep(0.1)
    finally:
        worker.terminate()
        _out, err = worker.communicate(timeout=20)
    assert worker.returncode == 0, err.decode()[-2000:]
    assert sorted(m["To"] for m in smtp.wait_for(4)) == ["alice@acme.example"] * 2 + ["ops@acme.example",
                                                                                      "paul@example.org"]
    mwi = Job.get_by_id(queued["voicemail_mwi"].id)
    assert mwi.status == Job.QUEUED and mwi.attempts == 0  # the media app's: the worker leaves it


def test_a_worker_started_without_its_handlers_stops_at_once_and_says_why(smtp, settings):
    queued = _example_jobs(settings)
    worker = subprocess.run([sys.executable, "-m", "flask", "--app", "console:create_app", "jobs", "work",
                             "--poll", "0.2"], cwd=ROOT, env=_env(settings, smtp), capture_output=True, timeout=60)
    assert worker.returncode != 0 and "voicemail_email" in worker.stderr.decode()
    assert all(Job.get_by_id(job.id).attempts == 0 for job in queued.values())
