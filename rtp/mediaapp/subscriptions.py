"""Phones subscribing to their mailbox (F1, RFC 3842): Kamailio authenticates the phone and
forwards its SUBSCRIBE with ``X-Poste-Mailbox``; we answer it and send the first NOTIFY."""
from __future__ import annotations

import logging

from rtp import mwi
from rtp.sip.message import ParseError, Request, Response, parse_name_addr, parse_uri, response_to
from rtp.sip.stack import SipStack, new_tag
from rtp.sip.transport import Link
from tenants.db import database
from tenants.voicemail import rules, service

log = logging.getLogger(__name__)
MAX_EXPIRES = 3600


def subscribe(stack: SipStack, request: Request, link: Link) -> Response:
    """Answer a SUBSCRIBE; the NOTIFY that RFC 6665 requires follows at once."""
    event = (request.get("Event") or "").split(";")[0].strip().lower()
    if event != "message-summary":
        return response_to(request, 489, "Bad Event", to_tag=new_tag(), extra=[("Allow-Events", "message-summary")])
    try:
        ruri = parse_uri(request.uri)
        to = parse_uri(parse_name_addr(request.get("To")).uri)
    except ParseError:
        return response_to(request, 400, "Bad Request", to_tag=new_tag())
    target = rules.parse_mailbox_target(request.get("X-Poste-Mailbox"), ruri.user if ruri.user.startswith("vm-")
                                        else f"vm-{to.user}", to.host)
    with database.connection_context():
        found = service.mailbox_account(*target) if target else None
    if found is None:
        return response_to(request, 404, "No Mailbox", to_tag=new_tag())
    _ext_id, counts = found
    expires = request.get("Expires")
    expires = min(int(expires), MAX_EXPIRES) if expires and expires.isdigit() else MAX_EXPIRES
    tag = new_tag()
    if request.get_all("Contact"):
        stack.spawn(_first_notify(stack, request, link, tag, counts, target, expires))
    return response_to(request, 200, "OK", to_tag=tag,
                       extra=[("Expires", str(expires)), ("Contact", stack.contact(link))])


async def _first_notify(stack: SipStack, sub: Request, link: Link, tag: str, counts: rules.MwiCounts,
                        target: tuple[str, str], expires: int) -> None:
    try:
        remote = parse_name_addr(sub.get("Contact"))
    except ParseError:
        return
    req = Request(method="NOTIFY", uri=remote.uri)
    req.add("Via", stack.via(link))
    req.add("Max-Forwards", "70")
    for route in sub.get_all("Record-Route"):
        req.add("Route", route)
    req.add("From", f"{sub.get('To')};tag={tag}")
    req.add("To", sub.get("From"))
    req.add("Call-ID", sub.call_id)
    req.add("CSeq", "1 NOTIFY")
    req.add("Contact", stack.contact(link))
    req.add("Event", "message-summary")
    req.add("Subscription-State", f"active;expires={expires}" if expires else "terminated;reason=timeout")
    req.add("Content-Type", mwi.CONTENT_TYPE)
    for name, value in stack.secret_header():  # Kamailio strips it before relaying
        req.add(name, value)
    req.body = mwi.message_summary(counts, f"sip:{target[0]}@{target[1]}")
    try:
        await stack.send_request(req, link)
    except (TimeoutError, OSError) as exc:
        log.info("MWI NOTIFY to %s not answered: %s", remote.uri, exc)
