"""RFC 3261 parsing on recorded messages, details of RFC 4475 torture messages, and the parser's own
edge cases (what each of the 49 RFC 4475 messages must give: tests/media/test_rfc4475.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from rtp.sip import message as sipmsg
from rtp.sip.message import (
    ParseError,
    Request,
    Response,
    parse,
    parse_name_addr,
    parse_uri,
    parse_via,
    uas_refusal,
)

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


# ------------------------------------------------------------------ Content-Length (RFC 4475 mcl01, ncl, clerr)
OPTIONS_HEAD = ("OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:x@y>;tag=1\r\n"
                "To: sip:a@b\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\n")


def options_with(extra: str, body: str = "") -> bytes:
    return (OPTIONS_HEAD + extra + "\r\n" + body).encode()


@pytest.mark.parametrize("lengths", [("13", "5"), ("5", "5"), ("0", "0")], ids=["conflicting", "same", "zeros"])
def test_more_than_one_content_length_is_refused_with_400(lengths):
    """RFC 4475 3.3.9: no way to know how many octets the body has; even equal values are two (single-valued)."""
    for first, second in (("Content-Length", "Content-Length"), ("Content-Length", "l"), ("l", "L")):
        raw = options_with(f"{first}: {lengths[0]}\r\nMax-Forwards: 60\r\n{second}: {lengths[1]}\r\n", "hello")
        with pytest.raises(ParseError) as caught:
            parse(raw)
        assert caught.value.reply_code == 400 and isinstance(caught.value.partial, Request)


@pytest.mark.parametrize("value", ["-1", "+5", "5 5", "0x10", "\u00b2", "\u0661", "1" * 5000, "", "1.0"])
def test_a_content_length_that_is_not_a_plain_number_is_refused_with_400(value):
    with pytest.raises(ParseError) as caught:
        parse(options_with(f"Content-Length: {value}\r\n", "x" * 10))
    assert caught.value.reply_code == 400


def test_content_length_larger_than_the_datagram_or_than_any_message_is_refused():
    for value in ("11", "99999999999"):
        with pytest.raises(ParseError) as caught:
            parse(options_with(f"Content-Length: {value}\r\n", "x" * 10))
        assert caught.value.reply_code == 400
    assert parse(options_with("Content-Length: 0010\r\n", "x" * 12)).body == b"x" * 10  # leading zeros: valid


@pytest.mark.parametrize("header", ["Max-Forwards", "Expires"])
@pytest.mark.parametrize("value", ["\u00b2", "9" * 5000, "-1"])
def test_numbers_that_python_would_choke_on_are_a_400_not_a_crash(header, value):
    with pytest.raises(ParseError) as caught:
        parse(options_with(f"{header}: {value}\r\nContent-Length: 0\r\n"))
    assert caught.value.reply_code == 400


# ------------------------------------------------------------------ what can still be answered
def test_a_datagram_without_the_final_empty_line_is_one_whole_message():
    """RFC 4475 baddn's datagram ends after its last header: over UDP the datagram is the message."""
    raw = OPTIONS_HEAD.encode() + b"l: 0\r\n"
    assert parse(raw).call_id == "c1"
    with pytest.raises(ParseError):
        parse(raw, stream=True)  # on TCP the empty line is what ends the header section


def test_errors_found_while_checking_headers_can_still_be_answered():
    """A bad display name, URI or CSeq found after the headers are read: the 400 can be addressed."""
    for extra in ('To: "Mr. J. User <sip:j.user@example.com>\r\n', "To: sip:t.watson @example.org\r\n"):
        raw = (OPTIONS_HEAD.replace("To: sip:a@b\r\n", extra) + "Content-Length: 0\r\n\r\n").encode()
        with pytest.raises(ParseError) as caught:
            parse(raw)
        assert caught.value.reply_code == 400 and isinstance(caught.value.partial, Request), caught.value.reason


def test_a_bad_via_below_the_top_one_is_a_400_a_bad_top_via_is_dropped():
    below = OPTIONS_HEAD.replace("branch=z9hG4bK1\r\n", "branch=z9hG4bK1;;,;,,\r\n")
    with pytest.raises(ParseError) as caught:
        parse((below + "Content-Length: 0\r\n\r\n").encode())
    assert caught.value.reply_code == 400
    top = OPTIONS_HEAD.replace("Via: SIP/2.0/UDP h;", "Via: SIP/2.0/UDP ;")
    with pytest.raises(ParseError) as caught:
        parse((top + "Content-Length: 0\r\n\r\n").encode())
    assert caught.value.reply_code is None  # nowhere to send an answer


def test_headers_in_the_request_uri_are_refused_but_a_question_mark_in_its_user_part_is_fine():
    """RFC 3261 19.1.1: no headers in a Request-URI (RFC 4475 escruri); '?' is a user-unreserved character."""
    raw = options_with("Content-Length: 0\r\n").replace(b"OPTIONS sip:a@b ", b"OPTIONS sip:a@b?Route=%3Csip:x%3E ")
    with pytest.raises(ParseError) as caught:
        parse(raw)
    assert caught.value.reply_code == 400
    ok = options_with("Content-Length: 0\r\n").replace(b"OPTIONS sip:a@b ", b"OPTIONS sip:who?,/@b ")
    assert parse(ok).uri == "sip:who?,/@b"
    assert parse_uri("sip:a@b?Subject=x").headers == "Subject=x" and parse_uri("sip:who?@b").headers == ""


# ------------------------------------------------------------------ what the user agent server refuses first
def request_with(start: str, extra: str = "", body: str = "") -> Request:
    method = start.split(" ", 1)[0]
    head = OPTIONS_HEAD.replace("OPTIONS sip:a@b SIP/2.0", start).replace("CSeq: 1 OPTIONS", f"CSeq: 1 {method}")
    return parse((head + extra + f"Content-Length: {len(body)}\r\n\r\n" + body).encode())


def test_uas_refuses_a_request_uri_scheme_it_never_serves_with_416():
    for uri in ("nobodyKnowsThisScheme:totallyopaquecontent", "soap.beep://192.0.2.103:3002", "tel:+33184880001"):
        assert uas_refusal(request_with(f"OPTIONS {uri} SIP/2.0")).status == 416
    assert uas_refusal(request_with("OPTIONS sips:a@b SIP/2.0")) is None
    assert uas_refusal(request_with("OPTIONS SIP:a@b SIP/2.0")) is None


def test_uas_refuses_an_offer_that_is_not_sdp_with_415_and_says_what_it_accepts():
    refusal = uas_refusal(request_with("INVITE sip:a@b SIP/2.0", "Content-Type: application/unknownformat\r\n", "<a/>"))
    assert (refusal.status, dict(refusal.headers)["Accept"]) == (415, "application/sdp")
    for kind in ("application/sdp", "Application/SDP; charset=utf-8", "multipart/mixed;boundary=x"):
        assert uas_refusal(request_with("INVITE sip:a@b SIP/2.0", f"Content-Type: {kind}\r\n", "v=0")) is None
    assert uas_refusal(request_with("INVITE sip:a@b SIP/2.0", "", "v=0")) is None  # no type given: read as SDP
    assert uas_refusal(request_with("UPDATE sip:a@b SIP/2.0", "Content-Type: text/plain\r\n", "x")).status == 415
    # other bodies are the method's business: NOTIFY's message-summary, MESSAGE...
    assert uas_refusal(request_with("NOTIFY sip:a@b SIP/2.0", "Content-Type: application/simple-message-summary\r\n",
                                    "Messages-Waiting: yes")) is None


def test_uas_refuses_an_invite_whose_accept_excludes_sdp_with_406():
    def accept(value):
        return uas_refusal(request_with("INVITE sip:a@b SIP/2.0", f"Accept: {value}\r\n"))

    assert accept("text/nobodyKnowsThis").status == 406 and accept("").status == 406  # empty: nothing acceptable
    for ok in ("application/sdp", "text/plain, application/sdp;level=1", "application/*", "*/*"):
        assert accept(ok) is None, ok
    assert uas_refusal(request_with("OPTIONS sip:a@b SIP/2.0", "Accept: text/nobodyKnowsThis\r\n")) is None
    assert uas_refusal(request_with("UPDATE sip:a@b SIP/2.0", "Accept: text/x\r\n")) is None  # no offer, no SDP back
    assert accept('application/sdp;x="a, b').status == 400  # unterminated quote: refused, never an exception


def test_uas_refusal_never_raises_on_what_the_parser_accepts():
    for path in VALID:
        message = parse(path.read_bytes())
        if isinstance(message, Request):
            uas_refusal(message)
