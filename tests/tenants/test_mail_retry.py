"""An email sent again by a retried job carries the same Message-ID: the receiving side sees a repeat."""
import datetime as dt

from tenants import jobs, mail
from tenants.models import Job, utcnow
from tests import factories as f


def _as_if_its_worker_died(job: Job) -> None:
    """What a worker killed after the SMTP server accepted the email leaves: a claim, expired."""
    Job.update(status=Job.RUNNING, locked_until=utcnow() - dt.timedelta(seconds=1)).where(Job.id == job.id).execute()


def test_the_same_jobs_email_has_the_same_message_id_on_a_retry(smtp):
    acme = f.tenant()
    mail.queue_mail("ops@acme.example", "Essai", "Un e-mail de la file.", tenant=acme)
    mail.queue_mail("ops@acme.example", "Essai", "Un autre e-mail.", tenant=acme)
    first, second = Job.select().order_by(Job.id)
    assert jobs.run_due() == 2
    _as_if_its_worker_died(first)
    assert jobs.run_due() == 1
    sent = smtp.wait_for(3)
    ids = [m["Message-ID"] for m in sent]
    assert ids[0] == ids[2] and ids[0] != ids[1]  # a repeat is recognisable; two jobs, two emails
    assert f"job{first.id}." in ids[0] and f"job{second.id}." in ids[1]


def test_an_email_outside_a_job_gets_a_fresh_message_id():
    ids = {mail.compose("a@example.org", "s", "b")["Message-ID"] for _ in range(2)}
    assert len(ids) == 2
