"""Saving the receptionist: every problem at once in French, nothing stored on a bad input (H1)."""
from __future__ import annotations

import datetime as dt

import pytest

from tenants.problems import DomainError
from tenants.receptionist import rules, service
from tests import factories


@pytest.fixture
def office(db):
    tenant = factories.tenant("recep.pbx.example")
    factories.extension(tenant, "2000", "Accueil Standard")
    factories.extension(tenant, "2001", "Jean Dupont")
    factories.extension(tenant, "2005", "Émilie Moreau")
    other = factories.tenant("other.pbx.example")
    factories.extension(other, "2999", "Autre Client")
    return tenant


def test_a_change_is_saved_and_audited(office):
    service.update(factories.CLI, office, service.Change(hours="mon-fri 08:00-17:00", operator="2000",
                                                         set_keys=["1=2005", "2=2000,2001"]))
    shown = service.snapshot(service.current(office))
    assert shown["hours"] == "mon-fri 08:00-17:00" and shown["operator"] == "2000"
    assert shown["keys"] == {"1": ["2005"], "2": ["2000", "2001"]}


def test_bad_input_says_everything_and_changes_nothing(office):
    service.update(factories.CLI, office, service.Change(operator="2000", set_keys=["1=2005"]))
    with pytest.raises(DomainError) as error:
        service.update(factories.CLI, office, service.Change(
            hours="mon-fri 18:00-09:00", operator="2999", set_keys=["1=2404"]))
    texts = [p.text() for p in error.value.problems]
    assert any("inversé" in t for t in texts)
    assert any("2999 n'est pas un poste de ce client" in t for t in texts)
    assert any("2404 n'existe pas" in t for t in texts)
    shown = service.snapshot(service.current(office))
    assert shown["operator"] == "2000" and shown["keys"] == {"1": ["2005"]} and shown["hours"] == "mon-fri 09:00-18:00"


def test_an_operator_of_another_tenants_domain_is_refused(office):
    with pytest.raises(DomainError, match="autre client"):
        service.update(factories.CLI, office, service.Change(operator="2000@other.pbx.example"))


def test_a_call_gets_the_greeting_of_its_time_and_the_directory(office):
    service.update(factories.CLI, office, service.Change(closed_text="Nous sommes fermés.", operator="2000"))
    monday_10 = dt.datetime(2026, 12, 7, 9, 0)  # 10:00 in Paris
    setup = service.call_setup("recep.pbx.example", monday_10)
    assert setup.greeting == service.Greeting(rules.OPEN, None, None)
    night = service.call_setup("recep.pbx.example", dt.datetime(2026, 12, 7, 22, 0))
    assert night.greeting == service.Greeting(rules.CLOSED, None, "Nous sommes fermés.")
    assert setup.operator == "2000" and {"2000", "2001", "2005"} <= setup.extensions
    assert [p.number for p in rules.match_names(setup.people, "387")] == ["2001"]
    assert setup.voicemail_access
