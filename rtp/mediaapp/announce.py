"""The ``announce`` service: a prompt as early media, then the caller's leg ends (issue 14).

Kamailio sends a call the routing plan refuses (or announces before going on: the balance
before a paid call) with ``X-Poste-Service: announce``, ``X-Poste-Prompt: <key>`` (a key of
``rtp/prompts/texts.py``, or ``prepaid-balance`` with ``X-Poste-Amount: <cents>``) and
``X-Poste-Language``. The media app answers ``183 Session Progress`` with its SDP, plays the
prompt once over RTP, then ends the INVITE with ``480 Announcement Played``; Kamailio then
answers the caller with the plan's own code (``403``, ``404``, ``503``...) or goes to the plan's
next step. The call is never answered (nothing is billed, the caller's phone shows the SIP
error); a caller who hangs up first (CANCEL) ends it at once.
"""
from __future__ import annotations

import asyncio
import logging

from rtp.prompts.phrases import balance
from rtp.prompts.texts import FIXED
from rtp.rtp_io.session import RtpSession
from rtp.sip import sdp
from rtp.sip.message import Request, response_to
from rtp.sip.stack import ALLOW, Dialog

log = logging.getLogger(__name__)
SERVICE = "announce"
BALANCE = "prepaid-balance"  # the amount comes in X-Poste-Amount (cents): tenants/routing.py's Announce
DONE = (480, "Announcement Played")
MARGIN_SECONDS = 2.0  # beyond the prompt's own length, before giving up on the clock


def segments(prompt: str, amount: str, language: str) -> list[str]:
    """The segments to play: a fixed prompt, or the balance before a paid call (``prepaid-balance``
    with ``X-Poste-Amount: <cents>``, composed from numbers: "Votre solde est de douze euros
    cinquante"); none for anything else."""
    if prompt == BALANCE:
        return balance(int(amount), language) if amount.isdigit() and len(amount) <= 8 else []
    return [prompt] if prompt in FIXED["fr"] else []


def wanted(request: Request) -> bool:
    return (request.get("X-Poste-Service") or "").strip().lower() == SERVICE


async def play(app, dialog: Dialog, request: Request) -> tuple[int, str, bytes]:
    """Early media for ``request`` (``app`` is the ``MediaApp``): the final answer once played."""
    prompt = (request.get("X-Poste-Prompt") or "").strip()
    language = (request.get("X-Poste-Language") or "fr").strip().lower()
    keys = segments(prompt, (request.get("X-Poste-Amount") or "").strip(), language)
    if not keys:
        log.warning("call %s: no announcement %r", request.call_id, prompt)
        return DONE
    try:
        negotiated = sdp.negotiate(sdp.parse(request.body))
    except sdp.SdpError as exc:  # no offer to answer in a 183: nothing to play
        log.info("call %s: announcement without media: %s", request.call_id, exc)
        return DONE
    session = await RtpSession.open(app.rtp_address, negotiated.codec, negotiated.dtmf_pt, ports=app.rtp_ports)
    session.remote = (negotiated.remote_address, negotiated.remote_port)
    loop = asyncio.get_running_loop()
    played = loop.create_future()
    dialog.data["announce"] = played  # app.on_ended sets it when the caller gives up (CANCEL)
    try:
        if dialog.state == "ended":
            return DONE
        answer = sdp.answer(negotiated, app.rtp_address, session.local_port)
        dialog.invite_tx.respond(response_to(
            request, 183, "Session Progress", to_tag=dialog.local_tag, body=answer,
            extra=[("Contact", app.stack.contact(dialog.link)), ("Allow", ALLOW),
                   ("Server", app.stack.user_agent), ("Content-Type", "application/sdp")]))
        audio = b"".join(app.prompts.segment(key, language, negotiated.codec) for key in keys)
        app.clock.add(session)
        session.play(audio, lambda: played.done() or played.set_result(True))
        seconds = len(audio) / 8000 + MARGIN_SECONDS  # G.711: one byte a sample
        try:
            await asyncio.wait_for(asyncio.shield(played), seconds)
        except TimeoutError:
            log.warning("call %s: announcement %s not played within %.1f s", request.call_id, prompt, seconds)
        log.info("call %s: announcement %s played (%s)", request.call_id, prompt, language)
        return DONE
    finally:
        app.clock.discard(session)
        session.close()
        dialog.data.pop("announce", None)


def caller_gone(dialog: Dialog) -> None:
    """The caller hung up during the announcement: stop waiting for its end."""
    played = dialog.data.get("announce")
    if played is not None and not played.done():
        played.set_result(False)
