"""Pure rules of the mailbox by phone (D1-D9, D11): no database, no clock, no I/O.

- ``needs_pin``: skip-PIN applies only to one's own phone (D1), never to ``*98`` (D2).
- ``first_access_steps``: D3, the PIN change first, then the name, then the unavailable greeting.
- ``folder_for_key``, ``after_heard``, ``deleted``: folder moves (D6, seed 003's "2 Changer de dossier").
- ``temporary_off``: D8, the temporary greeting can be turned off only once an unavailable one exists.
- ``playback_parts``: D9, envelope and/or message.
- ``pin_entry``: issue 11, only a PIN actually typed is tried (and can count toward the lock).
- ``may_deliver``: D10/D11, where a forwarded or recorded message may go (not private, not to
  oneself, only to a mailbox of the same tenant).
- ``greeting_path``, ``replaced_greeting``: D8, a new file per greeting; the old one goes only
  when it is the tenant's own.
- ``time_zone``, ``local_time``: D9, a message's time in the tenant's zone (Paris when unknown).
- ``LAYOUTS``: the menu layouts, tables over the same states: ``asterisk`` (seed 003, the
  default) and ``ooma`` (seed 000: main menu 5, then 1 greeting, 2 name, 3 PIN).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tenants.voicemail import rules

# D6, in the order and with the keys of seed 003 ("0 Nouveaux messages" ... "4 Amis")
FOLDER_KEYS = {"0": "new", "1": "old", "2": "work", "3": "family", "4": "friends"}
FOLDER_NAMES_FR = {"new": "Nouveaux messages", "old": "Anciens messages", "work": "Travail", "family": "Famille",
                   "friends": "Amis"}

ENVELOPE_BOTH, ENVELOPE_ONLY, MESSAGE_ONLY = "both", "envelope", "message"
ENVELOPE_MODES = (ENVELOPE_BOTH, ENVELOPE_ONLY, MESSAGE_ONLY)

DEFAULT_LAYOUT = "asterisk"

# Menu -> key -> what it does. The flow (rtp/flows/mailbox.py) has one state per menu and reads
# these tables; a layout only changes which key does what, never the states.
LAYOUTS: dict[str, dict[str, dict[str, str]]] = {
    "asterisk": {  # seed 003, key for key
        "main": {"1": "listen", "2": "folders", "3": "advanced", "0": "options", "*": "help", "#": "exit"},
        "options": {"1": "record-unavailable", "2": "record-busy", "3": "record-name", "4": "temporary",
                    "5": "change-pin", "*": "back"},
        "advanced": {"5": "send", "*": "back"},
        "temporary": {"1": "record-temporary", "2": "temporary-off", "*": "back"},
        "message": {"4": "previous", "5": "repeat", "6": "next", "7": "delete", "8": "forward", "9": "save",
                    "*": "help", "#": "exit-listen"},
    },
    "ooma": {  # seed 000: "option 5 dans le menu principal", then 1 greeting, 2 name, 3 PIN
        "main": {"1": "listen", "2": "folders", "3": "advanced", "5": "options", "*": "help", "#": "exit"},
        "options": {"1": "record-unavailable", "2": "record-name", "3": "change-pin", "4": "temporary",
                    "*": "back"},
        "advanced": {"5": "send", "*": "back"},
        "temporary": {"1": "record-temporary", "2": "temporary-off", "*": "back"},
        "message": {"4": "previous", "5": "repeat", "6": "next", "7": "delete", "8": "forward", "9": "save",
                    "*": "help", "#": "exit-listen"},
    },
}


def layout(name: str | None) -> dict[str, dict[str, str]]:
    return LAYOUTS.get(name or DEFAULT_LAYOUT, LAYOUTS[DEFAULT_LAYOUT])


def needs_pin(own_phone: bool, skip_pin: bool) -> bool:
    """D1: skip-PIN spares the PIN from one's own phone only; D2 (``*98``, another phone) always asks."""
    return not (own_phone and skip_pin)


def first_access_steps(pin_must_change: bool, setup_done: bool, has_name: bool, has_unavailable: bool
                       ) -> tuple[str, ...]:
    """D3: what must be done before the main menu, in order: "pin", then "name", then "unavailable".

    A PIN set by an admin (or the emailed one) must always be changed first; the name and
    the unavailable greeting are asked until the first-access setup has been completed once.
    """
    steps: list[str] = []
    if pin_must_change:
        steps.append("pin")
    if not setup_done:
        if not has_name:
            steps.append("name")
        if not has_unavailable:
            steps.append("unavailable")
    return tuple(steps)


def folder_for_key(key: str) -> str | None:
    return FOLDER_KEYS.get(key)


def after_heard(folder: str) -> str:
    """A new message once heard is old (Asterisk: INBOX -> Old); other folders keep it."""
    return "old" if folder == "new" else folder


def move(current: str, key: str) -> str | None:
    """The folder "9 save" (or "2 change folder") moves a message to, or None for an invalid key / no change."""
    target = folder_for_key(key)
    if target is None or target == current:
        return None
    return target


def deleted(current: str) -> str:
    return "deleted"


GREETING_KINDS = ("unavailable", "busy", "name", "temporary")


@dataclass(frozen=True)
class Decision:
    ok: bool
    why: str = ""


def temporary_off(greetings: rules.Greetings) -> Decision:
    """D8 / seed 003 ``0,4,2``: refused while no unavailable greeting exists."""
    if not greetings.temporary_on:
        return Decision(True, "already_off")
    if not rules.can_turn_off_temporary(greetings):
        return Decision(False, "no_unavailable_greeting")
    return Decision(True, "off")


def greeting_recorded(kind: str, greetings: rules.Greetings, path: str) -> rules.Greetings:
    """The greetings once ``kind`` (unavailable, busy, name, temporary) is accepted: the temporary one is on
    as soon as it is recorded (seed 003: "activé, lorsqu'on enregistre un message")."""
    values: dict[str, Any] = {"unavailable": greetings.unavailable, "busy": greetings.busy, "name": greetings.name,
              "temporary": greetings.temporary, "temporary_on": greetings.temporary_on}
    if kind not in GREETING_KINDS:
        raise ValueError(f"unknown greeting {kind!r}")
    values[kind] = path
    if kind == "temporary":
        values["temporary_on"] = True
    return rules.Greetings(**values)


def playback_parts(mode: str) -> tuple[bool, bool]:
    """D9: (say the envelope, play the message) for the user's setting; unknown -> both."""
    if mode == ENVELOPE_ONLY:
        return True, False
    if mode == MESSAGE_ONLY:
        return False, True
    return True, True


TRY_PIN, ASK_AGAIN, GIVE_UP = "try", "ask-again", "give-up"


@dataclass(frozen=True)
class PinEntry:
    """What the answer to one PIN prompt leads to.

    ``action``: ``try`` the PIN (a wrong one counts toward the lock, D4), or nothing was typed:
    ``ask-again`` (say so and ask once more) or ``give-up`` (say so, goodbye). ``silent``: the
    prompts answered with nothing in a row, this one included (0 once something is typed).
    """

    action: str
    silent: int


def pin_entry(digits: str, silent_before: int, repeats: int) -> PinEntry:
    """Issue 11 / seed 002: the lock is about codes typed wrong, so a prompt answered with nothing
    (the timer ran out, or ``#`` alone) is never tried: it is said and asked again, and after
    ``repeats`` such prompts in a row the call ends, the failure count untouched. Any digit typed,
    even fewer than a PIN's, is a PIN entered and is tried."""
    if digits:
        return PinEntry(TRY_PIN, 0)
    silent = silent_before + 1
    return PinEntry(GIVE_UP if silent >= repeats else ASK_AGAIN, silent)


def valid_new_pin(pin: str) -> bool:
    """D4 by phone: digits only, at least 4 (the same rule as ``tenants.validation.check_pin``)."""
    from tenants.validation import check_pin

    return not check_pin(pin)


def may_deliver(own_number: str, to_number: str, recipient_found: bool, private: bool = False) -> Decision:
    """D10/D11: may a message (forwarded, or recorded to be sent) go to mailbox ``to_number``?

    ``recipient_found``: ``to_number`` is a mailbox of the sender's own tenant (a number of
    another tenant is no mailbox here). A private message stays with its recipient (D10), and
    nobody sends to their own mailbox."""
    if private:
        return Decision(False, "private")
    if to_number == own_number:
        return Decision(False, "self")
    if not recipient_found:
        return Decision(False, "no_mailbox")
    return Decision(True, "ok")


def greeting_path(domain: str, number: str, kind: str, token: str) -> str:
    """Where greeting ``kind`` is written, relative to $POSTE_DATA: a new file per recording
    (``token`` tells them apart), so the old one plays until the row points at the new one."""
    if kind not in GREETING_KINDS:
        raise ValueError(f"unknown greeting {kind!r}")
    return f"voicemail/{domain}/{number}/greeting-{kind}-{token}.wav"


def replaced_greeting(old: str | None, new: str, domain: str) -> str | None:
    """The file a new greeting leaves unused, to delete: only one under the tenant's own folder."""
    if old and old != new and old.startswith(f"voicemail/{domain}/"):
        return old
    return None


DEFAULT_TIME_ZONE = "Europe/Paris"  # the product's default (tenants.models.Tenant.timezone)


def time_zone(name: str | None) -> ZoneInfo:
    """The tenant's time zone; an unknown name (or none) is Paris, as the product's default."""
    try:
        return ZoneInfo(name or DEFAULT_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):  # not in the tz database, or not a zone name at all
        return ZoneInfo(DEFAULT_TIME_ZONE)


def local_time(received_utc: dt.datetime, zone_name: str | None) -> dt.datetime:
    """D9: when a message came, as its owner hears it: naive UTC (as stored) to naive local time."""
    return received_utc.replace(tzinfo=dt.UTC).astimezone(time_zone(zone_name)).replace(tzinfo=None)
