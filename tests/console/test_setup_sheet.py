"""The phone setup sheet and the PIN email's delivery on the extension's page (issue 19)."""
import re

from tenants import extensions, jobs
from tenants.models import Extension, Job
from tests import factories as f
from tests.console.html import by_id, parse


def create(admin, number="2001", email="alice@acme.example"):
    return admin.post("/postes/nouveau", data={
        "csrf_token": f.token_for(admin, "/postes/nouveau"), "number": number, "name": "Alice Martin",
        "email": email, "kind": "desk", "did": "", "forward_to": ""})


def sheet_of(html: str) -> str:
    return by_id(parse(html), "setup-sheet").text


def test_after_creating_an_extension_the_admin_sees_its_setup_sheet(admin, acme, settings):
    created = create(admin)
    ext = Extension.get(Extension.number == "2001")
    assert created.status_code == 302 and created.headers["Location"].endswith(f"/postes/{ext.id}")
    page = admin.get(created.headers["Location"])
    sheet = sheet_of(page.text)
    for label, value in [("Serveur SIP (proxy)", settings.sip_address), ("Port", str(settings.sip_port)),
                         ("Transport", "UDP (ou TCP)"), ("Utilisateur", "2001"),
                         ("Utilisateur d'authentification", "2001"), ("Domaine (realm)", "acme.pbx.example")]:
        assert re.search(rf"{re.escape(label)}\s*{re.escape(value)}", sheet), (label, value, sheet)
    root = parse(page.text)
    password = by_id(root, "sip-password")
    assert password.attrs["value"] == extensions.sip_password(ext) and "readonly" in password.attrs
    copy = next(e for e in root.walk() if e.attrs.get("data-copy") == "#sip-password")
    assert copy.tag == "button" and copy.attrs["type"] == "button"
    assert any("data-print" in e.attrs for e in root.walk())  # the printable version
    assert "no-store" in page.headers["Cache-Control"]
    flash = page.text.split('class="flash success"')[1].split("</p>")[0]
    assert "en file d&#39;attente pour alice@acme.example" in flash and "envoyé" not in flash
    again = admin.get(created.headers["Location"])
    assert by_id(parse(again.text), "sip-password") is None and "Masqué" in sheet_of(again.text)


def test_the_new_extension_page_says_the_pin_email_leaves_by_email_not_that_it_was_sent(admin, acme):
    assert "est envoyé par e-mail" not in admin.get("/postes/nouveau").text


def test_the_pin_emails_delivery_waiting_failed_and_sent(admin, acme, smtp):
    create(admin)
    ext = Extension.get(Extension.number == "2001")
    waiting = by_id(parse(admin.get(f"/postes/{ext.id}").text), "pin-email").text
    assert "En attente" in waiting and "en file d'attente depuis le" in waiting
    job = Job.get()
    Job.update(status=Job.FAILED, attempts=12,
               last_error="SMTPRecipientsRefused: {'alice@acme.example': (550, b'no such user')}").where(
        Job.id == job.id).execute()
    failed = by_id(parse(admin.get(f"/postes/{ext.id}").text), "pin-email").text
    assert "Échec" in failed and "Le serveur de messagerie refuse l'adresse du destinataire." in failed
    assert "SMTPRecipientsRefused" not in failed
    Job.update(status=Job.QUEUED, attempts=0, last_error=None).where(Job.id == job.id).execute()
    assert jobs.run_due() == 1 and smtp.messages
    sent = by_id(parse(admin.get(f"/postes/{ext.id}").text), "pin-email").text
    assert "Envoyé" in sent and "à alice@acme.example" in sent


def test_a_refused_connection_is_said_in_words_with_the_next_try(admin, acme):
    create(admin)
    jobs.run_due()  # SMTP port 1 refuses the connection
    ext = Extension.get(Extension.number == "2001")
    text = by_id(parse(admin.get(f"/postes/{ext.id}").text), "pin-email").text
    assert "nouvel essai le" in text and "Le serveur de messagerie refuse la connexion" in text


def test_a_new_sip_password_shows_the_sheet_with_it_once(admin, acme):
    ext = f.extension(acme, "2001")
    token = f.token_for(admin, f"/postes/{ext.id}")
    response = admin.post(f"/postes/{ext.id}/mot-de-passe-sip", data={"csrf_token": token, "confirm": "1"})
    page = admin.get(response.headers["Location"]).text
    assert by_id(parse(page), "sip-password").attrs["value"] == extensions.sip_password(Extension.get_by_id(ext.id))
    assert "reconfigurez ses téléphones" in page


def test_a_pin_changed_before_its_email_left_is_said_not_sent(admin, acme, smtp, app):
    from tenants.audit import Actor
    from tenants.models import Account

    create(admin)
    ext = Extension.get(Extension.number == "2001")
    boss = Account.get(Account.email == "boss@acme.example")
    extensions.set_pin(Actor.of(boss), extensions.mailbox_of(ext), "4321")
    assert jobs.run_due() == 1 and not smtp.messages
    job = Job.get()
    assert (job.status, job.outcome) == (Job.DONE, extensions.PIN_CHANGED)
    text = by_id(parse(admin.get(f"/postes/{ext.id}").text), "pin-email").text
    assert "Non envoyé" in text and "le code PIN avait été changé avant l'envoi" in text and "Envoyé" not in text
    f.account("operator", email="op@poste.example")
    operator = f.login(app.test_client(), "op@poste.example")
    assert "Terminée sans envoi le" in operator.get("/operateur/taches?statut=done").text
