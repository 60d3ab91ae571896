"""Calls to the outside, as pure decisions: the dial plan (C4), the destination policy (C5)
and the caller ID sent to the carrier.

Country and line type come from ``phonenumbers`` (Google's libphonenumber metadata), never
from tables of our own. Each of its number types gets one rule here (``KIND_OF_TYPE`` and
``verdict``); ``tests/tenants/test_dialing.py`` tries them on real numbers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberType

from tenants.validation import to_e164

HOME_REGION = "FR"
# C4 (seed 004): the 2-3 digit emergency numbers of France, always allowed, even for a
# suspended tenant, sent to the carrier as dialled.
EMERGENCY_NUMBERS = frozenset({"15", "17", "18", "112", "114", "115", "119", "191", "196", "197"})
DIRECTORY_RE = re.compile(r"^118[0-9]{3}$")  # 118XXX directory services
EXTENSION_RE = re.compile(r"^[0-9]{4}$")
OWN_MAILBOX_CODE = "*97"  # D1: the caller's own mailbox
ANY_MAILBOX_CODE = "*98"  # D2: the media app asks which mailbox
_NATIONAL = re.compile(r"^0[1-9][0-9]{8}$")  # 0X XX XX XX XX
_INTERNATIONAL = re.compile(r"^00[1-9][0-9]{3,16}$")  # 00 + country code + number
_E164 = re.compile(r"^\+[1-9][0-9]{3,16}$")
_SEPARATORS = re.compile(r"[\s.\-()/]")

# ------------------------------------------------------------------ the dial plan (C4)

EXTENSION, SERVICE, EMERGENCY, DIRECTORY, NUMBER, INVALID, UNKNOWN = (
    "extension", "service", "emergency", "directory", "number", "invalid", "unknown")


@dataclass(frozen=True)
class Dialled:
    """What a user dialled, read as the guide says (no prefix to reach the outside).

    ``kind``: ``extension`` (4 digits), ``service`` (``*97``, ``*98``), ``emergency``,
    ``directory`` (118XXX), ``number`` (an outside number, ``e164`` set), ``invalid``
    (shaped like an outside number but not a valid one) or ``unknown`` (nothing dialable).
    """

    kind: str
    digits: str
    e164: str = ""


def parse_dialled(text: str) -> Dialled:
    """C4: ``0X XX XX XX XX`` national (as ``+33...``), 2-3 digit emergency numbers, ``00`` +
    country code international, ``+`` E.164 as phones send it, ``118XXX``, extensions, ``*97``/``*98``."""
    digits = _SEPARATORS.sub("", text or "")
    if digits in (OWN_MAILBOX_CODE, ANY_MAILBOX_CODE):
        return Dialled(SERVICE, digits)
    if EXTENSION_RE.match(digits):
        return Dialled(EXTENSION, digits)
    if digits in EMERGENCY_NUMBERS:
        return Dialled(EMERGENCY, digits)
    if DIRECTORY_RE.match(digits):
        return Dialled(DIRECTORY, digits)
    if _NATIONAL.match(digits) or _INTERNATIONAL.match(digits) or _E164.match(digits):
        e164 = to_e164(digits, HOME_REGION)
        return Dialled(NUMBER, digits, e164) if e164 else Dialled(INVALID, digits)
    if digits[:1] in ("0", "+"):
        return Dialled(INVALID, digits)
    return Dialled(UNKNOWN, digits)


# ------------------------------------------------------------------ what a number is

FIXED, MOBILE = "fixed", "mobile"
KINDS = (FIXED, MOBILE)  # what an allow-list entry names
TOLL_FREE, PREMIUM, SHARED_COST, PERSONAL, SATELLITE, OTHER = (
    "toll_free", "premium", "shared_cost", "personal", "satellite", "other")
NON_GEOGRAPHIC = "001"  # phonenumbers' region of +800, +808, +870, +881, +882, +883, +888, +979

# Every number type of phonenumbers, and the kind of line it counts as.
KIND_OF_TYPE = {
    PhoneNumberType.FIXED_LINE: FIXED,
    PhoneNumberType.MOBILE: MOBILE,
    # the numbering plan does not tell them apart (Denmark, the USA...): counted as a fixed line,
    # so a country whose fixed lines are included is reachable at all (Denmark, in the guide)
    PhoneNumberType.FIXED_LINE_OR_MOBILE: FIXED,
    PhoneNumberType.VOIP: FIXED,  # non-geographic fixed services (French 09): priced as fixed lines
    PhoneNumberType.TOLL_FREE: TOLL_FREE,
    PhoneNumberType.PREMIUM_RATE: PREMIUM,
    PhoneNumberType.SHARED_COST: SHARED_COST,
    PhoneNumberType.PERSONAL_NUMBER: PERSONAL,
    PhoneNumberType.PAGER: OTHER,
    PhoneNumberType.UAN: OTHER,
    PhoneNumberType.VOICEMAIL: OTHER,
    PhoneNumberType.UNKNOWN: OTHER,
}


@dataclass(frozen=True)
class Destination:
    e164: str
    country: str  # ISO 3166 code, or "001" (satellite and international networks)
    kind: str  # fixed, mobile, toll_free, premium, shared_cost, personal, satellite, other


def describe(e164: str) -> Destination:
    parsed = phonenumbers.parse(e164, None)
    country = phonenumbers.region_code_for_number(parsed) or NON_GEOGRAPHIC
    if country == NON_GEOGRAPHIC:
        return Destination(e164, country, SATELLITE)
    return Destination(e164, country, KIND_OF_TYPE.get(phonenumbers.number_type(parsed), OTHER))


# ------------------------------------------------------------------ the destination policy (C5)

# The guide's included destinations (seed 004): every tenant's allow-list starts as this.
DEFAULT_ALLOWED = frozenset({("FR", FIXED), ("FR", MOBILE)} | {
    (country, FIXED) for country in ("AT", "BE", "DK", "DE", "IT", "IE", "LU", "NL", "PT", "ES", "CH", "GB")})

INCLUDED, CLASS_EMERGENCY, REFUSED = "included", "emergency", "refused"
# why a call is refused (the announcement and the SIP answer follow from it: ``REFUSALS``)
NOT_INCLUDED, BLOCKED_PREMIUM, DIRECTORY_SERVICE, INVALID_NUMBER = "not_included", "premium", "directory", "invalid"


@dataclass(frozen=True)
class Verdict:
    call_class: str  # included, emergency, refused
    reason: str = ""  # for refused: one of the reasons above
    destination: Destination | None = None

    @property
    def allowed(self) -> bool:
        return self.call_class != REFUSED


def verdict(dialled: Dialled, allowed: frozenset[tuple[str, str]]) -> Verdict:
    """C5: may this outside number be called, given the tenant's allow-list ``allowed``
    (pairs (country, fixed|mobile))?

    - emergency numbers: always (class ``emergency``);
    - a fixed or mobile line: when its (country, kind) is on the list;
    - toll-free numbers of France: always (free to call); abroad they are rarely reachable: refused;
    - premium rate (``089x``...): blocked;
    - shared cost, personal numbers, satellite and international networks, pagers, UAN,
      numbers of no known type: refused as not included (payable once prepaid exists);
    - ``118XXX`` directory services: refused until prepaid makes them payable;
    - a number that is not valid: refused as invalid.
    """
    if dialled.kind == EMERGENCY:
        return Verdict(CLASS_EMERGENCY)
    if dialled.kind == DIRECTORY:
        return Verdict(REFUSED, DIRECTORY_SERVICE)
    if dialled.kind != NUMBER:
        return Verdict(REFUSED, INVALID_NUMBER)
    where = describe(dialled.e164)
    if where.kind in KINDS:
        ok = (where.country, where.kind) in allowed
        return Verdict(INCLUDED if ok else REFUSED, "" if ok else NOT_INCLUDED, where)
    if where.kind == TOLL_FREE and where.country == HOME_REGION:
        return Verdict(INCLUDED, "", where)
    if where.kind == PREMIUM:
        return Verdict(REFUSED, BLOCKED_PREMIUM, where)
    return Verdict(REFUSED, NOT_INCLUDED, where)


# ------------------------------------------------------------------ the caller ID

ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class CallerId:
    """What the carrier is told: ``number`` (E.164, asserted in P-Asserted-Identity), and
    whether it is withheld from the called party (``anonymous``: From is anonymous and
    ``Privacy: id``, RFC 3325)."""

    number: str
    anonymous: bool = False


def choose_caller_id(*, extension_did: str | None, main_number: str | None, anonymous: bool,
                     emergency: bool = False, emergency_caller_id: str | None = None,
                     forwarded_from: str | None = None, trunk_forwards_caller_id: bool = False) -> CallerId | None:
    """The caller ID of a call going out through the trunk, or None when there is none to send.

    - an emergency call: the tenant's emergency caller ID, else the extension's DID, else the
      main number; never withheld (the emergency services must be able to call back);
    - a forwarded call (C2: a virtual extension's external number) with an outside caller: the
      original caller's number when the trunk accepts numbers that are not ours, else ours;
    - otherwise the extension's DID, else the tenant's main number; withheld when the
      extension calls anonymously.
    """
    if emergency:
        number = emergency_caller_id or extension_did or main_number
        return CallerId(number) if number else None
    if forwarded_from and trunk_forwards_caller_id:
        return CallerId(forwarded_from)
    number = extension_did or main_number
    if not number:
        return None
    return CallerId(number, anonymous=anonymous and not forwarded_from)
