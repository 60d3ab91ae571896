"""What Kamailio sends to the media app (C8 defaults, D1/D2, F1), seen by a stand-in media node.

The dispatcher destination here is ``FakeMediaNode`` (answers OPTIONS, keeps each INVITE and
refuses it with 603), so every header of the contract can be checked exactly; the real media
app's end-to-end calls are in ``test_voicemail_routing.py``.
"""
from __future__ import annotations

import pytest

from kamailio import rpc
from rtp import mwi
from tenants import credentials
from tenants.models import Extension
from tenants.secrets_store import media_secret, sip_key
from tenants.voicemail.rules import MwiCounts
from tests import factories
from tests.kamailio.conftest import make_ext
from tests.sip_fixtures import (
    FakeMediaNode,
    SipStack,
    assert_ok,
    free_port,
    header,
    headers,
    request_from,
    request_text,
    wait_for,
)

NODE_ADDRESS = "127.0.0.7"
DOMAIN = "contract.pbx.example"



@pytest.fixture(scope="module")
def node():
    fake = FakeMediaNode(NODE_ADDRESS).start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def sip(node):
    stack = SipStack(media_nodes=(f"{NODE_ADDRESS}:{node.port}",), media_ping_interval=1)
    try:
        stack.start()
        wait_for(lambda: [n for n in rpc.media_nodes(settings=stack.settings) if n["active"]], 15,
                 what="the media node active in dispatcher")
        yield stack
    finally:
        stack.stop()


def invite_for(node, count_before: int = 0) -> str:
    wait_for(lambda: len(node.invites) > count_before, 10, what="an INVITE at the media node")
    return node.invites[-1]


def contract(invite: str) -> dict[str, list[str]]:
    """The contract headers, less the secret (every request to a media app carries it once)."""
    found = headers(invite, "X-Poste-")
    secret = found.pop("X-Poste-Secret", [])
    assert len(secret) == 1 and len(secret[0]) >= 32, f"no shared secret on: {invite[:300]}"
    return found


def test_requests_to_the_media_app_carry_the_shared_secret_and_no_forged_identity(sip, node, ext):
    callee, caller = ext(), ext()
    n = len(node.invites)
    forged = "P-Asserted-Identity: \"Banque Securite\" <sip:0800123456@contract.pbx.example>"
    assert_ok(sip.call(caller.number, DOMAIN, caller.password, callee.number, expect=603,
                       extra_headers=forged + "\nX-Poste-Secret: guessed\nX-Poste-Mailbox: 2999@other.example"))
    invite = invite_for(node, count_before=n)
    assert headers(invite, "X-Poste-Secret") == {"X-Poste-Secret": [media_secret(sip.data_dir)]}
    assert headers(invite, "X-Poste-Mailbox") == {"X-Poste-Mailbox": [f"{callee.number}@{DOMAIN}"]}
    assert "Banque" not in invite and "P-Asserted-Identity" not in invite


def test_dispatcher_probes_the_media_node_with_options(sip, node):
    (only,) = rpc.media_nodes(settings=sip.settings)
    assert only["uri"] == f"sip:{NODE_ADDRESS}:{node.port}" and only["active"]
    before = node.options
    wait_for(lambda: node.options > before, 5, what="another OPTIONS probe")


def test_no_phone_registered_goes_to_voicemail_unavailable(sip, node, ext):
    callee, caller = ext(), ext()
    n = len(node.invites)
    assert_ok(sip.call(caller.number, DOMAIN, caller.password, callee.number, expect=603))
    invite = invite_for(node, count_before=n)
    assert invite.startswith(f"INVITE sip:vm-{callee.number}@{DOMAIN} SIP/2.0")
    assert contract(invite) == {"X-Poste-Mailbox": [f"{callee.number}@{DOMAIN}"], "X-Poste-Tenant": [DOMAIN],
                                "X-Poste-Service": ["deposit"], "X-Poste-Reason": ["unavailable"]}
    assert "c=IN IP4 127.0.0.5" in invite  # media anchored by rtpengine, as for phones
    assert header(invite, "From").startswith(f"<sip:{caller.number}@{DOMAIN}>")


def test_busy_phone_goes_to_voicemail_busy(sip, node, ext):
    callee, caller = ext(), ext()
    port = free_port()
    phone = sip.sipp("uas_busy", background=True, port=port)
    assert_ok(sip.register(callee.number, DOMAIN, callee.password, contact_port=port))
    n = len(node.invites)
    assert_ok(sip.call(caller.number, DOMAIN, caller.password, callee.number, expect=603))
    assert_ok(phone.wait())
    assert contract(invite_for(node, count_before=n))["X-Poste-Reason"] == ["busy"]


def test_unanswered_phone_goes_to_voicemail_after_the_extensions_delay(sip, node, ext):
    callee, caller = ext(), ext()
    Extension.update(no_answer_seconds=1).where(Extension.id == callee.model.id).execute()
    port = free_port()
    phone = sip.sipp("uas_ring", background=True, port=port)
    assert_ok(sip.register(callee.number, DOMAIN, callee.password, contact_port=port))
    n = len(node.invites)
    assert_ok(sip.call(caller.number, DOMAIN, caller.password, callee.number, expect=603))
    assert_ok(phone.wait())  # it rang, then got the CANCEL
    invite = invite_for(node, count_before=n)
    assert contract(invite)["X-Poste-Reason"] == ["noanswer"]
    assert contract(invite)["X-Poste-Mailbox"] == [f"{callee.number}@{DOMAIN}"]


def test_a_caller_who_hangs_up_while_it_rings_goes_nowhere(sip, node, ext):
    callee, caller = ext(), ext()
    Extension.update(no_answer_seconds=10).where(Extension.id == callee.model.id).execute()
    port = free_port()
    phone = sip.sipp("uas_ring", background=True, port=port)
    assert_ok(sip.register(callee.number, DOMAIN, callee.password, contact_port=port))
    n = len(node.invites)
    run = sip.sipp("call_cancel", auth=(caller.number, caller.password),
                   variables={"user": caller.number, "domain": DOMAIN, "ruser": callee.number, "rdomain": DOMAIN,
                              "ua": "Poste-Test-Phone/1.0"})
    assert_ok(run)  # 487, not the media node's 603
    assert_ok(phone.wait())
    assert len(node.invites) == n


def test_star_97_and_own_number_open_the_callers_mailbox(sip, node, ext):
    me = ext()
    for dialled in ("*97", me.number):
        n = len(node.invites)
        assert_ok(sip.call(me.number, DOMAIN, me.password, dialled, expect=603))
        invite = invite_for(node, count_before=n)
        assert invite.startswith(f"INVITE sip:vm-{me.number}@{DOMAIN} SIP/2.0")
        assert contract(invite) == {"X-Poste-Mailbox": [f"{me.number}@{DOMAIN}"], "X-Poste-Tenant": [DOMAIN],
                                    "X-Poste-Service": ["access"]}


def test_star_98_lets_the_media_app_ask_for_the_mailbox(sip, node, ext):
    me = ext()
    n = len(node.invites)
    assert_ok(sip.call(me.number, DOMAIN, me.password, "*98", expect=603))
    invite = invite_for(node, count_before=n)
    assert invite.startswith(f"INVITE sip:voicemail@{DOMAIN} SIP/2.0")
    assert contract(invite) == {"X-Poste-Tenant": [DOMAIN], "X-Poste-Service": ["access"]}


def test_a_phone_cannot_write_the_contract_headers(sip, node, ext):
    callee, caller = ext(), ext()
    n = len(node.invites)
    forged = ("X-Poste-Mailbox: 2999@globex.pbx.example\nX-Poste-Service: access\n"
              "X-Poste-Tenant: globex.pbx.example\nx-poste-reason: busy")
    assert_ok(sip.call(caller.number, DOMAIN, caller.password, callee.number, expect=603, extra_headers=forged))
    assert contract(invite_for(node, count_before=n)) == {
        "X-Poste-Mailbox": [f"{callee.number}@{DOMAIN}"], "X-Poste-Tenant": [DOMAIN],
        "X-Poste-Service": ["deposit"], "X-Poste-Reason": ["unavailable"]}


def test_unknown_extension_stays_404(sip, node, ext):
    caller = ext()
    n = len(node.invites)
    assert_ok(sip.call(caller.number, DOMAIN, caller.password, "2999", expect=404))
    assert len(node.invites) == n


# ------------------------------------------------------------------ message waiting (F1)

def notify(box, counts: MwiCounts, secret: str | None):
    body = mwi.message_summary(counts, f"sip:{box.number}@{DOMAIN}").decode()
    return lambda local: request_text("NOTIFY", box.number, DOMAIN, local, secret=secret, body=body, extra=[
        "Event: message-summary", "Subscription-State: active", f"Content-Type: {mwi.CONTENT_TYPE}"])


def test_mwi_notify_from_the_media_node_reaches_every_registered_phone(sip, node, ext, own_ip):
    box = ext()
    secret = media_secret(sip.data_dir)
    phones = []
    for _ in range(2):
        port = free_port()
        phones.append(sip.sipp("uas_notify", background=True, port=port, substitutions={"WAITING": "yes"},
                               timeout=15))
        assert_ok(sip.register(box.number, DOMAIN, box.password, contact_port=port))
    # from any other address the same NOTIFY, secret and all, is challenged like any request
    assert request_from(own_ip(), sip.sip_port, notify(box, MwiCounts(0, 0), secret)) == 407
    # from the media node's own socket without the secret: a phone like any other
    local = (NODE_ADDRESS, node.port)
    assert node.request(sip.sip_port, notify(box, MwiCounts(0, 0), None)(local)) == 407
    # its socket and the secret: forked to both phones (they fail on a "no" body)
    assert node.request(sip.sip_port, notify(box, MwiCounts(2, 1), secret)(local)) == 200
    for phone in phones:
        assert_ok(phone.wait())
    # nobody registered: the sender learns it (and does not retry)
    other = ext()
    assert node.request(sip.sip_port, notify(other, MwiCounts(1, 0), secret)(local)) == 480


def test_from_the_media_node_socket_with_the_secret_requests_are_routed_without_challenge(sip, node, ext):
    box = ext()
    secret, local = media_secret(sip.data_dir), (NODE_ADDRESS, node.port)

    def once(method, ruser, extra=(), with_secret=True):
        return node.request(sip.sip_port, request_text(method, ruser, DOMAIN, local, extra=list(extra),
                                                       secret=secret if with_secret else None))

    assert once("INVITE", box.number) == 480  # no 407: straight to the extension's (absent) phones
    assert once("INVITE", "2999") == 480
    assert once("NOTIFY", box.number, ["Event: presence"]) == 489
    assert once("MESSAGE", box.number) == 405
    assert once("INVITE", box.number, with_secret=False) == 407  # the socket alone is not enough
    assert once("INVITE", box.number, ["X-Poste-Secret: not-the-secret"], with_secret=False) == 407


def test_an_invite_claiming_to_come_from_the_media_app_is_challenged_elsewhere(sip, node, own_ip):
    n = len(node.invites)
    run = sip.sipp("request_once", local_ip=own_ip(), substitutions={
        "METHOD": "INVITE", "EXPECT": 407,
        "EXTRA": "\n      X-Poste-Mailbox: 2001@contract.pbx.example\n      X-Poste-Service: access"},
        variables={"user": "voicemail", "domain": DOMAIN, "ruser": "2001", "rdomain": DOMAIN, "ua": "Poste-Media/1.0"})
    assert_ok(run)
    assert len(node.invites) == n


# ------------------------------------------------------------------ configuration

def test_media_nodes_follow_the_media_apps_own_settings(tmp_path):
    from kamailio import service
    from tenants.config import load_settings

    settings = load_settings({"POSTE_DATA": str(tmp_path), "POSTE_SIP_ADDRESS": "192.0.2.10"})

    def nodes(env):
        return service.Options.from_env(env).resolved(settings).media_nodes

    assert nodes({}) == ("192.0.2.10:5090",)  # the media app's defaults: the SIP address, port 5090
    assert nodes({"POSTE_MEDIA_ADDRESS": "192.0.2.20", "POSTE_MEDIA_SIP_PORT": "5091"}) == ("192.0.2.20:5091",)
    assert nodes({"POSTE_MEDIA_NODES": "10.0.0.1:5090, 10.0.0.2:5090"}) == ("10.0.0.1:5090", "10.0.0.2:5090")
    assert nodes({"POSTE_MEDIA_NODES": "none"}) == ()
    with pytest.raises(ValueError):
        nodes({"POSTE_MEDIA_NODES": "10.0.0.1"})
    # the instance file counts, the real environment wins
    (tmp_path / "poste.env").write_text("POSTE_MEDIA_SIP_PORT=5099\nPOSTE_MEDIA_ADDRESS=192.0.2.30\n")
    assert service.environment(settings)["POSTE_MEDIA_SIP_PORT"] == "5099"
    options = service.Options.from_env(service.environment(settings)).resolved(settings)
    assert options.media_nodes == ("192.0.2.30:5099",)
    assert service.dispatcher_list(options).splitlines()[1:] == ["1 sip:192.0.2.30:5099 0 0"]
    assert "#!define WITH_MEDIA" in service.render(settings, options)
    assert "WITH_MEDIA" not in service.render(settings, service.Options(media_nodes=()).resolved(settings))


def test_a_media_app_that_does_not_answer_is_skipped_for_the_next_one(tmp_path):
    """J2: two media apps; one answers OPTIONS but never an INVITE. Every call still reaches
    the good one (directly, or after MEDIA_FR_MS on the hung one)."""
    hung = FakeMediaNode(NODE_ADDRESS, status=0).start()
    good = FakeMediaNode(NODE_ADDRESS, status=603).start()
    stack = SipStack(media_nodes=(f"{NODE_ADDRESS}:{hung.port}", f"{NODE_ADDRESS}:{good.port}"),
                     media_ping_interval=1, media_fr_ms=1000)
    try:
        stack.start()
        wait_for(lambda: len([n for n in rpc.media_nodes(settings=stack.settings) if n["active"]]) == 2, 15,
                 what="both media nodes active")
        stack.use_database()
        credentials.configure_sip_key(sip_key(stack.settings.data_dir))
        t = factories.tenant(DOMAIN)
        caller = make_ext(t)
        for _ in range(2):  # round-robin: one of the two calls is first offered to the hung node
            assert_ok(stack.call(caller.number, DOMAIN, caller.password, "*97", expect=603))
        assert len(good.invites) == 2 and len(hung.invites) == 1
        assert contract(hung.invites[0]) == contract(good.invites[0]) or contract(hung.invites[0]) == contract(
            good.invites[1])
    finally:
        stack.stop()
        hung.stop()
        good.stop()
