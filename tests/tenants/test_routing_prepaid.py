"""C6 in the routing plan: with the prepaid account enabled, what prepaid makes payable (other
international numbers, 118XXX) becomes a Reserve step then the trunk; included and emergency
numbers never touch the balance; a reservation's answer becomes the balance announcement or the
refusal with its own announcement; the plan travels with its new steps; the loader reads the flag."""
from __future__ import annotations

from dataclasses import replace

from rtp.prompts.texts import FIXED
from tenants import prepaid
from tenants.audit import Actor
from tenants.dialing import DEFAULT_ALLOWED
from tenants.routing import (
    PAID,
    PREPAID_REFUSALS,
    REFUSALS,
    Account,
    Announce,
    CallData,
    ExtensionEntry,
    External,
    Limit,
    Plan,
    Refuse,
    Reserve,
    Ring,
    TenantDirectory,
    TrunkInfo,
    after_reservation,
    build_phone_plan,
    build_trunk_plan,
    plan_for_phone,
)
from tests import factories

DOMAIN = "acme.pbx.example"
ACME = TenantDirectory(DOMAIN, True, {
    "2001": ExtensionEntry("2001", has_mailbox=True, did="+33184880001"),
    "2050": ExtensionEntry("2050", kind="virtual", forward_to="+4915112345678", has_mailbox=True),
}, main_number="+33184880001", allowed=DEFAULT_ALLOWED, prepaid=True)


def plan(dialled: str, directory: TenantDirectory = ACME) -> Plan:
    return build_phone_plan("2001", DOMAIN, dialled, DOMAIN, CallData(directory, TrunkInfo()))


def test_payable_destinations_reserve_then_ring_the_trunk():
    german_mobile = plan("004915112345678")
    assert german_mobile.steps == (Reserve(), Ring((External("+4915112345678"),), 120))
    assert german_mobile.account == Account(DOMAIN, "2001", "+4915112345678", PAID)
    assert german_mobile.caller_id is not None and german_mobile.caller_id.number == "+33184880001"
    assert plan("118712").steps == (Reserve(), Ring((External("118712"),), 120))


def test_included_emergency_premium_and_invalid_numbers_never_touch_the_balance():
    assert plan("0142685300").steps == (Ring((External("+33142685300"),), 120),)
    assert plan("0142685300").account.call_class == "included"
    assert plan("112").steps == (Ring((External("112"),), 120),)
    assert plan("0899123456").steps == (REFUSALS["premium"],)


def test_without_prepaid_payable_destinations_are_refused_as_before():
    off = replace(ACME, prepaid=False)
    assert plan("004915112345678", off).steps == (REFUSALS["not_included"],)
    assert plan("118712", off).steps == (REFUSALS["directory"],)


def test_forwards_and_carrier_calls_are_never_paid():
    """A virtual extension's forward is not the caller's own call: nobody to hear a balance."""
    assert plan("2050").steps[0] == REFUSALS["not_included"]
    assert build_trunk_plan("+33184880050", "+33698765432", "2050",
                            CallData(ACME, TrunkInfo())).steps[0] == REFUSALS["not_included"]


def test_the_toll_fraud_limit_comes_first_on_every_outside_call_but_emergency_ones():
    limited = replace(ACME, max_outside_calls=3)
    assert plan("004915112345678", limited).steps == (Limit(3), Reserve(), Ring((External("+4915112345678"),), 120))
    assert plan("0142685300", limited).steps == (Limit(3), Ring((External("+33142685300"),), 120))
    assert plan("112", limited).steps == (Ring((External("112"),), 120),)
    assert plan("2001", limited).steps[0] != Limit(3)  # an extension: not outside
    assert plan("004915112345678", limited).after(0, "passed") == 1
    assert Plan.from_json(plan("0142685300", limited).to_json()) == plan("0142685300", limited)


def test_a_reservation_becomes_the_balance_announcement_or_its_refusal():
    assert after_reservation("", 1250) == Announce("prepaid-balance", 1250)
    assert after_reservation("no_funds", 12) == Refuse(402, "Insufficient Prepaid Balance", "prepaid-no-funds")
    assert after_reservation("concurrent_limit", 0).prompt == after_reservation("daily_limit", 0).prompt == \
        "prepaid-limit"
    assert after_reservation("no_rate", 0) == REFUSALS["not_included"]
    assert after_reservation("duplicate", 0) == REFUSALS["not_included"]
    for refusal in PREPAID_REFUSALS.values():
        assert refusal.prompt in FIXED["fr"] and refusal.prompt in FIXED["en"]


def test_the_plan_travels_with_its_reserve_step_and_the_next_step_after_the_announcement():
    paid = plan("004915112345678")
    assert Plan.from_json(paid.to_json()) == paid
    assert paid.after(0, "announced") == 1
    assert paid.after(1, "busy") is None
    announced = Plan((Announce("prepaid-balance", 80), Ring((External("+1"),), 5)))
    assert Plan.from_json(announced.to_json()) == announced


def test_the_loader_reads_whether_prepaid_is_enabled(db):
    from tenants import tenancy, trunk

    tenant = factories.tenant(DOMAIN)
    factories.extension(tenant, "2001")
    tenancy.add_did(factories.CLI, tenant, "+33184880001", extension="2001")
    tenancy.update_tenant(factories.CLI, tenant, main_number="+33184880001")
    trunk.set_trunk(factories.CLI, trunk.TrunkInput(host="127.0.0.2", port=5060))
    assert plan_for_phone("2001", DOMAIN, "004915112345678", DOMAIN).steps[0] == REFUSALS["not_included"]
    prepaid.import_rates(Actor.cli(), "prefix,description,cents_per_minute,increment_s,first_increment_s\n"
                                      "+49,Allemagne,20,60,\n")
    prepaid.enable(Actor.cli(), tenant)
    assert plan_for_phone("2001", DOMAIN, "004915112345678", DOMAIN).steps[0] == Reserve()
    assert plan_for_phone("2001", DOMAIN, "0142685300", DOMAIN).account.call_class == "included"
    prepaid.enable(Actor.cli(), tenant, max_calls=2)
    assert plan_for_phone("2001", DOMAIN, "0142685300", DOMAIN).steps[0] == Limit(2)


def test_the_loaders_read_the_limit_for_carrier_calls_and_transfers_that_go_back_out(db):
    from tenants import tenancy, trunk
    from tenants.models import Extension
    from tenants.routing import plan_for_transfer, plan_for_trunk

    tenant = factories.tenant(DOMAIN)
    factories.extension(tenant, "2001")
    factories.extension(tenant, "2050", name="Mobile Alice", kind=Extension.VIRTUAL, forward_to="+33612345678")
    tenancy.add_did(factories.CLI, tenant, "+33184880001", extension="2001")
    tenancy.add_did(factories.CLI, tenant, "+33184880050", extension="2050")
    tenancy.update_tenant(factories.CLI, tenant, main_number="+33184880001")
    trunk.set_trunk(factories.CLI, trunk.TrunkInput(host="127.0.0.2", port=5060))
    prepaid.import_rates(Actor.cli(), "prefix,description,cents_per_minute,increment_s,first_increment_s\n"
                                      "+49,Allemagne,20,60,\n")
    prepaid.enable(Actor.cli(), tenant, max_calls=2)
    assert plan_for_trunk("+33184880050", "+33698765432").steps[0] == Limit(2)  # forwarded back out
    assert plan_for_transfer(DOMAIN, ("2050",), "+33698765432").steps[0] == Limit(2)
    assert Limit(2) not in plan_for_trunk("+33184880001", "+33698765432").steps  # rings a phone only
