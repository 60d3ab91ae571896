"""rtp.sip.uac: the INVITE the media app places itself (D7's bridge), its states driven by
responses fed by hand (no network: a Link that keeps what is sent)."""
from __future__ import annotations

import asyncio

from rtp.sip.message import Request, parse, response_to
from rtp.sip.stack import SipStack
from rtp.sip.transport import Link
from rtp.sip.uac import CALLING, CANCELLING, CONNECTED, ENDED, FAILED, PROCEEDING, OutgoingCall

SDP = b"v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/AVP 0\r\n"


class Recorder:
    def __init__(self):
        self.events = []

    def __call__(self, kind):
        return lambda value: self.events.append((kind, value if isinstance(value, (int, str)) else value.status))


def placed():
    stack = SipStack(app=None, host="127.0.0.1", port=5090, secret="s3cret")  # never started
    sent: list[bytes] = []
    link = Link("TCP", ("127.0.0.1", 5060), lambda data, addr: sent.append(data))  # TCP: no timer A
    seen = Recorder()
    call = OutgoingCall(stack, link, "sip:2000@acme.example", "<sip:+33612345678@acme.example>",
                        "<sip:2000@acme.example>", SDP, on_answer=seen("answer"), on_failure=seen("failure"),
                        on_end=seen("end"))
    call.start()
    return stack, call, sent, seen


def answer(call, status, sdp=b"", tag="callee1"):
    invite = call.invite
    extra = [("Contact", "<sip:2000@127.0.0.1:7000>"), ("Record-Route", "<sip:127.0.0.1;lr>")]
    if sdp:
        extra.append(("Content-Type", "application/sdp"))
    return response_to(invite, status, "X", to_tag=tag, body=sdp, extra=extra)


def sent_requests(sent):
    return [m for m in map(parse, sent) if isinstance(m, Request)]


def test_answered_call_is_acked_kept_in_the_stack_and_ended_by_either_side():
    async def main():
        stack, call, sent, seen = placed()
        invite = sent_requests(sent)[0]
        assert invite.method == "INVITE" and invite.get("X-Poste-Secret") == "s3cret"
        assert invite.get("From").startswith("<sip:+33612345678@acme.example>;tag=")
        assert call.state == CALLING
        stack._on_response(answer(call, 180))
        assert call.state == PROCEEDING and seen.events == []
        stack._on_response(answer(call, 200, SDP))
        assert call.state == CONNECTED and seen.events == [("answer", 200)]
        ack = sent_requests(sent)[-1]
        assert ack.method == "ACK" and ack.cseq == (invite.cseq[0], "ACK") and ack.to_tag == "callee1"
        assert ack.get("Route") == "<sip:127.0.0.1;lr>" and ack.uri == "sip:2000@127.0.0.1:7000"
        assert call.dialog.id in stack.dialogs
        stack._on_response(answer(call, 200, SDP))  # retransmitted 2xx: the same ACK again
        assert sent[-1] == sent[-2] and seen.events == [("answer", 200)]
        # the reception hangs up: its BYE ends the dialog, the owner hears it once
        stack.end_dialog(call.dialog, "bye", send_bye=False)
        assert call.state == ENDED and seen.events == [("answer", 200), ("end", "bye")]
        # and our own hang-up of a connected call is a BYE
        stack, call, sent, seen = placed()
        stack._on_response(answer(call, 200, SDP))
        call.hang_up()
        await asyncio.sleep(0)
        assert sent_requests(sent)[-1].method == "BYE" and call.state == ENDED
        assert seen.events == [("answer", 200)]  # nothing after our own hang-up
        await stack.close()
    asyncio.run(main())


def test_a_refusal_is_acked_and_reported_once():
    async def main():
        stack, call, sent, seen = placed()
        stack._on_response(answer(call, 486))
        ack = sent_requests(sent)[-1]
        assert ack.method == "ACK" and ack.top_via.branch == call.branch  # the INVITE's transaction
        stack._on_response(answer(call, 486))  # retransmitted: ACKed again, not reported again
        assert sent_requests(sent)[-1].method == "ACK"
        assert call.state == FAILED and seen.events == [("failure", 486)]
        await stack.close()
    asyncio.run(main())


def test_hang_up_while_ringing_cancels_and_a_late_2xx_is_ended():
    async def main():
        stack, call, sent, seen = placed()
        call.hang_up()  # no 1xx yet: the CANCEL waits for one (RFC 3261 9.1)
        assert call.state == CANCELLING and not any(r.method == "CANCEL" for r in sent_requests(sent))
        stack._on_response(answer(call, 180))
        await asyncio.sleep(0)
        cancel = sent_requests(sent)[-1]
        assert cancel.method == "CANCEL" and cancel.top_via.branch == call.branch
        stack._on_response(answer(call, 200, SDP))  # answered before the CANCEL took
        await asyncio.sleep(0)
        methods = [r.method for r in sent_requests(sent)]
        assert methods[-2:] == ["ACK", "BYE"] and call.state == ENDED and seen.events == []
        await stack.close()
    asyncio.run(main())


def test_the_reception_phones_reinvite_is_answered_with_our_description_and_its_address_followed():
    from types import SimpleNamespace

    from rtp.mediaapp.bridge import Leg, reoffer

    leg = Leg(outgoing=None, rtp=SimpleNamespace(remote=("127.0.0.1", 4000), latched=True), offer=b"v=0 ours")
    refresh = Request(method="INVITE", uri="sip:media@127.0.0.1")
    refresh.body = SDP
    assert reoffer(leg, refresh) == (200, "OK", b"v=0 ours") and leg.rtp.latched  # same address: kept
    moved = Request(method="INVITE", uri="sip:media@127.0.0.1")
    moved.body = SDP.replace(b"4000", b"4002")
    assert reoffer(leg, moved)[0] == 200 and leg.rtp.remote == ("127.0.0.1", 4002) and not leg.rtp.latched
    bad = Request(method="INVITE", uri="sip:media@127.0.0.1")
    bad.body = b"v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/AVP 18\r\n"
    assert reoffer(leg, bad)[0] == 488
