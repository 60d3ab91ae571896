"""The mailbox flow: where a call starts, and the machine that feeds events to the states."""
from __future__ import annotations

from dataclasses import dataclass, replace

from rtp.flows.machine import Done, FlowMachine, FlowState
from rtp.flows.mailbox import events as mb
from rtp.flows.mailbox import login
from rtp.flows.mailbox.base import MailboxState, Session, Transition, apologize


@dataclass(frozen=True)
class MailboxContext:
    domain: str
    info: mb.MailboxInfo | None = None  # already loaded (tests)
    own_phone: bool = False  # D1: skip-PIN applies only here (*97, own number)
    # What the call speaks until the mailbox is known: its tenant's language (the media app
    # knows the tenant from the domain, even for *98). Once known, the mailbox's tenant decides.
    language: str = "fr"
    number: str | None = None  # the mailbox when known (*97, own number, "*" during a greeting); None: *98 asks


class MailboxFlow(FlowMachine):
    """``start()`` returns the first actions, ``handle(event)`` the next ones."""

    def __init__(self, ctx: MailboxContext):
        self.ctx = ctx
        self.state: FlowState = Done()
        self.session: Session | None = Session(ctx.info) if ctx.info is not None else None

    @property
    def info(self) -> mb.MailboxInfo | None:
        """What the call knows of its mailbox now (None before it is known)."""
        return self.session.info if self.session is not None else None

    def go(self, state: FlowState, before: list | None = None) -> Transition:
        """Enter ``state`` with the next serial number: its prompts' and timers' tags are its own."""
        if isinstance(state, MailboxState):
            state = replace(state, serial=getattr(self.state, "serial", 0) + 1)
        return super().go(state, before)

    def start(self) -> list:
        if self.session is not None:
            return self._move(login.login(self, self.session))
        if self.ctx.number:
            return self._move(self.go(login.LookingUpMailbox(self.ctx.number)))
        return self._move(self.go(login.AskMailbox()))

    def handle(self, event: object) -> list:
        previous = self.state
        state, actions = previous.handle(self, event)
        if getattr(previous, "owed", False) and not getattr(state, "owed", False):
            state, actions = apologize((state, actions))  # a failure reported while it was busy
        return self._move((state, actions))

    def _move(self, transition: Transition) -> list:
        self.state, actions = transition
        self.session = getattr(self.state, "session", None) or self.session
        return actions
