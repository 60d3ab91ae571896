"""Pure voicemail decisions over plain data (no database, no clock, no I/O)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

NOANSWER, BUSY, UNAVAILABLE, DND = "noanswer", "busy", "unavailable", "dnd"
REASONS = (NOANSWER, BUSY, UNAVAILABLE, DND)
WARN_RATIO = 0.9  # D12: users are warned before the mailbox is full


@dataclass(frozen=True)
class Greetings:
    """What a mailbox has recorded (paths, or None) and whether the temporary one is on."""

    unavailable: str | None = None
    busy: str | None = None
    name: str | None = None
    temporary: str | None = None
    temporary_on: bool = False
    # E8: the greeting the owner chose in the portal ("" none: as recorded); see choose_greeting
    choice: str = ""


@dataclass(frozen=True)
class GreetingChoice:
    """``kind``: temporary, busy, unavailable (recorded files) or system, system_name, system_number.

    ``path`` is the recording to play (the name for system_name); ``busy`` tells
    the system greeting to say "is busy" rather than "is not available".
    """

    kind: str
    path: str | None
    busy: bool = False


def choose_greeting(greetings: Greetings, reason: str) -> GreetingChoice:
    """D8: the temporary greeting when on; then the system one the owner chose (E8), else busy or
    unavailable for the reason, else the system one with the name, else with the number."""
    busy = reason == BUSY
    if greetings.temporary_on and greetings.temporary:
        return GreetingChoice("temporary", greetings.temporary, busy)
    # E8 / seed 001: a system greeting chosen in the portal plays even when one's own is recorded
    if greetings.choice == "system":
        return GreetingChoice("system", None, busy)
    if greetings.choice == "system_number":
        return GreetingChoice("system_number", None, busy)
    if greetings.choice == "system_name" and greetings.name:
        return GreetingChoice("system_name", greetings.name, busy)
    if busy and greetings.busy:
        return GreetingChoice("busy", greetings.busy, True)
    if not busy and greetings.unavailable:
        return GreetingChoice("unavailable", greetings.unavailable, False)
    if greetings.name:
        return GreetingChoice("system_name", greetings.name, busy)
    return GreetingChoice("system_number", None, busy)


def can_turn_off_temporary(greetings: Greetings) -> bool:
    """D8: the temporary greeting can be turned off only once an unavailable greeting exists."""
    return greetings.unavailable is not None


OK, NEARLY_FULL, FULL = "ok", "nearly_full", "full"  # capacity levels, lowest first
LEVELS = (OK, NEARLY_FULL, FULL)


def warn_threshold(limit: int) -> int:
    """D12: the message count from which the owner is warned (WARN_RATIO of the limit, rounded up).

    Integer arithmetic, so 90 % of 100 is exactly 90 (not 90.00000000000001). For small
    limits the threshold can reach the limit itself: then only "full" is ever said.
    """
    return max(1, -(-limit * round(WARN_RATIO * 100) // 100))


@dataclass(frozen=True)
class Capacity:
    """How many messages a mailbox holds (Deleted excluded) against its limit (D12)."""

    count: int
    limit: int

    @property
    def full(self) -> bool:
        return self.count >= self.limit

    @property
    def nearly_full(self) -> bool:
        return not self.full and self.count >= warn_threshold(self.limit)

    @property
    def level(self) -> str:
        """``full``, ``nearly_full`` or ``ok``."""
        return FULL if self.full else NEARLY_FULL if self.nearly_full else OK

    def plus(self, added: int = 1) -> Capacity:
        return Capacity(self.count + added, self.limit)


def capacity(folders: Iterable[str], limit: int) -> Capacity:
    """D12: every message not in Deleted counts against the limit."""
    return Capacity(sum(1 for f in folders if f != "deleted"), limit)


def owner_warning(cap: Capacity) -> str | None:
    """D12: what the owner is told on opening the mailbox: ``nearly_full``, ``full``, or nothing."""
    return None if cap.level == OK else cap.level


def warning_to_send(before: Capacity, after: Capacity) -> str | None:
    """D12: the level the mailbox has just risen to (``nearly_full`` or ``full``), else None.

    One warning per crossing: a message that keeps the mailbox at the level it was
    already at warns nobody; once messages are deleted below the threshold, the next
    crossing warns again.
    """
    if LEVELS.index(after.level) > LEVELS.index(before.level):
        return after.level
    return None


@dataclass(frozen=True)
class LengthVerdict:
    keep: bool
    cut: bool
    why: str  # "ok", "too_short", "no_speech", "cut"


def judge_length(speech_seconds: float, recorded_seconds: float, min_seconds: float, max_seconds: float,
                 has_speech: bool) -> LengthVerdict:
    """Is a recording a message? ``speech_seconds`` is what rtp.dsp kept after trimming."""
    if not has_speech:
        return LengthVerdict(False, False, "no_speech")
    if speech_seconds < min_seconds:
        return LengthVerdict(False, False, "too_short")
    if recorded_seconds >= max_seconds:
        return LengthVerdict(True, True, "cut")
    return LengthVerdict(True, False, "ok")


@dataclass(frozen=True)
class MwiCounts:
    new: int
    old: int

    @property
    def waiting(self) -> bool:
        return self.new > 0


def mwi_counts(folders: Iterable[str]) -> MwiCounts:
    """F1: new = in the New folder; old = in any other folder but Deleted."""
    new = old = 0
    for folder in folders:
        if folder == "new":
            new += 1
        elif folder != "deleted":
            old += 1
    return MwiCounts(new, old)


def parse_mailbox_target(mailbox_header: str | None, ruri_user: str | None, ruri_host: str | None
                         ) -> tuple[str, str] | None:
    """(extension, domain) of the routing contract: ``X-Poste-Mailbox: 2001@acme.pbx.example``,
    else Request-URI ``sip:vm-2001@acme.pbx.example``."""
    if mailbox_header:
        ext, sep, domain = mailbox_header.strip().strip("<>").removeprefix("sip:").partition("@")
        if sep and ext.isdigit() and domain:
            return ext, domain.lower()
        return None
    user = ruri_user or ""
    if user.startswith("vm-") and user[3:].isdigit() and ruri_host:
        return user[3:], ruri_host.lower()
    return None


def normalize_reason(value: str | None) -> str:
    value = (value or "").strip().lower()
    return value if value in REASONS else UNAVAILABLE
