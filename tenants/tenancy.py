"""Tenants and their phone numbers (A1), and tenant-wide settings (A6)."""
from __future__ import annotations

from tenants import audit, ports, sip_accounts
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
            "receptionist_voicemail": tenant.receptionist_voicemail}


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
    if problems:
    return problems


def tenant_problems(name: str, timezone: str, language: str) -> list[Problem]:
    """What is wrong with a tenant's new settings (nothing is changed)."""
    return _check(name, timezone, language)


def create_tenant(actor: Actor, name: str, domain: str, timezone: str = "Europe/Paris",
                  language: str = "fr") -> Tenant:
    domain = (domain or "").strip().lower()
    problems = new_tenant_problems(name, domain, timezone, language)
        raise DomainError(problems)
    with database.atomic():
        tenant = Tenant.create(name=name.strip(), domain=domain, timezone=timezone, language=language)
        sip_accounts.set_domain(domain, active=True)
        audit.record(actor, "tenant.create", tenant, "tenant", tenant.id, domain, None, snapshot(tenant))
    return tenant


def update_tenant(actor: Actor, tenant: Tenant, name: str | None = None, timezone: str | None = None,
                  language: str | None = None) -> Tenant:
    """Change the tenant's settings that are given (``None``: as they are)."""
    name = tenant.name if name is None else name
    timezone = tenant.timezone if timezone is None else timezone
    language = tenant.language if language is None else language
    problems = _check(name, timezone, language)
    if problems:
        raise DomainError(problems)
    with database.atomic():
        before = snapshot(tenant)
        tenant.name, tenant.timezone, tenant.language = name.strip(), timezone, language
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


def add_did(actor: Actor, tenant: Tenant, number: str) -> Did:
    problems = check_phone_number(number, "did")
    if problems:
        raise DomainError(problems)
    e164 = to_e164(number)
    if Did.select().where(Did.number == e164).exists():
        raise DomainError(Problem("did", N_("Le numéro %(value)s est déjà attribué."), {"value": e164}))
    with database.atomic():
        did = Did.create(tenant=tenant, number=e164)
        audit.record(actor, "did.create", tenant, "did", did.id, e164, None, {"number": e164})
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
        extension = did.extension.number if did.extension_id else None
        audit.record(actor, "did.delete", did.tenant, "did", did.id, did.number,
                     {"number": did.number, "extension": extension}, None)
        did.delete_instance()


def dids(tenant: Tenant):
    return Did.select().where(Did.tenant == tenant).order_by(Did.number)


def listing(search: str = ""):
    query = Tenant.select().order_by(Tenant.name)
    if search:
        query = query.where(Tenant.name.contains(search.strip()) | Tenant.domain.contains(search.strip()))
    return query
