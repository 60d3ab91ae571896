"""The receptionist's pure decisions (H1, D13): hours, greeting by the clock, keypad names, keys."""
from __future__ import annotations

import datetime as dt

from tenants.receptionist import rules


def test_weekday_hours_parse_and_read_back():
    hours, problems = rules.parse_hours("mon-fri 09:00-12:00, 14:00-18:00; sat 10:00-12:00")
    assert problems == []
    assert hours["mon"] == [("09:00", "12:00"), ("14:00", "18:00")] and hours["sat"] == [("10:00", "12:00")]
    assert "sun" not in hours
    assert rules.hours_text(hours) == "mon-fri 09:00-12:00, 14:00-18:00; sat 10:00-12:00"


def test_french_day_names_and_an_empty_text():
    assert rules.parse_hours("lun-ven 8:30-17:00")[0]["fri"] == [("08:30", "17:00")]
    assert rules.parse_hours("") == ({}, [])


def test_inverted_overlapping_and_unknown_hours_are_all_told_in_french():
    _hours, problems = rules.parse_hours("mon-fri 18:00-09:00; mon 09:00-12:00, 11:00-13:00; xyz 10:00-11:00; "
                                         "tue 9h-10h")
    texts = [p.text() for p in problems]
    assert any("inversé" in t and "18:00-09:00" in t for t in texts), texts
    assert any("chevauchent le lundi" in t for t in texts), texts
    assert any("Jour inconnu" in t for t in texts), texts
    assert any("Horaire non valide" in t for t in texts), texts
    assert rules.parse_hours("mon-fri 18:00-09:00")[0] == {}  # nothing half-parsed


PARIS_HOURS = rules.parse_hours("mon-fri 09:00-18:00")[0]


def test_the_greeting_follows_the_clock_in_the_tenants_zone():
    # Monday 2026-12-07, 08:30 UTC is 09:30 in Paris (open), 03:30 in New York (closed)
    monday = dt.datetime(2026, 12, 7, 8, 30)
    assert rules.greeting_for(PARIS_HOURS, [], monday, "Europe/Paris") == rules.OPEN
    assert rules.greeting_for(PARIS_HOURS, [], monday, "America/New_York") == rules.CLOSED
    assert rules.greeting_for(PARIS_HOURS, [], dt.datetime(2026, 12, 7, 17, 0), "Europe/Paris") == rules.CLOSED
    assert rules.greeting_for(PARIS_HOURS, [], dt.datetime(2026, 12, 5, 10, 0), "Europe/Paris") == rules.CLOSED  # Sat


def test_a_holiday_is_closed_all_day_in_the_tenants_calendar():
    christmas_morning = dt.datetime(2026, 12, 25, 9, 0)  # a Friday
    assert rules.greeting_for(PARIS_HOURS, ["2026-12-25"], christmas_morning, "Europe/Paris") == rules.CLOSED
    assert rules.greeting_for(PARIS_HOURS, ["2026-12-24"], christmas_morning, "Europe/Paris") == rules.OPEN


def test_holidays_parse():
    assert rules.parse_holidays("2026-12-25, 01/01/2027 2026-12-25") == (["2026-12-25", "2027-01-01"], [])
    assert "Date non valide" in rules.parse_holidays("25 décembre")[1][0].text()


def test_names_on_the_keypad_fold_accents():
    assert rules.keypad_digits("Émilie").startswith("364")
    assert rules.keypad_digits("Dupont") == "387668"
    assert rules.keypad_digits("Œuvray").startswith("63")


def test_dial_by_name_matches_any_word_of_a_name():
    people = [rules.Person("2001", "Jean Dupont"), rules.Person("2002", "Émilie Moreau"),
              rules.Person("2003", "Paul Martin")]
    assert [p.number for p in rules.match_names(people, "387")] == ["2001"]
    assert [p.number for p in rules.match_names(people, "364")] == ["2002"]
    assert [p.number for p in rules.match_names(people, "36")] == ["2002"]
    assert rules.match_names(people, "3") == []


def test_keys_map_to_an_extension_or_a_group():
    assert rules.parse_key("1=2005") == (("1", ("2005",)), [])
    assert rules.parse_key("3=2001, 2002") == (("3", ("2001", "2002")), [])
    assert rules.parse_key("0=2001")[0] is None and rules.parse_key("1=")[0] is None
    assert "Touche non valide" in rules.parse_key("x")[1][0].text()
