"""The management CLI keeps the names and options operators script."""
import json

import pytest

from tenants.models import Account, Extension, SipSubscriber, Tenant


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def run(*args):
        result = runner.invoke(args=list(args))
        return result
    return run


def test_db_upgrade_is_idempotent(cli):
    result = cli("db", "upgrade")
    assert result.exit_code == 0 and "up to date" in result.output


def test_tenant_account_extension_commands(cli):
    assert cli("tenant", "create", "--name", "Acme", "--domain", "acme.pbx.example", "--timezone", "Europe/Paris",
               "--language", "fr").exit_code == 0
    assert cli("account", "create", "--role", "operator", "--email", "op@poste.example",
               "--password", "operator-password").exit_code == 0
    assert cli("account", "create", "--role", "admin", "--domain", "acme.pbx.example", "--email", "boss@acme.example",
               "--password", "admin-password").exit_code == 0
    generated = cli("extension", "create", "--domain", "acme.pbx.example", "--number", "2001", "--name", "Alice",
                    "--email", "alice@acme.example")
    assert generated.exit_code == 0 and "SIP password: " in generated.output
    given = cli("extension", "create", "--domain", "acme.pbx.example", "--number", "2002", "--name", "Bob",
                "--email", "bob@acme.example", "--sip-password", "bob-sip-password-1")
    assert given.exit_code == 0 and "SIP password" not in given.output
    virtual = cli("extension", "create", "--domain", "acme.pbx.example", "--number", "2003", "--name", "Cell",
                  "--email", "cell@acme.example", "--virtual-to", "06 12 34 56 78")
    assert virtual.exit_code == 0
    listed = json.loads(cli("extension", "list", "--domain", "acme.pbx.example", "--json").output)
    assert [(e["number"], e["kind"], e["forward_to"]) for e in listed] == [
        ("2001", "desk", None), ("2002", "desk", None), ("2003", "virtual", "+33612345678")]
    assert Account.select().count() == 2 and SipSubscriber.select().count() == 3


def test_cli_errors_are_clear_and_change_nothing(cli):
    cli("tenant", "create", "--name", "Acme", "--domain", "acme.pbx.example")
    bad = cli("extension", "create", "--domain", "acme.pbx.example", "--number", "3001", "--name", "X",
              "--email", "nope")
    assert bad.exit_code != 0 and "entre 2000 et 2999" in bad.output and "n'est pas valide" in bad.output
    unknown = cli("extension", "list", "--domain", "nowhere.example", "--json")
    assert unknown.exit_code != 0 and "nowhere.example" in unknown.output
    assert cli("tenant", "create", "--name", "Acme", "--domain", "acme.pbx.example").exit_code != 0
    assert cli("account", "create", "--role", "admin", "--email", "x@acme.example", "--password", "x" * 12).exit_code != 0
    assert Extension.select().count() == 0 and Tenant.select().count() == 1 and Account.select().count() == 0


def test_demo_seed_is_idempotent(cli):
    first = cli("demo", "seed")
    second = cli("demo", "seed")
    assert first.exit_code == 0 and second.exit_code == 0 and "SIP password" in first.output
    assert "SIP password" not in second.output
    assert Extension.select().count() == 3 and Account.select().count() == 3


def test_suspend_resume_delete(cli):
    cli("tenant", "create", "--name", "Acme", "--domain", "acme.pbx.example")
    assert cli("tenant", "suspend", "--domain", "acme.pbx.example").exit_code == 0
    assert Tenant.get().status == "suspended"
    cli("tenant", "resume", "--domain", "acme.pbx.example")
    assert Tenant.get().status == "active"
    assert cli("tenant", "delete", "--domain", "acme.pbx.example", "--yes").exit_code == 0
    assert Tenant.select().count() == 0
