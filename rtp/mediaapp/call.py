"""One call on the media app: its dialog, RTP session, flow and what is pending for it."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rtp.flows.voicemail import VoicemailFlow
from rtp.mediaapp import recorder as rec
from rtp.rtp_io.session import RtpSession
from rtp.sip.message import ParseError, Request, parse_name_addr, parse_uri
from rtp.sip.stack import Dialog
from tenants.voicemail import service


@dataclass(eq=False)
class Call:
    dialog: Dialog
    rtp: RtpSession
    flow: VoicemailFlow | None
    ctx: service.MailboxContext
    reason: str
    caller_number: str
    caller_name: str
    language: str
    recorder: rec.Recorder | None = None
    timers: dict = field(default_factory=dict)
    ended: bool = False
    access: bool = False  # X-Poste-Service: access (D1/D2: straight to the mailbox login)
    bye_at: float | None = None  # loop time the caller hung up
    early_digits: list = field(default_factory=list)
    stored: list = field(default_factory=list)  # message ids
    pending: list = field(default_factory=list)  # futures of store/finish work
    kept_audio: np.ndarray | None = None  # the stored message's audio: "2 listen" after a failed transfer (D7)
    refer_cseq: int | None = None  # our last REFER: NOTIFYs of an earlier one (Event id=) are stale
    receptionist: bool = False  # H1: the receptionist's menu, in early media (rtp/mediaapp/receptionist.py)
    outcome: asyncio.Future | None = None  # how the receptionist's INVITE ends (receptionist.finish)
    bridge: Any = None  # D7 bridged to the reception (rtp.mediaapp.bridge.Leg): the other leg


def caller_of(request: Request) -> tuple[str, str]:
    """(number, display name) of the caller: P-Asserted-Identity, else From.

    Kamailio strips a P-Asserted-Identity that a phone sent; one that reaches us is its own."""
    for header in ("P-Asserted-Identity", "From"):
        value = request.get(header)
        if not value:
            continue
        try:
            na = parse_name_addr(value.split(",")[0])
            user = parse_uri(na.uri).user
        except ParseError:
            continue
        if user.lower() in ("anonymous", ""):
            return "", ""
        return user, na.display
    return "", ""
