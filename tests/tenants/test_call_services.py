"""Call rules stored (C7-C10) and the call-services PIN (C11): checked, kept, audited, and read by
routing on the next call."""
from __future__ import annotations

import time

import pytest

from tenants import call_services, trunk
from tenants.call_rules import FORWARD, SEQUENCE, CallRules, Cell
from tenants.dialing import CallerId
from tenants.models import AuditEntry, Extension
from tenants.problems import DomainError
from tenants.routing import (
    OUTCOMES,
    OUTSIDE_RING_SECONDS,
    External,
    Phones,
    Ring,
    ToMedia,
    plan_for_phone,
    plan_for_trunk,
)
from tests import factories

DOMAIN = "acme.pbx.example"


@pytest.fixture
def acme(db):
    t = factories.tenant(DOMAIN)
    alice = factories.extension(t, "2001")
    factories.extension(t, "2002", name="Bob Martin")
    return t, alice


def problems(error: DomainError) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for p in error.problems:
        found.setdefault(p.field, []).append(p.text())
    return found


def test_rules_are_kept_and_routing_reads_them_on_the_next_call(acme):
    t, alice = acme
    assert plan_for_phone("2002", DOMAIN, "2001", DOMAIN).steps[0] == Ring((Phones("2001", DOMAIN),), 24, OUTCOMES)
    call_services.save_rules(factories.CLI, alice, CallRules(do_not_disturb=True), 30)
    assert plan_for_phone("2002", DOMAIN, "2001", DOMAIN).steps == (
        ToMedia("deposit", DOMAIN, f"2001@{DOMAIN}", "unavailable"),)
    assert Extension.get_by_id(alice.id).no_answer_seconds == 30
    entry = AuditEntry.select().where(AuditEntry.action == "call_rules.update").get()
    assert entry.before == {"do_not_disturb": False, "no_answer_seconds": 24}
    assert entry.after == {"do_not_disturb": True, "no_answer_seconds": 30}


def test_forwarding_to_the_outside_needs_the_trunk_and_presents_the_extensions_number(acme):
    t, alice = acme
    from tenants import tenancy

    tenancy.add_did(factories.CLI, t, "01 84 88 00 01", extension="2001")
    with pytest.raises(DomainError) as caught:  # our own number: through the carrier and back, forever
        call_services.save_rules(factories.CLI, alice, CallRules(incoming=FORWARD, forward_to="01 84 88 00 01"), 24)
    assert list(problems(caught.value)) == ["forward_to"]
    call_services.save_rules(factories.CLI, alice, CallRules(incoming=FORWARD, forward_to="06 12 34 56 78"), 24)
    assert call_services.rules_of(alice).forward_to == "+33612345678"
    # no trunk: the phone rings as if nothing were forwarded
    assert plan_for_phone("2002", DOMAIN, "2001", DOMAIN).steps[0] == Ring((Phones("2001", DOMAIN),), 24, OUTCOMES)
    trunk.set_trunk(factories.CLI, trunk.TrunkInput(host="127.0.0.2", port=5080))
    plan = plan_for_phone("2002", DOMAIN, "2001", DOMAIN)
    assert plan.steps == (Ring((External("+33612345678"),), OUTSIDE_RING_SECONDS),)
    assert plan.caller_id == CallerId("+33184880001")
    inbound = plan_for_trunk("+33184880001", "+33698765432")
    assert inbound.steps == (Ring((External("+33612345678"),), OUTSIDE_RING_SECONDS),)
    assert inbound.caller_id == CallerId("+33184880001")  # the trunk takes only our numbers


def test_a_bad_change_says_everything_and_changes_nothing(acme):
    t, alice = acme
    call_services.save_rules(factories.CLI, alice, CallRules(busy=FORWARD, busy_to="2002"), 24)
    bad = CallRules(incoming=SEQUENCE, columns=tuple((Cell("2002", 10),) for _ in range(7)),
                    busy=FORWARD, busy_to="0049 1511 2345678")
    with pytest.raises(DomainError) as caught:
        call_services.save_rules(factories.CLI, alice, bad, 2)
    assert problems(caught.value) == {
        "columns": ["Le numéro de contact universel compte au plus 6 colonnes."],
        "busy_to": ["Votre plan de numérotation n'autorise pas les appels vers le 0049 1511 2345678."],
        "no_answer_seconds": ["Le délai doit être compris entre 5 et 120 secondes."]}
    assert call_services.rules_of(alice) == CallRules(busy=FORWARD, busy_to="2002")
    assert Extension.get_by_id(alice.id).no_answer_seconds == 24


def test_the_call_services_pin_is_asked_before_any_change_once_set(acme):
    t, alice = acme
    assert not call_services.has_services_pin(alice)
    with pytest.raises(DomainError) as caught:
        call_services.set_services_pin(factories.CLI, alice, "abcd", "abcd")
    assert problems(caught.value) == {"new_pin": ["Le NIP ne doit contenir que des chiffres."]}
    with pytest.raises(DomainError) as caught:
        call_services.set_services_pin(factories.CLI, alice, "4821", "4812")
    assert problems(caught.value) == {"confirm_pin": ["Les deux NIP ne sont pas identiques."]}
    call_services.set_services_pin(factories.CLI, alice, "4821", "4821")
    assert call_services.has_services_pin(alice)
    with pytest.raises(DomainError) as caught:
        call_services.save_rules(factories.CLI, alice, CallRules(do_not_disturb=True), 24)
    assert problems(caught.value) == {"services_pin": ["Entrez votre NIP des services d'appels."]}
    with pytest.raises(DomainError) as caught:
        call_services.save_rules(factories.CLI, alice, CallRules(do_not_disturb=True), 24, pin="1111")
    assert problems(caught.value) == {"services_pin": ["Le NIP des services d'appels est incorrect."]}
    assert call_services.rules_of(alice) == CallRules()
    call_services.save_rules(factories.CLI, alice, CallRules(do_not_disturb=True), 24, pin="4821")
    assert call_services.rules_of(alice).do_not_disturb
    # changing it needs the current one
    with pytest.raises(DomainError) as caught:
        call_services.set_services_pin(factories.CLI, alice, "5555", "5555", current="0000")
    assert problems(caught.value) == {"current_pin": ["Le NIP des services d'appels est incorrect."]}
    call_services.set_services_pin(factories.CLI, alice, "5555", "5555", current="4821")
    entries = [e.after for e in AuditEntry.select().where(AuditEntry.action == "call_services_pin.update")]
    assert "4821" not in str(entries) and "5555" not in str(entries)


def test_a_caller_the_receptionist_puts_through_meets_the_users_rules(acme):
    from tenants.routing import plan_for_transfer

    t, alice = acme
    call_services.save_rules(factories.CLI, alice, CallRules(do_not_disturb=True), 24)
    assert plan_for_transfer(DOMAIN, ("2001",), "+33698765432").steps == (
        ToMedia("deposit", DOMAIN, f"2001@{DOMAIN}", "unavailable"),)
    call_services.save_rules(factories.CLI, alice, CallRules(selective_reject=True, reject_list=("+33698765432",)),
                             24)
    assert plan_for_transfer(DOMAIN, ("2001",), "0698765432").steps[0].code == 603
    assert plan_for_transfer(DOMAIN, ("2001",), "0142685300").steps[0] == Ring((Phones("2001", DOMAIN),), 24, OUTCOMES)


def test_five_wrong_pins_and_even_the_right_one_waits(acme, monkeypatch):
    t, alice = acme
    call_services.set_services_pin(factories.CLI, alice, "4821", "4821")
    for _ in range(call_services.PIN_TRIES):
        with pytest.raises(DomainError) as caught:
            call_services.save_rules(factories.CLI, alice, CallRules(do_not_disturb=True), 24, pin="0000")
        assert problems(caught.value) == {"services_pin": ["Le NIP des services d'appels est incorrect."]}
    with pytest.raises(DomainError) as caught:
        call_services.save_rules(factories.CLI, alice, CallRules(do_not_disturb=True), 24, pin="4821")
    assert problems(caught.value) == {"services_pin": ["Trop de NIP erronés : réessayez dans 15 minutes."]}
    assert not call_services.rules_of(alice).do_not_disturb
    later = time.time() + call_services.PIN_WINDOW_SECONDS + 1
    monkeypatch.setattr(call_services.time, "time", lambda: later)
    call_services.save_rules(factories.CLI, alice, CallRules(do_not_disturb=True), 24, pin="4821")
    assert call_services.rules_of(alice).do_not_disturb
