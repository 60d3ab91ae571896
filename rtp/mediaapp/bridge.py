"""D7's "0 for the reception" when the caller's side refuses REFER: the media app bridges.

It places a new call through Kamailio (``rtp.sip.uac.OutgoingCall``, with the shared secret:
``route[FROM_MEDIA]`` rings the extension's registered phones, its media through rtpengine)
from the caller's number to the reception, and once it answers relays the RTP of the two legs
to each other, packet for packet (``RtpSession.relay``: nothing decoded, the caller's session
off the 20 ms clock). Either side hanging up ends the other (the flow: ``BridgeEnded`` ->
``Hangup``; ``HangUp`` -> ``DropBridge``). See rtp/README.md "Transfers".
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from rtp.flows import events as ev
from rtp.mediaapp.call import Call
from rtp.rtp_io.session import RtpSession
from rtp.sip import sdp
from rtp.sip.message import Response
from rtp.sip.uac import OutgoingCall

log = logging.getLogger(__name__)


@dataclass(eq=False)
class Leg:
    """The bridge's other leg: its call and its RTP session."""

    outgoing: OutgoingCall
    rtp: RtpSession
    offer: bytes = b""  # our session description: also our answer to the phone's re-INVITEs
    connected: bool = False


def caller_address(call: Call) -> str:
    """The From of the new call: the caller's number and name, as the reception phone shows them."""
    domain = call.ctx.domain
    if not call.caller_number:
        return f'"Anonymous" <sip:anonymous@{domain}>'
    name = "".join(c for c in call.caller_name if c not in '"\\\r\n').strip()
    shown = f'"{name}" ' if name else ""
    return f"{shown}<sip:{call.caller_number}@{domain}>"


async def start(app, call: Call, target: str) -> None:
    """Call ``target`` (an extension of the caller's tenant) for ``call``; events go to its flow."""
    try:
        session = await RtpSession.open(app.rtp_address, call.rtp.codec, call.rtp.dtmf_pt, ports=app.rtp_ports)
    except OSError as exc:
        log.warning("bridge of %s: no RTP port: %s", call.dialog.call_id, exc)
        app.event(call, ev.BridgeFailed(0))
        return
    if call.ended:  # the caller hung up meanwhile
        session.close()
        return
    # the offer: the caller's own codec and telephone-event type, so packets pass unchanged
    offer = sdp.answer(sdp.Negotiated("", 0, call.rtp.codec, call.rtp.dtmf_pt, "sendrecv"),
                       app.rtp_address, session.local_port)
    domain = call.ctx.domain
    link = app.stack.link_to(app.proxy)
    outgoing = OutgoingCall(app.stack, link, f"sip:{target}@{domain}", caller_address(call),
                            f"<sip:{target}@{domain}>", offer)
    leg = Leg(outgoing, session, offer)
    call.bridge = leg
    outgoing.on_answer = lambda response: answered(app, call, leg, response)
    outgoing.on_failure = lambda status: failed(app, call, leg, status)
    outgoing.on_end = lambda why: ended(app, call, leg)
    outgoing.start()
    log.info("call %s: bridging to %s@%s (%s)", call.dialog.call_id, target, domain, outgoing.call_id)


def answered(app, call: Call, leg: Leg, response: Response) -> None:
    try:
        neg = sdp.negotiate(sdp.parse(response.body))
    except sdp.SdpError as exc:
        log.warning("bridge %s: answer without usable SDP (%s): ended", leg.outgoing.call_id, exc)
        drop(app, call)
        app.event(call, ev.BridgeFailed(488))
        return
    leg.rtp.remote = (neg.remote_address, neg.remote_port)
    leg.connected = True
    if leg.outgoing.dialog is not None:  # its re-INVITEs (session refresh, hold) come to reoffer()
        leg.outgoing.dialog.data["bridge"] = leg
    app.clock.discard(call.rtp)  # from now on the caller hears the reception, not us
    call.rtp.stop_playback()
    call.rtp.relay, leg.rtp.relay = leg.rtp, call.rtp
    log.info("call %s: bridged to %s", call.dialog.call_id, leg.outgoing.call_id)
    app.event(call, ev.BridgeAnswered())


def reoffer(leg: Leg, request) -> tuple[int, str, bytes]:
    """A re-INVITE or UPDATE of the reception's phone: our description unchanged (the same version);
    a new address of its media is followed."""
    if request.body:
        try:
            neg = sdp.negotiate(sdp.parse(request.body))
        except sdp.SdpError:
            return 488, "Not Acceptable Here", b""
        if (neg.remote_address, neg.remote_port) != leg.rtp.remote:
            leg.rtp.remote, leg.rtp.latched = (neg.remote_address, neg.remote_port), False
    return 200, "OK", leg.offer


def failed(app, call: Call, leg: Leg, status: int) -> None:
    log.info("bridge %s: %d", leg.outgoing.call_id, status)
    _release(call, leg)
    app.event(call, ev.BridgeFailed(status))


def ended(app, call: Call, leg: Leg) -> None:
    """The reception hung up."""
    _release(call, leg)
    app.event(call, ev.BridgeEnded())


def drop(app, call: Call) -> None:
    """The flow ends the bridge (the caller hung up, or the reception rang too long)."""
    leg = call.bridge
    if leg is None:
        return
    leg.outgoing.hang_up()
    _release(call, leg)


def _release(call: Call, leg: Leg) -> None:
    if call.bridge is leg:
        call.bridge = None
    call.rtp.relay = None
    leg.rtp.relay = None
    leg.rtp.close()
