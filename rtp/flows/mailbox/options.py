"""Seed 003 "0 Options de la boîte vocale" (seed 000: "option 5"), and its temporary greeting menu:

    options --record-unavailable/busy/name--> record-greeting(kind; options) ... --> options ("accepté")
            --temporary--> temporary   --change-pin--> new-pin(options) ... --> options ("modifié")
            --back--> main
    temporary --record-temporary--> record-greeting(temporary; options)   (on once recorded)
              --temporary-off--> options ("désactivé"), refused without an unavailable greeting (D8)
              --back--> options
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from rtp.flows.mailbox import events as mb
from rtp.flows.mailbox import main
from rtp.flows.mailbox.base import MailboxState, Menu, Session, Transition
from rtp.flows.mailbox.greetings import KeepGreeting, RecordGreeting
from rtp.flows.mailbox.pin import NewPin
from tenants.voicemail import access

if TYPE_CHECKING:
    from rtp.flows.mailbox.flow import MailboxFlow

RECORD = "record-"  # the options that record a greeting: record-unavailable, record-busy...


@dataclass(frozen=True)
class BackToOptions(KeepGreeting):
    """The ``then`` of what the options menu starts (a greeting, a PIN): back to the options."""

    @property
    def label(self) -> str:
        return "options"

    def resume(self, flow: MailboxFlow, session: Session, before: tuple) -> Transition:
        return flow.go(Options(session, before=before))

    def back(self, flow: MailboxFlow, session: Session) -> MailboxState:
        return Options(session)


@dataclass(frozen=True)
class Options(Menu):
    name = "options"
    menu = "options"

    def choose(self, flow: MailboxFlow, what: str, key: str) -> Transition:
        if what.startswith(RECORD):
            return flow.go(RecordGreeting(self.session, what.removeprefix(RECORD), BackToOptions()))
        if what == "temporary":
            return flow.go(Temporary(self.session))
        if what == "change-pin":
            return flow.go(NewPin(self.session, BackToOptions()))
        if what == "back":
            return flow.go(main.Main(self.session))
        return self.invalid(flow)


@dataclass(frozen=True)
class Temporary(Menu):
    """Seed 003 ``0,4``: 1 record the temporary greeting (it is on once recorded), 2 turn it off."""

    name = "temporary"
    menu = "temporary"

    def choose(self, flow: MailboxFlow, what: str, key: str) -> Transition:
        session = self.session
        if what == "record-temporary":
            return flow.go(RecordGreeting(session, "temporary", BackToOptions()))
        if what == "temporary-off":
            if not access.temporary_off(session.info.greetings).ok:  # D8: not without an unavailable greeting
                return flow.go(Temporary(session, before=("temporary-needs-unavailable",)))
            off = session.with_info(greetings=replace(session.info.greetings, temporary_on=False))
            return flow.go(Options(off, before=("temporary-off",)), [mb.SetTemporary(session.mailbox_id, False)])
        if what == "back":
            return flow.go(Options(session))
        return self.invalid(flow)
