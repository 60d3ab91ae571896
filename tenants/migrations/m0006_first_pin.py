"""Secrets at rest (issue 11): a first PIN waits for its email encrypted in ``mailbox``, never in
a job row. Adds the column (idempotent, SQLite and PostgreSQL), then clears the PINs that
earlier versions wrote in clear into their email jobs: a sent email loses its text; a waiting
one becomes the job that renders it when it runs, its PIN encrypted if still the mailbox's."""
from __future__ import annotations

import re

import peewee as pw
from playhouse.migrate import PostgresqlMigrator, SqliteMigrator, migrate

from tenants.credentials import encrypt_secret, verify_secret
from tenants.models import Extension, Job, Mailbox

# What earlier versions put in a PIN email (tenants/notices.py then), in French and English.
LEGACY_PIN = re.compile(r"(?:Votre code PIN provisoire est :|Your temporary PIN is:) (\d+)")
LEGACY_NUMBER = re.compile(r"(?:code PIN du poste|PIN for extension) (\d+)$")
PIN_EMAIL = "pin_email"  # tenants.extensions.PIN_EMAIL when this was written


def up(db) -> None:
    if "first_pin_enc" not in {c.name for c in db.get_columns("mailbox")}:
        migrator = PostgresqlMigrator(db) if isinstance(db, pw.PostgresqlDatabase) else SqliteMigrator(db)
        migrate(migrator.add_column("mailbox", "first_pin_enc", pw.TextField(null=True)))
    # Only the columns this needs: later versions may add others this schema has not yet.
    for job in Job.select(Job.id, Job.status, Job.payload, Job.tenant).where(Job.kind == "send_mail"):
        pin = LEGACY_PIN.search(job.payload.get("body") or "")
        number = LEGACY_NUMBER.search(job.payload.get("subject") or "")
        if pin is None or number is None:
            continue
        if job.status == Job.DONE:
            Job.update(payload={k: v for k, v in job.payload.items() if k != "body"}).where(Job.id == job.id).execute()
            continue
        box = (Mailbox.select(Mailbox.id, Mailbox.pin_hash, Mailbox.pin_must_change).join(Extension)
               .where((Extension.tenant == job.tenant_id) & (Extension.number == number.group(1))).first())
        if box is not None and box.pin_must_change and verify_secret(box.pin_hash, pin.group(1)):
            Mailbox.update(first_pin_enc=encrypt_secret(pin.group(1))).where(Mailbox.id == box.id).execute()
        Job.update(kind=PIN_EMAIL, payload={"mailbox_id": box.id if box else None}).where(Job.id == job.id).execute()
