"""Pure rules of the mailbox by phone (tenants/voicemail/access.py)."""
from __future__ import annotations

import datetime as dt

import pytest

from tenants.voicemail import access
from tenants.voicemail.rules import Greetings


def test_first_access_order_pin_name_greeting():
    assert access.first_access_steps(True, False, False, False) == ("pin", "name", "unavailable")
    assert access.first_access_steps(True, False, True, False) == ("pin", "unavailable")
    assert access.first_access_steps(False, False, False, True) == ("name",)
    assert access.first_access_steps(True, True, False, False) == ("pin",)  # a PIN reset by an admin
    assert access.first_access_steps(False, True, False, False) == ()


def test_skip_pin_only_from_ones_own_phone():
    assert access.needs_pin(own_phone=True, skip_pin=False)
    assert not access.needs_pin(own_phone=True, skip_pin=True)
    assert access.needs_pin(own_phone=False, skip_pin=True)


@pytest.mark.parametrize("key, folder", [("0", "new"), ("1", "old"), ("2", "work"), ("3", "family"),
                                         ("4", "friends"), ("5", None), ("#", None)])
def test_folder_keys_of_seed_003(key, folder):
    assert access.folder_for_key(key) == folder


def test_folder_moves():
    assert access.move("new", "2") == "work"
    assert access.move("work", "2") is None and access.move("new", "7") is None
    assert access.after_heard("new") == "old" and access.after_heard("family") == "family"
    assert access.deleted("work") == "deleted"


def test_temporary_off_rule():
    assert not access.temporary_off(Greetings(temporary="t", temporary_on=True)).ok
    assert access.temporary_off(Greetings(unavailable="u", temporary="t", temporary_on=True)).ok
    assert access.temporary_off(Greetings()).ok  # nothing to turn off


def test_recording_the_temporary_greeting_turns_it_on():
    g = access.greeting_recorded("temporary", Greetings(unavailable="u"), "t.wav")
    assert g.temporary == "t.wav" and g.temporary_on and g.unavailable == "u"
    assert not access.greeting_recorded("busy", Greetings(), "b.wav").temporary_on
    with pytest.raises(ValueError):
        access.greeting_recorded("other", Greetings(), "x")


def test_envelope_modes():
    assert access.playback_parts("both") == (True, True)
    assert access.playback_parts("envelope") == (True, False)
    assert access.playback_parts("message") == (False, True)
    assert access.playback_parts("???") == (True, True)


def test_layouts_are_tables_over_the_same_menus():
    asterisk, ooma = access.layout("asterisk"), access.layout("ooma")
    assert set(asterisk) == set(ooma)
    assert asterisk["main"]["0"] == "options" and ooma["main"]["5"] == "options" and "0" not in ooma["main"]
    assert [asterisk["options"][k] for k in "12345"] == ["record-unavailable", "record-busy", "record-name",
                                                         "temporary", "change-pin"]
    assert [ooma["options"][k] for k in "123"] == ["record-unavailable", "record-name", "change-pin"]
    assert access.layout(None) is asterisk and access.layout("unknown") is asterisk


def test_new_pin_rule():
    assert access.valid_new_pin("4711") and not access.valid_new_pin("471") and not access.valid_new_pin("47a1")


def test_only_a_pin_actually_entered_is_tried():
    """Issue 11: a PIN prompt answered with nothing is not a wrong PIN (seed 002: the lock is about codes
    typed wrong); it is said, asked again, and after ``repeats`` silences in a row the call ends."""
    assert access.pin_entry("4711", silent_before=0, repeats=3) == access.PinEntry(access.TRY_PIN, 0)
    assert access.pin_entry("1", silent_before=2, repeats=3) == access.PinEntry(access.TRY_PIN, 0)
    assert access.pin_entry("", silent_before=0, repeats=3) == access.PinEntry(access.ASK_AGAIN, 1)
    assert access.pin_entry("", silent_before=1, repeats=3) == access.PinEntry(access.ASK_AGAIN, 2)
    assert access.pin_entry("", silent_before=2, repeats=3) == access.PinEntry(access.GIVE_UP, 3)
    assert access.pin_entry("", silent_before=0, repeats=1).action == access.GIVE_UP


# ------------------------------------------------------------------ rules the media app applies (issue 13)
@pytest.mark.parametrize("own, to, found, private, why", [
    ("2001", "2002", True, False, "ok"),
    ("2001", "2002", True, True, "private"),  # D10: a private message is not forwarded
    ("2001", "2001", True, False, "self"),  # nobody sends to their own mailbox
    ("2001", "2001", True, True, "private"),
    ("2001", "2003", False, False, "no_mailbox"),  # unknown, or another tenant's number
])
def test_where_a_message_may_be_delivered(own, to, found, private, why):
    decision = access.may_deliver(own, to, found, private)
    assert (decision.ok, decision.why) == (why == "ok", why)


def test_a_greeting_file_per_recording_and_only_the_tenants_old_one_removed():
    assert access.greeting_path("acme.pbx.example", "2001", "busy", "ab12") == \
        "voicemail/acme.pbx.example/2001/greeting-busy-ab12.wav"
    with pytest.raises(ValueError):
        access.greeting_path("acme.pbx.example", "2001", "message", "ab12")
    new = "voicemail/acme.pbx.example/2001/greeting-busy-cd34.wav"
    old = "voicemail/acme.pbx.example/2001/greeting-busy-ab12.wav"
    assert access.replaced_greeting(old, new, "acme.pbx.example") == old
    assert access.replaced_greeting(new, new, "acme.pbx.example") is None  # the same file: kept
    assert access.replaced_greeting(None, new, "acme.pbx.example") is None
    assert access.replaced_greeting("voicemail/globex.pbx.example/2001/g.wav", new, "acme.pbx.example") is None
    assert access.replaced_greeting("prompts/fr/goodbye.wav", new, "acme.pbx.example") is None


@pytest.mark.parametrize("zone, local", [
    ("Europe/Paris", dt.datetime(2026, 3, 3, 14, 5)),  # winter: UTC+1
    ("America/Montreal", dt.datetime(2026, 3, 3, 8, 5)),
    ("Nowhere/City", dt.datetime(2026, 3, 3, 14, 5)),  # unknown zone: Paris, the product's default
    ("../etc/passwd", dt.datetime(2026, 3, 3, 14, 5)),  # not a zone name at all
    ("", dt.datetime(2026, 3, 3, 14, 5)),
    (None, dt.datetime(2026, 3, 3, 14, 5)),
])
def test_a_message_time_in_the_tenants_zone(zone, local):
    assert access.local_time(dt.datetime(2026, 3, 3, 13, 5), zone) == local
    assert access.local_time(dt.datetime(2026, 7, 1, 13, 5), "Europe/Paris") == dt.datetime(2026, 7, 1, 15, 5)
