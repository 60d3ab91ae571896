"""Voicemail PINs typed by phone (D3, D4): check, lock after three wrong, change.

The rule itself is ``pin_rules``; this applies it to a stored mailbox, atomically,
so two calls typing wrong PINs at once still lock at the third.
"""
from __future__ import annotations

import datetime as dt
import enum

from tenants import config, emails, mail
from tenants.accounts import admins
from tenants.credentials import hash_secret, verify_secret
from tenants.db import database
from tenants.models import Mailbox, utcnow
from tenants.pin_rules import MAX_FAILED_ATTEMPTS, PinState, after_attempt, may_try_pin
from tenants.problems import N_, DomainError, Problem
from tenants.validation import check_pin


class PinOutcome(enum.Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    LOCKED = "locked"  # already locked: nothing was checked
    JUST_LOCKED = "just_locked"  # this attempt was the third wrong one


def try_pin(mailbox_id: int, pin: str) -> PinOutcome:
    """Check ``pin`` for the mailbox; count a wrong one; lock and tell the admins at the third."""
    with database.atomic():
        box = Mailbox.get_by_id(mailbox_id)
        state = PinState(box.failed_attempts, box.locked)
        if not may_try_pin(state):
            return PinOutcome.LOCKED
        correct = verify_secret(box.pin_hash, pin or "")
        if correct:
            Mailbox.update(failed_attempts=0).where(Mailbox.id == box.id).execute()
            return PinOutcome.ACCEPTED
        # Count in the database, not from what this call read: concurrent calls add up.
        Mailbox.update(failed_attempts=Mailbox.failed_attempts + 1).where(
            (Mailbox.id == box.id) & (Mailbox.locked == False)).execute()  # noqa: E712 - SQL, not Python
        box = Mailbox.get_by_id(mailbox_id)
        new_state = after_attempt(PinState(box.failed_attempts - 1, box.locked), correct=False)
        if not new_state.locked:
            return PinOutcome.WRONG
        locked_at = utcnow()
        locked_now = Mailbox.update(locked=True, locked_at=locked_at).where(
            (Mailbox.id == box.id) & (Mailbox.locked == False)).execute()  # noqa: E712
        if locked_now:
            _tell_admins(box, locked_at)
            return PinOutcome.JUST_LOCKED
        return PinOutcome.LOCKED


def _tell_admins(box: Mailbox, locked_at: dt.datetime) -> None:
    """Each admin of the tenant is emailed, in their own console language (else the tenant's)."""
    ext = box.extension
    tenant = ext.tenant
    url = f"{config.current().public_url}/postes/{ext.id}"  # POSTE_PUBLIC_URL of this process
    for admin in admins(tenant):
        email = emails.render("mailbox_locked", admin.language or tenant.language, tenant.timezone,
                              number=ext.number, name=ext.name, domain=tenant.domain, url=url, locked_at=locked_at)
        mail.queue_mail(admin.email, *email, tenant=tenant)


DEFAULT_PINS = ("1234",)  # the demo's first PIN (scripts/run), never acceptable as one's own


def new_pin_problems(mailbox_id: int, new_pin: str, confirmation: str) -> list[Problem]:
    """E10 (portal): the phone's rules, and a new PIN is neither the default nor the current one."""
    problems = check_pin(new_pin)
    pin = (new_pin or "").strip()
    if not problems:
        box = Mailbox.get_by_id(mailbox_id)
        if pin in DEFAULT_PINS:
            problems.append(Problem("pin", N_("Ce code PIN est celui par défaut : choisissez-en un autre.")))
        elif verify_secret(box.pin_hash, pin):
            problems.append(Problem("pin", N_("Le nouveau code PIN doit être différent du code actuel.")))
    if (confirmation or "").strip() != pin:
        problems.append(Problem("confirm", N_("Les deux codes PIN saisis sont différents.")))
    return problems


def change_pin_checked(mailbox_id: int, new_pin: str, confirmation: str) -> None:
    """Change the PIN from the portal; DomainError (nothing changed) with every problem at once."""
    problems = new_pin_problems(mailbox_id, new_pin, confirmation)
    if problems:
        raise DomainError(problems)
    change_pin(mailbox_id, new_pin.strip())


def change_pin(mailbox_id: int, new_pin: str, confirmation: str | None = None) -> None:
    """The user's own new PIN (by phone or portal): digits only, at least 4; ends first access."""
    problems = check_pin(new_pin)
    if not problems and confirmation is not None and confirmation != new_pin:
        problems.append(Problem("pin", N_("Les deux codes PIN saisis sont différents.")))
    if problems:
        raise DomainError(problems)
    with database.atomic():
        Mailbox.update(pin_hash=hash_secret(new_pin), pin_must_change=False, failed_attempts=0,
                       first_pin_enc=None).where(Mailbox.id == mailbox_id).execute()


__all__ = ["MAX_FAILED_ATTEMPTS", "PinOutcome", "change_pin", "change_pin_checked", "new_pin_problems", "try_pin"]
