"""Flask-Login's view of an account."""
from __future__ import annotations

from flask_login import UserMixin

from tenants.accounts import can_sign_in, session_account
from tenants.models import Account


class SessionUser(UserMixin):
    """The session id includes a piece of the password hash, so a password change
    signs out every other session of the account."""

    def __init__(self, account: Account):
        self.account = account

    def get_id(self) -> str:
        return f"{self.account.id}:{self.account.password_hash[-16:]}"


def load_user(session_id: str) -> SessionUser | None:
    account_id, _, fingerprint = (session_id or "").partition(":")
    if not account_id.isdigit():
        return None
    account = session_account(int(account_id))
    if account is None or account.password_hash[-16:] != fingerprint or not can_sign_in(account):
        return None
    return SessionUser(account)
