"""The caller's side of voicemail (leaving a message) as a state machine.

    Greeting --PromptEnd--> Beep --PromptEnd--> Recording --#/max/hang-up--> Checking
    Checking --Recorded(kept)--> Review (1 accept, 2 listen, 3 record again, 0 reception)
    Checking --Recorded(too short / no speech)--> Beep again (or the end after a hang-up)
    Review --0--> Transferring (message stored) --PromptEnd--> AwaitingTransfer (REFER sent),
        or Bridging when the caller's side does not take REFER (its INVITE's Allow)
    AwaitingTransfer --TransferSucceeded / no NOTIFY after the 202 / HangUp--> the end
    AwaitingTransfer --REFER refused (403, 405, 420, 489, 501)--> Bridging
    AwaitingTransfer --TransferFailed (other REFER >= 300, timer F, NOTIFY sipfrag >= 300)-->
        "reception unreachable", Review again (the message stays stored once: 1 ends, 2 listens)
    Bridging (a new call to the reception, rtp/README.md "Transfers") --BridgeAnswered--> Bridged
    Bridging --BridgeFailed / no answer in BRIDGE_RING_SECONDS--> "reception unreachable", Review
    Bridged --HangUp (DropBridge) / BridgeEnded (Hangup)--> the end
    Greeting/Full --*--> Login (EnterLogin: the media app starts rtp.flows.mailbox on this mailbox, PIN always)
    Full: "mailbox full", goodbye, nothing recorded (D12)

``VoicemailFlow.start()`` returns the first actions; ``handle(event)`` the next ones.
"""
from __future__ import annotations

from dataclasses import dataclass

from rtp.flows.events import (
    Bridge,
    BridgeAnswered,
    BridgeEnded,
    BridgeFailed,
    Digit,
    DiscardRecording,
    DropBridge,
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
    TransferAccepted,
    TransferFailed,
    TransferProgress,
    TransferSucceeded,
)
from rtp.flows.machine import Done, FlowMachine, FlowState
from rtp.prompts import phrases
from tenants.voicemail.rules import GreetingChoice, judge_length

MENU_WAIT_SECONDS = 8.0
MENU_REPEATS = 3
# After the 202, how long to wait for a first NOTIFY: phones that never send one (they just
# place the new call and BYE us) are left as before, by hanging up.
TRANSFER_NOTIFY_SECONDS = 5.0
# Once a NOTIFY says "trying/ringing", how long the reception may ring before we take the
# caller back to the menu (about a ringing timeout plus the phone's own delays).
TRANSFER_RING_SECONDS = 60.0
# The answer to a REFER that means "not this way" (the method or its event refused, not the
# reception unreachable): the media app bridges the caller itself instead.
REFER_REFUSALS = frozenset({403, 405, 420, 489, 501})
# How long the bridge's call to the reception may go unanswered (its plan rings, then maybe
# its voicemail answers) before the caller is told and gets the menu back.
BRIDGE_RING_SECONDS = 90.0


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
    refer: bool = True  # the caller's side takes REFER (its INVITE's Allow lists it): tried first


State = FlowState  # the base of this flow's states


def _greeting_items(ctx: FlowContext) -> tuple:
    g = ctx.greeting
    if g.path is not None and g.kind in ("temporary", "busy", "unavailable"):
        return (File(g.path),)  # a recorded greeting says everything itself
    if g.kind == "system":  # E8: the plain system greeting identifies nobody
        return ("party-busy" if g.busy else "party-unavailable", "leave-message")
    who = (File(g.path),) if g.path is not None and g.kind == "system_name" else tuple(
        phrases.extension_number(ctx.number))
    return ("your-party",) + who + ("is-busy" if g.busy else "is-unavailable", "leave-message")


class Announcing(State):
    """What the caller hears first (the greeting, or "mailbox full"): ``*`` leads to the mailbox login (D2)."""

    def handle(self, flow, event):
        if isinstance(event, Digit) and event.key == "*":
            return flow.go(Login(), [StopPlayback()])
        return super().handle(flow, event)


class Greeting(Announcing):
    name = "greeting"

    def enter(self, flow):
        return [Play(_greeting_items(flow.ctx), "greeting")]

    def handle(self, flow, event):
        if isinstance(event, Digit) and event.key == "#":  # skip the greeting
            return flow.go(Beep(), [StopPlayback()])
        if event == PromptEnd("greeting"):
            return flow.go(Beep())
        return super().handle(flow, event)


class Full(Announcing):
    name = "full"

    def enter(self, flow):
        return [Play(("mailbox-full", "goodbye"), "full")]

    def handle(self, flow, event):
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
        # Once stored (a transfer that failed), "record again" is gone: a second recording would be
        # a second message, and the first one is already in the mailbox.
        menu = "review-menu-stored" if flow.stored else "review-menu"
        items = (menu,) + (("review-reception",) if flow.ctx.reception else ())
        return [Play(items, "menu")]

    def handle(self, flow, event):
        if isinstance(event, Digit):
            return self.choose(flow, event.key)
        if event == PromptEnd("menu"):
            return self, [StartTimer(MENU_WAIT_SECONDS, f"menu-{self.repeats}")]
        if event == Timeout(f"menu-{self.repeats}"):
            if self.repeats + 1 >= MENU_REPEATS:  # nobody answers the menu: keep the message
                return Goodbye(), flow.store() + [Play(("message-saved", "goodbye"), "bye")]
            return flow.go(Review(self.repeats + 1))
        if isinstance(event, HangUp):
            return Done(), flow.store()
        return self, []

    def choose(self, flow, key):
        if key == "1":
            return Goodbye(), [StopPlayback(), *flow.store(), Play(("message-saved", "goodbye"), "bye")]
        if key == "2":
            return Listening(), [StopPlayback(), PlayRecording("listen")]
        if key == "3" and not flow.stored:
            flow.cut = False
            return flow.go(Beep(), [StopPlayback(), DiscardRecording()])
        if key == "0" and flow.ctx.reception:
            return Transferring(), [StopPlayback(), *flow.store(), Play(("transfer-reception",), "transfer")]
        return flow.go(Review(self.repeats), [StopPlayback(), Play(("invalid-choice",), "invalid")])


class Listening(State):
    name = "listening"

    def handle(self, flow, event):
        if event == PromptEnd("listen"):
            return flow.go(Review())
        if isinstance(event, Digit):
            return Review().choose(flow, event.key)
        if isinstance(event, HangUp):
            return Done(), flow.store()
        return self, []


class Goodbye(State):
    name = "goodbye"

    def handle(self, flow, event):
        if event == PromptEnd("bye"):
            return Done(), [Hangup()]
        return super().handle(flow, event)


class Transferring(State):
    """D7, 0: "transferring you", then the REFER."""

    name = "transferring"

    def handle(self, flow, event):
        if event == PromptEnd("transfer"):
            if not flow.ctx.refer:
                return flow.go(Bridging())
            return AwaitingTransfer(), [Transfer(flow.ctx.reception)]
        return super().handle(flow, event)


class AwaitingTransfer(State):
    """The REFER is out (RFC 3515): the caller stays on the line until we know the outcome.

    A failure must not cut the caller off (the reception may be unregistered, or the phone
    may refuse REFER): they hear why and get the menu back. Success, or a phone that accepts
    the REFER and never reports, ends the call as before."""

    name = "awaiting-transfer"

    def __init__(self):
        self.notified = False
        self.accepted = False  # a 2xx came: a TransferFailed now is a NOTIFY's, about the reception

    def handle(self, flow, event):
        if isinstance(event, TransferAccepted):
            self.accepted = True
            # A NOTIFY may overtake the 202 (UDP, proxies): then the longer wait already runs.
            return self, [] if self.notified else [StartTimer(TRANSFER_NOTIFY_SECONDS, "transfer")]
        if isinstance(event, TransferProgress):  # the same tag: replaces the shorter wait
            self.notified = self.accepted = True
            return self, [StartTimer(TRANSFER_RING_SECONDS, "transfer")]
        if isinstance(event, TransferSucceeded) or event == Timeout("transfer"):
            return Done(), [Hangup()]
        if isinstance(event, TransferFailed):
            if event.status in REFER_REFUSALS and not self.accepted:  # the REFER's own answer
                return flow.go(Bridging())
            return TransferFailedNotice(), [Play(("reception-unreachable",), "transfer-failed")]
        return super().handle(flow, event)


class Bridging(State):
    """The media app calls the reception itself (its routing plan rings it) and will relay the two
    legs: the caller's side refused REFER, or never offered it. The caller stays on the line."""

    name = "bridging"

    def enter(self, flow):
        return [Bridge(flow.ctx.reception), StartTimer(BRIDGE_RING_SECONDS, "bridge")]

    def handle(self, flow, event):
        if isinstance(event, BridgeAnswered):
            return Bridged(), []
        if isinstance(event, BridgeFailed):
            return TransferFailedNotice(), [Play(("reception-unreachable",), "transfer-failed")]
        if event == Timeout("bridge"):
            return TransferFailedNotice(), [DropBridge(), Play(("reception-unreachable",), "transfer-failed")]
        if isinstance(event, HangUp):
            return Done(), [DropBridge()]
        return super().handle(flow, event)


class Bridged(State):
    """The caller and the reception talk through the media app's relay until one hangs up."""

    name = "bridged"

    def handle(self, flow, event):
        if isinstance(event, HangUp):
            return Done(), [DropBridge()]
        if isinstance(event, BridgeEnded):
            return Done(), [Hangup()]
        return self, []  # keys go to the reception with the audio; the ring timer is over


class TransferFailedNotice(State):
    """"The reception cannot be reached", then the after-recording menu again."""

    name = "transfer-failed"

    def handle(self, flow, event):
        if event == PromptEnd("transfer-failed"):
            return flow.go(Review())
        if isinstance(event, Digit):  # no need to hear the notice out to choose
            return Review().choose(flow, event.key)
        return super().handle(flow, event)


class Login(State):
    """D2: ``*`` during the greeting: the call goes to this mailbox's login (rtp.flows.mailbox, via EnterLogin)."""

    name = "login"

    def enter(self, flow):
        return [EnterLogin(flow.ctx.number, flow.ctx.domain)]


class VoicemailFlow(FlowMachine):
    def __init__(self, ctx: FlowContext):
        self.ctx = ctx
        self.state: State = Done()
        self.cut = False
        self.stored = False  # StoreMessage was issued: never again for this call (D7, a failed transfer)

    def store(self) -> list:
        """``[StoreMessage]`` the first time, ``[]`` after: a message is kept once."""
        if self.stored:
            return []
        self.stored = True
        return [StoreMessage(self.cut)]

    def start(self) -> list:
        self.state, actions = self.go(Full() if self.ctx.full else Greeting())
        return actions

