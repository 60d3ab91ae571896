"""Prompt composition: counts with agreement, numbers, dates."""
from __future__ import annotations

import datetime as dt

import pytest

from rtp.prompts import phrases
from rtp.prompts.texts import all_keys, french_0_99, segment_text


@pytest.mark.parametrize("new, old, text", [
    (0, 0, "Vous n'avez aucun nouveau message"),
    (1, 0, "Vous avez un nouveau message"),
    (2, 0, "Vous avez deux nouveaux messages"),
    (21, 0, "Vous avez vingt et un nouveaux messages"),
    (1, 1, "Vous avez un nouveau message et un ancien message"),
    (3, 2, "Vous avez trois nouveaux messages et deux anciens messages"),
])
def test_count_phrases_french(new, old, text):
    assert phrases.render_text(phrases.message_count(new, old), "fr") == text


def test_count_phrases_english():
    assert phrases.render_text(phrases.message_count(1), "en") == "You have one new message"
    assert phrases.render_text(phrases.message_count(2), "en") == "You have two new messages"


@pytest.mark.parametrize("n, words", [
    (0, "zéro"), (16, "seize"), (17, "dix-sept"), (21, "vingt et un"), (42, "quarante-deux"), (70, "soixante-dix"),
    (71, "soixante et onze"), (80, "quatre-vingts"), (81, "quatre-vingt-un"), (99, "quatre-vingt-dix-neuf"),
])
def test_french_numbers(n, words):
    assert french_0_99(n) == words


def test_big_numbers_and_feminine():
    assert phrases.render_text(phrases.number(200)) == "deux cents"
    assert phrases.render_text(phrases.number(201)) == "deux cent un"
    assert phrases.render_text(phrases.number(1001)) == "mille un"
    assert phrases.render_text(phrases.number(21, feminine=True)) == "vingt et une"


def test_dates_use_premier_and_une_heure():
    assert phrases.render_text(phrases.date_time(dt.datetime(2026, 3, 1, 1, 5))) == "le premier mars à une heure cinq"
    assert phrases.render_text(phrases.date_time(dt.datetime(2026, 12, 24, 14, 0))) == \
        "le vingt-quatre décembre à quatorze heures"


def test_every_composed_key_has_a_text():
    keys = set(all_keys())
    for n in list(range(0, 1000, 7)) + [1000, 2021]:
        assert set(phrases.number(n)) <= keys
    assert set(phrases.date_time(dt.datetime(2026, 7, 21, 21, 31))) <= keys
    assert all(segment_text(k, lang) for k in keys for lang in ("fr", "en"))
