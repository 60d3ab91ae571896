"""Extensions 2XXX (A3), their mailboxes (A4, A5) and their SIP accounts.

Every change runs in one transaction with its audit entry, Kamailio's rows and
the emails it queues, so a refused or failed change leaves nothing behind.
"""
from __future__ import annotations

from dataclasses import dataclass

import peewee as pw

from tenants import audit, emails, jobs, mail, ports, sip_accounts
from tenants.audit import Actor
from tenants.credentials import (
    decrypt_secret,
    decrypt_sip_password,
    encrypt_secret,
    encrypt_sip_password,
    generate_pin,
    generate_sip_password,
    hash_secret,
)
from tenants.db import database
from tenants.models import Did, Extension, Mailbox, Tenant
from tenants.pin_rules import unlocked
from tenants.problems import N_, DomainError, Problem
from tenants.validation import (
    check_email,
    check_extension_number,
    check_name,
    check_phone_number,
    check_pin,
    normalize_email,
    to_e164,
)

KINDS = (Extension.DESK, Extension.VIRTUAL)
SIP_PASSWORD_MIN = 12
PIN_EMAIL = jobs.declare("pin_email")  # its payload is the mailbox's id only: the PIN never sits in a job row


@dataclass(frozen=True)
class ExtensionInput:
    """What a person types to create or edit an extension."""

    number: str
    name: str
    email: str
    kind: str = Extension.DESK
    forward_to: str = ""
    did: str = ""
    anonymous_calls: bool = False  # its outside calls withhold the caller ID (C4)

    def cleaned(self) -> ExtensionInput:
        return ExtensionInput(number=(self.number or "").strip(), name=(self.name or "").strip(),
                              email=normalize_email(self.email), kind=self.kind or Extension.DESK,
                              forward_to=(self.forward_to or "").strip(), did=(self.did or "").strip(),
                              anonymous_calls=bool(self.anonymous_calls))


def validate(data: ExtensionInput, taken_numbers: set[str], free_dids: set[str]) -> list[Problem]:
    """Pure check of an extension: range, uniqueness in its tenant, email, kind, DID.

    ``taken_numbers`` are the tenant's other extensions; ``free_dids`` the tenant's
    DIDs (E.164) this extension may take.
    """
    problems = check_extension_number(data.number)
    if not problems and data.number in taken_numbers:
        problems.append(Problem("number", N_("Le poste %(value)s existe déjà."), {"value": data.number}))
    problems += check_name(data.name) + check_email(data.email)
    if data.kind not in KINDS:
        problems.append(Problem("kind", N_("Type de poste inconnu.")))
    elif data.kind == Extension.VIRTUAL:
        problems += check_phone_number(data.forward_to, "forward_to")
    if data.did:
        e164 = to_e164(data.did)
        if e164 is None or e164 not in free_dids:
            problems.append(Problem("did", N_("Le numéro %(value)s n'est pas un numéro libre de ce client."),
                                    {"value": data.did[:32]}))
    return problems


def check_sip_password(password: str) -> list[Problem]:
    if len(password) < SIP_PASSWORD_MIN:
        return [Problem("sip_password", N_("Le mot de passe SIP doit comporter au moins %(min)d caractères."),
                        {"min": SIP_PASSWORD_MIN})]
    if len(password) > 64 or not password.isprintable() or " " in password:
        return [Problem("sip_password", N_("Le mot de passe SIP contient des caractères non autorisés ou est trop long."))]
    return []


def snapshot(ext: Extension) -> dict:
    did = Did.get_or_none(Did.extension == ext)
    return {"number": ext.number, "name": ext.name, "email": ext.email, "kind": ext.kind,
            "forward_to": ext.forward_to, "did": did.number if did else None, "anonymous_calls": ext.anonymous_calls}


def _context(tenant: Tenant, ext: Extension | None) -> tuple[set[str], set[str]]:
    others = Extension.select(Extension.number).where(Extension.tenant == tenant)
    dids = Did.select(Did.number).where((Did.tenant == tenant) & (Did.extension.is_null()))
    if ext is not None:
        others = others.where(Extension.id != ext.id)
        dids = Did.select(Did.number).where((Did.tenant == tenant)
                                            & (Did.extension.is_null() | (Did.extension == ext)))
    return {row.number for row in others}, {row.number for row in dids}


def problems_for(tenant: Tenant, data: ExtensionInput, ext: Extension | None = None) -> list[Problem]:
    """What is wrong with ``data`` for ``tenant`` (used by inline validation too)."""
    taken, free = _context(tenant, ext)
    return validate(data.cleaned(), taken, free)


def _assign_did(tenant: Tenant, ext: Extension, did: str) -> None:
    Did.update(extension=None).where(Did.extension == ext).execute()
    if did:
        Did.update(extension=ext).where((Did.tenant == tenant) & (Did.number == to_e164(did))).execute()


def create_extension(actor: Actor, tenant: Tenant, data: ExtensionInput,
                     sip_password: str | None = None, pin: str | None = None) -> tuple[Extension, str]:
    """Create the extension, its mailbox and SIP account; queue the PIN email (A4).

    The first PIN is random unless given; either way it must be changed at first access.
    Returns the extension and its SIP password, which the caller shows once.
    """
    data = data.cleaned()
    problems = problems_for(tenant, data)
    if sip_password is not None:
        problems += check_sip_password(sip_password)
    if pin is not None:
        problems += check_pin(pin)
    if problems:
        raise DomainError(problems)
    password = sip_password or generate_sip_password()
    pin = pin or generate_pin()
    try:
        with database.atomic():
            ext = Extension.create(
                tenant=tenant, number=data.number, name=data.name, email=data.email, kind=data.kind,
                forward_to=to_e164(data.forward_to) if data.kind == Extension.VIRTUAL else None,
                sip_password_enc=encrypt_sip_password(password), anonymous_calls=data.anonymous_calls)
            box = Mailbox.create(extension=ext, pin_hash=hash_secret(pin), pin_must_change=True,
                                 email=data.email, first_pin_enc=encrypt_secret(pin))
            _assign_did(tenant, ext, data.did)
            sip_accounts.set_subscriber(tenant, ext.number, password)
            audit.record(actor, "extension.create", tenant, "extension", ext.id, ext.number, None, snapshot(ext))
            jobs.enqueue(PIN_EMAIL, {"mailbox_id": box.id}, tenant=tenant)
    except pw.IntegrityError as error:
        # Another request took the number between the check and the insert.
        raise DomainError(Problem("number", N_("Le poste %(value)s existe déjà."), {"value": data.number})) from error
    return ext, password


PIN_CHANGED = "pin_changed"  # the PIN email's outcome when there was no first PIN left to send


def send_pin_email(payload: dict) -> str | None:
    """The first PIN's email (A4), rendered now from the encrypted PIN, which is then wiped.

    Nothing is sent when the PIN was changed (or the extension deleted) in the meantime, and the
    job says so (``PIN_CHANGED``): the extension's page must not call it sent.
    """
    box = (Mailbox.select(Mailbox, Extension, Tenant).join(Extension).join(Tenant)
           .where(Mailbox.id == payload["mailbox_id"]).first())
    if box is None or box.first_pin_enc is None:
        return PIN_CHANGED
    ext, tenant = box.extension, box.extension.tenant
    email = emails.render("first_pin", tenant.language, tenant.timezone, name=ext.name, number=ext.number,
                          domain=tenant.domain, pin=decrypt_secret(box.first_pin_enc))
    mail.deliver(mail.compose(ext.email, *email))
    Mailbox.update(first_pin_enc=None).where(
        (Mailbox.id == box.id) & (Mailbox.first_pin_enc == box.first_pin_enc)).execute()
    return None


def update_extension(actor: Actor, ext: Extension, data: ExtensionInput) -> Extension:
    data = data.cleaned()
    problems = problems_for(ext.tenant, data, ext)
    if problems:
        raise DomainError(problems)
    tenant = ext.tenant
    before = snapshot(ext)
    old_number = ext.number
    try:
        with database.atomic():
            ext.number, ext.name, ext.email, ext.kind = data.number, data.name, data.email, data.kind
            ext.forward_to = to_e164(data.forward_to) if data.kind == Extension.VIRTUAL else None
            ext.anonymous_calls = data.anonymous_calls
            ext.save()
            _assign_did(tenant, ext, data.did)
            if old_number != ext.number:
                sip_accounts.remove_subscriber(tenant, old_number)
                sip_accounts.set_subscriber(tenant, ext.number, decrypt_sip_password(ext.sip_password_enc))
            audit.record(actor, "extension.update", tenant, "extension", ext.id, ext.number, before, snapshot(ext))
    except pw.IntegrityError as error:
        raise DomainError(Problem("number", N_("Le poste %(value)s existe déjà."), {"value": data.number})) from error
    if old_number != ext.number:
        ports.drop_registrations(old_number, tenant.domain)
    return ext


def delete_extension(actor: Actor, ext: Extension) -> None:
    """Delete the extension with its mailbox and SIP account; its phones are unregistered."""
    with database.atomic():
        audit.record(actor, "extension.delete", ext.tenant, "extension", ext.id, ext.number, snapshot(ext), None)
        sip_accounts.remove_subscriber(ext.tenant, ext.number)
        Did.update(extension=None).where(Did.extension == ext).execute()
        ext.delete_instance(recursive=True)
    ports.drop_registrations(ext.number, ext.tenant.domain)


def set_sip_password(actor: Actor, ext: Extension, password: str | None = None) -> str:
    """Give the extension a new SIP password (generated when none); return it to show once."""
    if password is not None and (problems := check_sip_password(password)):
        raise DomainError(problems)
    password = password or generate_sip_password()
    with database.atomic():
        ext.sip_password_enc = encrypt_sip_password(password)
        ext.save()
        sip_accounts.set_subscriber(ext.tenant, ext.number, password)
        audit.record(actor, "extension.sip_password", ext.tenant, "extension", ext.id, ext.number,
                     {"sip_password": "••••"}, {"sip_password": "•••• ✔"})
    return password


def sip_password(ext: Extension) -> str:
    return decrypt_sip_password(ext.sip_password_enc)


def mailbox_of(ext: Extension) -> Mailbox:
    return Mailbox.get(Mailbox.extension == ext)


def _mailbox_snapshot(box: Mailbox) -> dict:
    return {"locked": box.locked, "failed_attempts": box.failed_attempts, "email": box.email,
            "pin_must_change": box.pin_must_change}


def set_pin(actor: Actor, box: Mailbox, pin: str) -> None:
    """Admin sets a new PIN (A4): the user must change it at next access; the box is unlocked."""
    if problems := check_pin(pin):
        raise DomainError(problems)
    ext = box.extension
    with database.atomic():
        before = _mailbox_snapshot(box)
        state = unlocked()
        box.pin_hash, box.pin_must_change = hash_secret(pin.strip()), True
        box.first_pin_enc = None  # a first PIN's email not sent yet would give a stale one
        box.failed_attempts, box.locked, box.locked_at = state.failed_attempts, state.locked, None
        box.save()
        after = _mailbox_snapshot(box)
        before["pin"], after["pin"] = "••••", "•••• ✔"
        audit.record(actor, "mailbox.pin", ext.tenant, "mailbox", box.id, ext.number, before, after)


def unlock_mailbox(actor: Actor, box: Mailbox) -> None:
    ext = box.extension
    with database.atomic():
        before = _mailbox_snapshot(box)
        state = unlocked()
        box.failed_attempts, box.locked, box.locked_at = state.failed_attempts, state.locked, None
        box.save()
        audit.record(actor, "mailbox.unlock", ext.tenant, "mailbox", box.id, ext.number, before,
                     _mailbox_snapshot(box))


def set_voicemail_email(actor: Actor, box: Mailbox, email: str) -> None:
    """A5: where this mailbox's voicemail emails go."""
    email = normalize_email(email)
    if problems := check_email(email, "voicemail_email"):
        raise DomainError(problems)
    ext = box.extension
    with database.atomic():
        before = _mailbox_snapshot(box)
        box.email = email
        box.save()
        audit.record(actor, "mailbox.email", ext.tenant, "mailbox", box.id, ext.number, before,
                     _mailbox_snapshot(box))


def search(tenant: Tenant, text: str = ""):
    """The tenant's extensions matching ``text`` in number, name or email, by number."""
    query = Extension.select().where(Extension.tenant == tenant).order_by(Extension.number)
    text = (text or "").strip()
    if text:
        query = query.where(Extension.number.contains(text) | Extension.name.contains(text)
                            | Extension.email.contains(text))
    return query


def by_number(tenant: Tenant, number: str) -> Extension | None:
    return Extension.get_or_none((Extension.tenant == tenant) & (Extension.number == number))


def require(tenant: Tenant, number: str) -> Extension:
    """The tenant's extension ``number``, or a DomainError that says there is none."""
    ext = by_number(tenant, (number or "").strip())
    if ext is None:
        raise DomainError(Problem("number", N_("Le poste %(value)s n'existe pas chez ce client."),
                                  {"value": (number or "")[:10]}))
    return ext
