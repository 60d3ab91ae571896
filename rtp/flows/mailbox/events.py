"""Events and actions of the mailbox flow (rtp/flows/mailbox.py), besides those of ``rtp.flows.events``.

The flow asks for domain work with an action (check a PIN, move a message...); the media
app does it off the event loop and answers with the matching event.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tenants.voicemail.rules import Capacity, Greetings


# ------------------------------------------------------------------ data
@dataclass(frozen=True)
class MessageInfo:
    id: int
    folder: str
    caller_number: str
    caller_name: str
    received_local: dt.datetime  # in the tenant's time zone
    path: str  # relative to $POSTE_DATA


@dataclass(frozen=True)
class MailboxInfo:
    mailbox_id: int
    number: str
    domain: str
    greetings: Greetings = field(default_factory=Greetings)
    skip_pin: bool = False
    pin_must_change: bool = False
    setup_done: bool = True
    envelope: str = "both"
    layout: str = "asterisk"
    language: str = "fr"
    new: int = 0
    old: int = 0
    capacity: Capacity | None = None  # D12: messages against the limit (None: not known, no warning)


# ------------------------------------------------------------------ events (answers of the media app)
@dataclass(frozen=True)
class MailboxLoaded:
    info: MailboxInfo | None  # None: no such mailbox in the caller's tenant


@dataclass(frozen=True)
class PinChecked:
    outcome: str  # accepted, wrong, locked, just_locked (tenants.mailbox_pin.PinOutcome values)


@dataclass(frozen=True)
class PinChanged:
    ok: bool


@dataclass(frozen=True)
class MessagesLoaded:
    folder: str
    messages: tuple  # of MessageInfo, oldest first


@dataclass(frozen=True)
class GreetingSaved:
    kind: str
    path: str | None  # None: not saved


@dataclass(frozen=True)
class Sent:
    """Answer to ForwardMessage / SendRecording."""

    ok: bool


# ------------------------------------------------------------------ actions
@dataclass(frozen=True)
class LookupMailbox:
    number: str


@dataclass(frozen=True)
class CheckPin:
    mailbox_id: int
    pin: str


@dataclass(frozen=True)
class ChangePin:
    mailbox_id: int
    pin: str


@dataclass(frozen=True)
class LoadMessages:
    mailbox_id: int
    folder: str


@dataclass(frozen=True)
class MoveMessage:
    mailbox_id: int
    message_id: int
    folder: str  # "deleted" deletes (E7's Deleted folder)


@dataclass(frozen=True)
class SaveGreeting:
    """Keep the recording just made as greeting ``kind`` (unavailable, busy, name, temporary)."""

    mailbox_id: int
    kind: str


@dataclass(frozen=True)
class SetTemporary:
    mailbox_id: int
    on: bool


@dataclass(frozen=True)
class FinishSetup:
    mailbox_id: int


@dataclass(frozen=True)
class ForwardMessage:
    mailbox_id: int
    message_id: int
    to_number: str


@dataclass(frozen=True)
class SendRecording:
    """D11: the recording just made goes to another mailbox of the tenant as a new message."""

    mailbox_id: int
    to_number: str


@dataclass(frozen=True)
class Seek:
    """Move inside the audio playing now (``*`` rewinds, ``#`` skips ahead)."""

    seconds: float
