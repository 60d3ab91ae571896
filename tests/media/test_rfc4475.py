"""RFC 4475's 49 torture messages against the media app's parser, its SIP stack, and Kamailio.

``CASES`` is the table: for each message (tests/media/fixtures/rfc4475, byte for byte the
RFC's), what the RFC asks, and what each of the three must do with it, and why.

- ``parser``: ``rtp.sip.message.parse`` returns a message (``PARSE``), or raises ``ParseError``
  whose ``reply_code`` is the answer the stack may send (400, 505) or None (``DROP``: nothing
  can be answered).
- ``media``: the final status the media app's ``SipStack`` (with the fake application of
  test_sip_transactions.py, which answers any INVITE it gets with 200) sends back over UDP,
  or None: no answer at all. The media app is an endpoint (a UAS), so it answers as the RFC
  says an endpoint does.
- ``kamailio``: what kamailio/poste.cfg answers over UDP to the address the RFC's Via names
  (the test's socket listens there). Kamailio is a proxy that serves only its tenants' domains;
  none of the RFC's domains is one, so it must never relay any of these (checked for every
  message: no tm transaction is created), and after each one it still answers an OPTIONS.
  ``ANSWER``: some final refusal (>= 300): a valid message is parsed and refused by the
  routing (403 for a foreign domain, 483 for Max-Forwards 0...). A set: the outcomes allowed,
  None meaning silence: for an invalid message a 400 (505) or silence, sometimes a routing
  refusal where the RFC allows a liberal reading. Where Kamailio 5.6 drops a valid message
  (its parser is stricter than the RFC in a few places) the reason is written down.
"""
from __future__ import annotations

import asyncio
import errno
import os
import re
import socket
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from kamailio import rpc
from rtp.sip.message import ParseError, Request, Response, parse
from tests.media.test_sip_transactions import FakeApp, started, target
from tests.sip_fixtures import SipStack as KamailioStack

FIXTURES = Path(__file__).parent / "fixtures" / "rfc4475"
NOT_RFC = {"novia", "garbage", "truncated"}  # our own extras in invalid/, not the RFC's

PARSE, DROP = "parse", "drop"
ANSWER = "answer"
SILENT = frozenset({None})
REFUSED = frozenset({None, 400})  # an invalid message: 400 or silence
LIBERAL = frozenset({None, 400, 403})  # ... or, where the RFC allows a liberal reading, the routing's 403


@dataclass(frozen=True)
class Case:
    name: str
    section: str
    parser: str | int
    media: int | None
    kamailio: str | frozenset
    why: str

    @property
    def path(self) -> Path:
        return FIXTURES / ("valid" if self.parser == PARSE else "invalid") / f"{self.name}.dat"


CASES = [
    # ---- 3.1.1 valid messages: every parser must accept them
    Case("wsinv", "3.1.1.1", PARSE, 481, SILENT,
         "folding, escaped quotes, LWS around every separator, compact and odd-case names: valid. Its To "
         "has a tag: a re-INVITE of a dialog the media app does not have, so 481 (RFC 3261 12.2.2). "
         "Kamailio 5.6 does not unfold a folded CSeq ('cseq: 0009' CRLF '  INVITE'): its parser drops "
         "the datagram, unanswered and not relayed"),
    Case("intmeth", "3.1.1.2", PARSE, 501, SILENT,
         "every token character in the method, odd URI and Call-ID: valid; an unknown method gets 501. "
         "Kamailio refuses '%' in a header name (a token character) and cannot build its 400: dropped"),
    Case("esc01", "3.1.1.3", PARSE, 200, ANSWER,
         "%-escapes in URIs: a valid INVITE, answered; Kamailio refuses the foreign domain (403)"),
    Case("escnull", "3.1.1.4", PARSE, 405, ANSWER,
         "escaped NULs in the user part: valid; the media app is no registrar: 405; Kamailio 403"),
    Case("esc02", "3.1.1.5", PARSE, 501, SILENT,
         "'%' that is no escape (method RE%47IST%45R is not REGISTER): the RFC's endpoint answers 501. "
         "Kamailio refuses the header name 'C%6Fntact' (a valid token) and drops it"),
    Case("lwsdisp", "3.1.1.6", PARSE, 200, ANSWER, "no LWS between display name and '<': accepted; 403"),
    Case("longreq", "3.1.1.7", PARSE, 200, ANSWER, "very long values and 34 Vias: a valid INVITE; 403"),
    Case("dblreq", "3.1.1.8", PARSE, 405, frozenset({400}),
         "a REGISTER followed by octets that look like an INVITE: only the REGISTER exists (405, and the "
         "app never sees an INVITE). Kamailio's sanity check counts those octets as a body and answers "
         "400 Content-Length mis-match (stricter than RFC 3261 18.3; refused, not relayed)"),
    Case("semiuri", "3.1.1.9", PARSE, 200, ANSWER, "';' and escaped '@' in the Request-URI's user: 200; 403"),
    Case("transports", "3.1.1.10", PARSE, 200, ANSWER, "SCTP, TLS and an unknown transport in Vias: 200; 403"),
    Case("mpart01", "3.1.1.11", PARSE, 405, ANSWER,
         "a multipart body with NULs and bare CRs, framed by Content-Length: MESSAGE is not ours (405); 403"),
    Case("unreason", "3.1.1.12", PARSE, None, SILENT,
         "a 200 with a UTF-8 reason phrase: parsed; a response to no transaction of ours is discarded"),
    Case("noreason", "3.1.1.13", PARSE, None, SILENT, "a 100 with an empty reason: parsed, then discarded"),
    # ---- 3.1.2 invalid messages
    Case("badinv01", "3.1.2.1", 400, 400, REFUSED,
         "empty Via and Contact parameters (';;,;,,'): 400, as the RFC asks (the top Via is usable)"),
    Case("clerr", "3.1.2.2", 400, 400, REFUSED, "Content-Length larger than the datagram: 400"),
    Case("ncl", "3.1.2.3", 400, 400, REFUSED, "negative Content-Length: 400 (the RFC: an error, or discard)"),
    Case("scalar02", "3.1.2.4", 400, 400, REFUSED, "CSeq beyond 2**31 (and Max-Forwards 300, Expires 10**39): 400"),
    Case("scalarlg", "3.1.2.5", DROP, None, SILENT, "a response with overlarge scalars: discarded"),
    Case("quotbal", "3.1.2.6", 400, 400, REFUSED, "unterminated quoted display name in To: 400"),
    Case("ltgtruri", "3.1.2.7", 400, 400, REFUSED, "Request-URI inside '<>': 400"),
    Case("lwsruri", "3.1.2.8", 400, 400, REFUSED, "LWS inside the Request-URI: 400"),
    Case("lwsstart", "3.1.2.9", 400, 400, REFUSED, "two SPs between Request-Line elements: rejecting is acceptable"),
    Case("trws", "3.1.2.10", 400, 400, LIBERAL,
         "SPs after SIP/2.0: rejecting is acceptable, and so is ignoring them (Kamailio does, then 403)"),
    Case("escruri", "3.1.2.11", 400, 400, LIBERAL,
         "escaped headers (?Route=...) in the Request-URI, where RFC 3261 19.1.1 allows none: 400. Kamailio "
         "ignores them as the RFC allows, then refuses the domain (403)"),
    Case("baddate", "3.1.2.12", PARSE, 200, LIBERAL,
         "Date in EST, not GMT: the RFC says an element should not reject it unless the Date matters to it; "
         "the media app never reads Date, so the INVITE is answered. Kamailio does the same, then 403"),
    Case("regbadct", "3.1.2.13", 400, 400, LIBERAL,
         "a Contact URI with '?' outside '<>': 400 (Kamailio infers the brackets as the RFC allows, then 403)"),
    Case("badaspec", "3.1.2.14", 400, 400, LIBERAL,
         "spaces inside the To addr-spec: 400 (Kamailio is liberal, as the RFC allows, then 403)"),
    Case("baddn", "3.1.2.15", 400, 400, REFUSED,
         "unquoted non-token display names; the datagram also lacks the final empty line, which over "
         "UDP (one datagram, one message) costs nothing: 400 for the display names"),
    Case("badvers", "3.1.2.16", 505, 505, frozenset({None, 400, 505}), "SIP/7.0: 505 Version Not Supported"),
    Case("mismatch01", "3.1.2.17", 400, 400, REFUSED, "CSeq method differs from the Request-Line's: 400"),
    Case("mismatch02", "3.1.2.18", 400, 400, frozenset({None, 400, 501}),
         "unknown method and a CSeq that differs: 400 (the RFC prefers 501, allows 400)"),
    Case("bigcode", "3.1.2.19", DROP, None, SILENT, "status code 4294967301: a response, discarded"),
    # ---- 3.2 transaction layer
    Case("badbranch", "3.2.1", PARSE, 200, ANSWER,
         "branch 'z9hG4bK' with nothing after it: matched the RFC 2543 way (allowed); OPTIONS answered"),
    # ---- 3.3 application layer
    Case("insuf", "3.3.1", 400, None, REFUSED,
         "no Call-ID, From, To: refused by the parser; the RFC's 'ideally 400' cannot be built (a response "
         "echoes those three, RFC 3261 8.2.6.2), so the stack drops it"),
    Case("unkscm", "3.3.2", PARSE, 416, frozenset({400, 416}),
         "unknown Request-URI scheme: parsed, then 416 Unsupported URI Scheme. Kamailio's sanity check "
         "answers 400 Bad Request URI (refused, not relayed)"),
    Case("novelsc", "3.3.3", PARSE, 416, frozenset({400, 404, 416}),
         "soap.beep: Request-URI: parsed, 416 (the media app never serves that scheme); Kamailio 400"),
    Case("unksm2", "3.3.4", PARSE, 405, ANSWER,
         "isbn:/http:/name: URIs in To, From, Contact: parsed; REGISTER is not ours (405); Kamailio 400"),
    Case("bext01", "3.3.5", PARSE, 420, ANSWER,
         "Require of unknown extensions: 420 with them in Unsupported (Proxy-Require is for proxies); 403"),
    Case("invut", "3.3.6", PARSE, 415, ANSWER,
         "an INVITE whose body is application/unknownformat: 415 Unsupported Media Type (Accept: "
         "application/sdp), before the app sees it; Kamailio 403"),
    Case("regaut01", "3.3.7", PARSE, 405, ANSWER,
         "unknown Authorization scheme on a REGISTER: an endpoint that is no registrar answers 405; 403"),
    Case("multi01", "3.3.8", 400, 400, REFUSED, "two Call-IDs, CSeqs, Tos, Froms: 400"),
    Case("mcl01", "3.3.9", 400, 400, REFUSED,
         "two Content-Length values (13 and 5): no way to frame the body: 400 (over TCP the connection "
         "would be closed)"),
    Case("bcast", "3.3.10", PARSE, None, SILENT,
         "a 200 whose second Via is 255.255.255.255: parsed, discarded; never forwarded to broadcast"),
    Case("zeromf", "3.3.11", PARSE, 200, ANSWER,
         "Max-Forwards: 0: an endpoint answers as usual (200); a proxy answers 483, as Kamailio does"),
    Case("cparam01", "3.3.12", PARSE, 405, ANSWER, "REGISTER with a contact parameter: not a registrar: 405; 403"),
    Case("cparam02", "3.3.13", PARSE, 405, ANSWER, "REGISTER with a URI parameter in <>: 405; 403"),
    Case("regescrt", "3.3.14", PARSE, 405, ANSWER, "REGISTER with an escaped header in the Contact URI: 405; 403"),
    Case("sdp01", "3.3.15", PARSE, 406, ANSWER,
         "an INVITE whose Accept excludes SDP, the only body the answer can carry: 406 Not Acceptable "
         "(the RFC allows 406 or 400); Kamailio 403"),
    # ---- 3.4 backward compatibility
    Case("inv2543", "3.4.1", PARSE, 200, ANSWER,
         "RFC 2543 INVITE: no branch, no From tag, no Content-Length, no Max-Forwards and no Contact: "
         "accepted, the From URI standing in for the missing Contact as the remote target; Kamailio 403"),
]
BY_NAME = {case.name: case for case in CASES}
IDS = [case.name for case in CASES]


def test_the_table_covers_the_49_messages_of_rfc_4475_and_the_folders_agree():
    assert len(CASES) == len(BY_NAME) == 49
    sections = [case.section for case in CASES]
    assert sum(s.startswith("3.1.1.") for s in sections) == 13 and sum(s.startswith("3.1.2.") for s in sections) == 19
    assert sum(s.startswith("3.3.") for s in sections) == 15 and {"3.2.1", "3.4.1"} <= set(sections)
    on_disk = {p.stem: p.parent.name for p in FIXTURES.glob("*/*.dat")}
    assert {name: folder for name, folder in on_disk.items() if name not in NOT_RFC} == {
        case.name: case.path.parent.name for case in CASES}


# ------------------------------------------------------------------ the media app's parser
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_media_parser(case):
    data = case.path.read_bytes()
    if case.parser == PARSE:
        message = parse(data)
        assert isinstance(message, Request | Response)
        assert message.call_id and message.cseq
        return
    with pytest.raises(ParseError) as caught:
        parse(data)
    assert caught.value.reply_code == (None if case.parser == DROP else case.parser), caught.value.reason


# ------------------------------------------------------------------ the media app's SIP stack
class Raw(asyncio.DatagramProtocol):
    """A UDP socket keeping (status, Call-ID) of every response it gets, unparsed: answers echo
    the torture headers, which a strict parser may refuse."""

    def __init__(self):
        self.got: list[tuple[int | None, str]] = []
        self.arrived = asyncio.Event()

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        self.got.append(status_and_call_id(data))
        self.arrived.set()

    async def until(self, condition, timeout: float = 5.0):
        async with asyncio.timeout(timeout):
            while not condition():
                self.arrived.clear()
                await self.arrived.wait()


def status_and_call_id(data: bytes) -> tuple[int | None, str]:
    first = re.match(rb"SIP/2\.0 (\d{3}) ", data)
    call_id = re.search(rb"\r\n(?:Call-ID|i)\s*:\s*([^\r\n]*)", data, re.I)
    return (int(first.group(1)) if first else None), (call_id.group(1).decode(errors="replace") if call_id else "")


def options_probe(host: str, port: int, call_id: str) -> bytes:
    return (f"OPTIONS sip:{host} SIP/2.0\r\nVia: SIP/2.0/UDP {host}:{port};branch=z9hG4bK{call_id};rport\r\n"
            f"From: <sip:probe@{host}>;tag=p\r\nTo: <sip:{host}>\r\nCall-ID: {call_id}\r\nCSeq: 1 OPTIONS\r\n"
            f"Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n").encode()


def finals(got: list, probe_id: str) -> list[int]:
    return [status for status, call_id in got if call_id != probe_id and status is not None and status >= 200]


async def start_stack(app):
    """``started`` of test_sip_transactions.py, tried again when the UDP port that port 0 gave has
    its TCP twin taken (``Transports.start`` binds TCP to the port UDP got): 50 stacks here."""
    for attempt in range(5):
        try:
            return await started(app)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE or attempt == 4:
                raise


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_media_stack(case):
    """The torture message, then an OPTIONS: the stack handles datagrams in order, so whatever it
    answers the message synchronously comes before the OPTIONS' 200; an INVITE's answer (the
    application's) is waited for. It still answers afterwards."""
    async def main():
        app = FakeApp()
        stack, peer = await start_stack(app)
        peer.close()
        loop = asyncio.get_running_loop()
        transport, raw = await loop.create_datagram_endpoint(Raw, local_addr=("127.0.0.1", 0))
        port = transport.get_extra_info("sockname")[1]
        try:
            transport.sendto(case.path.read_bytes(), target(stack))
            if case.media is not None:
                await raw.until(lambda: finals(raw.got, "probe"))
            transport.sendto(options_probe("127.0.0.1", port, "probe"), target(stack))
            await raw.until(lambda: (200, "probe") in raw.got)
            assert finals(raw.got, "probe")[:1] == ([] if case.media is None else [case.media]), raw.got
            if case.name == "dblreq":
                assert app.invites == []  # the trailing octets are no request
        finally:
            transport.close()
            await stack.close()
    asyncio.run(asyncio.wait_for(main(), 30))


def test_inv2543_the_from_uri_stands_in_for_the_missing_contact():
    """RFC 2543 INVITE (no Contact, no branch, no From tag): answered, confirmed by an RFC 2543 ACK,
    and the dialog's requests (BYE...) go to the From URI."""
    async def main():
        app = FakeApp()
        stack, peer = await start_stack(app)
        try:
            peer.send(BY_NAME["inv2543"].path.read_bytes(), target(stack))
            ok = await peer.expect(200)
            peer.send(f"ACK sip:UserB@example.com SIP/2.0\r\nVia: SIP/2.0/UDP iftgw.example.com\r\n"
                      f"From: {ok.get('From')}\r\nTo: {ok.get('To')}\r\nCall-ID: {ok.call_id}\r\n"
                      f"CSeq: 56 ACK\r\nContent-Length: 0\r\n\r\n", target(stack))
            async with asyncio.timeout(5):
                while not app.confirmed:
                    await asyncio.sleep(0.01)
            (dialog,) = app.confirmed
            assert dialog.remote_target == "sip:+13035551111@ift.client.example.net;user=phone"
            assert dialog.request("BYE").uri == dialog.remote_target and dialog.remote_tag == ""
        finally:
            peer.close()
            await stack.close()
    asyncio.run(asyncio.wait_for(main(), 30))


# ------------------------------------------------------------------ Kamailio
def _worker() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else 0


@pytest.fixture(scope="module")
def kamailio():
    """Kamailio + rtpengine on free ports with kamailio/poste.cfg; one UDP worker, so that it
    handles datagrams in the order they come (the OPTIONS sent after a message is answered after it)."""
    stack = KamailioStack(children=1)
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


def via_port(data: bytes) -> int:
    """The port of the top Via's sent-by (5060 without one): where RFC 3261 18.2.2 sends the answer
    when the request has no rport, e.g. Kamailio's answers before it forces rport."""
    match = re.search(rb"\r\n(?:Via|v)\s*:\s*SIP\s*/\s*2\.0\s*/\s*[^\s/]+\s+[^\s;:,]+(?:\s*:\s*(\d+))?", data, re.I)
    return int(match.group(1)) if match and match.group(1) else 5060


def transactions(stack) -> int:
    return rpc.call("tm.stats", settings=stack.settings)["created"]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_kamailio(kamailio, case):
    data = case.path.read_bytes()
    # every message from its own loopback address (bans and flood counts stay its own), on the
    # port its top Via names, where Kamailio's answers go
    host = f"127.44.{_worker()}.{IDS.index(case.name) + 1}"
    before = transactions(kamailio)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((host, via_port(data)))
        sock.sendto(data, ("127.0.0.1", kamailio.sip_port))
        sock.sendto(options_probe(host, sock.getsockname()[1], f"probe-{case.name}"), ("127.0.0.1", kamailio.sip_port))
        got = []
        deadline = time.monotonic() + 10
        while (200, f"probe-{case.name}") not in got:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                got.append(status_and_call_id(sock.recv(65535)))
            except TimeoutError:
                pytest.fail(f"Kamailio no longer answers an OPTIONS after {case.name}: {got}\n"
                            f"{kamailio.log_tail('kamailio')}")
    assert kamailio.procs["kamailio"].poll() is None, kamailio.log_tail("kamailio")
    assert transactions(kamailio) == before, f"{case.name} was relayed"
    answers = finals(got, f"probe-{case.name}")
    outcome = answers[0] if answers else None
    if case.kamailio == ANSWER:
        assert outcome is not None and 300 <= outcome < 700, got
    else:
        assert outcome in case.kamailio, got


def test_kamailio_relay_check_sees_a_relayed_request(kamailio):
    """The control of ``transactions``: a call that Kamailio relays (an authenticated phone calling a
    registered one, which answers 486; with no media app, the busy mailbox answers 480) shows as
    transactions created."""
    from tenants import credentials
    from tenants.secrets_store import sip_key
    from tests import factories
    from tests.kamailio.conftest import make_ext
    from tests.sip_fixtures import FakeMediaNode

    kamailio.use_database()
    credentials.configure_sip_key(sip_key(kamailio.settings.data_dir))
    tenant = factories.tenant("relay-control.pbx.example")
    caller, callee = make_ext(tenant), make_ext(tenant)
    phone = FakeMediaNode("127.0.0.1", status=486).start()  # answers the INVITE it gets with 486
    try:
        run = kamailio.register(callee.number, tenant.domain, callee.password, contact_port=phone.port)
        assert run.ok, run.explain()
        before = transactions(kamailio)
        run = kamailio.call(caller.number, tenant.domain, caller.password, callee.number, expect=480)
        assert run.ok, run.explain()
        assert len(phone.invites) == 1  # relayed to the registered phone
    finally:
        phone.stop()
    assert transactions(kamailio) > before
