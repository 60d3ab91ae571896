"""Issue 11, SIP trust: with the README's defaults (Kamailio and the media app both on
127.0.0.1), nothing a packet can say borrows the media app's trust.

The media app is trusted by Kamailio only for requests from its own socket carrying the
secret they share; the media app takes SIP only from Kamailio's socket and, outside a
dialog, only with that secret. A phone on 127.0.0.1 is a phone like any other: it
registers, calls, and is banned after repeated wrong passwords.
"""
from __future__ import annotations

import random
import socket

import pytest

from kamailio import rpc
from rtp.sip import sdp
from tenants import credentials, sip_accounts
from tenants.models import SipDomain
from tenants.secrets_store import media_secret, sip_key
from tenants.voicemail.models import VoiceMessage
from tests import factories
from tests.kamailio.conftest import make_ext
from tests.media.conftest import MediaProcess
from tests.sip_fixtures import SipStack, assert_ok, free_port, probe, request_from, wait_for

HOST = "127.0.0.1"  # the README's default for both POSTE_SIP_ADDRESS and the media app



@pytest.fixture(scope="module")
def stack():
    port = free_port(HOST)
    sip = SipStack(media_nodes=(f"{HOST}:{port}",), media_ping_interval=1)
    media = None
    try:
        sip.start()
        (sip.data_dir / "prompts").mkdir()
        media = MediaProcess(sip.settings, kamailio=True, env_extra={"POSTE_MEDIA_ADDRESS": HOST,
                                                                     "POSTE_MEDIA_SIP_PORT": str(port)})
        media.port = port
        media.start()
        wait_for(lambda: [n for n in rpc.media_nodes(settings=sip.settings) if n["active"]], 15,
                 what="the media app active in dispatcher")
        sip.media = media
        yield sip
    finally:
        if media is not None:
            media.stop()
        sip.stop()


@pytest.fixture
def tenants(stack):
    stack.use_database()
    credentials.configure_sip_key(sip_key(stack.settings.data_dir))
    n = random.randrange(10**6)
    acme, globex = factories.tenant(f"acme{n}.pbx.example"), factories.tenant(f"globex{n}.pbx.example")
    return acme, globex


class Listener:
    """A phone's contact: a UDP socket that keeps whatever reaches it."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((HOST, 0))
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]

    def received(self) -> list[bytes]:
        got = []
        while True:
            try:
                got.append(self.sock.recv(65535))
            except BlockingIOError:
                return got

    def close(self):
        self.sock.close()


def invite(local, ruri: str, from_: str, extra: list[str] = ()) -> str:
    tag = random.randint(1, 10**9)
    body = sdp.offer(HOST, 40000).decode()
    lines = [f"INVITE {ruri} SIP/2.0", f"Via: SIP/2.0/UDP {local[0]}:{local[1]};branch=z9hG4bKa{tag};rport",
             f"From: {from_};tag={tag}", f"To: <{ruri}>", f"Call-ID: attack-{tag}@{local[0]}", "CSeq: 1 INVITE",
             f"Contact: <sip:attacker@{local[0]}:{local[1]}>", "Max-Forwards: 70", *extra,
             "Content-Type: application/sdp"]
    return "\r\n".join(lines) + f"\r\nContent-Length: {len(body)}\r\n\r\n{body}"


def test_a_forged_invite_from_the_servers_own_address_rings_nobody(stack, tenants):
    acme, globex = tenants
    target = make_ext(acme)
    phone = Listener()
    try:
        assert_ok(stack.register(target.number, acme.domain, target.password, contact_port=phone.port))
        forged = f'"Direction" <sip:2002@{globex.domain}>'
        ruri = f"sip:{target.number}@{acme.domain}"
        # no credentials, from the media app's address: challenged like any phone
        assert request_from(HOST, stack.sip_port, lambda local: invite(local, ruri, forged)) == 407
        # the contract headers and a guessed secret change nothing
        extra = ["X-Poste-Secret: 0123456789abcdef", f"X-Poste-Mailbox: {target.number}@{acme.domain}"]
        assert request_from(HOST, stack.sip_port, lambda local: invite(local, ruri, forged, extra)) == 407
        # the 407 is Kamailio's own answer: had it relayed, the phone would have been asked first
        assert phone.received() == []
    finally:
        phone.close()


def test_the_media_app_answers_no_one_but_kamailio_with_the_secret(stack, tenants):
    acme, globex = tenants
    box = make_ext(globex)
    stored = VoiceMessage.select().count()
    media = (HOST, stack.media.port)

    def straight(extra):
        def text(local):
            return invite(local, f"sip:vm-{box.number}@{globex.domain}", '"Banque Securite" <sip:0800123456@x.invalid>',
                          ["P-Asserted-Identity: \"Banque Securite\" <sip:0800123456@x.invalid>", *extra])
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind((HOST, 0))
            s.settimeout(1.5)
            s.sendto(text(s.getsockname()).encode(), media)
            try:
                return s.recv(65535)
            except TimeoutError:
                return None

    deposit = [f"X-Poste-Mailbox: {box.number}@{globex.domain}", "X-Poste-Reason: noanswer"]
    access = [f"X-Poste-Tenant: {globex.domain}", "X-Poste-Service: access"]
    assert straight(deposit) is None  # not even a 100 Trying
    assert straight([*deposit, "X-Poste-Secret: guessed"]) is None
    assert straight([*access, f"X-Poste-Mailbox: {box.number}@{globex.domain}"]) is None
    # even with the real secret, a socket other than Kamailio's is not heard
    assert straight([*deposit, f"X-Poste-Secret: {media_secret(stack.data_dir)}"]) is None
    assert VoiceMessage.select().count() == stored
    # ... while Kamailio's own requests are answered (its OPTIONS probes keep the node active)
    assert [n["active"] for n in rpc.media_nodes(settings=stack.settings)] == [True]


def test_a_phone_on_the_media_apps_address_registers_and_calls(stack, tenants):
    acme, _globex = tenants
    caller, callee = make_ext(acme), make_ext(acme)
    assert_ok(stack.register(caller.number, acme.domain, caller.password, local_ip=HOST, contact_port=free_port()))
    phone = stack.phone(callee.number, acme.domain, callee.password, local_ip=HOST)
    assert_ok(stack.call(caller.number, acme.domain, caller.password, callee.number, local_ip=HOST))
    assert_ok(phone.wait())


def test_a_phone_on_the_media_apps_address_is_banned_after_wrong_passwords():
    """Its own stack: the ban of 127.0.0.1 must not reach other tests."""
    port = free_port(HOST)
    sip = SipStack(media_nodes=(f"{HOST}:{port}",), media_ping_interval=1)
    try:
        sip.start()
        sip.use_database()
        credentials.configure_sip_key(sip_key(sip.settings.data_dir))
        ext = make_ext(factories.tenant("banned.pbx.example"))
        for _ in range(sip.options.auth_fail_max - 1):
            assert_ok(sip.register(ext.number, ext.domain, "wrong-password-123", expect=401, local_ip=HOST))
        assert_ok(sip.register(ext.number, ext.domain, "wrong-password-123", expect=403, local_ip=HOST))
        assert probe(HOST, sip.sip_port) is None  # banned: no answer at all
    finally:
        sip.stop()


def test_the_served_domain_check_is_a_parameterised_query(db):
    factories.tenant("acme.pbx.example")
    assert SipDomain.select().count() >= 1
    assert sip_accounts.is_served("ACME.pbx.example")
    for attack in ("x'or(1)--", "x' or '1'='1", "x\\'or(1)--", "%", "acme.pbx.example' --"):
        assert not sip_accounts.is_served(attack)


def test_a_forged_in_dialog_request_is_not_relayed(stack, tenants):
    """A To tag and a Route naming Kamailio, outside any call it set up: no open relay."""
    target = Listener()  # where the attacker wants the request to go (a carrier, say)
    try:
        def forged(method):
            def text(local):
                tag = random.randint(1, 10**9)
                lines = [f"{method} sip:+33142000000@{HOST}:{target.port} SIP/2.0",
                         f"Via: SIP/2.0/UDP {local[0]}:{local[1]};branch=z9hG4bKf{tag};rport",
                         f"Route: <sip:{HOST}:{stack.sip_port};lr>",
                         f"From: <sip:attacker@x.invalid>;tag={tag}", f"To: <sip:+33142000000@x.invalid>;tag=x{tag}",
                         f"Call-ID: forged-{tag}@x.invalid", f"CSeq: 2 {method}", "Max-Forwards: 70",
                         f"Contact: <sip:attacker@{local[0]}:{local[1]}>"]
                return "\r\n".join(lines) + "\r\nContent-Length: 0\r\n\r\n"
            return text

        for method in ("INVITE", "BYE", "MESSAGE", "NOTIFY", "SUBSCRIBE"):
            assert request_from(HOST, stack.sip_port, forged(method)) == 403, method
        assert target.received() == []
    finally:
        target.close()
