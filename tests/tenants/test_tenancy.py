"""Tenants (A1): create, suspend, delete; their DIDs; Kamailio's domain rows follow."""
import pytest

from tenants import tenancy
from tenants.audit import Actor
from tenants.models import (
    Account,
    AuditEntry,
    Extension,
    SipDomain,
    SipSubscriber,
    Tenant,
)
from tenants.problems import DomainError
from tests import factories as f

CLI = Actor.cli()


def domains():
    return sorted(d.domain for d in SipDomain.select())


def test_create_serves_the_domain(db):
    f.tenant("acme.pbx.example")
    assert domains() == ["acme.pbx.example"]


def test_bad_or_duplicate_tenants_are_refused(db):
    f.tenant("acme.pbx.example")
    for kwargs in [dict(name="Acme 2", domain="ACME.pbx.example"), dict(name="", domain="x.example"),
                   dict(name="X", domain="not a domain"), dict(name="X", domain="x.example", timezone="Mars/Base"),
                   dict(name="X", domain="x.example", language="de")]:
        with pytest.raises(DomainError):
            tenancy.create_tenant(CLI, **kwargs)
    assert Tenant.select().count() == 1


def test_suspend_and_resume(db):
    acme = f.tenant()
    tenancy.set_status(CLI, acme, "suspended")
    assert domains() == [] and Tenant.get().status == "suspended"
    tenancy.set_status(CLI, acme, "active")
    assert domains() == ["acme.pbx.example"]
    assert [e.action for e in AuditEntry.select().order_by(AuditEntry.id)] == [
        "tenant.create", "tenant.suspend", "tenant.resume"]


def test_delete_requires_the_domain_and_removes_everything(db):
    acme, globex = f.tenant("acme.pbx.example"), f.tenant("globex.pbx.example")
    f.extension(acme)
    f.extension(globex)
    f.account("admin", acme)
    with pytest.raises(DomainError):
        tenancy.delete_tenant(CLI, acme, "globex.pbx.example")
    tenancy.delete_tenant(CLI, acme, "acme.pbx.example")
    assert [t.domain for t in Tenant.select()] == ["globex.pbx.example"]
    assert Extension.select().count() == 1 and Account.select().count() == 0
    assert [s.domain for s in SipSubscriber.select()] == ["globex.pbx.example"]
    assert domains() == ["globex.pbx.example"]
    assert AuditEntry.get(AuditEntry.action == "tenant.delete").tenant_domain == "acme.pbx.example"


def test_dids_are_unique_across_tenants(db):
    acme, globex = f.tenant("acme.pbx.example"), f.tenant("globex.pbx.example")
    did = tenancy.add_did(CLI, acme, "01 23 45 67 89")
    assert did.number == "+33123456789"
    with pytest.raises(DomainError):
        tenancy.add_did(CLI, globex, "+33 1 23 45 67 89")
    with pytest.raises(DomainError):
        tenancy.add_did(CLI, globex, "123")


def test_receptionist_voicemail_toggle_is_audited(db):
    acme = f.tenant()
    tenancy.set_receptionist_voicemail(CLI, acme, False)
    assert not Tenant.get().receptionist_voicemail
    entry = AuditEntry.get(AuditEntry.action == "tenant.settings")
    assert entry.before == {"receptionist_voicemail": True} and entry.after == {"receptionist_voicemail": False}
