"""Issue 11, secrets at rest: a first voicemail PIN is never stored in clear.

Its email job carries only the mailbox's id; the PIN waits encrypted with the instance key
(the one of the SIP passwords) until the email is sent or the PIN is changed, then it is wiped.
Whatever the database holds (every row of every table, and the SQLite file's bytes) never
has it in clear, before, during or after the email.
"""
from __future__ import annotations

import datetime as dt
import importlib
import sqlite3
from pathlib import Path

import pytest

from tenants import extensions, jobs
from tenants.audit import Actor
from tenants.credentials import verify_secret
from tenants.db import database, is_sqlite
from tenants.extensions import ExtensionInput
from tenants.mailbox_pin import change_pin
from tenants.models import Job, Mailbox
from tests import factories as f

FIRST_PIN = "73915482"  # eight digits: found in the database only if it was stored


def sqlite_path(settings) -> Path | None:
    return Path(settings.database_url.removeprefix("sqlite:///")) if is_sqlite() else None


def stored_text(settings, raw: bool = True) -> str:
    """What a copy or a backup of the database holds: every row of every table as text
    (SQLite: its full dump, plus, when ``raw``, the bytes of the file and its write-ahead log)."""
    path = sqlite_path(settings)
    if path is None:
        return "\n".join(f"{table}: {row!r}" for table in database.get_tables()
                         for row in database.execute_sql(f'SELECT * FROM "{table}"').fetchall())
    copy = sqlite3.connect(path)
    try:
        dump = "\n".join(copy.iterdump())
    finally:
        copy.close()
    files = [path, path.with_name(path.name + "-wal")] if raw else []
    return dump + "\n" + b"".join(p.read_bytes() for p in files if p.exists()).decode("latin-1")


def create_with_first_pin(pin: str = FIRST_PIN, email: str = "alice@acme.example"):
    ext, _password = extensions.create_extension(
        f.CLI, f.tenant(), ExtensionInput(number="2001", name="Alice Martin", email=email), pin=pin)
    return ext, extensions.mailbox_of(ext)


def assert_nowhere_in_clear(settings, secret: str, raw: bool = True) -> None:
    text = stored_text(settings, raw)
    assert "alice@acme.example" in text  # the dump is of the real database, rows included
    assert secret not in text


def upgrade_from_legacy() -> None:
    """Run the migration as ``db upgrade`` does, on rows an earlier version left."""
    with database.atomic():
        importlib.import_module("tenants.migrations.m0006_first_pin").up(database.obj)


def test_the_pin_email_job_carries_ids_only(smtp, settings):
    ext, box = create_with_first_pin()
    [job] = Job.select()
    assert job.payload == {"mailbox_id": box.id}
    assert FIRST_PIN not in str(job.payload)


def test_the_first_pin_is_never_stored_in_clear_and_the_email_carries_it(smtp, settings):
    ext, box = create_with_first_pin()
    assert_nowhere_in_clear(settings, FIRST_PIN)
    assert Mailbox.get_by_id(box.id).first_pin_enc  # waiting, encrypted, for its email
    assert jobs.run_due() == 1
    [message] = smtp.wait_for(1)
    assert message["To"] == "alice@acme.example" and "2001" in message["Subject"]
    assert f"Votre code PIN provisoire est : {FIRST_PIN}" in message.get_body(("plain",)).get_content()
    assert Job.get().status == Job.DONE
    assert Mailbox.get_by_id(box.id).first_pin_enc is None  # sent: nothing left to decrypt
    assert_nowhere_in_clear(settings, FIRST_PIN)


def test_a_retried_pin_job_still_sends_the_pin(smtp, settings):
    smtp.stop()
    ext, box = create_with_first_pin()
    jobs.run_due()
    job = Job.get()
    assert job.status == Job.QUEUED and job.attempts == 1 and job.last_error
    assert Mailbox.get_by_id(box.id).first_pin_enc  # kept for the next try
    assert_nowhere_in_clear(settings, FIRST_PIN)
    smtp.start()
    assert jobs.run_due(job.run_at + dt.timedelta(seconds=1)) == 1
    [message] = smtp.wait_for(1)
    assert FIRST_PIN in message.get_body(("plain",)).get_content()
    assert Job.get().status == Job.DONE and Mailbox.get_by_id(box.id).first_pin_enc is None
    assert_nowhere_in_clear(settings, FIRST_PIN)


def test_a_generated_first_pin_is_the_one_emailed(smtp):
    ext = f.extension(f.tenant(), "2001", email="alice@acme.example")
    jobs.run_due()
    [message] = smtp.wait_for(1)
    pin = next(word for word in message.get_body(("plain",)).get_content().split() if word.isdigit() and len(word) == 6)
    assert verify_secret(extensions.mailbox_of(ext).pin_hash, pin)


def test_english_tenant_gets_the_english_text(smtp):
    acme = f.tenant()
    acme.language = "en"
    acme.save()
    extensions.create_extension(f.CLI, acme, ExtensionInput("2001", "Alice Martin", "alice@acme.example"),
                                pin=FIRST_PIN)
    jobs.run_due()
    [message] = smtp.wait_for(1)
    assert f"Your temporary PIN is: {FIRST_PIN}" in message.get_body(("plain",)).get_content()


@pytest.mark.parametrize("change", [
    lambda box: change_pin(box.id, "5555"),  # the user's own, by phone or portal
    lambda box: extensions.set_pin(Actor.cli(), box, "4711"),  # an admin's
])
def test_a_changed_pin_wipes_the_first_one_and_its_email_is_not_sent(smtp, change):
    ext, box = create_with_first_pin()
    change(box)
    assert Mailbox.get_by_id(box.id).first_pin_enc is None
    assert jobs.run_due() == 1
    assert Job.get().status == Job.DONE and smtp.messages == []  # no stale PIN goes out


def test_a_deleted_extension_has_its_pin_job_end_quietly(smtp):
    ext, _box = create_with_first_pin()
    extensions.delete_extension(f.CLI, ext)
    assert jobs.run_due() == 1
    assert Job.get().status == Job.DONE and smtp.messages == []


def test_upgrading_scrubs_the_pins_that_earlier_versions_left_in_job_rows(smtp, settings):
    """Earlier versions queued the PIN email's text itself: sent ones lose it; waiting ones
    become the new job, their PIN encrypted, and still send it."""
    ext, box = create_with_first_pin()
    Job.delete().execute()
    Mailbox.update(first_pin_enc=None).execute()
    subject = "Votre messagerie vocale : code PIN du poste 2001"
    legacy = {"to": "alice@acme.example", "subject": subject,
              "body": f"Bonjour Alice Martin,\n\nVotre code PIN provisoire est : {FIRST_PIN}\n"}
    sent = Job.create(kind="send_mail", payload=legacy, tenant=ext.tenant, status=Job.DONE)
    waiting = Job.create(kind="send_mail", payload=legacy, tenant=ext.tenant, status=Job.FAILED)
    other = Job.create(kind="send_mail", payload={"to": "boss@acme.example", "subject": "Verrouillée",
                                                  "body": "La messagerie du poste 2001..."}, status=Job.DONE)
    upgrade_from_legacy()
    assert Job.get_by_id(sent.id).payload == {"to": "alice@acme.example", "subject": subject}
    assert Job.get_by_id(waiting.id).kind == extensions.PIN_EMAIL
    assert Job.get_by_id(waiting.id).payload == {"mailbox_id": box.id}
    assert Job.get_by_id(other.id).payload["body"] == "La messagerie du poste 2001..."
    assert_nowhere_in_clear(settings, FIRST_PIN, raw=False)  # the file keeps old pages until VACUUM
    jobs.retry_now(Job.get_by_id(waiting.id))
    assert jobs.run_due() == 1
    [message] = smtp.wait_for(1)
    assert FIRST_PIN in message.get_body(("plain",)).get_content()


def test_upgrading_drops_a_waiting_legacy_pin_that_was_changed_since(smtp, settings):
    ext, box = create_with_first_pin()
    Job.delete().execute()
    change_pin(box.id, "5555")
    legacy = {"to": "alice@acme.example", "subject": "Your voicemail: PIN for extension 2001",
              "body": f"Hello Alice Martin,\n\nYour temporary PIN is: {FIRST_PIN}\n"}
    waiting = Job.create(kind="send_mail", payload=legacy, tenant=ext.tenant)
    upgrade_from_legacy()
    assert Job.get_by_id(waiting.id).payload == {"mailbox_id": box.id}
    assert Mailbox.get_by_id(box.id).first_pin_enc is None
    assert jobs.run_due() == 1 and smtp.messages == []  # a stale PIN is not sent
    assert_nowhere_in_clear(settings, FIRST_PIN, raw=False)
