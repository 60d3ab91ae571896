"""The ``receptionist`` service (H1): the tenant's menu as early media, then the caller is put through.

Kamailio sends a call to a DID of the receptionist with ``X-Poste-Service: receptionist`` and
``X-Poste-Tenant``. The media app answers ``183 Session Progress`` with its SDP and runs
``rtp.flows.receptionist`` over that early media (digits arrive as RFC 4733 events). The call
is never answered by the media app for a transfer: the flow's ``Connect`` ends the INVITE with
``480 Transferred`` carrying ``X-Poste-Transfer: 2001[,2002...]``, and Kamailio's
``failure_route[RECEPTIONIST_DONE]`` rings those extensions with the routing plan, in the same
transaction (each with its own voicemail rules). No REFER, no bridge, no re-INVITE: it works
whatever the carrier supports (rtp/README.md, "Transfers"). ``AnswerCall`` (``*``: the mailbox
menu, a service the caller uses for minutes) answers ``200 OK`` instead; ``Hangup`` (the
goodbye) ends it with ``480``.
"""
from __future__ import annotations

import asyncio
import logging

import numpy as np

from rtp.flows import events as ev
from rtp.flows.receptionist import ReceptionistFlow
from rtp.mediaapp.call import Call, caller_of
from rtp.rtp_io.session import RtpSession
from rtp.sip import sdp
from rtp.sip.message import Request, response_to
from rtp.sip.stack import ALLOW, Dialog
from tenants.receptionist import service
from tenants.voicemail import service as voicemail

log = logging.getLogger(__name__)
SERVICE = "receptionist"
TRANSFER_HEADER = "X-Poste-Transfer"
# The longest a caller stays in the menu (three rounds, dial-by-name): then goodbye, whatever the flow says
LONGEST_SECONDS = 280.0
GONE = ("gone",)
BACK_REASONS = ("busy", "noanswer", "unavailable")


def wanted(request: Request) -> bool:
    return (request.get("X-Poste-Service") or "").strip().lower() == SERVICE


def _speech(app, text: str, language: str) -> np.ndarray:
    """``text`` spoken by the prompt generator, rendered once per process (worker thread)."""
    key = (text, language)
    cache = app.__dict__.setdefault("speech_cache", {})
    if key not in cache:
        from rtp.prompts.generate import render

        try:
            cache[key] = render(text, language if language in ("fr", "en") else "fr")
        except Exception as exc:  # espeak-ng missing or failing: silence, never a dead call
            log.warning("could not speak %r: %s", text[:40], exc)
            cache[key] = np.zeros(0, np.float32)
        if len(cache) > 512:
            cache.pop(next(iter(cache)))
    return cache[key]


def spoken(app, call: Call, text: str) -> bytes | None:
    """The audio of ``text`` if already rendered, else None (render it with ``render_later``)."""
    samples = app.__dict__.get("speech_cache", {}).get((text, call.language))
    return None if samples is None else app.prompts.samples(samples, call.rtp.codec)


def play(app, call: Call, action: ev.Play) -> None:
    """A Play with spoken items: rendered on the worker pool first when not yet in the cache."""
    missing = [i.text for i in action.items if isinstance(i, ev.Speech) and spoken(app, call, i.text) is None]
    if not missing:
        _play_now(app, call, action)
        return
    future = asyncio.get_running_loop().run_in_executor(
        app.pool, lambda: [_speech(app, text, call.language) for text in missing])
    call.pending.append(future)

    def rendered(_f) -> None:
        if not call.ended:
            _play_now(app, call, action)
        app.maybe_cleanup(call)
    future.add_done_callback(rendered)


def _play_now(app, call: Call, action: ev.Play) -> None:
    codec = call.rtp.codec
    parts = []
    for item in action.items:
        if isinstance(item, ev.File):
            parts.append(app.prompts.file(item.path, codec))
        elif isinstance(item, ev.Speech):
            parts.append(spoken(app, call, item.text) or b"")
        else:
            parts.append(app.prompts.segment(item, call.language, codec))
    call.rtp.play(b"".join(parts), lambda: app.event(call, ev.PromptEnd(action.tag)))


def finish(call: Call, outcome: tuple) -> bool:
    """The flow decided how the INVITE ends (``("transfer", targets)``, ``("answer",)``,
    ``("hangup",)``); False when it is not a receptionist call still in early media."""
    if call.outcome is None or call.outcome.done():
        return False
    call.outcome.set_result(outcome)
    return True


async def run(app, dialog: Dialog, request: Request) -> tuple[int, str, bytes]:
    """The receptionist for ``request`` (``app`` is the ``MediaApp``): the INVITE's final answer."""
    domain = (request.get("X-Poste-Tenant") or "").strip().lower()
    setup = await app.work(service.call_setup, domain, None, app.data_dir)
    if setup is None:
        return 404, "No Receptionist", b""
    try:
        negotiated = sdp.negotiate(sdp.parse(request.body))
    except sdp.SdpError as exc:
        log.info("call %s: %s", request.call_id, exc)
        return 488, "Not Acceptable Here", b""
    ctx = await app.work(voicemail.access_context, domain, "")  # for "*": the mailbox login of this tenant
    if setup.greeting.text:  # typed greeting: spoken before the first packet, not during it
        await asyncio.get_running_loop().run_in_executor(app.pool, _speech, app, setup.greeting.text, setup.language)
    caller_number, caller_name = caller_of(request)
    session = await RtpSession.open(app.rtp_address, negotiated.codec, negotiated.dtmf_pt, ports=app.rtp_ports)
    session.remote = (negotiated.remote_address, negotiated.remote_port)
    call = Call(dialog=dialog, rtp=session, flow=None, ctx=ctx, reason="", caller_number=caller_number,
                caller_name=caller_name, language=setup.language, receptionist=True)
    call.outcome = asyncio.get_running_loop().create_future()
    session.on_digit = lambda digit, call=call: app.event(call, ev.Digit(digit))
    dialog.data["call"] = call
    app.calls[dialog.id] = call
    if dialog.state == "ended":  # cancelled meanwhile
        app.cleanup(call)
        return 487, "Request Terminated", b""
    answer = sdp.answer(negotiated, app.rtp_address, session.local_port)
    dialog.data["sdp"] = (negotiated, answer)
    dialog.invite_tx.respond(response_to(
        request, 183, "Session Progress", to_tag=dialog.local_tag, body=answer,
        extra=[("Contact", app.stack.contact(dialog.link)), ("Allow", ALLOW), ("Server", app.stack.user_agent),
               ("Content-Type", "application/sdp")]))
    app.clock.add(session)
    back = (request.get("X-Poste-Reason") or "").strip().lower()  # "menu": a new call; else how the extension rang
    call.flow = ReceptionistFlow(setup, back if back in BACK_REASONS else "")
    log.info("call %s: receptionist of %s (%s greeting)", request.call_id, domain, setup.greeting.when)
    app.perform(call, call.flow.start())
    try:
        outcome = await asyncio.wait_for(asyncio.shield(call.outcome), LONGEST_SECONDS)
    except TimeoutError:
        outcome = ("hangup",)
    if outcome[0] == "answer":
        log.info("call %s: answered by the receptionist (mailbox)", request.call_id)
        return 200, "OK", answer
    # the caller's leg on this media app ends here: Kamailio goes on (a transfer) or answers the caller
    for timer in call.timers.values():
        timer.cancel()
    call.ended = True
    if dialog.id in app.calls:
        app.cleanup(call)
    if outcome[0] == "transfer":
        targets = ",".join(outcome[1])
        dialog.data["final_headers"] = [(TRANSFER_HEADER, targets)]
        log.info("call %s: put through to %s", request.call_id, targets)
        return 480, "Transferred", b""
    return (487, "Request Terminated", b"") if outcome == GONE else (480, "Receptionist Goodbye", b"")
