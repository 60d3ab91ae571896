"""Pure rules for voicemail PIN attempts (D4, seed 002): three wrong in a row lock."""
from __future__ import annotations

from dataclasses import dataclass

MAX_FAILED_ATTEMPTS = 3


@dataclass(frozen=True)
class PinState:
    failed_attempts: int
    locked: bool


def may_try_pin(state: PinState) -> bool:
    """A locked mailbox refuses every PIN until an admin unlocks it."""
    return not state.locked


def after_attempt(state: PinState, correct: bool) -> PinState:
    """The state after one PIN attempt: a good PIN resets the count, the third bad one locks."""
    if state.locked:
        return state
    if correct:
        return PinState(failed_attempts=0, locked=False)
    failed = state.failed_attempts + 1
    return PinState(failed_attempts=failed, locked=failed >= MAX_FAILED_ATTEMPTS)


def unlocked() -> PinState:
    return PinState(failed_attempts=0, locked=False)
