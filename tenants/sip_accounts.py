"""Kamailio's view of the tenants: its ``domain`` and ``subscriber`` rows.

Called by the services inside the transaction of the change, so Kamailio's
tables never drift from the extensions the console shows.
"""
from __future__ import annotations

from tenants.credentials import sip_digests
from tenants.db import database
from tenants.models import SipDomain, SipSubscriber, Tenant, utcnow


def set_domain(domain: str, active: bool) -> None:
    """Serve ``domain`` (an active tenant) or stop serving it (suspended, deleted)."""
    if active:
        if not SipDomain.select().where(SipDomain.domain == domain).exists():
            SipDomain.create(domain=domain, last_modified=utcnow())
    else:
        SipDomain.delete().where(SipDomain.domain == domain).execute()


def is_served(domain: str) -> bool:
    """Is ``domain`` an active tenant's SIP domain? (A parameterised query: whatever a
    request's URI holds, it is a value, never SQL.)"""
    # plain SQL: Kamailio asks on each request, and peewee's query builder costs more than the query
    cursor = database.connection().cursor()
    try:
        cursor.execute(f"SELECT 1 FROM domain WHERE domain = {database.param} LIMIT 1", (domain.lower(),))
        return cursor.fetchone() is not None
    finally:
        cursor.close()


def set_subscriber(tenant: Tenant, username: str, password: str) -> None:
    ha1, ha1b = sip_digests(username, tenant.domain, password)
    updated = (SipSubscriber.update(ha1=ha1, ha1b=ha1b, password="")
               .where((SipSubscriber.username == username) & (SipSubscriber.domain == tenant.domain))
               .execute())
    if not updated:
        SipSubscriber.create(username=username, domain=tenant.domain, ha1=ha1, ha1b=ha1b, password="")


def remove_subscriber(tenant: Tenant, username: str) -> None:
    SipSubscriber.delete().where(
        (SipSubscriber.username == username) & (SipSubscriber.domain == tenant.domain)).execute()


def remove_domain_subscribers(domain: str) -> None:
    SipSubscriber.delete().where(SipSubscriber.domain == domain).execute()
