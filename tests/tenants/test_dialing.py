"""C4 (the dial plan), C5 (the destination policy) and the caller ID, on real numbers.

Every country of the guide's list (seed 004) with a fixed line and a mobile, and several
others; each number type phonenumbers knows gets its rule."""
from __future__ import annotations

import phonenumbers
import pytest
from phonenumbers import shortnumberinfo

from tenants import dialing
from tenants.dialing import (
    DEFAULT_ALLOWED,
    CallerId,
    Destination,
    choose_caller_id,
    describe,
    parse_dialled,
    verdict,
)

# ------------------------------------------------------------------ the dial plan (C4)


@pytest.mark.parametrize(("dialled", "e164"), [
    ("0142685300", "+33142685300"),  # Paris, as the guide says: 0X XX XX XX XX
    ("01 42 68 53 00", "+33142685300"),
    ("01.42.68.53.00", "+33142685300"),
    ("0612345678", "+33612345678"),
    ("0756123456", "+33756123456"),
    ("0912345678", "+33912345678"),
    ("004930901820", "+4930901820"),  # 00 + country code: Berlin
    ("0033142685300", "+33142685300"),
    ("+4930901820", "+4930901820"),  # phones may send E.164 themselves
    ("00442071234567", "+442071234567"),
])
def test_outside_numbers_are_read_as_e164(dialled, e164):
    assert parse_dialled(dialled) == dialing.Dialled(dialing.NUMBER, dialled.replace(" ", "").replace(".", ""), e164)


@pytest.mark.parametrize("dialled", sorted(dialing.EMERGENCY_NUMBERS))
def test_the_guides_emergency_numbers(dialled):
    assert parse_dialled(dialled).kind == dialing.EMERGENCY


def test_the_emergency_numbers_phonenumbers_knows_for_france_are_on_the_list():
    known = {n for n in ("15", "17", "18", "112", "114", "115", "119", "191", "196", "197")
             if shortnumberinfo.is_emergency_number(n, "FR")}
    assert {"15", "17", "18", "112"} <= known <= dialing.EMERGENCY_NUMBERS


@pytest.mark.parametrize(("dialled", "kind"), [
    ("118712", dialing.DIRECTORY), ("118218", dialing.DIRECTORY),
    ("2001", dialing.EXTENSION), ("*97", dialing.SERVICE), ("*98", dialing.SERVICE),
    ("0142", dialing.EXTENSION),  # four digits: an extension number, not a truncated one
    ("01426853", dialing.INVALID), ("0712345678", dialing.INVALID), ("00", dialing.INVALID),
    ("0049301", dialing.INVALID), ("+1", dialing.INVALID),
    ("999999", dialing.UNKNOWN), ("3949", dialing.EXTENSION), ("abc", dialing.UNKNOWN), ("", dialing.UNKNOWN),
    ("1187", dialing.EXTENSION), ("11871", dialing.UNKNOWN),
])
def test_what_is_not_an_outside_number(dialled, kind):
    assert parse_dialled(dialled).kind == kind


# ------------------------------------------------------------------ what a number is

GUIDE_COUNTRIES = {
    # country: (a fixed line, a mobile), real numbers' shapes of each numbering plan
    "FR": ("+33142685300", "+33612345678"),
    "AT": ("+43153114", "+436641234567"),
    "BE": ("+3222111111", "+32470123456"),
    "DE": ("+4930901820", "+4915112345678"),
    "IT": ("+390612345678", "+393123456789"),
    "IE": ("+35312345678", "+353851234567"),
    "LU": ("+35227123456", "+352621123456"),
    "NL": ("+31201234567", "+31612345678"),
    "PT": ("+351212345678", "+351912345678"),
    "ES": ("+34912345678", "+34612345678"),
    "CH": ("+41446681800", "+41781234567"),
    "GB": ("+442071234567", "+447400123456"),
}


@pytest.mark.parametrize("country", sorted(GUIDE_COUNTRIES))
def test_the_guides_countries_fixed_lines_are_included_and_mobiles_abroad_are_not(country):
    fixed, mobile = GUIDE_COUNTRIES[country]
    assert describe(fixed) == Destination(fixed, country, dialing.FIXED)
    assert describe(mobile) == Destination(mobile, country, dialing.MOBILE)
    assert verdict(parse_dialled(fixed), DEFAULT_ALLOWED).call_class == dialing.INCLUDED
    mobile_verdict = verdict(parse_dialled(mobile), DEFAULT_ALLOWED)
    if country == "FR":  # French mobiles are included too
        assert mobile_verdict.call_class == dialing.INCLUDED
    else:
        assert (mobile_verdict.call_class, mobile_verdict.reason) == (dialing.REFUSED, dialing.NOT_INCLUDED)


def test_denmark_has_no_fixed_or_mobile_in_its_plan_so_its_numbers_count_as_fixed_lines():
    for number in ("+4533123456", "+4520123456"):  # Copenhagen, a mobile range
        parsed = phonenumbers.parse(number)
        assert phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE
        assert describe(number).kind == dialing.FIXED
        assert verdict(parse_dialled(number), DEFAULT_ALLOWED).call_class == dialing.INCLUDED


@pytest.mark.parametrize(("number", "country", "kind"), [
    ("+12025550123", "US", dialing.FIXED),  # FIXED_LINE_OR_MOBILE: a fixed line
    ("+16135550123", "CA", dialing.FIXED),
    ("+81312345678", "JP", dialing.FIXED),
    ("+819012345678", "JP", dialing.MOBILE),
    ("+212522123456", "MA", dialing.FIXED),
    ("+212612345678", "MA", dialing.MOBILE),
    ("+4721234567", "NO", dialing.FIXED),
    ("+48221234567", "PL", dialing.FIXED),
])
def test_other_countries_are_not_included_by_default(number, country, kind):
    assert describe(number) == Destination(number, country, kind)
    result = verdict(parse_dialled(number), DEFAULT_ALLOWED)
    assert (result.call_class, result.reason) == (dialing.REFUSED, dialing.NOT_INCLUDED)


def test_a_country_added_to_the_list_is_included():
    allowed = DEFAULT_ALLOWED | {("DE", dialing.MOBILE), ("US", dialing.FIXED)}
    assert verdict(parse_dialled("004915112345678"), allowed).call_class == dialing.INCLUDED
    assert verdict(parse_dialled("0012025550123"), allowed).call_class == dialing.INCLUDED
    # and a French line taken off it is not
    assert verdict(parse_dialled("0612345678"), DEFAULT_ALLOWED - {("FR", dialing.MOBILE)}).call_class == \
        dialing.REFUSED


@pytest.mark.parametrize(("dialled", "reason"), [
    ("0891123456", dialing.BLOCKED_PREMIUM),  # 089x: premium rate, blocked
    ("0899123456", dialing.BLOCKED_PREMIUM),
    ("0836656565", dialing.BLOCKED_PREMIUM),
    ("0810123456", dialing.NOT_INCLUDED),  # shared cost
    ("0820123456", dialing.NOT_INCLUDED),
    ("00447011234567", dialing.NOT_INCLUDED),  # UK personal number (070)
    ("00881612345678", dialing.NOT_INCLUDED),  # Iridium satellite (+881)
    ("00870773123456", dialing.NOT_INCLUDED),  # Inmarsat (+870)
    ("0080012345678", dialing.NOT_INCLUDED),  # international freephone (+800)
    ("00448001234567", dialing.NOT_INCLUDED),  # a toll-free number abroad
    ("118712", dialing.DIRECTORY_SERVICE),  # directory services: until prepaid
    ("0712345678", dialing.INVALID_NUMBER),
])
def test_each_kind_of_number_has_its_rule(dialled, reason):
    result = verdict(parse_dialled(dialled), DEFAULT_ALLOWED)
    assert (result.call_class, result.reason) == (dialing.REFUSED, reason)


def test_satellite_and_international_networks_are_their_own_kind():
    assert describe("+881612345678").kind == dialing.SATELLITE
    assert describe("+870773123456") == Destination("+870773123456", "001", dialing.SATELLITE)
    assert describe("+447011234567").kind == dialing.PERSONAL
    assert describe("+33810123456").kind == dialing.SHARED_COST
    assert describe("+33891123456").kind == dialing.PREMIUM


def test_french_toll_free_and_voip_numbers_are_included():
    assert describe("+33800123456").kind == dialing.TOLL_FREE
    assert verdict(parse_dialled("0800123456"), DEFAULT_ALLOWED).call_class == dialing.INCLUDED
    assert describe("+33912345678").kind == dialing.FIXED  # 09: VoIP, priced as a fixed line
    assert verdict(parse_dialled("0912345678"), DEFAULT_ALLOWED).call_class == dialing.INCLUDED


@pytest.mark.parametrize("dialled", sorted(dialing.EMERGENCY_NUMBERS))
def test_emergency_numbers_are_always_allowed(dialled):
    assert verdict(parse_dialled(dialled), frozenset()).call_class == dialing.CLASS_EMERGENCY


def test_every_number_type_has_a_rule():
    types = {v for k, v in vars(phonenumbers.PhoneNumberType).items() if k.isupper()}
    assert types == set(dialing.KIND_OF_TYPE)


# ------------------------------------------------------------------ the caller ID

def test_the_extensions_did_else_the_main_number():
    assert choose_caller_id(extension_did="+33184880001", main_number="+33184880000", anonymous=False) == \
        CallerId("+33184880001")
    assert choose_caller_id(extension_did=None, main_number="+33184880000", anonymous=False) == \
        CallerId("+33184880000")
    assert choose_caller_id(extension_did=None, main_number=None, anonymous=False) is None


def test_an_anonymous_extension_withholds_its_number():
    assert choose_caller_id(extension_did="+33184880001", main_number=None, anonymous=True) == \
        CallerId("+33184880001", anonymous=True)


def test_emergency_calls_present_the_emergency_caller_id_never_withheld():
    args = dict(extension_did="+33184880001", main_number="+33184880000", anonymous=True, emergency=True)
    assert choose_caller_id(**args, emergency_caller_id="+33184880099") == CallerId("+33184880099")
    assert choose_caller_id(**args) == CallerId("+33184880001")
    assert choose_caller_id(extension_did=None, main_number=None, anonymous=False, emergency=True) is None


def test_a_forwarded_call_shows_the_original_caller_where_the_trunk_allows():
    args = dict(extension_did="+33184880050", main_number="+33184880000", anonymous=False,
                forwarded_from="+33698765432")
    assert choose_caller_id(**args, trunk_forwards_caller_id=True) == CallerId("+33698765432")
    assert choose_caller_id(**args, trunk_forwards_caller_id=False) == CallerId("+33184880050")
