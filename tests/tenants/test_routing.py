"""Call routing decisions (C1, C8 defaults, D1/D2) over plain data: no database, no server."""
from __future__ import annotations

from tenants.routing import (
    FORBIDDEN,
    NOT_FOUND,
    OTHER_TENANT,
    UNAVAILABLE,
    CallerInfo,
    ExtensionEntry,
    Reject,
    RingExtension,
    TenantDirectory,
    Voicemail,
    route_call,
)

ACME = TenantDirectory("acme.pbx.example", True, {
    "2001": ExtensionEntry("2001"), "2002": ExtensionEntry("2002"),
    "2050": ExtensionEntry("2050", kind="virtual", forward_to="+33612345678")})
CALLER = CallerInfo("acme.pbx.example", "2002")


def test_an_extension_of_the_callers_tenant_rings_its_phones():
    decision = route_call(CALLER, "2001", "acme.pbx.example", ACME)
    assert decision == RingExtension("2001", "acme.pbx.example", if_unregistered=UNAVAILABLE)
    assert decision.wire() == "ring|2001|acme.pbx.example|480|Temporarily Unavailable|24|0"


def test_calling_yourself_rings_your_other_phones():
    assert route_call(CALLER, "2002", "acme.pbx.example", ACME) == RingExtension("2002", "acme.pbx.example")


def test_unknown_numbers_are_not_found():
    for dialled in ("2999", "999", "20011", "", "abcd", "2001 "):
        assert route_call(CALLER, dialled, "acme.pbx.example", ACME) in (NOT_FOUND,
                                                                         RingExtension("2001", "acme.pbx.example"))
    assert route_call(CALLER, "2999", "acme.pbx.example", ACME) == NOT_FOUND
    assert NOT_FOUND.wire() == "reject|404|Not Found"


def test_domain_case_does_not_matter():
    assert isinstance(route_call(CallerInfo("ACME.pbx.example", "2002"), "2001", "Acme.PBX.example", ACME),
                      RingExtension)


def test_another_tenants_domain_is_refused():
    assert route_call(CALLER, "2001", "globex.pbx.example", ACME) == OTHER_TENANT


def test_a_caller_from_another_tenant_never_gets_this_directory():
    globex_caller = CallerInfo("globex.pbx.example", "2002")
    assert route_call(globex_caller, "2001", "acme.pbx.example", ACME) == FORBIDDEN
    assert route_call(globex_caller, "2001", "globex.pbx.example", None) == FORBIDDEN


def test_a_suspended_tenant_cannot_call():
    suspended = TenantDirectory("acme.pbx.example", False, ACME.extensions)
    assert route_call(CALLER, "2001", "acme.pbx.example", suspended) == FORBIDDEN


def test_virtual_extensions_are_unavailable_until_trunks_exist():
    assert route_call(CALLER, "2050", "acme.pbx.example", ACME) == UNAVAILABLE


def test_wire_format():
    assert Reject(403, "Forbidden").wire() == "reject|403|Forbidden"


def test_decide_reads_the_callers_tenant_from_the_database(db):
    from tenants.routing import decide, load_directory
    from tests import factories

    acme, globex = factories.tenant("acme.pbx.example"), factories.tenant("globex.pbx.example")
    factories.extension(acme, "2001")
    factories.extension(globex, "2002", name="Bob Globex")
    assert decide("2002", "acme.pbx.example", "2001", "acme.pbx.example") == RingExtension(
        "2001", "acme.pbx.example", voicemail=True)
    assert decide("2002", "globex.pbx.example", "2001", "globex.pbx.example") == NOT_FOUND
    assert decide("2002", "nowhere.example", "2001", "nowhere.example") == FORBIDDEN
    assert set(load_directory("acme.pbx.example").extensions) == {"2001"}
    assert load_directory("acme.pbx.example", only="2999").extensions == {}


# ------------------------------------------------------------------ voicemail (C8 defaults, D1, D2)

VM = TenantDirectory("acme.pbx.example", True, {
    "2001": ExtensionEntry("2001", no_answer_seconds=2, has_mailbox=True),
    "2002": ExtensionEntry("2002", has_mailbox=True),
    "2003": ExtensionEntry("2003", no_answer_seconds=0, has_mailbox=True),
    "2004": ExtensionEntry("2004", no_answer_seconds=100000, has_mailbox=True),
    "2050": ExtensionEntry("2050", kind="virtual", forward_to="+33612345678", has_mailbox=True)})


def test_an_extension_with_a_mailbox_rings_then_goes_to_voicemail_after_its_own_delay():
    decision = route_call(CALLER, "2001", "acme.pbx.example", VM)
    assert decision == RingExtension("2001", "acme.pbx.example", no_answer_seconds=2, voicemail=True)
    assert decision.wire() == "ring|2001|acme.pbx.example|480|Temporarily Unavailable|2|1"
    # the delay stays within what a phone can sensibly ring
    assert route_call(CALLER, "2003", "acme.pbx.example", VM).no_answer_seconds == 24  # unset: the default
    assert route_call(CALLER, "2004", "acme.pbx.example", VM).no_answer_seconds == 300


def test_star_97_opens_the_callers_own_mailbox():
    decision = route_call(CALLER, "*97", "acme.pbx.example", VM)
    assert decision == Voicemail("acme.pbx.example", "2002", service="access")
    assert decision.wire() == "voicemail|2002|acme.pbx.example||access"
    # a caller without a mailbox (or unknown) has nothing to open
    assert route_call(CallerInfo("acme.pbx.example", "2999"), "*97", "acme.pbx.example", VM) == NOT_FOUND
    assert route_call(CALLER, "*97", "acme.pbx.example", ACME) == NOT_FOUND


def test_dialling_ones_own_extension_opens_the_mailbox():
    assert route_call(CALLER, "2002", "acme.pbx.example", VM) == Voicemail("acme.pbx.example", "2002",
                                                                          service="access")


def test_star_98_lets_the_media_app_ask_for_the_mailbox_of_the_callers_tenant():
    decision = route_call(CALLER, "*98", "acme.pbx.example", VM)
    assert decision == Voicemail("acme.pbx.example", "", service="access")
    assert decision.wire() == "voicemail||acme.pbx.example||access"
    # the tenant is always the caller's
    assert route_call(CALLER, "*98", "globex.pbx.example", VM) == OTHER_TENANT
    assert route_call(CallerInfo("globex.pbx.example", "2002"), "*98", "acme.pbx.example", VM) == FORBIDDEN


def test_virtual_extensions_still_unavailable_even_with_a_mailbox():
    assert route_call(CALLER, "2050", "acme.pbx.example", VM) == UNAVAILABLE


def test_decide_knows_mailboxes_and_delays_from_the_database(db):
    from tenants.models import Extension, Mailbox
    from tenants.routing import decide
    from tests import factories

    acme = factories.tenant("acme.pbx.example")
    ext = factories.extension(acme, "2001")
    factories.extension(acme, "2002", name="Bob Martin")
    Extension.update(no_answer_seconds=3).where(Extension.id == ext.id).execute()
    assert decide("2002", "acme.pbx.example", "2001", "acme.pbx.example") == RingExtension(
        "2001", "acme.pbx.example", no_answer_seconds=3, voicemail=True)
    assert decide("2002", "acme.pbx.example", "*97", "acme.pbx.example") == Voicemail(
        "acme.pbx.example", "2002", service="access")
    assert decide("2001", "acme.pbx.example", "2001", "acme.pbx.example") == Voicemail(
        "acme.pbx.example", "2001", service="access")
    Mailbox.delete().where(Mailbox.extension == ext.id).execute()
    assert decide("2002", "acme.pbx.example", "2001", "acme.pbx.example") == RingExtension(
        "2001", "acme.pbx.example", no_answer_seconds=3, voicemail=False)
    assert decide("2001", "acme.pbx.example", "*97", "acme.pbx.example") == NOT_FOUND
