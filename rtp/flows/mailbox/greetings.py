"""Recording a greeting (D7, D8), a name, or a message to send (D11), seed 003:

    record-greeting --prompt-end / #--> greeting-recording --# / max--> greeting-checking
    greeting-checking --Recorded(speech)--> greeting-review     (silence or too short: record-greeting again)
    greeting-review  --1--> then.accepted (saving-greeting, or sending-recording for a message)
                     --2--> greeting-listening --prompt-end--> greeting-review
                     --3--> record-greeting (the take is discarded)
    saving-greeting  --GreetingSaved--> then.resume ("accepted"); failure: then.back

Who asked for the recording decides where it goes after (``then``: the options menu, the
next first-access step, the message's recipient).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from rtp.flows import events as ev
from rtp.flows.machine import Done
from rtp.flows.mailbox import events as mb
from rtp.flows.mailbox.base import (
    GREETING_MAX_SECONDS,
    GREETING_MIN_SECONDS,
    INVALID,
    MENU_REPEATS,
    Goodbye,
    MailboxState,
    Menu,
    Session,
    Then,
    Transition,
    Waiting,
)
from tenants.voicemail import access

if TYPE_CHECKING:
    from rtp.flows.mailbox.flow import MailboxFlow


@dataclass(frozen=True)
class _Recording(MailboxState):
    """What the recording states share: the session, the kind recorded and where it goes after."""

    session: Session
    kind: str  # unavailable, busy, name, temporary; or message (D11)
    then: Then

    @property
    def label(self) -> str:
        return f"{self.name}({self.kind}; {self.then.label})"

    def again(self, before: tuple = ()) -> RecordGreeting:
        return RecordGreeting(self.session, self.kind, self.then, before=before)


@dataclass(frozen=True)
class RecordGreeting(_Recording):
    """"Enregistrez votre ... après le bip", the beep; ``#`` skips to the recording."""

    before: tuple = ()
    name = "record-greeting"

    def enter(self, flow: MailboxFlow) -> list:
        return [ev.Play(self.before + (f"record-{self.kind}", "beep"), self.tag)]

    def handle(self, flow: MailboxFlow, event: object) -> Transition:
        recording = GreetingRecording(self.session, self.kind, self.then)
        if event == ev.PromptEnd(self.tag):
            return flow.go(recording)
        if isinstance(event, ev.Digit) and event.key == "#":
            return flow.go(recording, [ev.StopPlayback()])
        return super().handle(flow, event)

    def back(self, flow: MailboxFlow) -> MailboxState:
        return replace(self, before=())


@dataclass(frozen=True)
class GreetingRecording(_Recording):
    """Recording, until ``#`` or GREETING_MAX_SECONDS."""
    name = "greeting-recording"
    busy = True

    def enter(self, flow: MailboxFlow) -> list:
        return [ev.StartRecording(GREETING_MAX_SECONDS), ev.StartTimer(GREETING_MAX_SECONDS, self.tag)]

    def handle(self, flow: MailboxFlow, event: object) -> Transition:
        checking = GreetingChecking(self.session, self.kind, self.then)
        if (isinstance(event, ev.Digit) and event.key == "#") or event == ev.Timeout(self.tag):
            return flow.go(checking, [ev.StopRecording()])
        if isinstance(event, ev.HangUp):  # a greeting is kept only once accepted
            return flow.go(replace(checking, hung_up=True), [ev.StopRecording()])
        return super().handle(flow, event)


@dataclass(frozen=True)
class GreetingChecking(_Recording):
    """Waiting for the media app's verdict (``Recorded``) on the take.

    No timer here: the media app always answers, even when the analysis raises (then it
    answers "no speech"), and a timer could only let a late verdict land on the next take."""
    hung_up: bool = False
    name = "greeting-checking"
    busy = True

    @property
    def label(self) -> str:
        return super().label[:-1] + "; hung up)" if self.hung_up else super().label

    def handle(self, flow: MailboxFlow, event: object) -> Transition:
        if isinstance(event, ev.Recorded) and self.hung_up:
            return Done(), [ev.DiscardRecording()]
        if isinstance(event, ev.Recorded):
            if not event.has_speech or event.speech_seconds < GREETING_MIN_SECONDS:
                return flow.go(self.again(("too-short",)), [ev.DiscardRecording()])
            return flow.go(GreetingReview(self.session, self.kind, self.then))
        if isinstance(event, ev.HangUp):
            return replace(self, hung_up=True), []
        return super().handle(flow, event)


@dataclass(frozen=True)
class GreetingReview(Menu, _Recording):
    """Seed 003, after a recording: 1 accept, 2 listen, 3 record again."""
    name = "greeting-review"

    def keys(self) -> dict[str, str]:
        return {"1": "accept", "2": "listen", "3": "record-again"}

    def items(self) -> tuple:
        return ("review-menu",)  # one prompt says the three keys

    def choose(self, flow: MailboxFlow, what: str, key: str) -> Transition:
        if what == "accept":
            return self.then.accepted(flow, self.session, self.kind)
        if what == "listen":
            return flow.go(GreetingListening(self.session, self.kind, self.then, repeats=self.repeats))
        return flow.go(self.again(), [ev.DiscardRecording()])

    def handle(self, flow: MailboxFlow, event: object) -> Transition:
        if isinstance(event, ev.HangUp):
            return Done(), [ev.DiscardRecording()]
        return super().handle(flow, event)

    def unanswered(self, flow: MailboxFlow) -> Transition:
        if self.repeats + 1 >= MENU_REPEATS:
            return flow.go(Goodbye(), [ev.DiscardRecording()])
        return super().unanswered(flow)


@dataclass(frozen=True)
class GreetingListening(GreetingReview):
    """2: the take plays back; its keys are the review's, and its end says the review again."""

    name = "greeting-listening"

    def enter(self, flow: MailboxFlow) -> list:
        return [ev.PlayRecording(self.tag)]

    def handle(self, flow: MailboxFlow, event: object) -> Transition:
        if event == ev.PromptEnd(self.tag):
            return flow.go(GreetingReview(self.session, self.kind, self.then, repeats=self.repeats))
        return super().handle(flow, event)

    def invalid(self, flow: MailboxFlow) -> Transition:
        return flow.go(GreetingReview(self.session, self.kind, self.then, repeats=self.repeats, before=INVALID))

    def back(self, flow: MailboxFlow) -> MailboxState:
        return GreetingReview(self.session, self.kind, self.then)


@dataclass(frozen=True)
class SavingGreeting(Waiting, _Recording):
    """1: the take becomes the mailbox's greeting ``kind`` (the media app writes it and the row)."""

    name = "saving-greeting"
    answer = mb.GreetingSaved

    @property
    def request(self) -> mb.SaveGreeting:
        return mb.SaveGreeting(self.session.mailbox_id, self.kind)

    def answered(self, flow: MailboxFlow, event: mb.GreetingSaved) -> Transition:
        if event.path is None:
            return self.then.resume(flow, self.session, INVALID)
        greetings = access.greeting_recorded(self.kind, self.session.info.greetings, event.path)
        return self.then.resume(flow, self.session.with_info(greetings=greetings), ("greeting-saved",))

    def back(self, flow: MailboxFlow) -> MailboxState:
        return self.then.back(flow, self.session)


@dataclass(frozen=True)
class KeepGreeting:
    """A ``then`` whose accepted recording is kept as a greeting (the options, the first access)."""

    @property
    def label(self) -> str:
        raise NotImplementedError

    def accepted(self, flow: MailboxFlow, session: Session, kind: str) -> Transition:
        return flow.go(SavingGreeting(session, kind, self))

    def resume(self, flow: MailboxFlow, session: Session, before: tuple) -> Transition:
        raise NotImplementedError

    def back(self, flow: MailboxFlow, session: Session) -> MailboxState:
        raise NotImplementedError
