"""The login (D1, D2, D4; issue 11):

    *98:  ask-mailbox --digits #--> checking-mailbox --MailboxLoaded--> pin
          (unknown or nothing typed: ask-mailbox again; the third time: goodbye)
    *97, own number, "*" in a greeting: looking-up-mailbox --MailboxLoaded--> pin (or logged in: skip-PIN, own phone)
    pin --digits #--> checking-pin --PinChecked(accepted)--> logged in (rtp.flows.mailbox.setup)
        --wrong--> pin ("code secret erroné"); --locked--> goodbye ("verrouillée")
    pin --nothing typed--> pin ("vous n'avez rien composé"); the third time in a row: goodbye

Once the mailbox is known, the call speaks its tenant's language (``UseLanguage``).
A failure returns to the prompt that asked (the mailbox number, the PIN), or says goodbye
when nothing was asked yet.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rtp.flows.mailbox import events as mb
from rtp.flows.mailbox import setup
from rtp.flows.mailbox.base import (
    LOGIN_ATTEMPTS,
    MENU_REPEATS,
    Collect,
    Goodbye,
    MailboxState,
    Session,
    Transition,
    Waiting,
)
from tenants.voicemail import access

if TYPE_CHECKING:
    from rtp.flows.mailbox.flow import MailboxFlow


def speak(flow: MailboxFlow, info: mb.MailboxInfo) -> list:
    """The mailbox's tenant speaks another language than the call did so far: switch to it."""
    return [] if info.language == flow.ctx.language else [mb.UseLanguage(info.language)]


def login(flow: MailboxFlow, session: Session, first: tuple = ()) -> Transition:
    """The PIN, unless skip-PIN spares it (D1: from one's own phone only)."""
    if access.needs_pin(flow.ctx.own_phone, session.info.skip_pin):
        return flow.go(Pin(session), list(first))
    state, actions = setup.logged_in(flow, session)
    return state, [*first, *actions]


@dataclass(frozen=True)
class _LookingUp(Waiting):
    """Mailbox ``number`` of the call's tenant is looked up."""

    number: str
    answer = mb.MailboxLoaded

    @property
    def request(self) -> mb.LookupMailbox:
        return mb.LookupMailbox(self.number)


@dataclass(frozen=True)
class LookingUpMailbox(_LookingUp):
    """The mailbox is known from the call (``*97``, one's own number, ``*`` during a greeting)."""

    name = "looking-up-mailbox"

    def answered(self, flow: MailboxFlow, event: mb.MailboxLoaded) -> Transition:
        if event.info is None:
            return flow.go(Goodbye(("invalid-mailbox",)))
        return login(flow, Session(event.info), tuple(speak(flow, event.info)))

    def back(self, flow: MailboxFlow) -> MailboxState:
        return Goodbye()  # nothing was asked yet


@dataclass(frozen=True)
class AskMailbox(Collect):
    """``*98``: "Entrez le numéro de votre boîte vocale"."""

    attempts: int = field(default=0, kw_only=True)
    name = "ask-mailbox"
    prompt = ("enter-mailbox",)

    def done(self, flow: MailboxFlow, digits: str) -> Transition:
        if not digits:
            return retry_mailbox(flow, self.attempts, ("nothing-entered",))
        return flow.go(CheckingMailbox(digits, attempts=self.attempts))


def retry_mailbox(flow: MailboxFlow, attempts: int, why: tuple) -> Transition:
    if attempts + 1 >= LOGIN_ATTEMPTS:
        return flow.go(Goodbye())
    return flow.go(AskMailbox(before=why, attempts=attempts + 1))


@dataclass(frozen=True)
class CheckingMailbox(_LookingUp):
    """``*98``: the number typed."""

    attempts: int = field(default=0, kw_only=True)
    name = "checking-mailbox"

    def answered(self, flow: MailboxFlow, event: mb.MailboxLoaded) -> Transition:
        if event.info is None:
            return retry_mailbox(flow, self.attempts, ("invalid-mailbox",))
        return flow.go(Pin(Session(event.info)), speak(flow, event.info))  # D2: always the PIN

    def back(self, flow: MailboxFlow) -> MailboxState:
        return AskMailbox(attempts=self.attempts)


@dataclass(frozen=True)
class Pin(Collect):
    """"Entrez votre code secret, puis appuyez sur dièse"."""

    session: Session
    silent: int = field(default=0, kw_only=True)  # prompts answered with nothing in a row
    name = "pin"
    prompt = ("enter-pin",)

    def done(self, flow: MailboxFlow, digits: str) -> Transition:
        entry = access.pin_entry(digits, self.silent, MENU_REPEATS)  # issue 11: nothing typed is no PIN
        if entry.action == access.GIVE_UP:
            return flow.go(Goodbye(("nothing-entered",)))
        if entry.action == access.ASK_AGAIN:
            return flow.go(Pin(self.session, before=("nothing-entered",), silent=entry.silent))
        return flow.go(CheckingPin(self.session, digits))


@dataclass(frozen=True)
class CheckingPin(Waiting):
    session: Session
    pin: str
    name = "checking-pin"
    answer = mb.PinChecked

    @property
    def request(self) -> mb.CheckPin:
        return mb.CheckPin(self.session.mailbox_id, self.pin)

    def answered(self, flow: MailboxFlow, event: mb.PinChecked) -> Transition:
        if event.outcome == "accepted":
            return setup.logged_in(flow, self.session)
        if event.outcome in ("locked", "just_locked"):  # D4: locked until an admin unlocks it
            return flow.go(Goodbye(("mailbox-locked",)))
        return flow.go(Pin(self.session, before=("wrong-pin",)))

    def back(self, flow: MailboxFlow) -> MailboxState:
        return Pin(self.session)
