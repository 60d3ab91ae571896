"""Voicemail: messages, per-mailbox greetings and settings, per-tenant voicemail options."""
from tenants.voicemail.models import VOICEMAIL_MODELS


def up(db) -> None:
    db.create_tables(VOICEMAIL_MODELS, safe=True)
