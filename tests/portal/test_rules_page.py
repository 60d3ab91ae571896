"""Accueil (E2, C7-C10) and the call-services PIN (C11) in the portal: the rules as stored, Appliquer
(plain and htmx), every error at once on its field with nothing stored, and nobody else's."""
from __future__ import annotations

import re

from tenants import call_services, trunk
from tenants.call_rules import FORWARD, SEQUENCE, CallRules, Cell
from tenants.models import AuditEntry, Extension
from tenants.routing import External, Ring, plan_for_phone
from tests import factories as f


def form_data(page: str, **changes) -> dict:
    """What the page's rules form posts as it is shown, with ``changes``."""
    form = re.search(r'<form id="rules".*?</form>', page, re.S).group(0)
    data: dict = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        if kind and kind.group(1) in ("radio", "checkbox"):
            if " checked" in tag:
                data[name.group(1)] = value.group(1) if value else "y"
        else:
            data[name.group(1)] = value.group(1) if value else ""
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data[name] = text.strip()
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def apply(owner, **changes):
    page = owner.client.get(owner.url()).text
    return owner.client.post(owner.url("regles/"), data=form_data(page, **changes))


def field_errors(html: str, field_id: str) -> list[str]:
    block = re.search(rf'id="{field_id}-errors"[^>]*>(.*?)</div>', html, re.S)
    return re.findall(r'<span class="error">([^<]*)</span>', block.group(1)) if block else []


def test_accueil_shows_the_guides_defaults(alice):
    page = alice.client.get(alice.url()).text
    assert "État du téléphone" in page and "Disponible pour appels" in page and "Ne pas déranger" in page
    assert re.search(r'value="available"[^>]* checked|checked[^>]*value="available"', page)
    assert 'name="no_answer_seconds"' in page and 'value="24"' in page
    assert "Appliquer" in page and "Annuler" in page
    assert "Changer le NIP des services d&#39;appels" in page or "Changer le NIP des services d'appels" in page


def test_appliquer_stores_the_rules_for_the_next_call(alice, bob):
    response = apply(alice, incoming="forward", forward_to="2002", no_answer_seconds="30",
                     selective_reject="y", reject_list="06 12 34 56 78\n01 42 68 53 00")
    assert response.status_code == 302, response.text
    ext = alice.box.extension
    rules = call_services.rules_of(ext)
    assert rules.incoming == FORWARD and rules.forward_to == "2002"
    assert rules.reject_list == ("+33612345678", "+33142685300") and rules.selective_reject
    assert Extension.get_by_id(ext.id).no_answer_seconds == 30
    page = alice.client.get(alice.url()).text
    assert "Vos règles d&#39;appel sont appliquées" in page or "Vos règles d'appel sont appliquées" in page
    assert "06 12 34 56 78" in page  # shown as typed in France
    assert AuditEntry.select().where(AuditEntry.action == "call_rules.update").count() == 1


def test_forward_all_to_the_outside_becomes_the_plan(alice, acme):
    from tenants import tenancy

    trunk.set_trunk(f.CLI, trunk.TrunkInput(host="127.0.0.2", port=5080))
    tenancy.add_did(f.CLI, acme, "01 84 88 00 01", extension="2001")  # the number the forwarded call presents
    assert apply(alice, incoming="forward", forward_to="06 12 34 56 78").status_code == 302
    plan = plan_for_phone("2002", alice.domain, "2001", alice.domain)
    assert plan.steps == (Ring((External("+33612345678"),), 120),)


def test_htmx_appliquer_swaps_the_form_in_place(alice):
    page = alice.client.get(alice.url()).text
    response = alice.client.post(alice.url("regles/"), data=form_data(page, status="dnd"),
                                 headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith("<form id=\"rules\"") and "<html" not in response.text
    assert "appliquées" in response.text
    assert call_services.rules_of(alice.box.extension).do_not_disturb


def test_every_error_at_once_on_its_field_and_nothing_stored(alice, bob):
    call_services.save_rules(f.CLI, alice.box.extension, CallRules(busy=FORWARD, busy_to="06 12 34 56 78"), 24)
    before = call_services.rules_of(alice.box.extension)
    seven = {f"cell_0_{j}": "10" for j in range(7)}
    response = apply(alice, incoming="sequence", row_0="2002", **seven, forward_to="",
                     busy="forward", busy_to="0049 1511 2345678", no_answer_seconds="500",
                     unreachable="forward", unreachable_to="", selective_forward="y", forward_list="maman",
                     selective_forward_to="06 12 34 56 78")
    assert response.status_code == 422
    html = response.text
    assert field_errors(html, "columns") == ["Le numéro de contact universel compte au plus 6 colonnes."]
    assert field_errors(html, "busy_to") == [
        "Votre plan de numérotation n&#39;autorise pas les appels vers le 0049 1511 2345678."]
    assert field_errors(html, "no_answer_seconds") == ["Le délai doit être compris entre 5 et 120 secondes."]
    assert field_errors(html, "unreachable_to") == ["Indiquez le numéro de renvoi."]
    assert field_errors(html, "forward_list") == ["« maman » n&#39;est pas un numéro de téléphone."]
    assert "5 erreurs à corriger" in html
    assert call_services.rules_of(alice.box.extension) == before


def test_a_delay_out_of_range_in_the_table(alice):
    response = apply(alice, incoming="sequence", row_0="2001", cell_0_0="2", row_1="06 12 34 56 78",
                     cell_1_1="abc", cell_2_2="10")
    assert response.status_code == 422
    assert field_errors(response.text, "columns") == [
        "Indiquez le numéro de chaque ligne où figure un délai.",
        "Le délai doit être compris entre 5 et 120 secondes."]


def test_the_universal_number_is_stored_column_by_column(alice, bob):
    response = apply(alice, incoming="sequence", row_0="2001", cell_0_0="10", row_1="2002", cell_1_1="20",
                     row_2="06 12 34 56 78", cell_2_1="15")
    assert response.status_code == 302, response.text
    rules = call_services.rules_of(alice.box.extension)
    assert rules.incoming == SEQUENCE
    assert rules.columns == ((Cell("2001", 10),), (Cell("2002", 20), Cell("+33612345678", 15)))
    page = alice.client.get(alice.url()).text
    shown = dict(re.findall(r'name="(cell_1_1|row_2)"[^>]*?value="([^"]*)"', page))
    assert shown == {"row_2": "06 12 34 56 78", "cell_1_1": "20"}


def test_the_call_services_pin_is_asked_before_a_change_once_set(alice):
    page = alice.client.get(alice.url()).text
    token = f.csrf_token(page)
    bad = alice.client.post(alice.url("regles/nip"), data={"csrf_token": token, "new_pin": "abcd",
                                                           "confirm_pin": "abcd"})
    assert bad.status_code == 422
    assert field_errors(bad.text, "new_pin") == ["Le NIP ne doit contenir que des chiffres."]
    assert not call_services.has_services_pin(alice.box.extension)
    made = alice.client.post(alice.url("regles/nip"), data={"csrf_token": token, "new_pin": "4821",
                                                            "confirm_pin": "4821"})
    assert made.status_code == 303
    page = alice.client.get(alice.url()).text
    assert 'name="services_pin"' in page
    response = apply(alice, status="dnd")
    assert response.status_code == 422
    assert field_errors(response.text, "services_pin") == ["Entrez votre NIP des services d&#39;appels."]
    assert not call_services.rules_of(alice.box.extension).do_not_disturb
    assert apply(alice, status="dnd", services_pin="4821").status_code == 302
    assert call_services.rules_of(alice.box.extension).do_not_disturb


def test_another_user_gets_404_on_every_url(alice, bob, zed):
    for other in (bob, zed):
        assert other.client.get(alice.url()).status_code == 404
        token = f.csrf_token(other.client.get(other.url()).text)
        for path in ("regles/", "regles/nip"):
            assert other.client.post(alice.url(path), data={"csrf_token": token, "status": "dnd",
                                                            "new_pin": "1234", "confirm_pin": "1234"}
                                     ).status_code == 404
    assert call_services.rules_of(alice.box.extension) == CallRules()
    assert not call_services.has_services_pin(alice.box.extension)


def test_the_audit_log_tells_the_change_in_words(app, alice):
    from console.audit import labels

    response = apply(alice, incoming="sequence", row_0="2001", cell_0_0="10", row_1="06 12 34 56 78", cell_1_1="20",
                     busy="forward", busy_to="06 12 34 56 78")
    assert response.status_code == 302, response.text
    entry = AuditEntry.select().where(AuditEntry.action == "call_rules.update").get()
    with app.test_request_context():
        lines = labels.changes(entry)
        sentence = labels.sentence(entry)
    text = "\n".join(lines)
    assert "colonne 1 : 2001 (10 s) ; colonne 2 : 06 12 34 56 78 (20 s)" in text
    assert "appels entrants : numéro de contact universel (avant : faire sonner le téléphone)" in text
    assert "si le téléphone est occupé : renvoi vers un autre téléphone (avant : messagerie vocale)" in text
    assert sentence == "Règles d'appel du poste 2001 modifiées"


def test_the_pin_form_on_mots_de_passe_comes_back_there(alice):
    page = alice.client.get(alice.url("mots-de-passe/"))
    assert page.status_code == 200 and 'name="back" value="passwords"' in page.text
    made = alice.client.post(alice.url("regles/nip"), data={"csrf_token": f.csrf_token(page.text), "back": "passwords",
                                                            "new_pin": "4821", "confirm_pin": "4821"})
    assert made.status_code == 303 and made.headers["Location"].endswith(alice.url("mots-de-passe/"))
    assert call_services.has_services_pin(alice.box.extension)


def test_a_forged_table_is_refused_in_french(alice):
    response = apply(alice, incoming="sequence", row_0="2001", cell_0_0="10", cell_0_999999="10", cell_0_1="²")
    assert response.status_code == 422
    assert field_errors(response.text, "columns") == [
        "Le numéro de contact universel compte au plus 6 colonnes.",
        "Le délai doit être compris entre 5 et 120 secondes."]
    assert call_services.rules_of(alice.box.extension) == CallRules()


def test_a_virtual_extensions_owner_is_told_the_rules_do_not_apply(app, acme):
    from tests.portal.conftest import owner

    virtual = owner(app, acme, "2050", "Victor Renvoi")
    Extension.update(kind=Extension.VIRTUAL, forward_to="+33612345678").where(
        Extension.id == virtual.box.extension_id).execute()
    page = virtual.client.get(virtual.url())
    assert page.status_code == 200 and "Ce poste est virtuel" in page.text and "06 12 34 56 78" in page.text
    assert 'id="rules"' not in page.text
    token = f.csrf_token(page.text)
    assert virtual.client.post(virtual.url("regles/"), data={"csrf_token": token, "status": "dnd"}).status_code == 404
