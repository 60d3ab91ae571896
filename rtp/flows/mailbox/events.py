"""Events and actions of the mailbox flow, besides those of ``rtp.flows.events``.

The flow asks for domain work with an action (check a PIN, move a message...); the media
app does it off the event loop and answers with the matching event, an ``Answer`` whose
``request`` is the action answered. When the work raises, the answer is ``ActionFailed``.
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
    autoplay: bool = False  # E8 (seed 001): the first new message plays right after the counts


# ------------------------------------------------------------------ events (answers of the media app)
@dataclass(frozen=True, kw_only=True)
class Answer:
    """The media app's answer to a domain action. ``request`` is that action: a state waits for
    the answer to its own request only, so an answer that comes after its wait gave up (the
    timeout) cannot be taken for the answer to a later question."""

    request: object = None


@dataclass(frozen=True)
class ActionFailed(Answer):
    """The domain work for ``request`` raised (database locked or gone...): nothing was answered."""


@dataclass(frozen=True)
class MailboxLoaded(Answer):
    info: MailboxInfo | None  # None: no such mailbox in the caller's tenant


@dataclass(frozen=True)
class PinChecked(Answer):
    outcome: str  # accepted, wrong, locked, just_locked (tenants.mailbox_pin.PinOutcome values)


@dataclass(frozen=True)
class Done(Answer):
    """The change asked for was made (``ok``), or refused by the domain's rules."""

    ok: bool


class PinChanged(Done):
    """Answer to ChangePin (refused: not a valid PIN)."""


@dataclass(frozen=True)
class MessagesLoaded(Answer):
    folder: str
    messages: tuple  # of MessageInfo, oldest first


@dataclass(frozen=True)
class GreetingSaved(Answer):
    kind: str
    path: str | None  # None: not saved


class Sent(Done):
    """Answer to ForwardMessage / SendRecording (refused: no such mailbox here, a private message...)."""


# ------------------------------------------------------------------ actions
@dataclass(frozen=True)
class UseLanguage:
    """Speak ``language`` from now on: the mailbox's tenant is known (issue 12: ``*98`` in English)."""

    language: str


@dataclass(frozen=True)
class LookupMailbox:
    number: str


@dataclass(frozen=True)
class MailboxAction:
    """A domain action on one mailbox (the caller's own, once logged in or at the PIN)."""

    mailbox_id: int


@dataclass(frozen=True)
class PinAction(MailboxAction):
    pin: str


class CheckPin(PinAction):
    """Try the PIN typed (a wrong one counts toward the lock, D4)."""


class ChangePin(PinAction):
    """The owner's new PIN (seed 002)."""


@dataclass(frozen=True)
class LoadMessages(MailboxAction):
    folder: str


@dataclass(frozen=True)
class MoveMessage(MailboxAction):
    message_id: int
    folder: str  # "deleted" deletes (E7's Deleted folder)


@dataclass(frozen=True)
class SaveGreeting(MailboxAction):
    """Keep the recording just made as greeting ``kind`` (unavailable, busy, name, temporary)."""

    kind: str


@dataclass(frozen=True)
class SetTemporary(MailboxAction):
    on: bool


@dataclass(frozen=True)
class FinishSetup(MailboxAction):
    """D3: the first-access steps are done."""


@dataclass(frozen=True)
class ForwardMessage(MailboxAction):
    message_id: int
    to_number: str


@dataclass(frozen=True)
class SendRecording(MailboxAction):
    """D11: the recording just made goes to another mailbox of the tenant as a new message."""

    to_number: str


@dataclass(frozen=True)
class Seek:
    """Move inside the audio playing now (``*`` rewinds, ``#`` skips ahead)."""

    seconds: float
