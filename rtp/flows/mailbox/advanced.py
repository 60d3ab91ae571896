"""Seed 003 "3 Options avancées" (5 send a voice message, * back), and the mailbox a message goes
to, asked for sending (D11) and for forwarding a message (8 after it):

    advanced --send--> ask-number(send) --digits #--> record-greeting(message) ... --1--> sending-recording
             --back--> main                                       sending-recording --Sent--> main
    ask-number(forward) --digits #--> forwarding-message --Sent--> message-menu
    ask-number --nothing typed--> main
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from rtp.flows.mailbox import events as mb
from rtp.flows.mailbox import main, message
from rtp.flows.mailbox.base import Collect, MailboxState, Menu, Session, Transition, Waiting
from rtp.flows.mailbox.greetings import RecordGreeting

if TYPE_CHECKING:
    from rtp.flows.mailbox.flow import MailboxFlow

SEND, FORWARD = "send", "forward"  # what the number is asked for


@dataclass(frozen=True)
class Advanced(Menu):
    name = "advanced"
    menu = "advanced"

    def choose(self, flow: MailboxFlow, what: str, key: str) -> Transition:
        if what == "send":  # D11: record a message for another mailbox
            return flow.go(AskNumber(self.session, SEND))
        if what == "back":
            return flow.go(main.Main(self.session))
        return self.invalid(flow)


@dataclass(frozen=True)
class AskNumber(Collect):
    """The mailbox a message goes to (D11), then ``#``."""

    session: Session
    purpose: str  # SEND or FORWARD
    name = "ask-number"
    prompt = ("enter-destination",)

    @property
    def label(self) -> str:
        return f"ask-number({self.purpose})"

    def done(self, flow: MailboxFlow, digits: str) -> Transition:
        if not digits:
            return flow.go(main.Main(self.session))
        if self.purpose == SEND:
            return flow.go(RecordGreeting(self.session, "message", SendTo(digits)))
        return flow.go(ForwardingMessage(self.session, digits))


@dataclass(frozen=True)
class SendTo:
    """The ``then`` of a message recorded for mailbox ``number`` (D11): 1 sends it, it is no greeting."""

    number: str

    @property
    def label(self) -> str:
        return "send"

    def accepted(self, flow: MailboxFlow, session: Session, kind: str) -> Transition:
        return flow.go(SendingRecording(session, self.number))

    def resume(self, flow: MailboxFlow, session: Session, before: tuple) -> Transition:
        return flow.go(main.Main(session, before=before))

    def back(self, flow: MailboxFlow, session: Session) -> MailboxState:
        return main.Main(session)


@dataclass(frozen=True)
class _Sending(Waiting):
    """A message goes to mailbox ``number``; the answer says whether it went, in the menu after."""

    session: Session
    number: str
    answer = mb.Sent

    def answered(self, flow: MailboxFlow, event: mb.Sent) -> Transition:
        return flow.go(replace(self.back(flow), before=("message-sent",) if event.ok else ("invalid-mailbox",)))

    def back(self, flow: MailboxFlow) -> Menu:
        """The menu the message was sent from, where the caller hears whether it went."""
        raise NotImplementedError


@dataclass(frozen=True)
class SendingRecording(_Sending):
    """D11: the recording just made, then the main menu."""

    name = "sending-recording"

    @property
    def request(self) -> mb.SendRecording:
        return mb.SendRecording(self.session.mailbox_id, self.number)

    def back(self, flow: MailboxFlow) -> Menu:
        return main.Main(self.session)


@dataclass(frozen=True)
class ForwardingMessage(_Sending):
    """8 after a message: that message, then the menu after it."""

    name = "forwarding-message"

    @property
    def request(self) -> mb.ForwardMessage:
        return mb.ForwardMessage(self.session.mailbox_id, self.session.current.id, self.number)

    def back(self, flow: MailboxFlow) -> Menu:
        return message.MessageMenu(self.session)
