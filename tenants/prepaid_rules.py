"""Prepaid funds (C6) as pure decisions over plain data: the rate of a destination, how much a
call reserves, how long a call is billed and what it costs, the toll-fraud limits, and the
balance as it is spoken. Money is integer cents throughout, never a float.

The services that apply them to the database (the ledger, atomic reservations, rate imports)
are in ``tenants/prepaid.py``.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

MAX_CALL_SECONDS = 3600  # a paid call reserves at most this long; it may be cut there
MAX_CENTS = 99_999_999  # 999 999,99 €: past this, an amount (or a balance) is absurd


@dataclass(frozen=True)
class Rate:
    """One line of the rate table: calls to numbers starting with ``prefix`` (E.164 with its ``+``)
    cost ``cents_per_minute``, billed for ``first_increment_s`` seconds at least, then by
    ``increment_s`` seconds."""

    prefix: str
    description: str
    cents_per_minute: int
    increment_s: int
    first_increment_s: int


def rate_key(destination: str) -> str:
    """What the rate table is looked up with: the E.164 number, or for a directory service
    ``118XXX`` (which has none) the national number with the home country code (``+33118XXX``)."""
    if destination.startswith("+"):
        return destination
    return "+33" + destination


def find_rate(destination: str, rates: Mapping[str, Rate] | Iterable[Rate]) -> Rate | None:
    """The rate of the longest prefix of ``destination`` (see ``rate_key``), or None."""
    table = rates if isinstance(rates, Mapping) else {r.prefix: r for r in rates}
    key = rate_key(destination)
    for end in range(len(key), 1, -1):
        rate = table.get(key[:end])
        if rate is not None:
            return rate
    return None


def billed_seconds(rate: Rate, seconds: int) -> int:
    """The duration billed for a call connected ``seconds``: nothing for a call that never
    connected, the first increment at least, then whole increments."""
    if seconds <= 0:
        return 0
    if seconds <= rate.first_increment_s:
        return rate.first_increment_s
    rest = seconds - rate.first_increment_s
    return rate.first_increment_s + -(-rest // rate.increment_s) * rate.increment_s


def cost_cents(rate: Rate, billed: int) -> int:
    """The price of ``billed`` seconds at ``rate``, rounded up to the cent."""
    return -(-billed * rate.cents_per_minute // 60)


def call_cost(rate: Rate, seconds: int) -> int:
    return cost_cents(rate, billed_seconds(rate, seconds))


@dataclass(frozen=True)
class Reservation:
    """What a call takes from the balance before it connects, and how long that lets it last."""

    cents: int
    seconds: int


def reservation(rate: Rate, available_cents: int, max_seconds: int = MAX_CALL_SECONDS) -> Reservation | None:
    """The reservation of a call at ``rate`` with ``available_cents`` on the balance: the longest
    billable duration (first increment, then whole increments, at most ``max_seconds`` when that
    is at least the first increment) whose cost the balance covers. None when the balance cannot
    cover the first increment: the call is refused."""
    first = rate.first_increment_s
    if available_cents < cost_cents(rate, first):
        return None
    limit = max(max_seconds, first)
    if rate.cents_per_minute > 0:
        limit = min(limit, available_cents * 60 // rate.cents_per_minute)
    seconds = first + max(0, (limit - first) // rate.increment_s) * rate.increment_s
    return Reservation(cost_cents(rate, seconds), seconds)


def settlement(reserved_cents: int, rate: Rate, connected_seconds: int) -> tuple[int, int]:
    """(debit, release) of a call that reserved ``reserved_cents`` and was connected
    ``connected_seconds``: the debit never exceeds the reservation (the call is cut when it runs
    out), the release is the rest. ``debit + release == reserved_cents``."""
    debit = min(call_cost(rate, connected_seconds), reserved_cents)
    return debit, reserved_cents - debit


# ------------------------------------------------------------------ toll-fraud limits

CONCURRENT_LIMIT, DAILY_LIMIT = "concurrent_limit", "daily_limit"


def limit_reached(*, active_calls: int, max_calls: int | None, spent_today_cents: int,
                  max_daily_cents: int | None, next_cents: int = 0) -> str:
    """Which toll-fraud limit a new outside call would pass (``""``: none): more than
    ``max_calls`` outside calls at once, or more than ``max_daily_cents`` spent (debited and
    still reserved) today with the ``next_cents`` this call would reserve."""
    if max_calls is not None and active_calls >= max_calls:
        return CONCURRENT_LIMIT
    if max_daily_cents is not None and spent_today_cents + next_cents > max_daily_cents:
        return DAILY_LIMIT
    return ""


# ------------------------------------------------------------------ the balance, spoken

_FR_UNITS = ("zéro un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize "
             "dix-sept dix-huit dix-neuf").split()
_FR_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}
_EN_UNITS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
             "sixteen seventeen eighteen nineteen").split()
_EN_TENS = {2: "twenty", 3: "thirty", 4: "forty", 5: "fifty", 6: "sixty", 7: "seventy", 8: "eighty", 9: "ninety"}


def _fr_below_100(n: int, final: bool) -> str:
    if n < 20:
        return _FR_UNITS[n]
    tens, unit = divmod(n, 10)
    if tens in (7, 9):  # soixante-dix..., quatre-vingt-dix...
        head = "soixante" if tens == 7 else "quatre-vingt"
        rest = 10 + unit
        if tens == 7 and unit == 1:
            return "soixante et onze"
        return f"{head}-{_FR_UNITS[rest]}"
    if tens == 8:
        return ("quatre-vingts" if final else "quatre-vingt") if unit == 0 else f"quatre-vingt-{_FR_UNITS[unit]}"
    if unit == 0:
        return _FR_TENS[tens]
    if unit == 1:
        return f"{_FR_TENS[tens]} et un"
    return f"{_FR_TENS[tens]}-{_FR_UNITS[unit]}"


def _fr_below_1000(n: int, final: bool) -> str:
    hundreds, rest = divmod(n, 100)
    if hundreds == 0:
        return _fr_below_100(rest, final)
    head = "cent" if hundreds == 1 else f"{_FR_UNITS[hundreds]} cent" + ("s" if rest == 0 and final else "")
    return head if rest == 0 else f"{head} {_fr_below_100(rest, final)}"


def french_number(n: int) -> str:
    """A whole number (0 to 999 999 999) in French words, with the 1990 spelling's hyphens only
    where the traditional one has them ("vingt et un", "quatre-vingts", "deux cents", "mille")."""
    if not 0 <= n < 1_000_000_000:
        raise ValueError(n)
    millions, rest = divmod(n, 1_000_000)
    thousands, units = divmod(rest, 1000)
    words = []
    if millions:
        words.append("un million" if millions == 1 else f"{_fr_below_1000(millions, True)} millions")
    if thousands:
        words.append("mille" if thousands == 1 else f"{_fr_below_1000(thousands, False)} mille")
    if units or not words:
        words.append(_fr_below_1000(units, True))
    return " ".join(words)


def _en_below_1000(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    words = [f"{_EN_UNITS[hundreds]} hundred"] if hundreds else []
    if rest or not hundreds:
        if rest < 20:
            words.append(_EN_UNITS[rest])
        else:
            tens, unit = divmod(rest, 10)
            words.append(_EN_TENS[tens] + (f"-{_EN_UNITS[unit]}" if unit else ""))
    return " ".join(words)


def english_number(n: int) -> str:
    if not 0 <= n < 1_000_000_000:
        raise ValueError(n)
    millions, rest = divmod(n, 1_000_000)
    thousands, units = divmod(rest, 1000)
    words = []
    if millions:
        words.append(f"{_en_below_1000(millions)} million")
    if thousands:
        words.append(f"{_en_below_1000(thousands)} thousand")
    if units or not words:
        words.append(_en_below_1000(units))
    return " ".join(words)


def spoken_amount(cents: int, language: str = "fr") -> str:
    """An amount as the balance announcement says it: "douze euros cinquante", "un euro",
    "zéro euro quatre-vingts" (French: "euro" for 0 and 1); "twelve euros fifty", "one euro",
    "zero euros eighty" (English). The cents follow the euros as a number; none are said when
    there are none."""
    if cents < 0:
        raise ValueError("a balance is never below zero")
    euros, rest = divmod(cents, 100)
    if language == "en":
        text = f"{english_number(euros)} {'euro' if euros == 1 else 'euros'}"
        return f"{text} {english_number(rest)}" if rest else text
    text = f"{french_number(euros)} {'euros' if euros >= 2 else 'euro'}"
    return f"{text} {french_number(rest)}" if rest else text


def parse_euros(text: str) -> int | None:
    """An amount typed in euros ("12,50", "12.5", "12", "1 250,00 €") as cents; None when it is
    not one (negative, more than two decimals, not a number)."""
    cleaned = (text or "").replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("€", "")
    cleaned = cleaned.replace(",", ".")
    whole, _, decimals = cleaned.partition(".")
    if not whole.isdigit() or len(whole) > 9 or len(decimals) > 2 or (decimals and not decimals.isdigit()):
        return None
    return int(whole) * 100 + int((decimals or "0").ljust(2, "0"))
