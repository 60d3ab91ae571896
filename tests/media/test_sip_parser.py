"""RFC 3261 parsing on recorded messages and on the RFC 4475 torture messages."""
from __future__ import annotations

from pathlib import Path

import pytest

from rtp.sip import message as sipmsg
from rtp.sip.message import ParseError, Request, Response, parse, parse_name_addr, parse_uri, parse_via

FIXTURES = Path(__file__).parent / "fixtures" / "rfc4475"
VALID = sorted((FIXTURES / "valid").glob("*.dat"))
INVALID = sorted((FIXTURES / "invalid").glob("*.dat"))

KAMAILIO_INVITE = (
    "INVITE sip:media@127.0.0.1:5090 SIP/2.0\r\n"
    "Record-Route: <sip:127.0.0.1:5060;lr;ftag=as5c6f;did=a1b.2c>\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK0e5c.3a2c\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:6000;received=127.0.0.1;rport=6000;branch=z9hG4bK-1-0\r\n"
    "From: \"Bob\" <sip:2002@acme.pbx.example>;tag=as5c6f\r\n"
    "To: <sip:2001@acme.pbx.example>\r\n"
    "Call-ID: 1-123@127.0.0.1\r\n"
    "CSeq: 1 INVITE\r\n"
    "Contact: <sip:2002@127.0.0.1:6000>\r\n"
    "Max-Forwards: 69\r\n"
    "X-Poste-Mailbox: 2001@acme.pbx.example\r\n"
    "X-Poste-Reason: noanswer\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 4\r\n\r\n"
    "v=0\n"
)


def test_recorded_kamailio_invite():
    msg = parse(KAMAILIO_INVITE.encode())
    assert isinstance(msg, Request)
    assert msg.method == "INVITE" and msg.uri == "sip:media@127.0.0.1:5090"
    assert len(msg.get_all("Via")) == 2
    assert msg.top_via.branch == "z9hG4bK0e5c.3a2c" and msg.top_via.sent_by == "127.0.0.1:5060"
    assert msg.from_tag == "as5c6f" and msg.to_tag == ""
    assert msg.cseq == (1, "INVITE")
    assert msg.get("x-poste-mailbox") == "2001@acme.pbx.example"
    assert msg.body == b"v=0\n"
    assert parse_name_addr(msg.get("From")).display == "Bob"


def test_roundtrip_encoding():
    msg = parse(KAMAILIO_INVITE.encode())
    again = parse(msg.encode())
    assert again.headers == msg.headers and again.body == msg.body


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_rfc4475_valid_messages_parse(path):
    msg = parse(path.read_bytes())
    assert msg.get("Call-ID")
    assert msg.cseq[0] >= 0
    if isinstance(msg, Request):
        assert msg.top_via.host


def test_wsinv_details():
    msg = parse((FIXTURES / "valid" / "wsinv.dat").read_bytes())
    assert msg.method == "INVITE"
    assert msg.to_tag == "1918181833n"
    assert msg.from_tag == "98asjd8"
    assert parse_name_addr(msg.get("From")).display == 'J Rosenberg \\"'
    assert msg.cseq == (9, "INVITE")
    vias = msg.get_all("Via")
    assert [parse_via(v).transport for v in vias] == ["UDP", "TCP", "UDP"]
    assert parse_via(vias[2]).branch == "z9hG4bK30239"
    assert msg.get("NewFangledHeader") == "newfangled value continued newfangled value"
    assert msg.get("Max-Forwards") == "0068"
    assert len(msg.body) == int(msg.get("Content-Length"))


def test_dblreq_takes_only_the_first_message():
    msg = parse((FIXTURES / "valid" / "dblreq.dat").read_bytes())
    assert msg.method == "REGISTER" and msg.body == b""


def test_escaped_uris():
    msg = parse((FIXTURES / "valid" / "esc01.dat").read_bytes())
    assert parse_uri(msg.uri).user == "sips:user@example.com"
    assert parse_uri(parse_name_addr(msg.get("To")).uri).user == "user"
    assert parse_uri("sip:user;par=u%40example.net@example.com").host == "example.com"


def test_responses_with_odd_reasons():
    assert parse((FIXTURES / "valid" / "noreason.dat").read_bytes()).reason == ""
    unusual = parse((FIXTURES / "valid" / "unreason.dat").read_bytes())
    assert isinstance(unusual, Response) and unusual.status == 200 and "простое" in unusual.reason


ANSWERABLE = {"badinv01": 400, "clerr": 400, "ncl": 400, "scalar02": 400, "quotbal": 400, "ltgtruri": 400,
              "lwsruri": None, "lwsstart": 400, "trws": 400, "regbadct": 400, "badaor": 400, "baddn": 400,
              "badvers": 505, "mismatch01": 400, "mismatch02": 400, "insuf": 400}


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_rfc4475_invalid_messages_are_refused(path):
    with pytest.raises(ParseError) as caught:
        parse(path.read_bytes())
    expected = ANSWERABLE.get(path.stem)
    if expected is not None:
        assert caught.value.reply_code == expected, caught.value.reason


def test_every_prefix_and_mutation_only_raises_parse_error():
    """No input makes the parser raise anything but ParseError (cheap fuzz over the fixtures)."""
    import random

    rng = random.Random(4475)
    for path in VALID + INVALID:
        data = path.read_bytes()
        for cut in range(0, len(data), max(1, len(data) // 25)):
            _parse_quietly(data[:cut])
        for _ in range(30):
            mutated = bytearray(data)
            for _ in range(rng.randint(1, 6)):
                mutated[rng.randrange(len(mutated))] = rng.randrange(256)
            _parse_quietly(bytes(mutated))


def _parse_quietly(data: bytes) -> None:
    try:
        parse(data)
    except ParseError:
        pass


def test_compact_names_and_multi_values():
    msg = parse(b"OPTIONS sip:a@b SIP/2.0\r\nv: SIP/2.0/UDP h;branch=z9hG4bK1, SIP/2.0/UDP g;branch=z9hG4bK2\r\n"
                b"f: <sip:x@y>;tag=1\r\nt: sip:a@b\r\ni: c1\r\nCSeq: 1 OPTIONS\r\nl: 0\r\n\r\n")
    assert [parse_via(v).host for v in msg.get_all("Via")] == ["h", "g"]
    assert msg.call_id == "c1"


def test_stream_requires_content_length():
    raw = b"OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nFrom: <sip:x@y>;tag=1\r\n" \
          b"To: sip:a@b\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\n\r\n"
    parse(raw)
    with pytest.raises(ParseError):
        parse(raw, stream=True)


def test_split_commas_keeps_quoted_commas():
    assert sipmsg.split_commas('"a, b" <sip:x@y>, <sip:z@w;p=1,2>') == ['"a, b" <sip:x@y>', "<sip:z@w;p=1,2>"]
