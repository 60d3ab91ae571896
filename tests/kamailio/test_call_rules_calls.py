"""Call rules (C7-C10) on real calls (issue 17): the real poste.cfg, rtpengine and media app; sipp
plays the desk phones and, on its own loopback address, the carrier. The rules are set as a user
sets them (the portal's Accueil page, through Flask's test client) or through the service."""
from __future__ import annotations

import re

import pytest

from tenants import call_services, tenancy
from tenants.call_rules import FORWARD, SEQUENCE, CallRules, Cell
from tenants.models import Mailbox
from tenants.voicemail.models import VoiceMessage
from tests import factories
from tests.kamailio.conftest import connect_to_carrier, make_ext
from tests.kamailio.media_stack import media_stack
from tests.kamailio.test_voicemail_routing import leave_message
from tests.sip_fixtures import assert_ok, free_port, wait_for

MEDIA_ADDRESS = "127.0.0.17"  # the media app's own address
CARRIER = "127.0.0.2"
DOMAIN = "voice.pbx.example"  # leave_message's tenant
DID = "+33184880017"
FIRST_COLUMN_SECONDS = 5



@pytest.fixture(scope="module")
def sip():
    with media_stack(MEDIA_ADDRESS) as stack:
        stack.carrier_port = free_port(CARRIER)
        yield stack


@pytest.fixture(scope="module")
def office(sip):
    sip.use_database()
    tenant = factories.tenant(DOMAIN)
    connect_to_carrier(sip, tenant, DID, CARRIER)  # the main number, presented by forwarded calls
    return tenant



@pytest.fixture
def portal_app(sip):
    """The console (its portal) on the stack's database; its SIP side is not needed here."""
    from console import create_app

    yield create_app(sip.settings, TESTING=True, RATELIMIT_ENABLED=False)
    sip.use_database()


@pytest.fixture
def portal_rules(portal_app, office):
    """Set an extension's rules as its user does: signed in to the portal by mailbox number, the
    Accueil page's form posted with some fields changed (Appliquer)."""
    from tests.portal.conftest import sign_in
    from tests.portal.test_rules_page import form_data

    def change(ext, fields: dict) -> None:
        factories.account("user", office, email=ext.model.email, extension=ext.model)
        client = sign_in(portal_app, f"{ext.number}@{DOMAIN}")
        home = client.get("/portail/", follow_redirects=True)
        response = client.post(home.request.path + "regles/", data=form_data(home.text, **fields))
        assert response.status_code == 302, response.text
    return change


def set_rules(ext, rules: CallRules, seconds: int = 24) -> None:
    call_services.save_rules(factories.CLI, ext.model, rules, seconds)


def received(run, what: str) -> list[float]:
    """When (sipp's clock, seconds) the phone ``run`` received each ``what`` request (``INVITE``...),
    read from its -trace_msg log: a line of dashes with the date and time, then the message."""
    import datetime as dt

    times = []
    for log in run.work.glob("*_messages.log"):
        stamp = None
        incoming = False
        for line in log.read_text(errors="replace").splitlines():
            found = re.match(r"^-{10,}\s+(\d{4}-\d\d-\d\d)\s+(\d\d:\d\d:\d\d(?:\.\d+)?)", line)
            if found:
                stamp = dt.datetime.fromisoformat(f"{found.group(1)} {found.group(2)}").timestamp()
                incoming = False
            elif "message received" in line:
                incoming = True
            elif incoming and stamp is not None and line.startswith(f"{what} sip:"):
                times.append(stamp)
                incoming = False
    return times


def test_forward_all_set_in_the_portal_reaches_the_carrier(sip, office, portal_rules):
    me, caller = make_ext(office), make_ext(office)
    portal_rules(me, {"incoming": "forward", "forward_to": "06 98 76 54 17"})
    assert call_services.rules_of(me.model).forward_to == "+33698765417"
    carrier = sip.sipp("carrier_uas", local_ip=CARRIER, port=sip.carrier_port, background=True, timeout=30,
                       substitutions={"RURI": r"\+33698765417", "FROM": r"sip:\+33184880017@", "PAI": ".",
                                      "PRIVACY": "."})
    assert_ok(sip.call(caller.number, DOMAIN, caller.password, me.number))
    assert_ok(carrier.wait())


def test_forward_all_to_another_extension_rings_its_phone_not_ours(sip, office):
    me, target, caller = make_ext(office), make_ext(office), make_ext(office)
    set_rules(me, CallRules(incoming=FORWARD, forward_to=target.number))
    mine = sip.phone(me.number, DOMAIN, me.password, timeout=8)
    theirs = sip.phone(target.number, DOMAIN, target.password, timeout=30)
    assert_ok(sip.call(caller.number, DOMAIN, caller.password, me.number))
    assert_ok(theirs.wait())
    mine.stop()
    assert received(mine, "INVITE") == [], "the forwarding phone rang"


def test_do_not_disturb_sends_the_call_to_voicemail_without_ringing(sip, office, speech):
    me, caller = make_ext(office), make_ext(office)
    set_rules(me, CallRules(do_not_disturb=True))
    phone = sip.phone(me.number, DOMAIN, me.password, timeout=8)
    assert leave_message(sip, caller, me.number, speech) == 200
    (message,) = wait_for(lambda: list(VoiceMessage.select().join(Mailbox).where(Mailbox.extension == me.model.id)),
                          15, what="the voice message")
    assert message.caller_number == caller.number
    phone.stop()
    assert received(phone, "INVITE") == [], "the phone rang despite do not disturb"


def test_busy_forwards_to_another_phone_while_no_answer_keeps_the_voicemail(sip, office, speech):
    """Each outcome of the ring goes to its own step (Ring.goto): busy to the colleague's phone."""
    me, colleague, caller = make_ext(office), make_ext(office), make_ext(office)
    set_rules(me, CallRules(busy=FORWARD, busy_to=colleague.number), seconds=5)
    port = free_port()
    mine = sip.sipp("uas_busy", background=True, port=port)
    assert_ok(sip.register(me.number, DOMAIN, me.password, contact_port=port))
    theirs = sip.phone(colleague.number, DOMAIN, colleague.password, timeout=30)
    assert_ok(sip.call(caller.number, DOMAIN, caller.password, me.number))
    assert_ok(mine.wait())  # our phone said busy
    assert_ok(theirs.wait())  # then the colleague's rang and answered
    # no answer: the voicemail, as before
    ringing = sip.sipp("uas_ring", background=True, port=port, timeout=30)
    assert leave_message(sip, caller, me.number, speech) == 200
    assert_ok(ringing.wait())
    (message,) = wait_for(lambda: list(VoiceMessage.select().join(Mailbox).where(Mailbox.extension == me.model.id)),
                          15, what="the voice message")
    assert message.reason == "noanswer"


def test_no_answer_then_the_carrier_and_unreachable_straight_to_it(sip, office):
    """A later step through the trunk: rung from failure_route after our phone rang out (the
    caller ID and the trunk's From rewritten on that branch too), or at once with no phone."""
    me, caller = make_ext(office), make_ext(office)
    set_rules(me, CallRules(no_answer=FORWARD, no_answer_to="06 98 76 54 18", unreachable=FORWARD,
                            unreachable_to="06 98 76 54 19"), seconds=5)
    carrier = sip.sipp("carrier_uas", local_ip=CARRIER, port=sip.carrier_port, background=True, timeout=30,
                       substitutions={"RURI": r"\+33698765419", "FROM": r"sip:\+33184880017@", "PAI": ".",
                                      "PRIVACY": "."})
    assert_ok(sip.call(caller.number, DOMAIN, caller.password, me.number))  # no phone registered
    assert_ok(carrier.wait())
    port = free_port()
    ringing = sip.sipp("uas_ring", background=True, port=port, timeout=30)
    assert_ok(sip.register(me.number, DOMAIN, me.password, contact_port=port))
    carrier = sip.sipp("carrier_uas", local_ip=CARRIER, port=sip.carrier_port, background=True, timeout=30,
                       substitutions={"RURI": r"\+33698765418", "FROM": r"sip:\+33184880017@", "PAI": ".",
                                      "PRIVACY": "."})
    assert_ok(sip.call(caller.number, DOMAIN, caller.password, me.number))
    assert_ok(ringing.wait())  # our phone rang out
    assert_ok(carrier.wait())  # then the carrier got the call, with our number


def test_a_caller_on_the_rejection_list_is_refused_without_voicemail(sip, office):
    me, rejected, other = make_ext(office), make_ext(office), make_ext(office)
    set_rules(me, CallRules(selective_reject=True, reject_list=(rejected.number,)))
    assert_ok(sip.call(rejected.number, DOMAIN, rejected.password, me.number, expect=603))
    phone = sip.phone(me.number, DOMAIN, me.password, timeout=30)
    assert_ok(sip.call(other.number, DOMAIN, other.password, me.number))  # anybody else gets through
    assert_ok(phone.wait())


def test_an_anonymous_caller_from_the_carrier_is_refused_when_asked(sip, office):
    me = make_ext(office)
    tenancy.add_did(factories.CLI, office, "01 84 88 00 18", extension=me.number)
    set_rules(me, CallRules(reject_anonymous=True))
    run = sip.sipp("carrier_call_fail", local_ip=CARRIER, substitutions={"EXPECT": 433},
                   variables={"caller": "anonymous", "ruser": "+33184880018"})
    assert_ok(run)
    # the network asserts the number but the caller asked to hide it (RFC 3325): anonymous too
    hidden = "\n      P-Asserted-Identity: <sip:+33612345678@carrier.example>\n      Privacy: id"
    run = sip.sipp("carrier_call_fail", local_ip=CARRIER, substitutions={"EXPECT": 433, "EXTRA": hidden},
                   variables={"caller": "anonymous", "ruser": "+33184880018"})
    assert_ok(run)
    # a caller that shows its number gets through to the phone
    phone = sip.phone(me.number, DOMAIN, me.password, timeout=30)
    assert_ok(sip.sipp("carrier_call", local_ip=CARRIER, variables={"caller": "+33612345678",
                                                                     "ruser": "+33184880018"}))
    assert_ok(phone.wait())


def test_a_two_column_universal_number_rings_the_first_column_then_the_second(sip, office):
    me, mobile_like, caller = make_ext(office), make_ext(office), make_ext(office)
    set_rules(me, CallRules(incoming=SEQUENCE, columns=((Cell(me.number, FIRST_COLUMN_SECONDS),),
                                                        (Cell(mobile_like.number, 20),))))
    port = free_port()
    first = sip.sipp("uas_ring", background=True, port=port, timeout=40)  # rings, never answers
    assert_ok(sip.register(me.number, DOMAIN, me.password, contact_port=port))
    second = sip.phone(mobile_like.number, DOMAIN, mobile_like.password, timeout=40)
    assert_ok(sip.call(caller.number, DOMAIN, caller.password, me.number))
    assert_ok(first.wait())  # the first column rang and was cancelled after its delay
    assert_ok(second.wait())  # then the second column rang and answered
    (rang_first,), (cancelled,) = received(first, "INVITE"), received(first, "CANCEL")
    (rang_second,) = received(second, "INVITE")
    # the second column rings when the first one's delay is over (its CANCEL leaves at that moment):
    # never sooner (a lower bound only: a busy machine may make it later, never earlier)
    assert rang_second - rang_first >= FIRST_COLUMN_SECONDS - 0.5, "the second column rang with the first"
    assert cancelled - rang_first >= FIRST_COLUMN_SECONDS - 0.5


def sent(run, what: str) -> list[float]:
    """When (sipp's clock, seconds) the phone ``run`` sent each message starting with ``what``."""
    import datetime as dt

    times = []
    for log in run.work.glob("*_messages.log"):
        stamp = None
        outgoing = False
        for line in log.read_text(errors="replace").splitlines():
            found = re.match(r"^-{10,}\s+(\d{4}-\d\d-\d\d)\s+(\d\d:\d\d:\d\d(?:\.\d+)?)", line)
            if found:
                stamp = dt.datetime.fromisoformat(f"{found.group(1)} {found.group(2)}").timestamp()
                outgoing = False
            elif "message sent" in line:
                outgoing = True
            elif outgoing and stamp is not None and line.startswith(what):
                times.append(stamp)
                outgoing = False
    return times


def test_each_number_of_a_column_rings_for_its_own_delay(sip, office):
    """C9: one column, 5 s for one phone and 12 s for the other: the first stops ringing (CANCEL)
    at its own delay while the second rings on, and answers (8 s after it rang, as it is told)."""
    me, colleague, caller = make_ext(office), make_ext(office), make_ext(office)
    set_rules(me, CallRules(incoming=SEQUENCE, columns=((Cell(me.number, 5), Cell(colleague.number, 12)),)))
    port = free_port()
    short = sip.sipp("uas_ring", background=True, port=port, timeout=40)  # rings, never answers
    assert_ok(sip.register(me.number, DOMAIN, me.password, contact_port=port))
    late_port = free_port()
    late = sip.sipp("uas_late", background=True, port=late_port, timeout=40, substitutions={"ANSWER_MS": 8000})
    assert_ok(sip.register(colleague.number, DOMAIN, colleague.password, contact_port=late_port))
    assert_ok(sip.call(caller.number, DOMAIN, caller.password, me.number))  # answered by the second
    assert_ok(short.wait())  # the first rang and was cancelled
    assert_ok(late.wait())  # the second rang, answered, got the caller's BYE
    assert len(received(short, "INVITE")) == 1 and len(received(late, "INVITE")) == 1
    (cancelled,) = received(short, "CANCEL")
    answered = sent(late, "SIP/2.0 200 OK")[0]  # to the INVITE (then its retransmissions, the BYE's)
    assert cancelled < answered, "the first phone rang on until the second answered: its own delay was not kept"
    assert received(late, "CANCEL") == [], "the second phone was cancelled with the first"


def test_a_number_through_the_carrier_rings_for_its_own_delay_with_our_caller_id(sip, office):
    """C9 through the trunk: the mobile's 5 s in a column with a phone's 12 s. The looped branch
    reaches the carrier with the plan's caller ID and nothing of the loop (its key, our headers),
    and is cancelled at its delay, before the phone answers."""
    me, caller = make_ext(office), make_ext(office)
    set_rules(me, CallRules(incoming=SEQUENCE, columns=((Cell("06 98 76 54 20", 5), Cell(me.number, 12)),)))
    carrier = sip.sipp("uas_ring", local_ip=CARRIER, port=sip.carrier_port, background=True, timeout=40)
    port = free_port()
    late = sip.sipp("uas_late", background=True, port=port, timeout=40, substitutions={"ANSWER_MS": 8000})
    assert_ok(sip.register(me.number, DOMAIN, me.password, contact_port=port))
    assert_ok(sip.call(caller.number, DOMAIN, caller.password, me.number))
    assert_ok(carrier.wait())
    assert_ok(late.wait())
    (cancelled,) = received(carrier, "CANCEL")
    assert cancelled < sent(late, "SIP/2.0 200 OK")[0], "the carrier rang on until the phone answered"
    text = "".join(log.read_text(errors="replace") for log in carrier.work.glob("*_messages.log"))
    assert re.search(r"INVITE sip:\+33698765420@", text)
    assert re.search(r"From:[^\n]*sip:\+33184880017@", text), "not our caller ID"
    assert "poste-key" not in text and "X-Poste-" not in text
