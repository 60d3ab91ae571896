"""The balance before a paid call (C6), composed from prompt segments, says exactly the words of
``tenants.prepaid_rules.spoken_amount`` ("douze euros cinquante", "un euro", "zéro euro
quatre-vingts"), and the announce service plays it."""
from __future__ import annotations

import pytest

from rtp.mediaapp.announce import segments
from rtp.prompts.phrases import balance, render_text
from rtp.prompts.texts import segment_text
from tenants.prepaid_rules import spoken_amount

LEAD = {"fr": "Votre solde est de ", "en": "Your balance is "}


@pytest.mark.parametrize(("cents", "words"), [
    (1250, "Votre solde est de douze euros cinquante"),
    (100, "Votre solde est de un euro"),
    (80, "Votre solde est de zéro euro quatre-vingts"),
    (0, "Votre solde est de zéro euro"),
    (20000, "Votre solde est de deux cents euros"),
    (8000000, "Votre solde est de quatre-vingt mille euros"),
    (20010001, "Votre solde est de deux cent mille cent euros un"),
])
def test_the_balance_in_french(cents, words):
    assert render_text(balance(cents, "fr"), "fr") == words


def test_the_balance_in_english():
    assert render_text(balance(1250, "en"), "en") == "Your balance is twelve euros fifty"
    assert render_text(balance(100, "en"), "en") == "Your balance is one euro"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_amount_says_the_words_of_spoken_amount(language):
    amounts = list(range(0, 300_000, 7)) + [99_999_999, 8_000_000, 70_096_529, 78_003_374, 100_000, 100_100]
    for cents in amounts:
        keys = balance(cents, language)
        assert all(segment_text(k, language) is not None for k in keys), keys
        assert render_text(keys, language) == LEAD[language] + spoken_amount(cents, language), cents


def test_the_announce_service_plays_a_fixed_prompt_or_the_balance_and_nothing_else():
    assert segments("refused-premium", "", "fr") == ["refused-premium"]
    assert segments("prepaid-balance", "1250", "fr") == balance(1250, "fr")
    assert segments("prepaid-balance", "", "fr") == []
    assert segments("prepaid-balance", "-5", "fr") == []
    assert segments("no-such-prompt", "", "fr") == []
