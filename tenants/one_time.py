"""Messages shown once, kept on the server: a new SIP password is never put in a cookie.

Flask's session cookie is signed, not encrypted: whoever holds it reads it. A message that
carries a secret is kept here instead, encrypted with the instance key, under the hash of a
random token that only the session that made it holds; taking it deletes it, so it shows
once. Messages nobody took are dropped after ``LIFETIME``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import peewee as pw

from tenants.credentials import decrypt_sip_password, encrypt_sip_password
from tenants.db import database
from tenants.models import BaseModel

LIFETIME = dt.timedelta(minutes=10)


class OneTimeMessage(BaseModel):
    token_hash = pw.CharField(max_length=64, primary_key=True)
    account_id = pw.IntegerField()  # no foreign key: deleting an account does not wait for this
    text_enc = pw.TextField()
    expires_at = pw.DateTimeField(index=True)

    class Meta:
        table_name = "one_time_message"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def keep(account_id: int, text: str, now: dt.datetime) -> str:
    """Keep ``text`` for ``account_id``; return the token that takes it back (once)."""
    token = secrets.token_urlsafe(32)
    with database.atomic():
        OneTimeMessage.delete().where(OneTimeMessage.expires_at <= now).execute()
        OneTimeMessage.create(token_hash=_hash(token), account_id=account_id,
                              text_enc=encrypt_sip_password(text), expires_at=now + LIFETIME)
    return token


def take(account_id: int, token: str, now: dt.datetime) -> str | None:
    """The text kept under ``token`` for ``account_id``, deleted as it is read; None when there is
    none (already taken, expired, another account's or never kept)."""
    mine = ((OneTimeMessage.token_hash == _hash(token)) & (OneTimeMessage.account_id == account_id)
            & (OneTimeMessage.expires_at > now))
    with database.atomic():
        row = OneTimeMessage.get_or_none(mine)
        if row is None or OneTimeMessage.delete().where(mine).execute() != 1:
            return None
    return decrypt_sip_password(row.text_enc)
