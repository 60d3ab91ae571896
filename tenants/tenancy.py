"""Tenants and their phone numbers (A1), and tenant-wide settings (A6)."""
from __future__ import annotations

from peewee import SQL, fn

from tenants import allowlist, audit, ports, sip_accounts
from tenants.audit import Actor
from tenants.db import database
from tenants.models import Account, AuditEntry, Did, Extension, Job, Mailbox, Tenant
from tenants.problems import N_, DomainError, Problem
from tenants.validation import (
    check_domain,
    check_language,
    check_name,
    check_phone_number,
    check_timezone,
    to_e164,
)


def snapshot(tenant: Tenant) -> dict:
    return {"name": tenant.name, "domain": tenant.domain, "timezone": tenant.timezone,
            "language": tenant.language, "status": tenant.status,
            "receptionist_voicemail": tenant.receptionist_voicemail, "main_number": tenant.main_number,
            "emergency_caller_id": tenant.emergency_caller_id}


def by_domain(domain: str) -> Tenant | None:
    return Tenant.get_or_none(Tenant.domain == (domain or "").strip().lower())


def require(domain: str) -> Tenant:
    tenant = by_domain(domain)
    if tenant is None:
        raise DomainError(Problem("domain", N_("Aucun client n'a le domaine « %(value)s »."), {"value": domain}))
    return tenant


def _check(name: str, timezone: str, language: str) -> list[Problem]:
    return check_name(name) + check_timezone(timezone) + check_language(language)


def new_tenant_problems(name: str, domain: str, timezone: str = "Europe/Paris", language: str = "fr") -> list[Problem]:
    """What is wrong with a new tenant (every problem at once; nothing is changed)."""
    domain = (domain or "").strip().lower()
    problems = _check(name, timezone, language) + check_domain(domain)
    if not any(p.field == "domain" for p in problems) and by_domain(domain):
        problems.append(Problem("domain", N_("Le domaine « %(value)s » est déjà utilisé."), {"value": domain}))
    return problems


def tenant_problems(name: str, timezone: str, language: str) -> list[Problem]:
    """What is wrong with a tenant's new settings (nothing is changed)."""
    return _check(name, timezone, language)


def create_tenant(actor: Actor, name: str, domain: str, timezone: str = "Europe/Paris",
                  language: str = "fr") -> Tenant:
    domain = (domain or "").strip().lower()
    problems = new_tenant_problems(name, domain, timezone, language)
    if problems:
        raise DomainError(problems)
    with database.atomic():
        tenant = Tenant.create(name=name.strip(), domain=domain, timezone=timezone, language=language)
        sip_accounts.set_domain(domain, active=True)
        allowlist.seed(tenant)
        audit.record(actor, "tenant.create", tenant, "tenant", tenant.id, domain, None, snapshot(tenant))
    return tenant


def update_tenant(actor: Actor, tenant: Tenant, name: str | None = None, timezone: str | None = None,
                  language: str | None = None, main_number: str | None = None,
                  emergency_caller_id: str | None = None) -> Tenant:
    """Change the tenant's settings that are given (``None``: as they are; ``""`` clears a number).

    ``main_number`` (the caller ID of extensions without a DID) must be one of the tenant's DIDs;
    ``emergency_caller_id`` (the caller ID of emergency calls) any valid number."""
    name = tenant.name if name is None else name
    timezone = tenant.timezone if timezone is None else timezone
    language = tenant.language if language is None else language
    problems = _check(name, timezone, language)
    numbers = {"main_number": tenant.main_number, "emergency_caller_id": tenant.emergency_caller_id}
    for field, given in (("main_number", main_number), ("emergency_caller_id", emergency_caller_id)):
        if given is None:
            continue
        if not given.strip():
            numbers[field] = None
            continue
        found = check_phone_number(given, field)
        problems += found
        if not found:
            numbers[field] = to_e164(given)
    if main_number and numbers["main_number"] and not Did.select().where(
            (Did.tenant == tenant) & (Did.number == numbers["main_number"])).exists():
        problems.append(Problem("main_number", N_("Le numéro principal doit être un des numéros de ce client "
                                                  "(%(value)s n'en est pas un)."), {"value": numbers["main_number"]}))
    if problems:
        raise DomainError(problems)
    with database.atomic():
        before = snapshot(tenant)
        tenant.name, tenant.timezone, tenant.language = name.strip(), timezone, language
        tenant.main_number, tenant.emergency_caller_id = numbers["main_number"], numbers["emergency_caller_id"]
        tenant.save()
        audit.record(actor, "tenant.update", tenant, "tenant", tenant.id, tenant.domain, before, snapshot(tenant))
    return tenant


def set_status(actor: Actor, tenant: Tenant, status: str) -> Tenant:
    """Suspend or resume a tenant: a suspended tenant's people and phones are refused."""
    if status not in (Tenant.ACTIVE, Tenant.SUSPENDED):
        raise ValueError(status)
    with database.atomic():
        before = snapshot(tenant)
        tenant.status = status
        tenant.save()
        sip_accounts.set_domain(tenant.domain, active=status == Tenant.ACTIVE)
        action = "tenant.resume" if status == Tenant.ACTIVE else "tenant.suspend"
        audit.record(actor, action, tenant, "tenant", tenant.id, tenant.domain, before, snapshot(tenant))
    ports.domain_changed(tenant.domain)
    return tenant


def delete_tenant(actor: Actor, tenant: Tenant, confirm_domain: str) -> None:
    """Delete a tenant and everything it owns; the operator retypes the domain to confirm."""
    if (confirm_domain or "").strip().lower() != tenant.domain:
        raise DomainError(Problem("confirm", N_("Saisissez exactement le domaine « %(value)s » pour confirmer."),
                                  {"value": tenant.domain}))
    numbers = [ext.number for ext in Extension.select(Extension.number).where(Extension.tenant == tenant)]
    with database.atomic():
        audit.record(actor, "tenant.delete", tenant, "tenant", tenant.id, tenant.domain, snapshot(tenant), None)
        sip_accounts.set_domain(tenant.domain, active=False)
        sip_accounts.remove_domain_subscribers(tenant.domain)
        # Explicit, because peewee's recursive delete would only unlink nullable
        # references: accounts would survive tenantless, audit entries would go.
        Account.delete().where(Account.tenant == tenant).execute()
        Did.delete().where(Did.tenant == tenant).execute()
        extension_ids = Extension.select(Extension.id).where(Extension.tenant == tenant)
        Mailbox.delete().where(Mailbox.extension.in_(extension_ids)).execute()
        Extension.delete().where(Extension.tenant == tenant).execute()
        Job.update(tenant=None).where(Job.tenant == tenant).execute()
        AuditEntry.update(tenant=None).where(AuditEntry.tenant == tenant).execute()
        tenant.delete_instance()
    ports.domain_changed(tenant.domain)
    for number in numbers:
        ports.drop_registrations(number, tenant.domain)


def set_receptionist_voicemail(actor: Actor, tenant: Tenant, enabled: bool) -> Tenant:
    """A6: whether callers of the virtual receptionist may reach a mailbox with *."""
    with database.atomic():
        before = snapshot(tenant)
        tenant.receptionist_voicemail = bool(enabled)
        tenant.save()
        audit.record(actor, "tenant.settings", tenant, "tenant", tenant.id, tenant.domain, before, snapshot(tenant))
    return tenant


def add_did(actor: Actor, tenant: Tenant, number: str, extension: str | None = None,
            receptionist: bool = False) -> Did:
    """Give ``tenant`` the public number ``number``, pointed at its ``extension`` when given (C3),
    or at its virtual receptionist (H1)."""
    problems = check_phone_number(number, "did")
    if receptionist and extension:
        problems.append(Problem("did", N_("Un numéro mène à un poste ou à la réceptionniste, pas aux deux.")))
    if problems:
        raise DomainError(problems)
    e164 = to_e164(number)
    assert e164 is not None  # check_phone_number said it is a number
    if Did.select().where(Did.number == e164).exists():
        raise DomainError(Problem("did", N_("Le numéro %(value)s est déjà attribué."), {"value": e164}))
    target = None
    if extension:
        target = Extension.get_or_none((Extension.tenant == tenant) & (Extension.number == extension.strip()))
        if target is None:
            raise DomainError(Problem("extension", N_("Ce client n'a pas de poste %(value)s."),
                                      {"value": extension.strip()[:8]}))
        taken = Did.get_or_none(Did.extension == target)
        if taken is not None:
            raise DomainError(Problem("extension", N_("Le poste %(number)s a déjà le numéro %(value)s."),
                                      {"number": target.number, "value": taken.number}))
    with database.atomic():
        did = Did.create(tenant=tenant, number=e164, extension=target, receptionist=receptionist)
        audit.record(actor, "did.create", tenant, "did", did.id, e164, None,
                     {"number": e164, "extension": target.number if target else None}
                     | ({"receptionist": True} if receptionist else {}))
    return did


def require_did(number: str) -> Did:
    """The public number ``number`` (as typed), or a DomainError that says why there is none."""
    problems = check_phone_number(number, "did")
    if problems:
        raise DomainError(problems)
    did = Did.get_or_none(Did.number == to_e164(number))
    if did is None:
        raise DomainError(Problem("did", N_("Aucun client n'a le numéro %(value)s."), {"value": to_e164(number)}))
    return did


def remove_did(actor: Actor, did: Did) -> None:
    with database.atomic():
        extension = did.extension.number if did.extension is not None else None
        audit.record(actor, "did.delete", did.tenant, "did", did.id, did.number,
                     {"number": did.number, "extension": extension}, None)
        if did.tenant.main_number == did.number:  # no longer the tenant's: no longer its caller ID
            Tenant.update(main_number=None).where(Tenant.id == did.tenant_id).execute()
        did.delete_instance()


def dids(tenant: Tenant):
    return Did.select().where(Did.tenant == tenant).order_by(Did.number)


def listing(search: str = ""):
    query = Tenant.select().order_by(Tenant.name)
    if search:
        query = query.where(Tenant.name.contains(search.strip()) | Tenant.domain.contains(search.strip()))
    return query


def count(search: str = "") -> int:
    """How many tenants ``listing(search)`` lists. Without a search, ``COUNT(*)`` of the table, which
    SQLite counts from an index's pages without reading its entries (0.01 ms at 5,000 tenants,
    against 0.15 ms for the count of the listing, which grew with the tenants)."""
    if not search.strip():
        return int(Tenant.select(fn.COUNT(SQL("*"))).scalar())
    return listing(search).count()
