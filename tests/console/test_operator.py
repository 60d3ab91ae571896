"""The operator's pages: tenants (A1), numbers, admins, jobs, the global audit log."""
import pytest

from tenants import jobs, tenancy
from tenants.audit import Actor
from tenants.models import Account, AuditEntry, Did, Job, Tenant
from tests import factories as f


@pytest.fixture
def operator(app, db):
    f.account("operator", email="op@poste.example")
    return f.login(app.test_client(), "op@poste.example")


def token(client):
    return f.token_for(client, "/operateur/clients")


def test_create_tenant_and_refuse_bad_ones(operator):
    t = token(operator)
    ok = operator.post("/operateur/clients", data={"csrf_token": t, "name": "Acme", "domain": "acme.pbx.example",
                                                   "timezone": "Europe/Paris", "language": "fr"})
    assert ok.status_code == 302 and Tenant.get().domain == "acme.pbx.example"
    for data, message in [({"name": "Acme 2", "domain": "acme.pbx.example"}, "déjà utilisé"),
                          ({"name": "X", "domain": "pas un domaine"}, "valide"),
                          ({"name": "X", "domain": "x.example", "timezone": "Nowhere/City"}, "Fuseau horaire inconnu"),
                          ({"name": "X" * 101, "domain": "y.example"}, "trop long")]:
        response = operator.post("/operateur/clients", data={"csrf_token": t, "timezone": "Europe/Paris",
                                                              "language": "fr", **data})
        assert response.status_code == 422 and message in response.text, message
    assert Tenant.select().count() == 1


def test_suspend_resume_and_delete(operator):
    acme = f.tenant()
    f.account("admin", acme, email="boss@acme.example")
    t = token(operator)
    ask = operator.post(f"/operateur/clients/{acme.id}/statut", data={"csrf_token": t, "status": "suspended"})
    assert Tenant.get_by_id(acme.id).status == "active"  # without the confirm field: only the question
    action, fields = f.confirmation(ask, f"/operateur/clients/{acme.id}/statut")
    assert "Suspendre le client Acme" in ask.text and "acme.pbx.example" in ask.text
    assert fields["status"] == "suspended" and f'href="/operateur/clients/{acme.id}"' in ask.text
    assert operator.post(action, data=fields).status_code == 302
    assert Tenant.get_by_id(acme.id).status == "suspended"
    assert "Suspendu" in operator.get(f"/operateur/clients/{acme.id}").text
    assert operator.post(f"/operateur/clients/{acme.id}/statut", data={"csrf_token": t, "status": "x"}).status_code == 400
    operator.post(f"/operateur/clients/{acme.id}/statut", data={"csrf_token": t, "status": "active"})
    assert Tenant.get_by_id(acme.id).status == "active"
    wrong = operator.post(f"/operateur/clients/{acme.id}/supprimer", data={"csrf_token": t, "confirm": "acme"})
    assert wrong.status_code == 422 and "Saisissez exactement" in wrong.text and Tenant.select().count() == 1
    operator.post(f"/operateur/clients/{acme.id}/supprimer", data={"csrf_token": t, "confirm": "acme.pbx.example"})
    assert Tenant.select().count() == 0 and Account.select().where(Account.role == "admin").count() == 0
    assert operator.get(f"/operateur/clients/{acme.id}").status_code == 404


def test_edit_tenant(operator):
    acme = f.tenant()
    operator.post(f"/operateur/clients/{acme.id}/modifier", data={"csrf_token": token(operator), "name": "Acme SAS",
                                                                  "timezone": "Europe/Brussels", "language": "en"})
    acme = Tenant.get_by_id(acme.id)
    assert (acme.name, acme.timezone, acme.language, acme.domain) == (
        "Acme SAS", "Europe/Brussels", "en", "acme.pbx.example")


def test_numbers_and_admins(operator):
    acme = f.tenant()
    t = token(operator)
    operator.post(f"/operateur/clients/{acme.id}/numeros", data={"csrf_token": t, "did": "01 23 45 67 89"})
    assert Did.get().number == "+33123456789"
    bad = operator.post(f"/operateur/clients/{acme.id}/numeros", data={"csrf_token": t, "did": "0123"})
    assert bad.status_code == 422 and "pas un numéro de téléphone valide" in bad.text
    did_url = f"/operateur/numeros/{Did.get().id}/supprimer"
    assert operator.post(did_url, data={"confirm": "1"}).status_code == 400  # no CSRF token
    ask = operator.post(did_url, data={"csrf_token": t})
    assert Did.select().count() == 1 and "Le numéro +33123456789 sera retiré du client Acme." in ask.text
    action, fields = f.confirmation(ask, did_url)
    assert operator.post(action, data=fields).status_code == 302
    assert Did.select().count() == 0
    operator.post(f"/operateur/clients/{acme.id}/administrateurs",
                  data={"csrf_token": t, "name": "Boss", "email": "boss@acme.example", "password": "long-enough-pw"})
    admin = Account.get(Account.email == "boss@acme.example")
    assert admin.role == "admin" and admin.tenant_id == acme.id
    short = operator.post(f"/operateur/clients/{acme.id}/administrateurs",
                          data={"csrf_token": t, "email": "b2@acme.example", "password": "short"})
    assert short.status_code == 422 and "au moins 10 caractères" in short.text
    admin_url = f"/operateur/comptes/{admin.id}/supprimer"
    ask = operator.post(admin_url, data={"csrf_token": t})
    assert Account.select().where(Account.role == "admin").count() == 1
    assert "Le compte administrateur boss@acme.example du client Acme sera supprimé" in ask.text
    action, fields = f.confirmation(ask, admin_url)
    assert operator.post(action, data=fields).status_code == 302
    assert Account.select().where(Account.role == "admin").count() == 0


def test_a_number_bound_to_an_extension_names_it_before_removal(operator):
    acme = f.tenant()
    f.extension(acme, "2001")
    did = tenancy.add_did(Actor.cli(), acme, "01 23 45 67 89")
    f.extension(acme, "2002", did=did.number)
    ask = operator.post(f"/operateur/numeros/{did.id}/supprimer", data={"csrf_token": token(operator)})
    assert "ne sonnera plus sur le poste 2002" in ask.text and Did.select().count() == 1


def test_destructive_forms_confirm_in_one_step_with_htmx(operator):
    """Browsers keep htmx's dialog, after which the request carries the confirm field."""
    acme = f.tenant()
    tenancy.add_did(Actor.cli(), acme, "01 23 45 67 89")
    f.account("admin", acme, email="boss@acme.example")
    page = operator.get(f"/operateur/clients/{acme.id}").text
    assert page.count("""hx-vals='{"confirm": "1"}'""") == 3  # suspend, remove the admin, remove the number
    assert "hx-confirm=\"Suspendre Acme ?" in page
    t = token(operator)
    boosted = operator.post(f"/operateur/clients/{acme.id}/statut", headers={"HX-Request": "true", "HX-Boosted": "true"},
                            data={"csrf_token": t, "status": "suspended", "confirm": "1"})
    assert boosted.status_code == 302 and Tenant.get_by_id(acme.id).status == "suspended"
    assert """hx-vals""" not in operator.get(f"/operateur/clients/{acme.id}").text.split("<h2>")[0]  # resume: one step
    assert operator.post(f"/operateur/clients/{acme.id}/statut",
                         data={"csrf_token": t, "status": "active"}).status_code == 302
    assert Tenant.get_by_id(acme.id).status == "active"


def test_jobs_page_shows_failures_and_retries(operator):
    acme = f.tenant()
    f.extension(acme)  # queues the PIN email; SMTP port 1 refuses it
    jobs.run_due()
    job = Job.get()
    page = operator.get("/operateur/taches")
    # in words: what it is about, for which tenant, why it failed; the raw error only as a detail
    assert "E-mail du code PIN" in page.text and "En attente" in page.text and "Nouvel essai le" in page.text
    assert "Poste 2001 : code PIN pour alice.2001@acme.pbx.example" in page.text
    assert f'href="/operateur/clients/{acme.id}">Acme</a>' in page.text
    assert "Le serveur de messagerie refuse la connexion" in page.text
    assert page.text.index("refuse la connexion") < page.text.index("ConnectionRefusedError")  # the detail comes after
    assert " UTC" not in page.text and "T" not in page.text.split("Nouvel essai le ")[1][:20]
    assert "code PIN pour" in operator.get("/operateur/taches?statut=queued").text
    assert "code PIN pour" not in operator.get("/operateur/taches?statut=done").text
    assert "code PIN pour" in operator.get(f"/operateur/taches?client={acme.id}").text
    assert "code PIN pour" not in operator.get(f"/operateur/taches?client={f.tenant('globex.pbx.example').id}").text
    retried = operator.post(f"/operateur/taches/{job.id}/relancer", data={"csrf_token": token(operator), "statut": "queued"})
    assert retried.status_code == 302 and retried.headers["Location"].endswith("/operateur/taches?statut=queued")
    assert Job.get().run_at <= job.run_at
    entry = AuditEntry.get(AuditEntry.action == "job.retry")  # the domain service: its audit entry
    assert entry.actor_email == "op@poste.example" and entry.object_id == str(job.id)
    assert f"Tâche n° {job.id} (E-mail du code PIN) relancée" in operator.get("/journal/").text
    Job.update(status=Job.DONE).where(Job.id == job.id).execute()
    refused = operator.post(f"/operateur/taches/{job.id}/relancer", data={"csrf_token": token(operator)},
                            follow_redirects=True)
    assert f"La tâche n° {job.id} est terminée : rien à relancer." in refused.text
    assert AuditEntry.select().where(AuditEntry.action == "job.retry").count() == 1


def test_global_audit_log(operator):
    acme = f.tenant()
    f.extension(acme)
    page = operator.get("/journal/")
    assert "Client acme.pbx.example créé" in page.text and "Poste 2001 créé" in page.text
    assert "Ligne de commande" in page.text  # the factories' changes: the CLI's actor outside a command
