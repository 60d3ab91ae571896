"""D7's "0 for the reception": the media app REFERs the caller (RFC 3515) and follows how it goes.

The flow decides what a result means: a 2xx to the REFER waits for the NOTIFYs, anything else
(a refusal, timer F, a NOTIFY sipfrag >= 300) takes the caller back to the menu.
"""
from __future__ import annotations

import logging

from rtp.flows import events as ev
from rtp.mediaapp.call import Call
from rtp.sip.message import Request, sipfrag_status

log = logging.getLogger(__name__)


async def refer(app, call: Call, target: str) -> None:
    """Send the REFER to ``target@<tenant>`` and feed its answer to the flow."""
    request = call.dialog.request("REFER", [("Refer-To", f"<sip:{target}@{call.ctx.domain}>"),
                                            ("Referred-By", f"<sip:voicemail@{call.ctx.domain}>"),
                                            ("Contact", app.stack.contact(call.dialog.link))])
    call.refer_cseq = request.cseq[0]
    try:
        response = await app.stack.send_request(request, call.dialog.link)
    except TimeoutError as exc:  # timer F: the caller's phone never answered
        log.info("REFER to %s failed: %s", target, exc)
        app.event(call, ev.TransferFailed(408))
        return
    except OSError as exc:
        log.info("REFER to %s failed: %s", target, exc)
        app.event(call, ev.TransferFailed(0))
        return
    log.info("REFER to %s answered %s", target, response.status)
    app.event(call, ev.TransferAccepted(response.status) if 200 <= response.status < 300
              else ev.TransferFailed(response.status))


def takes_refer(invite: Request | None) -> bool:
    """Does the caller's side take REFER? Its INVITE's Allow says so; without Allow, try it."""
    if invite is None:
        return True
    allowed = [m.strip().upper() for value in invite.get_all("Allow") for m in value.split(",")]
    return not allowed or "REFER" in allowed


def progress(call: Call, request: Request):
    """The flow event a NOTIFY of our REFER means (sipfrag), or None when it is not about it."""
    if call.flow is None or call.refer_cseq is None:
        return None
    event = (request.get("Event") or "").split(";")
    if event[0].strip().lower() != "refer":
        return None
    params = dict(p.strip().partition("=")[::2] for p in event[1:])
    if params.get("id") and params["id"].strip() != str(call.refer_cseq):
        return None  # about an earlier REFER of this call
    status = sipfrag_status(request.body)
    if status is None:
        return None
    if status < 200:
        return ev.TransferProgress(status)
    return ev.TransferSucceeded(status) if status < 300 else ev.TransferFailed(status)
