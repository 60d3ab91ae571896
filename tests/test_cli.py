"""The management CLI keeps the names and options operators script, and does what the console does
through the same domain services: audit entries, French errors, nothing stored on error."""
import json

import pytest

from tenants import jobs
from tenants.models import Account, AuditEntry, Did, Extension, Job, SipSubscriber, Tenant
from tests import factories as f


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


def audit_of(action: str) -> list[AuditEntry]:
    return list(AuditEntry.select().where(AuditEntry.action == action).order_by(AuditEntry.id))


def refused(result, *french: str) -> None:
    assert result.exit_code != 0, result.output
    for text in french:
        assert text in result.output, result.output


def test_tenant_set_changes_what_is_given_with_its_audit_entry(cli):
    cli("tenant", "create", "--name", "Acme", "--domain", "acme.pbx.example")
    done = cli("tenant", "set", "--domain", "acme.pbx.example", "--timezone", "America/Montreal", "--language", "en")
    assert done.exit_code == 0, done.output
    tenant = Tenant.get()
    assert (tenant.name, tenant.timezone, tenant.language) == ("Acme", "America/Montreal", "en")
    [entry] = audit_of("tenant.update")
    assert entry.actor_email == "cli:tenant set" and entry.after == {"timezone": "America/Montreal", "language": "en"}
    assert cli("tenant", "set", "--domain", "ACME.pbx.example", "--name", "Acme SAS").exit_code == 0
    assert Tenant.get().name == "Acme SAS" and audit_of("tenant.update")[-1].after == {"name": "Acme SAS"}


def test_tenant_set_refuses_bad_input_in_french_and_changes_nothing(cli):
    cli("tenant", "create", "--name", "Acme", "--domain", "acme.pbx.example")
    before, entries = Tenant.get().__data__, AuditEntry.select().count()
    refused(cli("tenant", "set", "--domain", "acme.pbx.example", "--name", "Acme 2", "--timezone", "Nowhere/City"),
            "Fuseau horaire inconnu : Nowhere/City.")
    refused(cli("tenant", "set", "--domain", "acme.pbx.example", "--language", "de"), "Langue non prise en charge")
    refused(cli("tenant", "set", "--domain", "acme.pbx.example", "--name", " "), "Ce champ est obligatoire.")
    refused(cli("tenant", "set", "--domain", "acme.pbx.example"), "Rien à modifier")
    refused(cli("tenant", "set", "--domain", "nowhere.example", "--name", "X"), "Aucun client", "nowhere.example")
    assert Tenant.get().__data__ == before and AuditEntry.select().count() == entries


def test_did_remove(cli):
    acme = f.tenant()
    cli("did", "add", "--domain", "acme.pbx.example", "--number", "01 84 88 00 01")
    cli("did", "add", "--domain", "acme.pbx.example", "--number", "01 84 88 00 02")
    f.extension(acme, "2001", did="+33184880001")
    done = cli("did", "remove", "--number", "01 84 88 00 01")
    assert done.exit_code == 0, done.output
    assert [d.number for d in Did.select()] == ["+33184880002"]
    [entry] = audit_of("did.delete")
    assert entry.actor_email == "cli:did remove" and entry.before == {"number": "+33184880001", "extension": "2001"}
    assert Extension.get().number == "2001"  # the extension stays, without its number


def test_did_remove_refuses_bad_input_in_french(cli):
    f.tenant()
    cli("did", "add", "--domain", "acme.pbx.example", "--number", "01 84 88 00 01")
    refused(cli("did", "remove", "--number", "01 84 88 00 09"), "Aucun client n'a le numéro +33184880009")
    refused(cli("did", "remove", "--number", "pas un numéro"), "n'est pas un numéro de téléphone valide")
    assert Did.select().count() == 1 and not audit_of("did.delete")


def test_account_remove(cli):
    acme = f.tenant()
    f.account("admin", acme, email="boss@acme.example")
    f.account("admin", acme, email="deputy@acme.example")
    done = cli("account", "remove", "--email", "Boss@Acme.example")
    assert done.exit_code == 0, done.output
    assert [a.email for a in Account.select()] == ["deputy@acme.example"]
    [entry] = audit_of("account.delete")
    assert entry.actor_email == "cli:account remove" and entry.before["email"] == "boss@acme.example"
    assert entry.tenant_domain == "acme.pbx.example"


def test_account_remove_refuses_bad_input_in_french(cli):
    f.account("operator", email="op@poste.example")
    refused(cli("account", "remove", "--email", "nobody@acme.example"), "Aucun compte", "nobody@acme.example")
    refused(cli("account", "remove", "--email", "op@poste.example"), "dernier compte opérateur")
    assert Account.select().count() == 1 and not audit_of("account.delete")
    f.account("operator", email="op2@poste.example")
    assert cli("account", "remove", "--email", "op@poste.example").exit_code == 0


def test_jobs_retry(cli):
    f.extension(f.tenant())  # queues the PIN email; SMTP port 1 refuses it
    jobs.run_due()
    job = Job.get()
    Job.update(status=Job.FAILED).where(Job.id == job.id).execute()
    done = cli("jobs", "retry", "--id", str(job.id))
    assert done.exit_code == 0, done.output
    retried = Job.get()
    assert retried.status == Job.QUEUED and retried.run_at <= job.run_at
    [entry] = audit_of("job.retry")
    assert entry.actor_email == "cli:jobs retry" and entry.before["status"] == "failed" and entry.after["status"] == "queued"
    assert entry.tenant_domain == "acme.pbx.example"


def test_jobs_retry_refuses_bad_input_in_french(cli):
    f.extension(f.tenant())
    job = Job.get()
    Job.update(status=Job.DONE).where(Job.id == job.id).execute()
    refused(cli("jobs", "retry", "--id", str(job.id)), f"La tâche n° {job.id} est terminée")
    Job.update(status=Job.RUNNING).where(Job.id == job.id).execute()
    refused(cli("jobs", "retry", "--id", str(job.id)), f"La tâche n° {job.id} est en cours")
    refused(cli("jobs", "retry", "--id", "999999"), "Aucune tâche n° 999999")
    refused(cli("jobs", "retry", "--id", "douze"), "Aucune tâche n° douze")
    assert Job.get().status == Job.RUNNING and not audit_of("job.retry")


def test_extension_delete_unregisters_the_phones(cli, registrar):
    f.extension(f.tenant(), "2001")
    done = cli("extension", "delete", "--domain", "acme.pbx.example", "--number", "2001")
    assert done.exit_code == 0, done.output
    assert registrar.unregistered == ["2001@acme.pbx.example"]
    assert Extension.select().count() == 0 and [e.object_label for e in audit_of("extension.delete")] == ["2001"]


def test_extension_commands_refuse_an_unknown_extension_in_french(cli, registrar):
    f.tenant()
    refused(cli("extension", "delete", "--domain", "acme.pbx.example", "--number", "2001"),
            "Le poste 2001 n'existe pas")
    refused(cli("extension", "set-sip-password", "--domain", "acme.pbx.example", "--number", "2001"),
            "Le poste 2001 n'existe pas")
    assert registrar.unregistered == []
