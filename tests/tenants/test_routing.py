"""Call routing decisions (C1) over plain data: no database, no server."""
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
    route_call,
)

ACME = TenantDirectory("acme.pbx.example", True, {
    "2001": ExtensionEntry("2001"), "2002": ExtensionEntry("2002"),
    "2050": ExtensionEntry("2050", kind="virtual", forward_to="+33612345678")})
CALLER = CallerInfo("acme.pbx.example", "2002")


def test_an_extension_of_the_callers_tenant_rings_its_phones():
    decision = route_call(CALLER, "2001", "acme.pbx.example", ACME)
    assert decision == RingExtension("2001", "acme.pbx.example", if_unregistered=UNAVAILABLE)
    assert decision.wire() == "ring|2001|acme.pbx.example|480|Temporarily Unavailable"


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
    assert decide("2002", "acme.pbx.example", "2001", "acme.pbx.example") == RingExtension("2001", "acme.pbx.example")
    assert decide("2002", "globex.pbx.example", "2001", "globex.pbx.example") == NOT_FOUND
    assert decide("2002", "nowhere.example", "2001", "nowhere.example") == FORBIDDEN
    assert set(load_directory("acme.pbx.example").extensions) == {"2001"}
    assert load_directory("acme.pbx.example", only="2999").extensions == {}
