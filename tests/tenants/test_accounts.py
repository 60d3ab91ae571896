"""Accounts, roles, login rules and password change (A2)."""
import pytest

from tenants import accounts, tenancy
from tenants.audit import Actor
from tenants.models import Account
from tenants.problems import DomainError
from tests import factories as f


def test_role_rules():
    acme = object()
    assert accounts.role_allowed("operator", None) == []
    assert accounts.role_allowed("operator", acme)
    assert accounts.role_allowed("admin", None) and accounts.role_allowed("user", None)
    assert accounts.role_allowed("admin", acme) == [] and accounts.role_allowed("root", None)


def test_admin_manages_only_own_tenant(db):
    acme, globex = f.tenant("acme.pbx.example"), f.tenant("globex.pbx.example")
    admin = f.account("admin", acme)
    operator = f.account("operator")
    assert accounts.may_manage_tenant(admin, acme) and not accounts.may_manage_tenant(admin, globex)
    assert accounts.may_manage_tenant(operator, globex)


def test_duplicate_email_is_refused_whatever_the_case(db):
    acme = f.tenant()
    f.account("admin", acme, email="boss@acme.example")
    with pytest.raises(DomainError) as caught:
        f.account("admin", acme, email="BOSS@acme.example")
    assert "existe déjà" in str(caught.value)


def test_user_is_linked_to_the_extension_with_its_email(db):
    acme = f.tenant()
    ext = f.extension(acme, email="alice@acme.example")
    user = f.account("user", acme, email="alice@acme.example")
    assert user.extension_id == ext.id


def test_authenticate(db):
    acme = f.tenant()
    f.account("admin", acme, email="boss@acme.example")
    assert accounts.authenticate("Boss@Acme.example", f.PASSWORD).email == "boss@acme.example"
    for email, password in [("boss@acme.example", "wrong-password"), ("nobody@acme.example", f.PASSWORD)]:
        with pytest.raises(DomainError) as caught:
            accounts.authenticate(email, password)
        assert "incorrect" in str(caught.value)


def test_suspended_tenant_cannot_sign_in(db):
    acme = f.tenant()
    f.account("admin", acme, email="boss@acme.example")
    tenancy.set_status(Actor.cli(), acme, "suspended")
    with pytest.raises(DomainError) as caught:
        accounts.authenticate("boss@acme.example", f.PASSWORD)
    assert "suspendu" in str(caught.value)


def test_change_password(db):
    admin = f.account("admin", f.tenant())
    with pytest.raises(DomainError) as caught:
        accounts.change_password(admin, "wrong", "a-brand-new-password", "a-brand-new-password")
    assert [p.field for p in caught.value.problems] == ["current"]
    with pytest.raises(DomainError) as caught:
        accounts.change_password(admin, f.PASSWORD, "a-brand-new-password", "another-password")
    assert [p.field for p in caught.value.problems] == ["confirm"]
    with pytest.raises(DomainError):
        accounts.change_password(admin, f.PASSWORD, "short", "short")
    accounts.change_password(admin, f.PASSWORD, "a-brand-new-password", "a-brand-new-password")
    assert accounts.authenticate(admin.email, "a-brand-new-password").id == admin.id
    assert Account.get_by_id(admin.id).password_hash != "a-brand-new-password"
