"""Calls to and from the outside through the carrier trunk (issue 14: C2, C3, C4, C5), end to end:
the real poste.cfg, rtpengine and media app; sipp plays the desk phones and, on its own loopback
address, the carrier. One Kamailio + rtpengine + media app for the module."""
from __future__ import annotations

import asyncio

import pytest

from rtp.prompts.store import PromptStore
from rtp.rtp_io.packet import parse as parse_rtp
from tenants import tenancy, trunk
from tenants.db import database
from tenants.models import Extension
from tests import factories
from tests.kamailio.conftest import connect_to_carrier, make_ext
from tests.kamailio.media_stack import media_stack
from tests.kamailio.phone_caller import PhoneCaller
from tests.sip_fixtures import assert_ok, free_port, wait_for

MEDIA_ADDRESS = "127.0.0.9"  # the media app's own address
CARRIER = "127.0.0.2"  # the carrier trunk's host: only calls from it are the carrier's
STRANGER = "127.0.0.3"  # anybody else on the network
DOMAIN = "outside.pbx.example"
DID = "+33184880001"  # the DID of the module's phone extension (and the tenant's main number)
EMERGENCY_CID = "+33184880099"



@pytest.fixture(scope="module")
def sip():
    with media_stack(MEDIA_ADDRESS) as stack:
        stack.carrier_port = free_port(CARRIER)
        yield stack


@pytest.fixture(scope="module")
def office(sip):
    """The module's tenant: extension ``me`` holds the DID, which is also the main number."""
    sip.use_database()
    tenant = factories.tenant(DOMAIN)
    me = make_ext(tenant)
    connect_to_carrier(sip, tenant, DID, CARRIER, extension=me.number)
    return tenant, me


def carrier_takes(sip, ruri: str, from_re: str, pai_re: str = ".", privacy_re: str = "."):
    """The carrier (a sipp UAS on its own address) waiting for one call to ``ruri`` (the regular
    expressions must match its From, and anywhere in the INVITE; no ``<``, ``>`` or ``&``: XML)."""
    return sip.sipp("carrier_uas", local_ip=CARRIER, port=sip.carrier_port, background=True, timeout=30,
                    substitutions={"RURI": ruri.replace("+", r"\+"), "FROM": from_re, "PAI": pai_re,
                                   "PRIVACY": privacy_re})


def dial_out(sip, caller, dialled: str, expect_ruri: str, from_re: str = r"sip:\+33184880001@", **kw):
    carrier = carrier_takes(sip, expect_ruri, from_re, **kw)
    assert_ok(sip.call(caller.number, caller.domain, caller.password, dialled))
    assert_ok(carrier.wait())


def cdr(destination: str) -> dict | None:
    row = database.execute_sql(
        "SELECT tenant, extension, destination, call_class, duration FROM acc_cdrs WHERE destination = ?"
        .replace("?", database.param), (destination,)).fetchone()
    return dict(zip(("tenant", "extension", "destination", "call_class", "duration"), row, strict=True)) if row else None


def test_a_national_number_reaches_the_carrier_as_e164_with_the_extensions_did(sip, office):
    _tenant, me = office
    dial_out(sip, me, "0142685300", "+33142685300",
             pai_re=r"P-Asserted-Identity: .sip:\+33184880001@127\.0\.0\.2.")
    row = wait_for(lambda: cdr("+33142685300"), 15, what="the call's accounting record")
    assert row["tenant"] == DOMAIN and row["extension"] == me.number and row["call_class"] == "included"
    assert row["duration"] >= 0


def test_a_german_fixed_line_goes_out(sip, office):
    _tenant, me = office
    dial_out(sip, me, "004930901820", "+4930901820")


def test_a_french_mobile_goes_out_with_the_main_number_when_the_extension_has_no_did(sip, office):
    tenant, _me = office
    other = make_ext(tenant)  # no DID of its own: the tenant's main number
    dial_out(sip, other, "06 12 34 56 78".replace(" ", ""), "+33612345678")


def test_an_anonymous_extension_withholds_its_number_but_asserts_it(sip, office):
    tenant, _me = office
    hidden = make_ext(tenant)
    Extension.update(anonymous_calls=True).where(Extension.id == hidden.model.id).execute()
    dial_out(sip, hidden, "0142685300", "+33142685300", from_re="sip:anonymous@anonymous\\.invalid",
             pai_re=r"P-Asserted-Identity: .sip:\+33184880001@", privacy_re="Privacy: id")


def received_audio(phone) -> bytes:
    payloads = []
    for data in phone.rtp.received:
        packet = parse_rtp(data)
        if packet.payload_type == 0:
            payloads.append(packet.payload)
    return b"".join(payloads)


def test_a_german_mobile_is_refused_and_the_caller_hears_why(sip, office):
    _tenant, me = office

    async def main():
        phone = await PhoneCaller(("127.0.0.1", sip.sip_port), me.number, DOMAIN, me.password,
                                  "004915112345678").open()
        try:
            answer = await phone.invite(timeout=30)
            return answer, received_audio(phone)
        finally:
            phone.close()
    answer, audio = asyncio.run(asyncio.wait_for(main(), 60))
    assert (answer.status, answer.reason) == (403, "Destination Not Allowed")
    prompts = PromptStore(sip.data_dir)
    played = prompts.segment("refused-not-included", "fr", 0)
    whole = played[:len(played) // 160 * 160]
    # all of it but its first and last 0.2 s (a packet lost at either end is not the point)
    assert len(whole) > 8000 and whole[1600:-1600] in audio, "the caller did not hear the refusal's announcement"
    assert prompts.segment("refused-premium", "fr", 0)[:1600] not in audio
    row = wait_for(lambda: database.execute_sql(
        "SELECT call_class, extension FROM missed_calls WHERE destination = " + database.param,
        ("+4915112345678",)).fetchone(), 10, what="the refused call in accounting")
    assert tuple(row) == ("refused", me.number)


def test_112_goes_out_for_a_suspended_tenant_with_its_emergency_caller_id(sip, office):
    suspended = factories.tenant("suspended.pbx.example")
    caller = make_ext(suspended)
    tenancy.update_tenant(factories.CLI, suspended, emergency_caller_id=EMERGENCY_CID)
    tenancy.set_status(factories.CLI, suspended, "suspended")
    dial_out(sip, caller, "112", "112", from_re=r"sip:\+33184880099@")


def test_a_call_from_the_carrier_to_a_did_rings_the_phone_of_its_extension(sip, office):
    _tenant, me = office
    phone = sip.phone(me.number, DOMAIN, me.password, timeout=30)
    run = sip.sipp("carrier_call", local_ip=CARRIER, variables={"caller": "+33612345678", "ruser": DID})
    assert_ok(run)
    assert_ok(phone.wait())  # the registered phone got the INVITE (through rtpengine) and answered


def test_the_same_call_from_another_address_is_refused(sip, office):
    run = sip.sipp("carrier_call_fail", local_ip=STRANGER, substitutions={"EXPECT": 403},
                   variables={"caller": "+33612345678", "ruser": DID})
    assert_ok(run)


def test_the_carrier_reaches_neither_the_mailbox_codes_nor_an_extension_without_did(sip, office):
    tenant, _me = office
    plain = make_ext(tenant)
    for dialled in ("*97", "*98", plain.number):
        run = sip.sipp("carrier_call_fail", local_ip=CARRIER, substitutions={"EXPECT": 404},
                       variables={"caller": "+33612345678", "ruser": dialled})
        assert_ok(run)


def test_a_virtual_extension_calls_its_external_number_through_the_carrier(sip, office):
    tenant, me = office
    virtual = factories.extension(tenant, "2950", "Renvoi Mobile", kind=Extension.VIRTUAL,
                                  forward_to="06 98 76 54 32")
    dial_out(sip, me, virtual.number, "+33698765432")


def test_the_carrier_asks_for_credentials_and_gets_them(sip, office):
    _tenant, me = office
    trunk.set_trunk(factories.CLI, trunk.TrunkInput(host=CARRIER, port=sip.carrier_port, username="poste",
                                                    password="s3cret-trunk"))
    try:
        carrier = sip.sipp("carrier_uas_auth", local_ip=CARRIER, port=sip.carrier_port, background=True, timeout=30,
                           substitutions={"RURI": r"\+33142685300", "USERNAME": "poste", "PASSWORD": "s3cret-trunk"})
        assert_ok(sip.call(me.number, DOMAIN, me.password, "0142685300"))
        assert_ok(carrier.wait())
    finally:
        trunk.set_trunk(factories.CLI, trunk.TrunkInput(host=CARRIER, port=sip.carrier_port))
