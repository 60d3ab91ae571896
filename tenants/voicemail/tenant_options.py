"""The tenant admin's voicemail options: the menu layout (D5) and the reception for "0" (D7)."""
from __future__ import annotations

from tenants import audit
from tenants.audit import Actor
from tenants.db import database
from tenants.models import Extension, Tenant
from tenants.problems import N_, DomainError, Problem
from tenants.voicemail.access import LAYOUTS
from tenants.voicemail.models import VoicemailOptions


def current(tenant: Tenant) -> VoicemailOptions:
    """The tenant's options row (defaults until the admin changes them; not saved by reading)."""
    return VoicemailOptions.get_or_none(VoicemailOptions.tenant == tenant) or VoicemailOptions(tenant=tenant)


def _snapshot(row: VoicemailOptions) -> dict:
    return {"menu_layout": row.menu_layout, "reception": row.reception}


def options_problems(tenant: Tenant, menu_layout: str, reception: str) -> list[Problem]:
    """What is wrong with these options (every problem at once; nothing is changed)."""
    reception = (reception or "").strip()
    problems = []
    if menu_layout not in LAYOUTS:
        problems.append(Problem("menu_layout", N_("Disposition de menus inconnue.")))
    if reception and not Extension.select().where((Extension.tenant == tenant)
                                                  & (Extension.number == reception)).exists():
        problems.append(Problem("reception", N_("Le poste %(value)s n'existe pas."), {"value": reception[:10]}))
    return problems


def update(actor: Actor, tenant: Tenant, menu_layout: str, reception: str) -> VoicemailOptions:
    """Set the menu layout and the extension that "0" reaches after a message (empty: none)."""
    reception = (reception or "").strip()
    problems = options_problems(tenant, menu_layout, reception)
    if problems:
        raise DomainError(problems)
    with database.atomic():
        row = current(tenant)
        before = _snapshot(row) if row.id else {"menu_layout": row.menu_layout, "reception": None}
        row.menu_layout, row.reception = menu_layout, reception or None
        row.save()
        audit.record(actor, "voicemail.options", tenant, "tenant", tenant.id, tenant.domain, before, _snapshot(row))
    return row
