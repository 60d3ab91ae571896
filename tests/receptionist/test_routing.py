"""The routing plan's receptionist steps (H1, C3): a DID to the receptionist, and the plan of a
call it puts through (each extension with its own rules, accounted to the extension reached)."""
from __future__ import annotations

from tenants.routing import (
    NOT_FOUND,
    OUTCOMES,
    UNAVAILABLE_480,
    Account,
    CallData,
    ExtensionEntry,
    Phones,
    Plan,
    Ring,
    TenantDirectory,
    ToMedia,
    TrunkInfo,
    build_transfer_plan,
    build_trunk_plan,
)

DOMAIN = "recep.pbx.example"
OFFICE = TenantDirectory(DOMAIN, True, {
    "2001": ExtensionEntry("2001", no_answer_seconds=10, has_mailbox=True),
    "2002": ExtensionEntry("2002"),
    "2050": ExtensionEntry("2050", kind="virtual", forward_to="+33612345678", has_mailbox=True),
}, main_number="+33184880100", allowed=frozenset({("FR", "mobile")}))


def test_a_did_of_the_receptionist_goes_to_the_media_app():
    plan = build_trunk_plan("+33184880100", "+33698765432", None, CallData(OFFICE, TrunkInfo(), receptionist=True))
    assert plan == Plan((ToMedia("receptionist", DOMAIN, reason="menu"),), Account(DOMAIN, "", "+33184880100", "inbound"))
    assert Plan.from_json(plan.to_json()) == plan


def test_one_extension_rings_with_its_own_rules_and_is_accounted():
    plan = build_transfer_plan(("2001",), "+33698765432", CallData(OFFICE))
    assert plan.steps == (Ring((Phones("2001", DOMAIN),), 10, OUTCOMES), ToMedia("deposit", DOMAIN, f"2001@{DOMAIN}"))
    assert plan.account == Account(DOMAIN, "2001", "2001", "inbound")


def test_a_group_rings_at_once():
    plan = build_transfer_plan(("2001", "2002"), "", CallData(OFFICE))
    assert plan.steps == (Ring((Phones("2001", DOMAIN), Phones("2002", DOMAIN)), 30, OUTCOMES),
                          ToMedia("receptionist", DOMAIN))  # nobody answers: back to the menu
    assert plan.account.destination == "2001,2002"
    assert plan.after(0, "no_answer") == 1 and plan.after(0, "busy") == 1


def test_an_extension_without_a_mailbox_gives_the_caller_back_to_the_receptionist():
    plan = build_transfer_plan(("2002",), "", CallData(OFFICE))
    assert plan.steps == (Ring((Phones("2002", DOMAIN),), 24, OUTCOMES), ToMedia("receptionist", DOMAIN))
    assert UNAVAILABLE_480 not in plan.steps


def test_a_virtual_extension_calls_its_number_and_an_unknown_one_is_not_found():
    plan = build_transfer_plan(("2050",), "+33698765432", CallData(OFFICE, TrunkInfo()))
    assert plan.steps[0].targets[0].number == "+33612345678" and plan.account.extension == "2050"
    assert build_transfer_plan(("2999",), "", CallData(OFFICE)).steps == (NOT_FOUND,)


def test_the_loader_knows_a_receptionist_did(db):
    from tenants import tenancy
    from tenants.routing import plan_for_transfer, plan_for_trunk
    from tests import factories

    tenant = factories.tenant(DOMAIN)
    factories.extension(tenant, "2001", "Jean Dupont")
    tenancy.add_did(factories.CLI, tenant, "+33184880100", receptionist=True)
    assert plan_for_trunk("+33184880100", "+33698765432").steps == (ToMedia("receptionist", DOMAIN, reason="menu"),)
    assert plan_for_transfer(DOMAIN, ("2001",), "+33698765432").account.destination == "2001"
