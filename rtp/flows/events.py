"""Events a flow receives and actions it returns (plain, comparable data)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Signal:
    """An event or an action that carries nothing: all of one kind are equal."""


@dataclass(frozen=True)
class Tagged:
    """About one prompt or one timer of a flow: its tag (states tell theirs from stale ones)."""

    tag: str


# ------------------------------------------------------------------ events
@dataclass(frozen=True)
class Digit:
    key: str


class PromptEnd(Tagged):
    """The prompt (or the playback) ``tag`` has played to its end."""


class Timeout(Tagged):
    """The timer ``tag`` ran out."""


class HangUp(Signal):
    """The caller hung up."""


@dataclass(frozen=True)
class Recorded:
    """The media app's verdict on the recording it just stopped (after rtp.dsp)."""

    speech_seconds: float  # what rtp.dsp kept
    recorded_seconds: float  # what the caller recorded
    has_speech: bool


@dataclass(frozen=True)
class TransferAccepted:
    """The caller's phone answered our REFER with a 2xx (RFC 3515: 202): it will try the target.

    Not the end yet: its NOTIFYs (or their absence) say whether the new call worked."""

    status: int = 202


@dataclass(frozen=True)
class TransferProgress:
    """A NOTIFY whose sipfrag is provisional (``SIP/2.0 100 Trying``, ``180 Ringing``): still trying."""

    status: int


@dataclass(frozen=True)
class TransferSucceeded:
    """A NOTIFY whose sipfrag is a 2xx: the caller now talks to the target, we may leave."""

    status: int = 200


class BridgeAnswered(Signal):
    """The bridge's other leg answered (2xx, ACKed): the two legs are relayed to each other."""


@dataclass(frozen=True)
class BridgeFailed:
    """The bridge's other leg did not answer: its final status (486, 480, 408...; 0: not sendable)."""

    status: int


class BridgeEnded(Signal):
    """The bridge's other leg hung up (BYE) after answering."""


@dataclass(frozen=True)
class TransferFailed:
    """The transfer did not happen: the REFER's final non-2xx (403, 405, 501...), its timeout
    (timer F: 408), an unsendable REFER (0), or a NOTIFY sipfrag final >= 300."""

    status: int


Event = (Digit | PromptEnd | Timeout | HangUp | Recorded | TransferAccepted | TransferProgress | TransferSucceeded
         | TransferFailed)


# ------------------------------------------------------------------ actions
@dataclass(frozen=True)
class File:
    """A recorded audio file (a greeting, a name), relative to $POSTE_DATA."""

    path: str


@dataclass(frozen=True)
class Play:
    items: tuple  # prompt segment keys (str) and File
    tag: str


class StopPlayback(Signal):
    """Drop what plays and what is queued (their ends are not reported)."""


@dataclass(frozen=True)
class StartRecording:
    max_seconds: int


class StopRecording(Signal):
    """Stop recording; the verdict comes back as ``Recorded``."""


class PlayRecording(Tagged):
    """Play back what was just recorded; its end comes back as ``PromptEnd(tag)``."""


@dataclass(frozen=True)
class StoreMessage:
    cut: bool


class DiscardRecording(Signal):
    """What was recorded is not kept."""


@dataclass(frozen=True)
class StartTimer:
    seconds: float
    tag: str


class Hangup(Signal):
    """End the call (BYE)."""


@dataclass(frozen=True)
class Transfer:
    target: str


@dataclass(frozen=True)
class Bridge:
    """Put the (answered) caller through to ``target`` with the media app in between: a new call
    through Kamailio to that extension (its routing plan), RTP relayed both ways. The outcome comes
    back as ``BridgeAnswered``, ``BridgeFailed``, then ``BridgeEnded`` (rtp/README.md "Transfers")."""

    target: str


class DropBridge(Signal):
    """End the bridge's other leg (CANCEL while it rings, BYE once answered); nothing comes back."""


@dataclass(frozen=True)
class EnterLogin:
    """Hand the call to the mailbox login (D2: ``*`` during a greeting)."""

    number: str
    domain: str


@dataclass(frozen=True)
class Speech:
    """A play item: ``text`` spoken by the prompt generator (a typed greeting, a name never recorded)."""

    text: str


@dataclass(frozen=True)
class Connect:
    """Put the caller through to ``targets`` (extensions of the call's tenant, rung at once), through
    the routing plan: each rings with its own rules (issue 16). ``via`` says what chose them."""

    targets: tuple[str, ...]
    via: str = "receptionist"


class AnswerCall(Signal):
    """Answer a call that has so far been early media (the mailbox menu is a service: answered)."""
