"""After the login: the first-access steps (D3), then the mailbox.

    logged in --steps left--> new-pin(first access) --> record-greeting(name) --> record-greeting(unavailable)
              --> FinishSetup, opening-mailbox         (each step only when needed: access.first_access_steps)
    logged in --nothing left--> opening-mailbox --MessagesLoaded--> main

A failure during a step says so and asks that step again: nothing else is reachable before
the setup is done.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rtp.flows.mailbox import events as mb
from rtp.flows.mailbox import main
from rtp.flows.mailbox.base import MailboxState, Session, Transition
from rtp.flows.mailbox.greetings import KeepGreeting, RecordGreeting
from rtp.flows.mailbox.pin import NewPin
from tenants.voicemail import access

if TYPE_CHECKING:
    from rtp.flows.mailbox.flow import MailboxFlow

PIN_STEP = "pin"


def logged_in(flow: MailboxFlow, session: Session, before: tuple = ()) -> Transition:
    """After the PIN (or skip-PIN): D3's first-access steps, then the messages of New and the main menu."""
    info = session.info
    steps = access.first_access_steps(info.pin_must_change, info.setup_done, info.greetings.name is not None,
                                      info.greetings.unavailable is not None)
    if steps:
        return FirstAccess(steps).start(flow, session, before)
    return flow.go(main.OpeningMailbox(session))


@dataclass(frozen=True)
class FirstAccess(KeepGreeting):
    """D3: the steps left before the main menu; ``steps[0]`` is the one being done."""

    steps: tuple[str, ...]

    @property
    def label(self) -> str:
        return "first access"

    def step(self, session: Session, before: tuple = ()) -> MailboxState:
        if self.steps[0] == PIN_STEP:
            return NewPin(session, self, before=before + ("first-access",))
        return RecordGreeting(session, self.steps[0], self, before=before)

    def start(self, flow: MailboxFlow, session: Session, before: tuple = ()) -> Transition:
        if self.steps:
            return flow.go(self.step(session, before))
        done = session.with_info(setup_done=True)
        state, actions = logged_in(flow, done)
        return state, [mb.FinishSetup(done.mailbox_id), *actions]

    def resume(self, flow: MailboxFlow, session: Session, before: tuple) -> Transition:
        return FirstAccess(self.steps[1:]).start(flow, session, before)

    def back(self, flow: MailboxFlow, session: Session) -> MailboxState:
        return self.step(session)
