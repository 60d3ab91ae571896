"""Prepared queries (tenants/prepared.py): the same rows as peewee's own query, the SQL written
once per kind of database, and a parameter peewee rewrites refused rather than mis-run."""
import pytest

from tenants import accounts
from tenants.models import Account, Extension, Tenant
from tenants.prepared import Prepared
from tests import factories as f


def test_rows_are_peewees_own_for_int_and_string_parameters(db):
    acme, other = f.tenant("acme.pbx.example"), f.tenant("other.pbx.example")
    for number in ("2001", "2002", "2003"):
        f.extension(acme, number, email=f"{number}@acme.example")
    f.extension(other, "2002", email="2002@other.example")
    built = []

    def build(tenant_id, number):
        built.append((tenant_id, number))
        return Extension.select().where((Extension.tenant == tenant_id) & (Extension.number >= number))

    prepared = Prepared(Extension, build)
    for tenant, number in ((acme, "2002"), (other, "2002"), (acme, "2004"), (acme, "2001")):
        expected = [(e.id, e.number, e.email, e.created_at) for e in build(tenant.id, number)]
        got = [(e.id, e.number, e.email, e.created_at) for e in prepared.rows(tenant.id, number)]
        assert got == expected
    assert len(built) == 4 + 1  # the four comparisons, and the prepared query's one build
    assert prepared.first(other.id, "2003") is None
    assert prepared.first(other.id, "2000").email == "2002@other.example"


def test_a_parameter_peewee_rewrites_is_refused(db):
    prepared = Prepared(Tenant, lambda q: Tenant.select().where(Tenant.name.contains(q)))
    with pytest.raises(ValueError, match="cannot be prepared"):
        prepared.first("acme")
    with pytest.raises(TypeError):
        Prepared(Tenant, lambda when: Tenant.select().where(Tenant.created_at > when)).first(1.5)


def test_the_session_account_comes_with_its_tenant_in_two_queries(db, monkeypatch):
    acme = f.tenant("acme.pbx.example")
    admin = f.account("admin", acme, email="admin@acme.example")
    operator = f.account("operator", email="op@poste.example")
    statements = []
    real = db.execute_sql
    monkeypatch.setattr(db, "execute_sql", lambda sql, params=None, *a, **k: statements.append(sql) or real(sql, params, *a, **k))
    account = accounts.session_account(admin.id)
    assert (account.email, account.tenant.domain, account.tenant.status) == ("admin@acme.example",
                                                                          "acme.pbx.example", Tenant.ACTIVE)
    assert len(statements) == 2
    assert accounts.session_account(operator.id).tenant is None and len(statements) == 3
    assert accounts.session_account(10**6) is None
    Tenant.update(status=Tenant.SUSPENDED).where(Tenant.id == acme.id).execute()
    assert not accounts.can_sign_in(accounts.session_account(admin.id))
    assert isinstance(account, Account)
