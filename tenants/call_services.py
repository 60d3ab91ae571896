"""A user's call services stored: their call rules (C7-C10) and the call-services PIN (C11).

The decisions are ``tenants.call_rules`` (pure); this keeps them in ``call_rule`` (one row an
extension, made by m0080), checks the PIN before any change when one is set, and records the
change in the audit log. Routing reads the row on each call (``tenants.routing``): a change
counts from the next call.
"""
from __future__ import annotations

import time
from typing import TYPE_CHECKING

import peewee as pw

from tenants import audit, call_rules, throttle
from tenants.allowlist import allowed
from tenants.audit import Actor
from tenants.call_rules import CallRules, Context
from tenants.credentials import hash_secret, verify_secret
from tenants.db import database
from tenants.models import BaseModel, Did, Extension, JSONField, utcnow
from tenants.problems import N_, DomainError, Problem


class CallRule(BaseModel):
    if TYPE_CHECKING:
        extension_id: int

    extension = pw.ForeignKeyField(Extension, backref="call_rules", unique=True, on_delete="CASCADE")
    rules = JSONField(null=True)  # CallRules.to_data(); None: the defaults
    services_pin_hash = pw.CharField(max_length=255, null=True)  # C11; None: no PIN asked
    updated_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "call_rule"


MODELS = [CallRule]  # made by m0080_call_rules

# C11: wrong PINs an extension may type in a window before the PIN is no longer checked at all
# (4 digits would otherwise fall to a script in minutes)
PIN_TRIES, PIN_WINDOW_SECONDS = 5, 15 * 60


def _row(ext: Extension) -> CallRule | None:
    return CallRule.get_or_none(CallRule.extension == ext)


def rules_of(ext: Extension) -> CallRules:
    """The extension's rules (the defaults when its user never changed them)."""
    row = _row(ext)
    return CallRules.from_data(row.rules if row else None)


def has_services_pin(ext: Extension) -> bool:
    row = _row(ext)
    return bool(row and row.services_pin_hash)


def context_of(ext: Extension) -> Context:
    """What validating this extension's rules needs: its tenant's extensions and allow-list."""
    numbers = frozenset(e.number for e in Extension.select(Extension.number).where(Extension.tenant == ext.tenant_id))
    dids = frozenset(d.number for d in Did.select(Did.number).where(Did.tenant == ext.tenant_id))
    return Context(own=ext.number, extensions=numbers, allowed=allowed(ext.tenant_id), dids=dids)


def _pin_problems(ext: Extension, pin: str | None, field: str = "services_pin") -> list[Problem]:
    row = _row(ext)
    if not (row and row.services_pin_hash):
        return []
    if not (pin or "").strip():
        return [Problem(field, N_("Entrez votre NIP des services d'appels."))]
    key, now = f"services-pin:{ext.id}", time.time()
    if throttle.count(key, now) >= PIN_TRIES:
        return [Problem(field, N_("Trop de NIP erronés : réessayez dans %(minutes)d minutes."),
                        {"minutes": PIN_WINDOW_SECONDS // 60})]
    if not verify_secret(row.services_pin_hash, (pin or "").strip()):
        throttle.hit(key, PIN_WINDOW_SECONDS, now)
        return [Problem(field, N_("Le NIP des services d'appels est incorrect."))]
    return []


def problems_for(ext: Extension, rules: CallRules, no_answer_seconds: int | None, pin: str | None) -> list[Problem]:
    """Every problem of a change at once (nothing changed)."""
    return call_rules.check(rules, context_of(ext), no_answer_seconds) + _pin_problems(ext, pin)


def save_rules(actor: Actor, ext: Extension, rules: CallRules, no_answer_seconds: int, pin: str | None = None) -> CallRules:
    """Store ``rules`` (and the no-answer delay, kept on the extension) after checking them and,
    when one is set, the call-services PIN; a DomainError with every problem otherwise."""
    problems = problems_for(ext, rules, no_answer_seconds, pin)
    if problems:
        raise DomainError(problems)
    rules = call_rules.cleaned(rules)
    with database.atomic():
        before = {**rules_of(ext).to_data(), "no_answer_seconds": ext.no_answer_seconds}
        row = _row(ext) or CallRule(extension=ext)
        row.rules = rules.to_data()
        row.updated_at = utcnow()
        row.save()
        if ext.no_answer_seconds != no_answer_seconds:
            Extension.update(no_answer_seconds=no_answer_seconds).where(Extension.id == ext.id).execute()
            ext.no_answer_seconds = no_answer_seconds
        audit.record(actor, "call_rules.update", ext.tenant, "extension", ext.id, ext.number,
                     before, {**rules.to_data(), "no_answer_seconds": no_answer_seconds})
    return rules


def set_services_pin(actor: Actor, ext: Extension, new_pin: str, confirm: str, current: str | None = None) -> None:
    """C11: set or change the call-services PIN (the current one first, when one is set)."""
    problems = _pin_problems(ext, current, "current_pin") + call_rules.check_services_pin(new_pin)
    if not problems and (new_pin or "").strip() != (confirm or "").strip():
        problems.append(Problem("confirm_pin", N_("Les deux NIP ne sont pas identiques.")))
    if problems:
        raise DomainError(problems)
    with database.atomic():
        row = _row(ext) or CallRule(extension=ext)
        had = bool(row.services_pin_hash)
        row.services_pin_hash = hash_secret(new_pin.strip())
        row.updated_at = utcnow()
        row.save()
        # the PIN itself never goes to the log: only that it changed
        audit.record(actor, "call_services_pin.update", ext.tenant, "extension", ext.id, ext.number,
                     {"services_pin": "set" if had else "none"}, {"services_pin": "changed" if had else "set"})
