"""Prepaid decisions (C6) over plain data: rates, reservations, billing, limits, spoken amounts."""
import pytest

from tenants.prepaid_rules import (
    CONCURRENT_LIMIT,
    DAILY_LIMIT,
    Rate,
    Reservation,
    billed_seconds,
    call_cost,
    find_rate,
    french_number,
    limit_reached,
    reservation,
    settlement,
    spoken_amount,
)

RATES = [Rate("+1", "Amérique du Nord", 2, 60, 60), Rate("+44", "Royaume-Uni", 5, 1, 30),
         Rate("+447", "Royaume-Uni mobiles", 20, 1, 30), Rate("+33118", "Renseignements", 150, 60, 60)]


@pytest.mark.parametrize(("number", "prefix"), [
    ("+447700900123", "+447"), ("+442079460000", "+44"), ("+12125550100", "+1"), ("118712", "+33118"),
    ("+4915112345678", None), ("+33612345678", None),
])
def test_the_longest_prefix_wins(number, prefix):
    rate = find_rate(number, RATES)
    assert (rate.prefix if rate else None) == prefix


def test_billed_duration_first_increment_then_increments():
    by_minute = Rate("+1", "", 60, 60, 60)
    assert [billed_seconds(by_minute, s) for s in (0, 1, 60, 61, 120, 121)] == [0, 60, 60, 120, 120, 180]
    thirty_then_six = Rate("+1", "", 60, 6, 30)
    assert [billed_seconds(thirty_then_six, s) for s in (-3, 1, 30, 31, 36, 37)] == [0, 30, 30, 36, 36, 42]


def test_cost_is_rounded_up_to_the_cent_and_a_call_never_connected_costs_nothing():
    rate = Rate("+44", "", 5, 1, 30)  # 5 cents a minute, 30 s then by the second
    assert call_cost(rate, 0) == 0
    assert call_cost(rate, 10) == 3  # 30 s at 5 c/min = 2.5 c -> 3
    assert call_cost(rate, 60) == 5
    assert call_cost(rate, 61) == 6


def test_reservation_is_what_the_balance_covers_up_to_the_longest_call():
    rate = Rate("+1", "", 60, 60, 60)  # one cent a second, by the minute
    assert reservation(rate, 59) is None  # cannot cover the first increment: refused
    assert reservation(rate, 60) == Reservation(60, 60)
    assert reservation(rate, 179) == Reservation(120, 120)  # whole increments only
    assert reservation(rate, 10_000, max_seconds=300) == Reservation(300, 300)
    assert reservation(rate, 10_000, max_seconds=10) == Reservation(60, 60)  # at least the first increment
    free = Rate("+800", "", 0, 60, 60)
    assert reservation(free, 0, max_seconds=600) == Reservation(0, 600)


def test_a_reservation_never_exceeds_the_balance_and_its_seconds_are_covered():
    for cpm, inc, first in ((7, 1, 1), (13, 6, 30), (250, 60, 60), (1, 1, 1)):
        rate = Rate("+1", "", cpm, inc, first)
        for balance in range(0, 400, 7):
            held = reservation(rate, balance, max_seconds=3600)
            if held is None:
                assert call_cost(rate, first) > balance
                continue
            assert held.cents <= balance and held.cents == call_cost(rate, held.seconds)
            assert call_cost(rate, held.seconds + inc) > balance or held.seconds + inc > 3600


def test_settlement_debits_the_billed_duration_and_releases_the_rest():
    rate = Rate("+1", "", 60, 60, 60)
    assert settlement(300, rate, 61) == (120, 180)
    assert settlement(300, rate, 0) == (0, 300)
    assert settlement(300, rate, 10_000) == (300, 0)  # never more than was reserved


def test_toll_fraud_limits():
    assert limit_reached(active_calls=2, max_calls=2, spent_today_cents=0, max_daily_cents=None) == CONCURRENT_LIMIT
    assert limit_reached(active_calls=1, max_calls=2, spent_today_cents=0, max_daily_cents=None) == ""
    assert limit_reached(active_calls=0, max_calls=None, spent_today_cents=900, max_daily_cents=1000,
                         next_cents=101) == DAILY_LIMIT
    assert limit_reached(active_calls=0, max_calls=None, spent_today_cents=900, max_daily_cents=1000,
                         next_cents=100) == ""


@pytest.mark.parametrize(("cents", "french", "english"), [
    (1250, "douze euros cinquante", "twelve euros fifty"),
    (100, "un euro", "one euro"),
    (80, "zéro euro quatre-vingts", "zero euros eighty"),
    (0, "zéro euro", "zero euros"),
    (2101, "vingt et un euros un", "twenty-one euros one"),
    (8199, "quatre-vingt-un euros quatre-vingt-dix-neuf", "eighty-one euros ninety-nine"),
    (7100, "soixante et onze euros", "seventy-one euros"),
    (20000, "deux cents euros", "two hundred euros"),
    (20100, "deux cent un euros", "two hundred one euros"),
    (8000000, "quatre-vingt mille euros", "eighty thousand euros"),
    (100000, "mille euros", "one thousand euros"),
    (99_999_999, "neuf cent quatre-vingt-dix-neuf mille neuf cent quatre-vingt-dix-neuf euros quatre-vingt-dix-neuf",
     "nine hundred ninety-nine thousand nine hundred ninety-nine euros ninety-nine"),
])
def test_spoken_amounts(cents, french, english):
    assert spoken_amount(cents, "fr") == french
    assert spoken_amount(cents, "en") == english


def test_french_numbers_and_a_negative_amount():
    assert [french_number(n) for n in (17, 70, 72, 80, 90, 91, 300, 1_000_000)] == [
        "dix-sept", "soixante-dix", "soixante-douze", "quatre-vingts", "quatre-vingt-dix", "quatre-vingt-onze",
        "trois cents", "un million"]
    with pytest.raises(ValueError):
        spoken_amount(-1)


def test_amounts_typed_in_euros():
    from tenants.prepaid_rules import parse_euros

    assert [parse_euros(t) for t in ("12,50", "12.5", "12", "1 250,00 €", "0,8", "0")] == [1250, 1250, 1200, 125000,
                                                                                         80, 0]
    assert [parse_euros(t) for t in ("", "-3", "1,234", "douze", "1.2.3", ",5")] == [None] * 6
