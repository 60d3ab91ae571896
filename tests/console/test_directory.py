"""The tenant admin's extension pages (A3-A5), as plain HTML and as htmx partials."""
import pytest

from tenants import extensions, tenancy
from tenants.audit import Actor
from tenants.credentials import verify_secret
from tenants.models import AuditEntry, Extension, Mailbox
from tests import factories as f

HX = {"HX-Request": "true"}


def form(client, **fields):
    return {"csrf_token": f.token_for(client, "/postes/nouveau"), "kind": "desk", "did": "", "forward_to": "", **fields}


def snapshot():
    return [(e.number, e.name, e.email, e.kind) for e in Extension.select().order_by(Extension.id)]


def test_create_then_listed_with_flash_showing_the_sip_password_once(admin, acme):
    response = admin.post("/postes/nouveau", data=form(admin, number="2001", name="Alice Martin",
                                                      email="alice@acme.example"))
    assert response.status_code == 302
    page = admin.get(response.headers["Location"])
    assert "Poste 2001 créé" in page.text and "Mot de passe SIP" in page.text and "Alice Martin" in page.text
    assert "Mot de passe SIP" not in admin.get("/postes/").text


@pytest.mark.parametrize("fields,message", [
    (dict(number="1999", name="Bob", email="bob@acme.example"), "entre 2000 et 2999"),
    (dict(number="2001", name="Bob", email="bob@acme.example"), "Le poste 2001 existe déjà."),
    (dict(number="2002", name="Bob", email="bob@"), "n&#39;est pas valide"),
    (dict(number="2002", name="B" * 101, email="bob@acme.example"), "Ce champ est trop long."),
    (dict(number="2002", name="Bob", email="bob@acme.example", kind="virtual", forward_to="12"),
     "n&#39;est pas un numéro de téléphone valide"),
    (dict(number="2002", name="Bob", email="bob@acme.example", did="+33123456789"), "n&#39;est pas un numéro libre"),
])
def test_bad_input_gets_a_french_message_and_changes_nothing(admin, acme, fields, message):
    f.extension(acme, "2001")
    before = snapshot()
    response = admin.post("/postes/nouveau", data=form(admin, **fields))
    assert response.status_code == 422 and message in response.text
    assert snapshot() == before and Mailbox.select().count() == 1


def test_inline_number_check(admin, acme):
    f.extension(acme, "2001")
    token = f.token_for(admin)
    taken = admin.post("/postes/verifier-numero", data={"number": "2001"}, headers={**HX, "X-CSRFToken": token})
    assert "Le poste 2001 existe déjà." in taken.text and "<html" not in taken.text
    assert "entre 2000 et 2999" in admin.post("/postes/verifier-numero", data={"number": "3001"},
                                              headers={**HX, "X-CSRFToken": token}).text
    assert "est libre" in admin.post("/postes/verifier-numero", data={"number": "2002"},
                                     headers={**HX, "X-CSRFToken": token}).text
    assert admin.post("/postes/verifier-numero", data={"number": "2002"}, headers=HX).status_code == 400


def test_search_and_paging_full_page_and_partial(admin, acme):
    for n in range(2000, 2025):
        f.extension(acme, str(n), name=f"Person {n}")
    page = admin.get("/postes/")
    assert "25 postes" in page.text and "Page 1 sur 2" in page.text and "2019" in page.text and "2020" not in page.text
    second = admin.get("/postes/?page=2", headers={**HX, "HX-Target": "extensions-table"})
    assert "<html" not in second.text and "2024" in second.text and "2000<" not in second.text
    found = admin.get("/postes/?q=2013", headers={**HX, "HX-Target": "extensions-table"})
    assert "1 poste" in found.text and "Person 2013" in found.text and "Person 2012" not in found.text
    assert "Aucun poste ne correspond" in admin.get("/postes/?q=zzz").text
    assert admin.get("/postes/?page=abc").status_code == 200


def test_inline_edit_returns_rows(admin, acme):
    ext = f.extension(acme, "2001")
    editor = admin.get(f"/postes/{ext.id}/modifier", headers=HX)
    assert editor.text.startswith('<tr id="ext-') and "Enregistrer" in editor.text
    data = form(admin, number="2001", name="Alice Dupont", email="alice@acme.example")
    saved = admin.post(f"/postes/{ext.id}/modifier", data=data, headers=HX)
    assert saved.status_code == 200 and "Alice Dupont" in saved.text and "<form" in saved.text  # row with delete form
    bad = admin.post(f"/postes/{ext.id}/modifier", data={**data, "email": "oops"}, headers=HX)
    assert bad.status_code == 422 and 'class="editing"' in bad.text and "oops" in bad.text
    assert Extension.get_by_id(ext.id).email == "alice@acme.example"
    cancel = admin.get(f"/postes/{ext.id}/ligne", headers=HX)
    assert "Alice Dupont" in cancel.text and "editing" not in cancel.text


def test_full_page_edit_without_javascript(admin, acme):
    ext = f.extension(acme, "2001")
    assert "<html" in admin.get(f"/postes/{ext.id}/modifier").text
    response = admin.post(f"/postes/{ext.id}/modifier", data=form(admin, number="2005", name="Alice",
                                                                  email="alice@acme.example"))
    assert response.status_code == 302 and Extension.get_by_id(ext.id).number == "2005"


def test_delete_with_confirmation(admin, acme):
    ext, other = f.extension(acme, "2001"), f.extension(acme, "2002")
    confirm = admin.get(f"/postes/{ext.id}/supprimer")
    assert "définitive" in confirm.text and Extension.select().count() == 2
    assert admin.post(f"/postes/{ext.id}/supprimer", data={"confirm": "1"}).status_code == 400
    token = f.token_for(admin)
    ask = admin.post(f"/postes/{ext.id}/supprimer", data={"csrf_token": token})  # no JavaScript: asks first
    assert Extension.select().count() == 2 and "Le poste 2001 (Alice Martin)" in ask.text
    action, fields = f.confirmation(ask, f"/postes/{ext.id}/supprimer")
    assert f'href="/postes/{ext.id}"' in ask.text
    assert admin.post(action, data=fields).status_code == 302
    row = admin.get("/postes/").text
    assert f'hx-post="/postes/{other.id}/supprimer"' in row and """hx-vals='{"confirm": "1"}'""" in row
    gone = admin.post(f"/postes/{other.id}/supprimer", data={"confirm": "1"}, headers={**HX, "X-CSRFToken": token})
    assert gone.status_code == 200 and gone.text == ""
    assert Extension.select().count() == 0
    assert [e.action for e in AuditEntry.select().where(AuditEntry.action == "extension.delete")] == ["extension.delete"] * 2


def test_mailbox_pin_unlock_and_voicemail_email(admin, acme):
    ext = f.extension(acme, "2001")
    box = extensions.mailbox_of(ext)
    box.locked, box.failed_attempts = True, 3
    box.save()
    page = admin.get(f"/postes/{ext.id}")
    assert "Verrouillée" in page.text and "Déverrouiller la messagerie" in page.text
    token = f.token_for(admin)
    admin.post(f"/postes/{ext.id}/deverrouiller", data={"csrf_token": token})
    assert not extensions.mailbox_of(ext).locked
    bad = admin.post(f"/postes/{ext.id}/pin", data={"csrf_token": token, "pin": "12ab"})
    assert bad.status_code == 422 and "que des chiffres" in bad.text
    assert "au moins 4" in admin.post(f"/postes/{ext.id}/pin", data={"csrf_token": token, "pin": "123"}).text
    admin.post(f"/postes/{ext.id}/pin", data={"csrf_token": token, "pin": "4711"})
    assert verify_secret(extensions.mailbox_of(ext).pin_hash, "4711")
    bad_email = admin.post(f"/postes/{ext.id}/email-messagerie", data={"csrf_token": token, "voicemail_email": "x@"})
    assert bad_email.status_code == 422 and extensions.mailbox_of(ext).email == ext.email
    admin.post(f"/postes/{ext.id}/email-messagerie", data={"csrf_token": token, "voicemail_email": "desk@acme.example"})
    assert extensions.mailbox_of(ext).email == "desk@acme.example"


def test_new_sip_password_is_shown_once(admin, acme):
    ext = f.extension(acme, "2001")
    old = ext.sip_password_enc
    assert """hx-vals='{"confirm": "1"}'""" in admin.get(f"/postes/{ext.id}").text
    ask = admin.post(f"/postes/{ext.id}/mot-de-passe-sip", data={"csrf_token": f.token_for(admin)})
    assert Extension.get_by_id(ext.id).sip_password_enc == old
    assert "Le mot de passe SIP actuel du poste 2001 (Alice Martin) sera remplacé" in ask.text
    action, fields = f.confirmation(ask, f"/postes/{ext.id}/mot-de-passe-sip")
    page = admin.post(action, data=fields, follow_redirects=True)
    assert "Nouveau mot de passe SIP" in page.text and Extension.get_by_id(ext.id).sip_password_enc != old


def test_did_choice_lists_only_free_numbers_of_the_tenant(admin, acme):
    tenancy.add_did(Actor.cli(), acme, "01 23 45 67 89")
    tenancy.add_did(Actor.cli(), f.tenant("globex.pbx.example"), "01 23 45 67 88")
    page = admin.get("/postes/nouveau")
    assert "+33123456789" in page.text and "+33123456788" not in page.text
    admin.post("/postes/nouveau", data=form(admin, number="2001", name="A", email="a@acme.example", did="+33123456789"))
    assert "+33123456789" not in admin.get("/postes/nouveau").text


def test_settings_toggle_receptionist_voicemail(admin, acme):
    assert "checked" in admin.get("/parametres/").text
    admin.post("/parametres/", data={"csrf_token": f.token_for(admin)})
    acme = type(acme).get_by_id(acme.id)
    assert acme.receptionist_voicemail is False
    assert AuditEntry.get(AuditEntry.action == "tenant.settings").actor_email == "boss@acme.example"


def test_audit_page_shows_who_what_before_after(admin, acme):
    ext = f.extension(acme, "2001", name="Alice")
    admin.post(f"/postes/{ext.id}/modifier", data=form(admin, number="2001", name="Alicia", email=ext.email))
    page = admin.get("/journal/")
    assert "Poste 2001 modifié" in page.text and "boss@acme.example" in page.text
    assert "nom : Alicia (avant : Alice)" in page.text


def test_voicemail_menu_layout_and_reception(admin, acme):
    from tenants.voicemail import tenant_options

    f.extension(acme, "2000", name="Accueil")
    page = admin.get("/parametres/")
    assert "Disposition des menus" in page.text and '<option selected value="asterisk">' in page.text
    token = f.token_for(admin)
    bad = admin.post("/parametres/messagerie", data={"csrf_token": token, "menu_layout": "ooma", "reception": "2999"})
    assert bad.status_code == 422 and "Le poste 2999 n&#39;existe pas." in bad.text
    assert tenant_options.current(acme).menu_layout == "asterisk"
    assert admin.post("/parametres/messagerie", data={"csrf_token": token, "menu_layout": "nope",
                                                       "reception": ""}).status_code == 422
    admin.post("/parametres/messagerie", data={"csrf_token": token, "menu_layout": "ooma", "reception": "2000"})
    options = tenant_options.current(acme)
    assert (options.menu_layout, options.reception) == ("ooma", "2000")
    assert "Options de la messagerie du client acme.pbx.example modifiées" in admin.get("/journal/").text
