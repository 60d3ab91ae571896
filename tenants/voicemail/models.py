"""Voicemail tables: one row per message, per-mailbox greetings/settings, per-tenant options."""
from __future__ import annotations

import peewee as pw

from tenants.models import BaseModel, Mailbox, Tenant, utcnow

FOLDERS = ("new", "old", "work", "family", "friends", "deleted")  # D6, plus Deleted (E7)


class VoicemailOptions(BaseModel):
    """Per-tenant voicemail limits and the reception of D7 ("0" after recording)."""

    tenant = pw.ForeignKeyField(Tenant, backref="voicemail_options", unique=True, on_delete="CASCADE")
    reception = pw.CharField(max_length=32, null=True)  # an extension number or E.164; None: no "0"
    max_messages = pw.IntegerField(default=100)  # D12 capacity per mailbox
    max_seconds = pw.IntegerField(default=180)  # 3 minutes
    min_seconds = pw.IntegerField(default=1)
    menu_layout = pw.CharField(max_length=16, default="asterisk")  # D5: "asterisk" (seed 003) or "ooma" (000)


class MailboxSettings(BaseModel):
    """Greetings (D8) and message settings of one mailbox. Paths are relative to $POSTE_DATA."""

    SYSTEM = "system"  # the system greeting: recorded name if any, else the number
    mailbox = pw.ForeignKeyField(Mailbox, backref="settings", unique=True, on_delete="CASCADE")
    unavailable_path = pw.CharField(max_length=300, null=True)
    busy_path = pw.CharField(max_length=300, null=True)
    name_path = pw.CharField(max_length=300, null=True)
    temporary_path = pw.CharField(max_length=300, null=True)
    temporary_on = pw.BooleanField(default=False)
    skip_pin = pw.BooleanField(default=False)  # D1: no PIN from one's own phone
    envelope = pw.CharField(max_length=16, default="both")  # D9: both, envelope, message
    setup_done = pw.BooleanField(default=False)  # D3: name and greeting asked until the first access is done
    # E8 (seed 001 "Réglages des messages"), made by m0070_portal
    forward_email = pw.BooleanField(default=True)  # new messages emailed to the mailbox's address
    keep_original = pw.BooleanField(default=True)  # False: a message emailed goes to Deleted
    quick_login = pw.BooleanField(default=False)  # *98 from one's own phone asks the PIN only
    autoplay = pw.BooleanField(default=False)  # messages play as soon as the mailbox is opened
    greeting = pw.CharField(max_length=16, default="")  # "" as recorded, else system, system_number, system_name, custom
    updated_at = pw.DateTimeField(default=utcnow)


class VoiceMessage(BaseModel):
    mailbox = pw.ForeignKeyField(Mailbox, backref="messages", on_delete="CASCADE")
    folder = pw.CharField(max_length=16, default="new", index=True)
    caller_number = pw.CharField(max_length=64, default="")
    caller_name = pw.CharField(max_length=100, default="")
    received_at = pw.DateTimeField(default=utcnow, index=True)  # naive UTC
    duration_ms = pw.IntegerField()
    path = pw.CharField(max_length=300)  # WAV 8 kHz 16-bit, relative to $POSTE_DATA
    size_bytes = pw.IntegerField(default=0)
    reason = pw.CharField(max_length=16, default="")  # noanswer, busy, unavailable
    urgent = pw.BooleanField(default=False)
    private = pw.BooleanField(default=False)
    cut = pw.BooleanField(default=False)  # stopped at the maximum length
    recording_id = pw.CharField(max_length=64, unique=True)  # idempotent store (crash recovery)
    heard_at = pw.DateTimeField(null=True)
    deleted_at = pw.DateTimeField(null=True, index=True)  # E7: when it went to Deleted (purged after the retention)


VOICEMAIL_MODELS = [VoicemailOptions, MailboxSettings, VoiceMessage]
