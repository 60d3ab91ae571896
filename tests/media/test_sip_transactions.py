"""UAS transactions and dialogs of rtp.sip.stack over real UDP and TCP sockets on localhost."""
from __future__ import annotations

import asyncio
from pathlib import Path

from rtp.sip import sdp
from rtp.sip.message import parse
from rtp.sip.stack import SipStack
from tests.media.sipclient import Peer, request

OFFER = sdp.offer("127.0.0.1", 40000)
FIXTURES = Path(__file__).parent / "fixtures" / "rfc4475"


class FakeApp:
    def __init__(self, delay: float = 0.0, status: int = 200):
        self.delay, self.status = delay, status
        self.invites, self.confirmed, self.ended, self.reoffers = [], [], [], []

    async def on_invite(self, dialog, req):
        self.invites.append(req)
        if self.delay:
            await asyncio.sleep(self.delay)
        neg = sdp.negotiate(sdp.parse(req.body))
        return self.status, "OK" if self.status == 200 else "Busy Here", sdp.answer(neg, "127.0.0.1", 41000)

    def on_confirmed(self, dialog):
        self.confirmed.append(dialog)

    def on_ended(self, dialog, why):
        self.ended.append(why)

    def on_reoffer(self, dialog, req):
        self.reoffers.append(req.method)
        body = sdp.answer(sdp.negotiate(sdp.parse(req.body)), "127.0.0.1", 41000) if req.body else b""
        return 200, "OK", body

    def on_request(self, req, link):
        return None


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 30))


async def started(app, **kw) -> tuple[SipStack, Peer]:
    stack = SipStack(app, "127.0.0.1", 0, trusted=kw.pop("trusted", ["127.0.0.1"]), t1=0.05, t2=0.4, t4=0.2, **kw)
    await stack.start()
    return stack, await Peer.open()


def target(stack) -> tuple[str, int]:
    return ("127.0.0.1", stack.port)


def test_options_answered():
    async def main():
        stack, peer = await started(FakeApp())
        peer.send(request("OPTIONS", peer.addr), target(stack))
        ok = await peer.expect(200)
        assert "INVITE" in ok.get("Allow") and ok.to_tag
        await stack.close()
    run(main())


def test_invite_2xx_retransmitted_until_ack_then_bye():
    async def main():
        app = FakeApp()
        stack, peer = await started(app)
        invite = request("INVITE", peer.addr, call_id="call-1", body=OFFER)
        peer.send(invite, target(stack))
        await peer.expect(100)
        first = await peer.expect(200)
        assert first.get("Content-Type") == "application/sdp"
        assert sdp.parse(first.body).port == 41000
        again = await peer.expect(200, timeout=1)  # retransmitted: no ACK yet
        assert again.to_tag == first.to_tag
        peer.send(invite, target(stack))  # a retransmitted INVITE is absorbed (answered again)
        await peer.expect(200)
        assert len(app.invites) == 1
        peer.send(request("ACK", peer.addr, call_id="call-1", to_tag=first.to_tag), target(stack))
        await asyncio.sleep(0)  # let the datagram arrive
        deadline = asyncio.get_running_loop().time() + 2
        while not app.confirmed and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.01)
        assert len(app.confirmed) == 1
        late = [m for m in await peer.silent(0.6) if getattr(m, "status", 0) == 200]
        assert len(late) <= 1  # at most one already in flight when the ACK arrived
        bye = request("BYE", peer.addr, call_id="call-1", cseq=2, to_tag=first.to_tag)
        peer.send(bye, target(stack))
        await peer.expect(200)
        peer.send(bye, target(stack))  # retransmitted BYE: same answer, app told once
        await peer.expect(200)
        assert app.ended == ["bye"]
        await stack.close()
    run(main())


def test_no_ack_ends_the_call_with_bye():
    async def main():
        app = FakeApp()
        stack, peer = await started(app)
        peer.send(request("INVITE", peer.addr, call_id="noack", body=OFFER), target(stack))
        bye = await peer.expect("BYE", timeout=10)
        assert bye.call_id == "noack"
        assert app.ended == ["no ACK"]
        await stack.close()
    run(main())


def test_cancel_before_answer():
    async def main():
        app = FakeApp(delay=0.5)
        stack, peer = await started(app)
        branch = "z9hG4bKcancelme"
        peer.send(request("INVITE", peer.addr, call_id="cx", branch=branch, body=OFFER), target(stack))
        await peer.expect(100)
        peer.send(request("CANCEL", peer.addr, call_id="cx", branch=branch), target(stack))
        ok_cancel = await peer.expect(200)
        assert ok_cancel.cseq[1] == "CANCEL"
        terminated = await peer.expect(487)
        assert terminated.cseq[1] == "INVITE"
        await peer.expect(487, timeout=1)  # retransmitted until ACK
        peer.send(request("ACK", peer.addr, call_id="cx", branch=branch, to_tag=terminated.to_tag), target(stack))
        await asyncio.sleep(0.7)  # the application finishes deciding: it must not answer now
        rest = await peer.silent(0.3)
        assert not [m for m in rest if getattr(m, "status", 0) == 200]
        assert app.ended == ["cancelled"]
        assert not app.confirmed
        await stack.close()
    run(main())


def test_cancel_without_invite_gets_481():
    async def main():
        stack, peer = await started(FakeApp())
        peer.send(request("CANCEL", peer.addr, call_id="nothing"), target(stack))
        await peer.expect(481)
        await stack.close()
    run(main())


def test_reinvite_and_update_refresh_the_session():
    async def main():
        app = FakeApp()
        stack, peer = await started(app)
        peer.send(request("INVITE", peer.addr, call_id="re", body=OFFER), target(stack))
        ok = await peer.expect(200)
        peer.send(request("ACK", peer.addr, call_id="re", to_tag=ok.to_tag), target(stack))
        peer.send(request("INVITE", peer.addr, call_id="re", cseq=2, to_tag=ok.to_tag, body=OFFER,
                          extra="Session-Expires: 1800;refresher=uac\r\nSupported: timer\r\n"), target(stack))
        re_ok = await peer.expect(200, cseq=2)
        assert re_ok.cseq == (2, "INVITE") and re_ok.body and re_ok.get("Session-Expires").startswith("1800")
        peer.send(request("ACK", peer.addr, call_id="re", cseq=2, to_tag=ok.to_tag), target(stack))
        peer.send(request("UPDATE", peer.addr, call_id="re", cseq=3, to_tag=ok.to_tag), target(stack))
        up = await peer.expect(200, cseq=3)
        assert up.cseq == (3, "UPDATE")
        assert app.reoffers == ["INVITE", "UPDATE"]
        peer.send(request("BYE", peer.addr, call_id="unknown", cseq=5, to_tag="nope"), target(stack))
        await peer.expect(481)
        await stack.close()
    run(main())


def test_busy_answer_is_retransmitted_until_ack():
    async def main():
        app = FakeApp(status=486)
        stack, peer = await started(app)
        peer.send(request("INVITE", peer.addr, call_id="busy", branch="z9hG4bKbusy", body=OFFER), target(stack))
        first = await peer.expect(486)
        await peer.expect(486, timeout=1)
        peer.send(request("ACK", peer.addr, call_id="busy", branch="z9hG4bKbusy", to_tag=first.to_tag),
                  target(stack))
        await asyncio.sleep(0.1)
        assert not [m for m in await peer.silent(0.5) if getattr(m, "status", 0) == 486]
        await stack.close()
    run(main())


def test_untrusted_source_is_dropped():
    async def main():
        stack, _ = await started(FakeApp(), trusted=["127.0.0.1"])
        stranger = await Peer.open("127.0.0.2")
        stranger.send(request("OPTIONS", stranger.addr), target(stack))
        assert await stranger.silent(0.4) == []
        assert stack.stats["received"] == 0
        await stack.close()
    run(main())


def test_torture_messages_never_stop_the_stack():
    async def main():
        stack, peer = await started(FakeApp())
        answered = {}
        for path in sorted((FIXTURES / "invalid").glob("*.dat")) + sorted((FIXTURES / "valid").glob("*.dat")):
            peer.send(path.read_bytes(), target(stack))
            got = await peer.silent(0.15)
            answered[path.stem] = [getattr(m, "status", None) for m in got]
        assert 400 in answered["mismatch01"] and 400 in answered["clerr"] and 400 in answered["quotbal"]
        assert 505 in answered["badvers"]
        assert answered["bigcode"] == [] and answered["novia"] == [] and answered["garbage"] == []
        assert stack.stats["malformed"] >= 15
        peer.send(request("OPTIONS", peer.addr), target(stack))
        await peer.expect(200)
        await stack.close()
    run(main())


def test_tcp_framing_and_answers():
    async def main():
        app = FakeApp()
        stack, _peer = await started(app)
        reader, writer = await asyncio.open_connection("127.0.0.1", stack.port)
        local = writer.get_extra_info("sockname")
        opts = request("OPTIONS", local, transport="TCP")
        invite = request("INVITE", local, call_id="tcp1", body=OFFER, transport="TCP")
        writer.write(opts[:10])
        await writer.drain()
        writer.write(opts[10:] + invite)  # split and coalesced: framed by Content-Length
        await writer.drain()
        seen = []
        buf = b""
        loop = asyncio.get_running_loop()
        end = loop.time() + 1.0  # long enough for UDP-style retransmissions (T1 = 50 ms), which must not come
        while loop.time() < end:
            try:
                chunk = await asyncio.wait_for(reader.read(4096), max(0.01, end - loop.time()))
            except TimeoutError:
                break
            buf += chunk
            while b"\r\n\r\n" in buf:
                head, _, rest = buf.partition(b"\r\n\r\n")
                length = int([ln.split(b":")[1] for ln in head.split(b"\r\n") if ln.lower().startswith(b"content-length")][0])
                msg = parse(head + b"\r\n\r\n" + rest[:length], stream=True)
                buf = rest[length:]
                seen.append(msg.status)
        assert seen.count(200) == 2
        writer.write(b"GARBAGE WITHOUT LENGTH\r\n\r\n")
        await writer.drain()
        assert await asyncio.wait_for(reader.read(), 3) == b""  # that connection is closed ...
        writer.close()
        peer = await Peer.open()
        peer.send(request("OPTIONS", peer.addr), target(stack))
        await peer.expect(200)  # ... and the stack still answers
        await stack.close()
    run(main())


def test_uac_notify_retransmitted_until_answered():
    async def main():
        stack, peer = await started(FakeApp())
        req = stack.out_of_dialog("NOTIFY", f"sip:2001@{peer.addr[0]}:{peer.addr[1]}", "sip:vm@acme.pbx.example",
                                  "sip:2001@acme.pbx.example", headers=[("Event", "message-summary")],
                                  body=b"Messages-Waiting: yes\r\n", link=stack.link_to(peer.addr))
        task = asyncio.ensure_future(stack.send_request(req, stack.link_to(peer.addr)))
        first = await peer.expect("NOTIFY")
        second = await peer.expect("NOTIFY", timeout=1)  # timer E
        assert first.top_via.branch == second.top_via.branch
        ok = f"SIP/2.0 200 OK\r\nVia: {first.get('Via')}\r\nFrom: {first.get('From')}\r\nTo: {first.get('To')};tag=x\r\n" \
             f"Call-ID: {first.call_id}\r\nCSeq: {first.get('CSeq')}\r\nContent-Length: 0\r\n\r\n"
        peer.send(ok, target(stack))
        response = await task
        assert response.status == 200
        await stack.close()
    run(main())
