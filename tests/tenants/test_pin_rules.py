"""D4: three wrong PINs in a row lock the mailbox; a good PIN resets the count."""
from tenants.pin_rules import PinState, after_attempt, may_try_pin, unlocked


def run(events, state=None):
    state = state or unlocked()
    for correct in events:
        state = after_attempt(state, correct)
    return state


def test_three_wrong_pins_lock():
    assert run([False, False]) == PinState(2, False)
    assert run([False, False, False]) == PinState(3, True)


def test_a_good_pin_resets_the_count():
    assert run([False, False, True, False, False]) == PinState(2, False)


def test_a_locked_mailbox_refuses_even_the_right_pin():
    locked = run([False, False, False])
    assert not may_try_pin(locked)
    assert after_attempt(locked, True) == locked


def test_unlock_starts_over():
    assert may_try_pin(unlocked()) and unlocked() == PinState(0, False)
