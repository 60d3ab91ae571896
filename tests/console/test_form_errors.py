"""Every form shows every error at once, each tied to its field (issue 19): aria-invalid, the
messages named by aria-describedby, a summary above the form; never in two rounds."""
import pytest

from tenants.models import Extension, Tenant
from tests import factories as f
from tests.console.html import by_id, fields, messages_of, parse

HX = {"HX-Request": "true"}


def invalid_fields(html: str) -> dict[str, str]:
    """Each field marked invalid, with the text its aria-describedby names; and every field's
    aria-describedby names elements that exist."""
    root = parse(html)
    found = {}
    for element in fields(root):
        ids = element.attrs.get("aria-describedby", "").split()
        assert ids, f"{element.attrs.get('name')} names no hint nor errors"
        assert all(by_id(root, i) is not None for i in ids), (element.attrs.get("name"), ids)
        if element.attrs.get("aria-invalid") == "true":
            found[element.attrs["name"]] = messages_of(root, element)
    return found


def summary(html: str) -> str:
    root = parse(html)
    box = next((e for e in root.walk() if "form-errors" in e.attrs.get("class", "")), None)
    assert box is not None and box.attrs.get("role") == "alert", "no summary of the errors"
    return box.text


def test_a_new_extension_gets_every_error_at_once(admin, acme):
    response = admin.post("/postes/nouveau", data={
        "csrf_token": f.token_for(admin, "/postes/nouveau"), "number": "1999", "name": "", "email": "bob@",
        "kind": "virtual", "forward_to": "abc", "did": ""})
    assert response.status_code == 422
    errors = invalid_fields(response.text)
    assert set(errors) == {"number", "name", "email", "forward_to"}, errors
    assert "entre 2000 et 2999" in errors["number"]  # the range error stays (it was wiped before)
    assert "obligatoire" in errors["name"]
    assert "n'est pas valide" in errors["email"]
    assert "n'est pas un numéro de téléphone valide" in errors["forward_to"]
    text = summary(response.text)
    assert "4 erreurs à corriger" in text and "Numéro de poste" in text and "Numéro externe de renvoi" in text
    assert Extension.select().count() == 0


def test_the_inline_edit_of_a_row_gets_every_error_at_once(admin, acme):
    ext = f.extension(acme, "2001")
    f.extension(acme, "2002")
    response = admin.post(f"/postes/{ext.id}/modifier", headers=HX, data={
        "csrf_token": f.token_for(admin), "number": "2002", "name": "", "email": "x", "kind": "desk",
        "forward_to": "", "did": ""})
    assert response.status_code == 422 and "<html" not in response.text
    errors = invalid_fields(response.text)
    assert set(errors) == {"number", "name", "email"}, errors
    assert "Le poste 2002 existe déjà." in errors["number"]


def test_a_new_tenant_gets_every_error_at_once(app, db):
    f.account("operator", email="op@poste.example")
    op = f.login(app.test_client(), "op@poste.example")
    response = op.post("/operateur/clients", data={
        "csrf_token": f.token_for(op, "/operateur/clients"), "name": "", "domain": "pas un domaine",
        "timezone": "Nowhere/City", "language": "fr"})
    assert response.status_code == 422
    errors = invalid_fields(response.text)
    assert {"name", "domain", "timezone"} <= set(errors), errors
    assert "valide" in errors["domain"] and "Fuseau horaire inconnu" in errors["timezone"]
    assert "3 erreurs à corriger" in summary(response.text)
    taken = op.post("/operateur/clients", data={
        "csrf_token": f.token_for(op, "/operateur/clients"), "name": "", "domain": f.tenant().domain,
        "timezone": "Europe/Paris", "language": "fr"})
    assert set(invalid_fields(taken.text)) == {"name", "domain"}  # "already used" with the missing name
    assert Tenant.select().count() == 1


def test_a_new_admin_and_a_password_change_get_every_error_at_once(app, acme):
    f.account("operator", email="op@poste.example")
    op = f.login(app.test_client(), "op@poste.example")
    response = op.post(f"/operateur/clients/{acme.id}/administrateurs", data={
        "csrf_token": f.token_for(op, "/operateur/clients"), "name": "", "email": "", "password": "short"})
    assert response.status_code == 422
    assert set(invalid_fields(response.text)) == {"email", "password"}
    changed = op.post("/mot-de-passe", data={"csrf_token": f.token_for(op), "current": "wrong-password",
                                             "new": "short", "confirm": ""})
    assert changed.status_code == 422
    errors = invalid_fields(changed.text)
    assert set(errors) == {"current", "new", "confirm"}, errors
    assert "incorrect" in errors["current"] and "au moins 10" in errors["new"]


def test_voicemail_settings_get_every_error_at_once(admin, acme):
    response = admin.post("/parametres/messagerie", data={"csrf_token": f.token_for(admin),
                                                           "menu_layout": "nope", "reception": "29999"})
    assert response.status_code == 422
    assert set(invalid_fields(response.text)) == {"menu_layout", "reception"}


@pytest.mark.parametrize("url", ["/postes/nouveau", "/mot-de-passe", "/parametres/", "/connexion"])
def test_every_field_names_its_messages_before_any_error(app, acme, url):
    client = app.test_client()
    if url != "/connexion":
        f.account("admin", acme, email="boss@acme.example")
        f.login(client, "boss@acme.example")
    page = client.get(url)
    assert page.status_code == 200 and invalid_fields(page.text) == {}


def test_the_live_number_check_is_tied_to_its_field(admin, acme):
    page = parse(admin.get("/postes/nouveau").text)
    number = by_id(page, "number")
    assert number.attrs["aria-describedby"] == "number-hint number-errors"
    assert by_id(page, "number-errors").attrs.get("aria-live") == "polite"
    check = admin.post("/postes/verifier-numero", data={"number": "1999"},
                       headers={**HX, "X-CSRFToken": f.token_for(admin)})
    swapped = parse(check.text)
    assert by_id(swapped, "number-errors") is not None  # replaces the element the field names
    assert "entre 2000 et 2999" in by_id(swapped, "number-errors").text
