"""A tenant's allow-list (C5): the countries whose fixed or mobile lines its extensions may call.

Every tenant starts with the guide's list (``dialing.DEFAULT_ALLOWED``: French fixed and mobile
lines, fixed lines of twelve European countries); the operator adds and removes lines, the
tenant's admin sees them ("Appels sortants"). Routing reads the list on each call.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import cast

import phonenumbers

from tenants import audit
from tenants.audit import Actor
from tenants.db import database
from tenants.dialing import DEFAULT_ALLOWED, KINDS
from tenants.models import AllowedDestination, Tenant
from tenants.problems import N_, DomainError, Problem


def check_entry(country: str, kind: str) -> list[Problem]:
    """An entry names a country phonenumbers knows (ISO 3166 alpha-2) and a kind of line."""
    problems = []
    code = (country or "").strip().upper()
    if not code:
        problems.append(Problem("country", N_("Indiquez un pays (code à deux lettres, par exemple DE).")))
    elif len(code) != 2 or not code.isalpha() or code not in phonenumbers.SUPPORTED_REGIONS:
        problems.append(Problem("country", N_("« %(value)s » n'est pas un code de pays connu (par exemple DE, GB)."),
                                {"value": (country or "").strip()[:8]}))
    if kind not in KINDS:
        problems.append(Problem("kind", N_("Le type de ligne doit être fixed (fixes) ou mobile (mobiles).")))
    return problems


def entries(tenant: Tenant) -> list[tuple[str, str]]:
    """(country, kind) pairs, sorted."""
    rows = (AllowedDestination.select(AllowedDestination.country, AllowedDestination.kind)
            .where(AllowedDestination.tenant == tenant).order_by(AllowedDestination.country, AllowedDestination.kind))
    return [(row.country, row.kind) for row in rows]


def allowed(tenant_id: int) -> frozenset[tuple[str, str]]:
    """What routing needs: the set of (country, kind) pairs (one query)."""
    rows = AllowedDestination.select(AllowedDestination.country, AllowedDestination.kind).where(
        AllowedDestination.tenant == tenant_id).tuples()
    return frozenset(cast(Iterable[tuple[str, str]], rows))


def seed(tenant: Tenant) -> None:
    """The guide's list, for a new tenant (inside its creation's transaction)."""
    AllowedDestination.insert_many([{"tenant": tenant.id, "country": country, "kind": kind}
                                    for country, kind in sorted(DEFAULT_ALLOWED)]).execute()


def _change(actor: Actor, tenant: Tenant, country: str, kind: str, add: bool) -> tuple[str, str]:
    problems = check_entry(country, kind)
    if problems:
        raise DomainError(problems)
    code = country.strip().upper()
    present = (code, kind) in entries(tenant)
    if add and present:
        raise DomainError(Problem("country", N_("%(value)s %(kind)s est déjà dans la liste."),
                                  {"value": code, "kind": kind}))
    if not add and not present:
        raise DomainError(Problem("country", N_("%(value)s %(kind)s n'est pas dans la liste."),
                                  {"value": code, "kind": kind}))
    with database.atomic():
        if add:
            AllowedDestination.create(tenant=tenant, country=code, kind=kind)
        else:
            AllowedDestination.delete().where((AllowedDestination.tenant == tenant) & (AllowedDestination.country == code)
                                              & (AllowedDestination.kind == kind)).execute()
        entry = {"country": code, "kind": kind}
        audit.record(actor, "allowlist.add" if add else "allowlist.remove", tenant, "allowlist", tenant.id,
                     f"{code} {kind}", None if add else entry, entry if add else None)
    return code, kind


def add(actor: Actor, tenant: Tenant, country: str, kind: str) -> tuple[str, str]:
    return _change(actor, tenant, country, kind, add=True)


def remove(actor: Actor, tenant: Tenant, country: str, kind: str) -> tuple[str, str]:
    return _change(actor, tenant, country, kind, add=False)
