"""Building blocks of the mailbox menus: the state base, a menu, collecting digits, waiting for
the domain, goodbye, and the apology a failure says.

States are frozen data. ``handle(flow, event)`` returns the next state and the actions; it
never changes the flow nor itself: what the call knows (the mailbox, the messages of the
open folder, the current one) is a ``Session`` that each state carries and hands on. The
flow (``MailboxFlow.go``) gives each state it enters a serial number, so the tags of its
prompts and timers are its own and a stale timer of an earlier state is ignored.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from rtp.flows import events as ev
from rtp.flows.machine import Done, FlowState
from rtp.flows.mailbox import events as mb
from tenants.voicemail import access

if TYPE_CHECKING:
    from rtp.flows.mailbox.flow import MailboxFlow

MENU_WAIT_SECONDS = 8.0
DIGIT_WAIT_SECONDS = 6.0
# Longer than SQLite's busy timeout (10 s, tenants.db): a write that waited for the lock and
# then succeeded is not reported as a failure; still bounded, so nobody waits in silence.
ANSWER_WAIT_SECONDS = 15.0
MENU_REPEATS = 3
LOGIN_ATTEMPTS = 3
GREETING_MAX_SECONDS = 120
GREETING_MIN_SECONDS = 0.5
SEEK_SECONDS = 3.0
KEY_NAMES = {"*": "star", "#": "pound"}
APOLOGY = ("action-failed",)  # "Désolé, une erreur est survenue."
INVALID = ("invalid-choice",)

Transition = tuple[FlowState, list]


def press(key: str) -> str:
    return f"press-{KEY_NAMES.get(key, key)}"


def menu_items(table: dict[str, str]) -> tuple:
    """"Pour écouter vos messages, appuyez sur 1. ..." from a key -> what table."""
    items: list[str] = []
    for key, what in table.items():
        items += [f"menu-{what}", press(key)]
    return tuple(items)


@dataclass(frozen=True)
class Session:
    """What the call knows of its mailbox, handed from state to state (never changed in place)."""

    info: mb.MailboxInfo
    messages: tuple[mb.MessageInfo, ...] = ()  # of the open folder, oldest first
    folder: str = "new"
    index: int = 0  # the message being heard

    @property
    def mailbox_id(self) -> int:
        return self.info.mailbox_id

    @property
    def current(self) -> mb.MessageInfo:
        return self.messages[self.index]

    def with_info(self, **changes: Any) -> Session:
        return replace(self, info=replace(self.info, **changes))

    def with_current(self, **changes: Any) -> Session:
        messages = list(self.messages)
        messages[self.index] = replace(self.current, **changes)
        return replace(self, messages=tuple(messages))

    def opened(self, folder: str, messages: tuple) -> Session:
        return replace(self, folder=folder, messages=tuple(messages), index=0)


class Then(Protocol):
    """Where a sub-menu shared by several menus (a PIN change, a recording) goes once done.

    Plain data, not a function: the transition table names it (``label``)."""

    @property
    def label(self) -> str: ...

    def accepted(self, flow: MailboxFlow, session: Session, kind: str) -> Transition:
        """The recording just made is accepted (1 after it)."""

    def resume(self, flow: MailboxFlow, session: Session, before: tuple) -> Transition:
        """Done: where the caller goes on, ``before`` said first."""

    def back(self, flow: MailboxFlow, session: Session) -> MailboxState:
        """Where a failure of the sub-menu returns the caller."""


@dataclass(frozen=True)
class MailboxState(FlowState):
    """A state of the mailbox flow. Hang-up ends the flow; a failed domain action is said."""

    serial: int = field(default=0, kw_only=True, compare=False)  # given by MailboxFlow.go
    owed: bool = field(default=False, kw_only=True)  # a failure to say with the next prompt
    name: ClassVar[str] = "state"
    # Recording, or waiting for an answer: a failure report cannot be said now (it would cut the
    # recording, or the wait would lose its answer); it is said with the next prompt (``owed``).
    busy: ClassVar[bool] = False

    @property
    def tag(self) -> str:
        return f"{self.name}-{self.serial}"

    @property
    def tags(self) -> tuple[str, ...]:
        """The tags of the prompts and timers this state listens to."""
        return (self.tag,)

    @property
    def label(self) -> str:
        """The state as the transition table shows it: its name and what changes its transitions."""
        return self.name

    def handle(self, flow: MailboxFlow, event: object) -> Transition:
        if isinstance(event, mb.ActionFailed):
            return self.failed(flow)
        return super().handle(flow, event)

    def failed(self, flow: MailboxFlow) -> Transition:
        """A change the flow did not wait for failed (a move, the temporary greeting off...)."""
        if self.busy:
            return replace(self, owed=True), []
        return apologize(flow.go(self.back(flow), [ev.StopPlayback()]))

    def back(self, flow: MailboxFlow) -> MailboxState:
        """Where a failure returns the caller: by default this state again, from its prompt."""
        return self


def apologize(transition: Transition) -> Transition:
    """"Désolé, une erreur est survenue." first: put in front of the next prompt, so the state
    still waits for the end of one prompt; with no prompt yet, owed to the state's next one."""
    state, actions = transition
    for i, action in enumerate(actions):
        if isinstance(action, ev.Play):
            if action.items[:len(APOLOGY)] == APOLOGY:  # once is enough, however many failures
                return transition
            return state, [*actions[:i], ev.Play(APOLOGY + action.items, action.tag), *actions[i + 1:]]
    if isinstance(state, MailboxState):
        return replace(state, owed=True), actions
    return state, actions  # the call is over: nobody to tell


@dataclass(frozen=True)
class Menu(MailboxState):
    """A prompt that lists the keys, then a wait for one key; said MENU_REPEATS times, then goodbye.

    ``keys()`` maps a key to what it does (a layout's table, ``tenants.voicemail.access.LAYOUTS``);
    ``choose`` returns where that leads. Any key stops the prompt; another key says so."""

    session: Session
    repeats: int = field(default=0, kw_only=True)
    before: tuple = field(default=(), kw_only=True)
    menu: ClassVar[str] = ""

    def keys(self) -> dict[str, str]:
        return access.layout(self.session.info.layout)[self.menu]

    def items(self) -> tuple:
        return menu_items(self.keys())

    def enter(self, flow: MailboxFlow) -> list:
        return [ev.Play(self.before + self.items(), self.tag)]

    def handle(self, flow: MailboxFlow, event: object) -> Transition:
        if isinstance(event, ev.Digit):
            return self.press(flow, event.key)
        if event == ev.PromptEnd(self.tag):
            return self, [ev.StartTimer(MENU_WAIT_SECONDS, self.tag)]
        if event == ev.Timeout(self.tag):
            return self.unanswered(flow)
        return super().handle(flow, event)

    def press(self, flow: MailboxFlow, key: str) -> Transition:
        what = self.keys().get(key)
        state, actions = self.invalid(flow) if what is None else self.choose(flow, what, key)
        return state, [ev.StopPlayback(), *actions]

    def choose(self, flow: MailboxFlow, what: str, key: str) -> Transition:
        raise NotImplementedError

    def invalid(self, flow: MailboxFlow) -> Transition:
        return flow.go(replace(self, before=INVALID))

    def unanswered(self, flow: MailboxFlow) -> Transition:
        if self.repeats + 1 >= MENU_REPEATS:
            return flow.go(Goodbye())
        return flow.go(replace(self, repeats=self.repeats + 1, before=()))

    def back(self, flow: MailboxFlow) -> MailboxState:
        return replace(self, repeats=0, before=())


@dataclass(frozen=True)
class Collect(MailboxState):
    """Digits ended by ``#`` (or a pause): a PIN, a mailbox number. ``*`` starts over."""

    before: tuple = field(default=(), kw_only=True)
    digits: str = field(default="", kw_only=True)
    prompt: ClassVar[tuple] = ()

    def enter(self, flow: MailboxFlow) -> list:
        return [ev.Play(self.before + self.prompt, self.tag)]

    def handle(self, flow: MailboxFlow, event: object) -> Transition:
        if isinstance(event, ev.Digit):
            if event.key == "#":
                return self.done(flow, self.digits)
            digits = "" if event.key == "*" else self.digits + event.key
            return replace(self, digits=digits), [ev.StopPlayback(), ev.StartTimer(DIGIT_WAIT_SECONDS, self.tag)]
        if event == ev.PromptEnd(self.tag):
            return self, [ev.StartTimer(DIGIT_WAIT_SECONDS if self.digits else MENU_WAIT_SECONDS, self.tag)]
        if event == ev.Timeout(self.tag):
            return self.done(flow, self.digits)
        return super().handle(flow, event)

    def done(self, flow: MailboxFlow, digits: str) -> Transition:
        raise NotImplementedError

    def back(self, flow: MailboxFlow) -> MailboxState:
        return replace(self, before=(), digits="")


@dataclass(frozen=True)
class Waiting(MailboxState):
    """Asks the domain (``request``, performed by the media app) and waits for its answer.

    The answer leads on (``answered``). No answer within ANSWER_WAIT_SECONDS, or ``ActionFailed``
    for the request: the apology, then ``back()``, the menu the caller was in."""

    answer: ClassVar[type[mb.Answer]] = mb.Answer
    busy: ClassVar[bool] = True

    @property
    def request(self) -> object:
        raise NotImplementedError

    def enter(self, flow: MailboxFlow) -> list:
        # The timer first: an answer may come back before the next action is performed.
        return [ev.StartTimer(ANSWER_WAIT_SECONDS, self.tag), self.request]

    def handle(self, flow: MailboxFlow, event: object) -> Transition:
        if isinstance(event, self.answer) and event.request == self.request:
            return self.answered(flow, event)
        if event == ev.Timeout(self.tag) or (isinstance(event, mb.ActionFailed) and event.request == self.request):
            return apologize(flow.go(self.back(flow)))
        return super().handle(flow, event)

    def answered(self, flow: MailboxFlow, event: Any) -> Transition:
        """``event`` is an ``answer`` to this state's request (each state names its own type)."""
        raise NotImplementedError


@dataclass(frozen=True)
class Goodbye(MailboxState):
    """"Au revoir", then the media app hangs up."""

    before: tuple = ()
    name = "goodbye"

    def enter(self, flow: MailboxFlow) -> list:
        return [ev.Play(self.before + ("goodbye",), self.tag)]

    def handle(self, flow: MailboxFlow, event: object) -> Transition:
        if event == ev.PromptEnd(self.tag):
            return Done(), [ev.Hangup()]
        return super().handle(flow, event)
