"""The audit log in words (issue 19): sentences in the console's language with labelled values,
the operator command that made a CLI change, times in the tenant's zone (the operator's own on
the operator's pages), filters by object and author, a CSV export."""
import ast
import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from console.audit import labels
from tenants import accounts, extensions, jobs, tenancy
from tenants.audit import Actor
from tenants.extensions import ExtensionInput
from tenants.models import Account, AuditEntry, Job
from tenants.receptionist import service as receptionist
from tenants.voicemail import tenant_options
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def operator(app, db):
    f.account("operator", email="op@poste.example")
    return f.login(app.test_client(), "op@poste.example")


def at(entry_filter, moment: dt.datetime) -> None:
    AuditEntry.update(at=moment).where(entry_filter).execute()


def test_an_edit_reads_as_a_sentence_with_labelled_values(admin, acme):
    ext = f.extension(acme, "2010", name="Alice Martin", email="alice@acme.example")
    extensions.update_extension(Actor.of(Account.get(Account.email == "boss@acme.example")), ext, ExtensionInput(
        number="2010", name="Alice Martin", email="alice@acme.example", kind="virtual", forward_to="06 12 34 56 78"))
    page = admin.get("/journal/").text
    assert "Poste 2010 modifié" in page
    assert "renvoi vers : 06 12 34 56 78 (avant : aucun)" in page
    assert "type : virtuel (avant : téléphone de bureau)" in page
    assert "forward_to" not in page and "kind desk" not in page and ">extension 2010<" not in page
    english = admin.get("/journal/?lang=en").text
    assert "Extension 2010 changed" in english
    assert "forward to: 06 12 34 56 78 (before: none)" in english
    assert "type: virtual (before: desk phone)" in english


def test_the_author_of_a_cli_change_is_its_command(app, operator):
    result = app.test_cli_runner().invoke(args=["tenant", "create", "--name", "Acme", "--domain", "acme.pbx.example"])
    assert result.exit_code == 0, result.output
    entry = AuditEntry.get(AuditEntry.action == "tenant.create")
    assert entry.actor_email == "cli:tenant create"
    page = operator.get("/journal/").text
    assert "Commande « flask tenant create »" in page and "Client acme.pbx.example créé" in page
    for typed in ("tenant create", "flask tenant", "cli:tenant"):  # the author filter finds the command
        assert "Client acme.pbx.example créé" in operator.get(f"/journal/?auteur={typed}").text, typed
    assert "Client acme.pbx.example créé" not in operator.get("/journal/?auteur=extension").text
    assert Actor.cli().label == "cli"  # outside a command: the command line, unnamed


def test_times_are_in_the_tenants_zone_and_the_operators_own(app, operator):
    acme = f.tenant("acme.pbx.example", "Acme")
    tenancy.update_tenant(Actor.cli(), acme, timezone="America/Montreal")
    at(AuditEntry.action == "tenant.create", dt.datetime(2026, 1, 15, 12, 0, 0))
    f.account("admin", acme, email="boss@acme.example")
    admin = f.login(app.test_client(), "boss@acme.example")
    page = admin.get("/journal/").text
    assert "15/01/2026 07:00:00" in page and "America/Montreal" in page  # UTC-5 in winter
    assert "15/01/2026 13:00:00" in operator.get("/journal/").text  # the operator: Europe/Paris by default
    token = f.token_for(operator)
    assert operator.post("/mot-de-passe/fuseau-horaire", data={"csrf_token": token,
                                                               "timezone": "Asia/Tokyo"}).status_code == 302
    assert "15/01/2026 21:00:00" in operator.get("/journal/").text and "Asia/Tokyo" in operator.get("/journal/").text
    assert "Fuseau horaire du compte op@poste.example changé" in operator.get("/journal/").text
    refused = operator.post("/mot-de-passe/fuseau-horaire", data={"csrf_token": token, "timezone": "Nowhere/City"})
    assert refused.status_code == 422 and "Fuseau horaire inconnu" in refused.text
    assert admin.post("/mot-de-passe/fuseau-horaire", data={"csrf_token": f.token_for(admin),
                                                            "timezone": "Asia/Tokyo"}).status_code == 403


def test_filters_by_object_kind_and_author(admin, acme):
    f.extension(acme, "2010", name="Alice Martin")
    f.extension(acme, "2011", name="Bruno Petit")
    boss = Account.get(Account.email == "boss@acme.example")
    extensions.set_pin(Actor.of(boss), extensions.mailbox_of(extensions.by_number(acme, "2011")), "4321")
    by_object = admin.get("/journal/?objet=2011").text
    assert "Poste 2011 créé" in by_object and "messagerie du poste 2011" in by_object and "2010" not in by_object
    by_kind = admin.get("/journal/?type=mailbox").text
    assert "Code PIN de la messagerie du poste 2011 défini" in by_kind and "Poste 2011 créé" not in by_kind
    by_author = admin.get("/journal/?auteur=boss@").text
    assert "Code PIN de la messagerie" in by_author and "Poste 2010 créé" not in by_author
    tenancy.add_did(Actor.cli(), acme, "01 84 88 00 01")
    assert "Numéro 01 84 88 00 01 ajouté" in admin.get("/journal/?objet=01 84 88 00 01").text  # as people write it
    nothing = admin.get("/journal/?objet=2999").text
    assert "Aucune modification ne correspond à ces filtres." in nothing
    partial = admin.get("/journal/?objet=2011", headers={"HX-Request": "true", "HX-Target": "audit-table"})
    assert "<html" not in partial.text and "Poste 2011 créé" in partial.text


def test_the_operator_reads_one_tenants_log_from_its_page(operator):
    acme, _globex = f.tenant("acme.pbx.example", "Acme"), f.tenant("globex.pbx.example", "Globex")
    assert f'/journal/?client={acme.id}' in operator.get(f"/operateur/clients/{acme.id}").text
    page = operator.get(f"/journal/?client={acme.id}").text
    assert "Client acme.pbx.example créé" in page and "globex" not in page
    assert "Client globex.pbx.example créé" in operator.get("/journal/").text


def test_csv_export_with_the_filters_in_the_readers_zone(admin, acme):
    f.extension(acme, "2010", name="Alice Martin")
    f.extension(acme, "2011", name="Bruno Petit")
    at(AuditEntry.object_label == "2011", dt.datetime(2026, 7, 1, 10, 30, 0))
    response = admin.get("/journal/export.csv?objet=2011")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Date (Europe/Paris)", "Auteur", "Action", "Objet", "Modification"]
    assert [r[0] for r in rows[1:]] == ["01/07/2026 12:30:00"]  # summer: UTC+2
    assert rows[1][1] == "Ligne de commande" and rows[1][2] == "Poste créé" and rows[1][3] == "Poste 2011"
    assert rows[1][4].startswith("Poste 2011 créé — ") and "nom : Bruno Petit" in rows[1][4]
    everything = admin.get("/journal/export.csv").get_data(as_text=True)
    assert "Poste 2010 créé" in everything and "globex" not in everything


def _recorded_actions() -> set[str]:
    """Every action passed to ``audit.record`` anywhere in the project's code (literals, the two
    branches of a conditional, or a local name assigned literals)."""
    found = set()
    for path in [*ROOT.glob("tenants/**/*.py"), *ROOT.glob("console/**/*.py"), *ROOT.glob("kamailio/**/*.py"),
                 *ROOT.glob("rtp/**/*.py")]:
        tree = ast.parse(path.read_text())
        assigned: dict[str, set[str]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                values = [n.value for n in ast.walk(node.value) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
                assigned.setdefault(node.targets[0].id, set()).update(values)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "record"
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "audit" and len(node.args) > 1):
                action = node.args[1]
                if isinstance(action, ast.Name):
                    found |= {v for v in assigned.get(action.id, ()) if "." in v}
                else:
                    found |= {n.value for n in ast.walk(action) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    return found


def test_every_audit_action_of_the_code_has_words():
    actions = _recorded_actions()
    assert {"extension.create", "tenant.suspend", "tenant.resume", "job.retry"} <= actions  # the scan sees them
    assert not sorted(a for a in actions if a not in labels.ACTIONS or a not in labels.ACTION_NAMES)


def test_every_value_the_services_record_has_a_label(operator, smtp):
    """Each service that writes an entry, once: every key of every entry has a label, every
    object kind a name, and no sentence falls back to the action's code."""
    cli, op = Actor.cli(), Actor.of(Account.get(Account.email == "op@poste.example"))
    acme = tenancy.create_tenant(cli, "Acme", "acme.pbx.example")
    tenancy.update_tenant(op, acme, name="Acme SAS", timezone="Europe/Brussels", language="en")
    tenancy.set_status(op, acme, "suspended")
    tenancy.set_status(op, acme, "active")
    tenancy.set_receptionist_voicemail(op, acme, False)
    did = tenancy.add_did(op, acme, "01 84 88 00 01")
    ext, _password = extensions.create_extension(op, acme, ExtensionInput("2001", "Alice", "alice@acme.example"))
    extensions.update_extension(op, ext, ExtensionInput("2001", "Alice M", "alice@acme.example", kind="virtual",
                                                        forward_to="0612345678", did="01 84 88 00 01"))
    extensions.set_sip_password(op, ext)
    box = extensions.mailbox_of(ext)
    extensions.set_pin(op, box, "4321")
    extensions.unlock_mailbox(op, box)
    extensions.set_voicemail_email(op, box, "alice.vm@acme.example")
    tenant_options.update(op, acme, "ooma", "2001")
    receptionist.update(op, acme, receptionist.Change(hours="mon-fri 09:00-18:00", operator="2001",
                                                      keys=["1=2001"], open_text="Bonjour"))
    receptionist.set_greeting_file(op, acme, "open", "receptionist/acme.pbx.example/open-x.wav")
    admin = accounts.create_account(op, "admin", "boss@acme.example", f.PASSWORD, tenant=acme)
    accounts.change_password(admin, f.PASSWORD, "another-long-password", "another-long-password")
    accounts.set_timezone(op, Account.get(Account.email == "op@poste.example"), "Asia/Tokyo")
    job = Job.get()
    Job.update(status=Job.FAILED).where(Job.id == job.id).execute()
    jobs.retry(op, Job.get_by_id(job.id))
    tenancy.remove_did(op, did)
    accounts.delete_account(op, admin)
    extensions.delete_extension(op, ext)
    tenancy.delete_tenant(op, acme, "acme.pbx.example")
    entries = list(AuditEntry.select())
    assert len({e.action for e in entries}) >= 20
    for entry in entries:
        assert entry.action in labels.ACTIONS, entry.action
        assert entry.object_type in labels.OBJECT_TYPES, entry.object_type
        for key in {**(entry.before or {}), **(entry.after or {})}:
            assert key in labels.FIELDS, (entry.action, key)
    page = operator.get("/journal/").text
    assert "Client acme.pbx.example supprimé" in page and "Numéro 01 84 88 00 01 retiré" in page
    assert "rôle : administrateur" in page and "mot de passe : changé" in page
    assert "Réceptionniste du client acme.pbx.example modifiée" in page and "1 : 2001" in page
    assert "ouverture : enregistrée (avant : aucun)" in page  # the file's place is not shown


def test_a_long_filtered_log_is_counted_up_to_a_cap(admin, acme, monkeypatch):
    """Counting every match of a filter read each of them on every page turn (23 ms at 106,000
    entries); past ``COUNT_CAP`` the page says "more than" and pages through the newest."""
    from tenants import audit

    for number in range(2010, 2018):
        f.extension(acme, str(number), name=f"Poste {number}")
    monkeypatch.setattr(audit, "COUNT_CAP", 5)
    _query, total, capped = audit.entries(acme, 1, 2, object_type="extension")
    assert (total, capped) == (5, True)
    page = admin.get("/journal/?type=extension").text
    assert "Plus de 5 modifications" in page and "exportez en CSV" in page and "Poste 2017 créé" in page
    past = admin.get("/journal/?type=extension&page=40").text  # past what the count reaches: the last page
    assert "Poste 2017 créé" in past and "Page 40" not in past
    rows = list(csv.reader(io.StringIO(admin.get("/journal/export.csv?type=extension").text)))
    assert len(rows) == 1 + 8  # the export is not capped
    monkeypatch.setattr(audit, "COUNT_CAP", 50)
    assert "8 modifications" in admin.get("/journal/?type=extension").text
