"""The routing plan (tenants.routing): pure plans from plain data, their travel form, the next
step after each outcome, and the loaders that read the data from the database."""
from __future__ import annotations

import pytest

from tenants.dialing import DEFAULT_ALLOWED, CallerId
from tenants.routing import (
    BUSY,
    FAILED,
    FORBIDDEN,
    NO_ANSWER,
    NOT_FOUND,
    OTHER_TENANT,
    OUTCOMES,
    REFUSALS,
    UNAVAILABLE,
    UNAVAILABLE_480,
    Account,
    Announce,
    CallData,
    ExtensionEntry,
    External,
    Phones,
    Plan,
    Refuse,
    Ring,
    TenantDirectory,
    ToMedia,
    TrunkInfo,
    build_phone_plan,
    build_trunk_plan,
    did_number,
)

DOMAIN = "acme.pbx.example"
ACME = TenantDirectory(DOMAIN, True, {
    "2001": ExtensionEntry("2001", no_answer_seconds=2, has_mailbox=True, did="+33184880001"),
    "2002": ExtensionEntry("2002", has_mailbox=True),
    "2003": ExtensionEntry("2003", no_answer_seconds=0, has_mailbox=True),
    "2004": ExtensionEntry("2004", no_answer_seconds=100000, has_mailbox=True),
    "2005": ExtensionEntry("2005"),  # no mailbox
    "2006": ExtensionEntry("2006", has_mailbox=True, anonymous=True),
    "2050": ExtensionEntry("2050", kind="virtual", forward_to="+33612345678", has_mailbox=True, did="+33184880050"),
    "2051": ExtensionEntry("2051", kind="virtual", forward_to="+4915112345678", has_mailbox=True),
}, main_number="+33184880000", emergency_caller_id="+33184880099", allowed=DEFAULT_ALLOWED)
WITH_TRUNK = CallData(ACME, TrunkInfo())


def plan(dialled: str, caller: str = "2002", data: CallData = WITH_TRUNK, domain: str = DOMAIN) -> Plan:
    return build_phone_plan(caller, DOMAIN, dialled, domain, data)


# ------------------------------------------------------------------ calls between extensions (C1, C8 defaults)

def test_an_extension_with_a_mailbox_rings_for_its_delay_then_its_voicemail():
    assert plan("2001") == Plan((Ring((Phones("2001", DOMAIN),), 2, OUTCOMES),
                                 ToMedia("deposit", DOMAIN, f"2001@{DOMAIN}")),
                                Account(DOMAIN, "2002", "2001", "internal"))
    # the delay stays within what a phone can sensibly ring
    assert plan("2003").steps[0].seconds == 24  # unset: the default
    assert plan("2004").steps[0].seconds == 300


def test_an_extension_without_a_mailbox_gets_480_when_no_phone_is_registered():
    assert plan("2005").steps == (Ring((Phones("2005", DOMAIN),), 24, frozenset({UNAVAILABLE})), UNAVAILABLE_480)


def test_the_voicemail_reason_follows_how_the_ring_ended():
    c8 = plan("2001")
    for outcome in (NO_ANSWER, BUSY, UNAVAILABLE, FAILED):
        assert c8.after(0, outcome) == 1
    assert c8.after(1, BUSY) is None  # the media app's own answer is the caller's
    no_mailbox = plan("2005")
    assert no_mailbox.after(0, UNAVAILABLE) == 1
    assert no_mailbox.after(0, BUSY) is None and no_mailbox.after(0, NO_ANSWER) is None


def test_unknown_numbers_and_other_tenants():
    assert plan("2999").steps == (NOT_FOUND,)
    assert plan("999999").steps == (NOT_FOUND,)
    assert plan("2001", domain="globex.pbx.example").steps == (OTHER_TENANT,)
    assert build_phone_plan("2001", "globex.pbx.example", "2001", "globex.pbx.example", WITH_TRUNK).steps == \
        (FORBIDDEN,)
    assert build_phone_plan("2001", DOMAIN, "2001", DOMAIN, CallData(None)).steps == (FORBIDDEN,)


def test_domains_are_compared_without_case():
    assert build_phone_plan("2002", "ACME.pbx.example", "2001", "Acme.PBX.example", WITH_TRUNK).steps[0] == \
        Ring((Phones("2001", DOMAIN),), 2, OUTCOMES)


# ------------------------------------------------------------------ the mailbox by phone (D1, D2)

def test_star_97_and_ones_own_number_open_the_callers_mailbox():
    access = (ToMedia("access", DOMAIN, f"2002@{DOMAIN}"),)
    assert plan("*97").steps == access
    assert plan("2002").steps == access
    assert plan("*97", caller="2005").steps == (NOT_FOUND,)  # no mailbox to open
    assert plan("*97", caller="2999").steps == (NOT_FOUND,)


def test_star_98_lets_the_media_app_ask_for_the_mailbox_of_the_callers_tenant():
    assert plan("*98").steps == (ToMedia("access", DOMAIN),)


# ------------------------------------------------------------------ calls to the outside (C4, C5)

def test_a_national_number_goes_to_the_trunk_with_the_callers_did():
    result = plan("0142685300", caller="2001")
    assert result.steps == (Ring((External("+33142685300"),), 120),)
    assert result.caller_id == CallerId("+33184880001")
    assert result.account == Account(DOMAIN, "2001", "+33142685300", "included")
    assert result.after(0, BUSY) is None  # the carrier's answer is the caller's


def test_the_main_number_when_the_extension_has_no_did_and_anonymous_extensions():
    assert plan("0612345678").caller_id == CallerId("+33184880000")
    assert plan("0612345678", caller="2006").caller_id == CallerId("+33184880000", anonymous=True)


def test_refused_destinations_get_their_announcement():
    for dialled, reason in (("004915112345678", "not_included"), ("0891123456", "premium"),
                            ("118712", "directory"), ("0712345678", "invalid")):
        result = plan(dialled)
        assert result.steps == (REFUSALS[reason],) and result.steps[0].prompt
        assert result.account.call_class == "refused"
    assert plan("004915112345678").steps == (Refuse(403, "Destination Not Allowed", "refused-not-included"),)


def test_without_trunk_or_number_to_show_nothing_goes_out_but_the_caller_hears_why():
    no_trunk = plan("0142685300", data=CallData(ACME, None))
    assert no_trunk.steps == (REFUSALS["no_trunk"],) and no_trunk.account.call_class == "refused"
    bare = TenantDirectory(DOMAIN, True, {"2002": ExtensionEntry("2002")}, allowed=DEFAULT_ALLOWED)
    assert plan("0142685300", data=CallData(bare, TrunkInfo())).steps == (REFUSALS["no_caller_id"],)
    # an emergency call goes out all the same
    assert plan("112", data=CallData(bare, TrunkInfo())).steps == (Ring((External("112"),), 120),)


def test_emergency_numbers_go_out_even_for_a_suspended_tenant_with_its_emergency_caller_id():
    suspended = CallData(TenantDirectory(**{**vars(ACME), "active": False}), TrunkInfo())
    result = plan("112", data=suspended)
    assert result.steps == (Ring((External("112"),), 120),)
    assert result.caller_id == CallerId("+33184880099")
    assert result.account.call_class == "emergency"
    assert plan("0142685300", data=suspended).steps == (FORBIDDEN,)
    assert plan("2001", data=suspended).steps == (FORBIDDEN,)


# ------------------------------------------------------------------ virtual extensions (C2)

def test_a_virtual_extension_calls_its_number_then_its_voicemail():
    result = plan("2050")
    assert result.steps == (Ring((External("+33612345678"),), 24, OUTCOMES),
                            ToMedia("deposit", DOMAIN, f"2050@{DOMAIN}"))
    assert result.caller_id == CallerId("+33184880000")  # the caller's number: 2002 has no DID
    assert result.account == Account(DOMAIN, "2050", "+33612345678", "included")
    assert plan("2050", caller="2001").caller_id == CallerId("+33184880001")


def test_a_virtual_extension_follows_its_owners_rules():
    assert plan("2051").steps == (REFUSALS["not_included"],)


# ------------------------------------------------------------------ calls from the carrier (C3)

def test_a_did_rings_its_extension_with_its_voicemail_rules():
    result = build_trunk_plan("+33184880001", "+33698765432", "2001", WITH_TRUNK)
    assert result.steps == plan("2001").steps
    assert result.account == Account(DOMAIN, "2001", "+33184880001", "inbound")


def test_a_did_of_a_virtual_extension_forwards_with_the_original_caller_where_the_trunk_allows():
    allowed = build_trunk_plan("+33184880050", "+33698765432", "2050", CallData(ACME, TrunkInfo(True)))
    assert allowed.steps[0] == Ring((External("+33612345678"),), 24, OUTCOMES)
    assert allowed.caller_id == CallerId("+33698765432")
    refused = build_trunk_plan("+33184880050", "+33698765432", "2050", CallData(ACME, TrunkInfo(False)))
    assert refused.caller_id == CallerId("+33184880050")


def test_nothing_else_is_reachable_from_the_carrier():
    unassigned = REFUSALS["unassigned"]
    for dialled, extension in (("*97", None), ("*98", None), ("2001", None), ("+33184880077", None)):
        assert build_trunk_plan(dialled, "+33698765432", extension, WITH_TRUNK).steps == (unassigned,)
    assert build_trunk_plan("+33184880001", "", "2001", CallData(None)).steps == (unassigned,)
    suspended = CallData(TenantDirectory(**{**vars(ACME), "active": False}), TrunkInfo())
    assert build_trunk_plan("+33184880001", "", "2001", suspended).steps == (unassigned,)


@pytest.mark.parametrize("sent", ["+33184880001", "33184880001", "0184880001"])
def test_the_forms_a_carrier_sends_a_did_in(sent):
    assert did_number(sent) == "+33184880001"


def test_did_number_refuses_what_is_not_a_number():
    assert did_number("*97") is None and did_number("") is None and did_number("abc") is None


# ------------------------------------------------------------------ the plan's travel form

@pytest.mark.parametrize("dialled", ["2001", "2005", "*97", "*98", "0142685300", "004915112345678", "2050", "112"])
def test_a_plan_survives_its_json_form(dialled):
    original = plan(dialled, caller="2001")
    assert Plan.from_json(original.to_json()) == original


def test_every_kind_of_step_survives_its_json_form_and_announce_goes_on():
    original = Plan((Announce("refused-premium"), Ring((Phones("2001", DOMAIN), External("+33142685300")), 10,
                                                       frozenset({BUSY})), ToMedia("deposit", DOMAIN, "2001@" + DOMAIN,
                                                                                 "busy"), Refuse(480, "Nope", "x")),
                    Account(DOMAIN, "2001", "+33142685300", "included"), CallerId("+33184880001", True), 3600, "en")
    assert Plan.from_json(original.to_json()) == original
    assert original.after(0, "announced") == 1
    assert original.after(1, BUSY) == 2 and original.after(1, NO_ANSWER) is None


def test_every_refusal_has_a_prompt_in_both_languages():
    from rtp.prompts.texts import FIXED

    for refusal in REFUSALS.values():
        assert refusal.prompt in FIXED["fr"] and refusal.prompt in FIXED["en"]


# ------------------------------------------------------------------ the loaders (the database)

def test_the_loaders_read_what_a_call_needs(db):
    from tenants import tenancy, trunk
    from tenants.models import Extension
    from tenants.routing import plan_for_phone, plan_for_trunk
    from tests import factories

    acme, globex = factories.tenant(DOMAIN), factories.tenant("globex.pbx.example")
    alice = factories.extension(acme, "2001")
    factories.extension(acme, "2002", name="Bob Martin")
    factories.extension(globex, "2002", name="Bob Globex")
    Extension.update(no_answer_seconds=3).where(Extension.id == alice.id).execute()
    tenancy.add_did(factories.CLI, acme, "01 84 88 00 01", extension="2001")
    assert plan_for_phone("2002", DOMAIN, "2001", DOMAIN).steps[0] == Ring((Phones("2001", DOMAIN),), 3, OUTCOMES)
    assert plan_for_phone("2002", "globex.pbx.example", "2001", "globex.pbx.example").steps == (NOT_FOUND,)
    assert plan_for_phone("2002", "nowhere.example", "2001", "nowhere.example").steps == (FORBIDDEN,)
    # no trunk yet: nothing goes out, with the announcement
    assert plan_for_phone("2001", DOMAIN, "0142685300", DOMAIN).steps == (REFUSALS["no_trunk"],)
    trunk.set_trunk(factories.CLI, trunk.TrunkInput(host="127.0.0.2", port=5080))
    out = plan_for_phone("2001", DOMAIN, "0142685300", DOMAIN)
    assert out.steps == (Ring((External("+33142685300"),), 120),) and out.caller_id == CallerId("+33184880001")
    inbound = plan_for_trunk("+33184880001", "+33698765432")
    assert inbound.steps[0] == Ring((Phones("2001", DOMAIN),), 3, OUTCOMES)
    assert plan_for_trunk("*97", "+33698765432").steps == (REFUSALS["unassigned"],)
