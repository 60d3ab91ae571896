"""The caller's side of voicemail (leaving a message) as a state machine.

    Greeting --PromptEnd--> Beep --PromptEnd--> Recording --#/max/hang-up--> Checking
    Checking --Recorded(kept)--> Review (1 accept, 2 listen, 3 record again, 0 reception)
    Checking --Recorded(too short / no speech)--> Beep again (or the end after a hang-up)
    Greeting/Full --*--> Login (the mailbox login of the next issue)
    Full: "mailbox full", goodbye, nothing recorded (D12)

``VoicemailFlow.start()`` returns the first actions; ``handle(event)`` the next ones.
"""
from __future__ import annotations

from dataclasses import dataclass

from rtp.flows.events import (
    Digit,
    DiscardRecording,
    EnterLogin,
    File,
    HangUp,
    Hangup,
    Play,
    PlayRecording,
    PromptEnd,
    Recorded,
    StartRecording,
    StartTimer,
    StopPlayback,
    StopRecording,
    StoreMessage,
    Timeout,
    Transfer,
)
from rtp.flows.machine import Done, FlowMachine, FlowState
from rtp.prompts import phrases
from tenants.voicemail.rules import GreetingChoice, judge_length

MENU_WAIT_SECONDS = 8.0
MENU_REPEATS = 3


@dataclass(frozen=True)
class FlowContext:
    number: str
    domain: str
    greeting: GreetingChoice
    full: bool = False
    min_seconds: float = 1.0
    max_seconds: float = 180.0
    reception: str | None = None
    language: str = "fr"


State = FlowState  # the base of this flow's states


def _greeting_items(ctx: FlowContext) -> tuple:
    g = ctx.greeting
    if g.kind in ("temporary", "busy", "unavailable"):
        return (File(g.path),)  # a recorded greeting says everything itself
    who = (File(g.path),) if g.kind == "system_name" else tuple(phrases.extension_number(ctx.number))
    return ("your-party",) + who + ("is-busy" if g.busy else "is-unavailable", "leave-message")


class Greeting(State):
    name = "greeting"

    def enter(self, flow):
        return [Play(_greeting_items(flow.ctx), "greeting")]

    def handle(self, flow, event):
        if isinstance(event, Digit) and event.key == "*":
            return flow.go(Login(), [StopPlayback()])
        if isinstance(event, Digit) and event.key == "#":  # skip the greeting
            return flow.go(Beep(), [StopPlayback()])
        if event == PromptEnd("greeting"):
            return flow.go(Beep())
        return super().handle(flow, event)


class Full(State):
    name = "full"

    def enter(self, flow):
        return [Play(("mailbox-full", "goodbye"), "full")]

    def handle(self, flow, event):
        if isinstance(event, Digit) and event.key == "*":
            return flow.go(Login(), [StopPlayback()])
        if event == PromptEnd("full"):
            return Done(), [Hangup()]
        return super().handle(flow, event)


class Beep(State):
    name = "beep"

    def enter(self, flow):
        return [Play(("beep",), "beep")]

    def handle(self, flow, event):
        if event == PromptEnd("beep"):
            return flow.go(Recording())
        return super().handle(flow, event)


class Recording(State):
    name = "recording"

    def enter(self, flow):
        return [StartRecording(int(flow.ctx.max_seconds)), StartTimer(flow.ctx.max_seconds, "max")]

    def handle(self, flow, event):
        if isinstance(event, Digit) and event.key == "#":
            return Checking("key"), [StopRecording()]
        if event == Timeout("max"):
            return Checking("max"), [StopRecording()]
        if isinstance(event, HangUp):
            return Checking("hangup"), [StopRecording()]
        return self, []


class Checking(State):
    """Waiting for the media app's verdict (``Recorded``) on what was just recorded."""

    name = "checking"

    def __init__(self, via: str):
        self.via = via

    def handle(self, flow, event):
        if isinstance(event, HangUp):
            self.via = "hangup"
            return self, []
        if not isinstance(event, Recorded):
            return self, []
        verdict = judge_length(event.speech_seconds, event.recorded_seconds, flow.ctx.min_seconds,
                               flow.ctx.max_seconds, event.has_speech)
        cut = self.via == "max" or verdict.cut
        if self.via == "hangup":
            return Done(), [StoreMessage(cut) if verdict.keep else DiscardRecording()]
        if not verdict.keep:
            return flow.go(Beep(), [DiscardRecording(), Play(("too-short",), "too-short-warning")])
        flow.cut = cut
        if cut:
            return flow.go(Review(), [Play(("too-long",), "too-long-warning")])
        return flow.go(Review())


class Review(State):
    """D7, after recording: 1 accept, 2 listen, 3 record again, 0 reception (when the tenant has one)."""

    name = "review"

    def __init__(self, repeats: int = 0):
        self.repeats = repeats

    def enter(self, flow):
        items = ("review-menu",) + (("review-reception",) if flow.ctx.reception else ())
        return [Play(items, "menu")]

    def handle(self, flow, event):
        if isinstance(event, Digit):
            return self.choose(flow, event.key)
        if event == PromptEnd("menu"):
            return self, [StartTimer(MENU_WAIT_SECONDS, f"menu-{self.repeats}")]
        if event == Timeout(f"menu-{self.repeats}"):
            if self.repeats + 1 >= MENU_REPEATS:  # nobody answers the menu: keep the message
                return Goodbye(), [StoreMessage(flow.cut), Play(("message-saved", "goodbye"), "bye")]
            return flow.go(Review(self.repeats + 1))
        if isinstance(event, HangUp):
            return Done(), [StoreMessage(flow.cut)]
        return self, []

    def choose(self, flow, key):
        if key == "1":
            return Goodbye(), [StopPlayback(), StoreMessage(flow.cut), Play(("message-saved", "goodbye"), "bye")]
        if key == "2":
            return Listening(), [StopPlayback(), PlayRecording("listen")]
        if key == "3":
            flow.cut = False
            return flow.go(Beep(), [StopPlayback(), DiscardRecording()])
        if key == "0" and flow.ctx.reception:
            return Transferring(), [StopPlayback(), StoreMessage(flow.cut), Play(("transfer-reception",), "transfer")]
        return flow.go(Review(self.repeats), [StopPlayback(), Play(("invalid-choice",), "invalid")])


class Listening(State):
    name = "listening"

    def handle(self, flow, event):
        if event == PromptEnd("listen"):
            return flow.go(Review())
        if isinstance(event, Digit):
            return Review().choose(flow, event.key)
        if isinstance(event, HangUp):
            return Done(), [StoreMessage(flow.cut)]
        return self, []


class Goodbye(State):
    name = "goodbye"

    def handle(self, flow, event):
        if event == PromptEnd("bye"):
            return Done(), [Hangup()]
        return super().handle(flow, event)


class Transferring(State):
    name = "transferring"

    def handle(self, flow, event):
        if event == PromptEnd("transfer"):
            return Done(), [Transfer(flow.ctx.reception)]
        return super().handle(flow, event)


class Login(State):
    """D2: ``*`` during the greeting. The mailbox login menus are the next issue's; they extend this state."""

    name = "login"

    def enter(self, flow):
        return [EnterLogin(flow.ctx.number, flow.ctx.domain)]


class VoicemailFlow(FlowMachine):
    def __init__(self, ctx: FlowContext):
        self.ctx = ctx
        self.state: State = Done()
        self.cut = False

    def start(self) -> list:
        self.state, actions = self.go(Full() if self.ctx.full else Greeting())
        return actions

    def start_login(self) -> list:
        """Mailbox access (X-Poste-Service: access, D1/D2): no greeting, straight to the login."""
        self.state, actions = self.go(Login())
        return actions

