"""Who owns which mailboxes (A7, E1): the self-service portal's view of a user.

A user account owns the mailbox of its own extension, and every mailbox of its tenant whose
extension carries the account's email (an admin gives a member several lines by giving them
the same email). Nobody owns a mailbox of another tenant.

``resolve_login`` turns what is typed in the login page's first field into an account:
``2001@acme.pbx.example`` (the mailbox number with its tenant's domain), ``2001`` alone when
the console is reached under the tenant's own domain, a direct number (``01 42 68 53 00``,
``+33142685300``: a DID names its tenant), or an email address (admins, operators).
"""
from __future__ import annotations

import re

from tenants.models import Account, Did, Extension, Mailbox, Tenant
from tenants.validation import normalize_email, to_e164

_EXTENSION = re.compile(r"^\d{3,6}$")
_PHONE = re.compile(r"^\+?[\d .()-]{6,24}$")


def mailboxes_of(account: Account) -> list[Mailbox]:
    """The mailboxes ``account`` may read and manage, by extension number (the account's own first)."""
    if account.tenant_id is None:
        return []
    owned = (Extension.id == account.extension_id) if account.extension_id else None
    by_email = (Extension.email == account.email) if account.email else None
    condition = owned | by_email if owned is not None and by_email is not None else owned or by_email
    if condition is None:
        return []
    rows = list(Mailbox.select(Mailbox, Extension).join(Extension)
                .where((Extension.tenant == account.tenant_id) & condition).order_by(Extension.number))
    rows.sort(key=lambda box: (box.extension_id != account.extension_id, box.extension.number))
    return rows


def owned_mailbox(account: Account, mailbox_id: int) -> Mailbox | None:
    """The mailbox ``mailbox_id`` when ``account`` owns it, else None."""
    return next((box for box in mailboxes_of(account) if box.id == mailbox_id), None)


def _extension_login(number: str, domain: str | None) -> Extension | None:
    if not domain:
        return None
    return (Extension.select(Extension, Tenant).join(Tenant)
            .where((Extension.number == number) & (Tenant.domain == domain.lower())).first())


def extension_for(identifier: str, host: str | None = None) -> Extension | None:
    """The extension a login names, or None: ``number@domain``, ``number`` under a tenant's
    host name, or a DID given to an extension."""
    text = (identifier or "").strip()
    left, at, right = text.partition("@")
    if at:
        return _extension_login(left, right) if _EXTENSION.match(left) else None
    if _EXTENSION.match(text):
        return _extension_login(text, (host or "").split(":")[0])
    if _PHONE.match(text):
        e164 = to_e164(text)
        did = Did.get_or_none(Did.number == e164) if e164 else None
        return did.extension if did is not None and did.extension_id else None
    return None


def account_for_extension(ext: Extension) -> Account | None:
    """The user account that owns this extension's mailbox (its own account first)."""
    own = (Account.select().where((Account.extension == ext) & (Account.tenant == ext.tenant_id))
           .order_by(Account.id).first())
    if own is not None:
        return own
    return (Account.select().where((Account.tenant == ext.tenant_id) & (Account.email == ext.email.lower())
                                   & (Account.role == Account.USER)).order_by(Account.id).first())


def is_mailbox_login(identifier: str) -> bool:
    """Whether what was typed is meant as a mailbox number rather than an email address."""
    text = (identifier or "").strip()
    left, at, _ = text.partition("@")
    return bool(_EXTENSION.match(left)) if at else bool(_EXTENSION.match(text) or _PHONE.match(text))


def resolve_login(identifier: str, host: str | None = None) -> tuple[str, Account | None]:
    """(email to authenticate, the account found by mailbox): an email is returned as typed."""
    if not is_mailbox_login(identifier):
        return normalize_email(identifier), None
    ext = extension_for(identifier, host)
    account = account_for_extension(ext) if ext is not None else None
    return (account.email if account else ""), account


def tenant_of_host(host: str | None) -> Tenant | None:
    """The tenant whose domain the console is reached under (``acme.pbx.example:8000``), if any."""
    name = (host or "").split(":")[0].lower()
    return Tenant.get_or_none(Tenant.domain == name) if name else None
