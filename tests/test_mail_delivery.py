"""PIN emails go through the job queue to a real SMTP server, and survive it being down."""
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from tenants import jobs
from tenants.models import Job, utcnow
from tests import factories as f

ROOT = Path(__file__).resolve().parent.parent


def pin_of(message) -> str:
    body = message.get_body(("plain",)).get_content()
    return next(word for word in body.split() if word.isdigit() and len(word) == 6)


def test_creating_an_extension_emails_the_pin(smtp):
    f.extension(f.tenant(), "2001", name="Alice Martin", email="alice@acme.example")
    assert jobs.run_due() == 1
    [message] = smtp.wait_for(1)
    assert message["To"] == "alice@acme.example"
    assert "2001" in message["Subject"] and "PIN" in message["Subject"]
    body = message.get_body(("plain",)).get_content()
    assert "Bonjour Alice Martin" in body and "*97" in body and len(pin_of(message)) == 6
    assert Job.get().status == Job.DONE


def test_with_smtp_down_the_job_waits_and_is_delivered_once_back(smtp):
    smtp.stop()
    f.extension(f.tenant(), "2001", email="alice@acme.example")
    jobs.run_due()
    job = Job.get()
    assert job.status == Job.QUEUED and job.attempts == 1 and job.last_error
    assert job.run_at > utcnow()
    smtp.start()
    assert jobs.run_due() == 0  # backing off: not yet
    jobs.run_due(job.run_at + dt.timedelta(seconds=1))
    [message] = smtp.wait_for(1)
    assert message["To"] == "alice@acme.example"
    assert Job.get().status == Job.DONE and Job.get().attempts == 2


def test_the_worker_process_delivers_queued_mail_after_a_restart(smtp, settings):
    """Jobs are rows: mail queued while no worker runs goes out when one starts."""
    f.extension(f.tenant(), "2001", email="alice@acme.example")
    f.extension(f.tenant("globex.pbx.example"), "2001", email="gina@globex.example")
    env = {**os.environ, "POSTE_DATA": str(settings.data_dir), "DATABASE_URL": settings.database_url,
           "POSTE_SMTP_HOST": "127.0.0.1", "POSTE_SMTP_PORT": str(smtp.port)}
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "work", "--poll", "0.2"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        messages = smtp.wait_for(2, timeout=60)
    finally:
        worker.terminate()
        _out, err = worker.communicate(timeout=20)
    assert sorted(m["To"] for m in messages) == ["alice@acme.example", "gina@globex.example"]
    assert worker.returncode == 0, err.decode()[-2000:]
