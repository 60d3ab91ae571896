"""The virtual receptionist's decisions (H1, D13): plain data in, plain data out.

- ``parse_hours("mon-fri 09:00-18:00; sat 10:00-12:00")``: business hours per weekday, or the
  French problems of the text (unknown day, bad time, inverted or overlapping hours);
- ``greeting_for(hours, holidays, now, zone)``: ``OPEN`` or ``CLOSED`` at that instant, in the
  tenant's time zone (a holiday is closed all day);
- ``keypad_digits("Émilie")`` -> ``"364"``: a name as typed on a phone's keypad, accents folded;
- ``match_names(people, "387")``: the people one of whose names starts with those keys;
- ``parse_key(text)``: ``"1=2005"`` or ``"2=2001,2002"`` (a key to an extension, or a group rung at once).
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tenants.problems import N_, Problem

OPEN, CLOSED = "open", "closed"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES_FR = {"mon": "lundi", "tue": "mardi", "wed": "mercredi", "thu": "jeudi", "fri": "vendredi",
                "sat": "samedi", "sun": "dimanche"}
# French day names are accepted as well as English ones ("lun-ven 09:00-18:00")
_DAY_ALIASES = {**{d: d for d in DAYS}, "lun": "mon", "mar": "tue", "mer": "wed", "jeu": "thu", "ven": "fri",
                "sam": "sat", "dim": "sun"}
DEFAULT_HOURS_TEXT = "mon-fri 09:00-18:00"
MAPPABLE_KEYS = tuple("123456789")  # 0 is the operator, * the mailbox (A6), # dial-by-name
NAME_KEY = "#"
OPERATOR_KEY = "0"
MAILBOX_KEY = "*"
MAX_GROUP = 8  # extensions rung at once by one key
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$|^24:00$")
_KEYPAD = {**dict.fromkeys("abc", "2"), **dict.fromkeys("def", "3"), **dict.fromkeys("ghi", "4"),
           **dict.fromkeys("jkl", "5"), **dict.fromkeys("mno", "6"), **dict.fromkeys("pqrs", "7"),
           **dict.fromkeys("tuv", "8"), **dict.fromkeys("wxyz", "9")}

Span = tuple[str, str]  # ("09:00", "18:00")
Hours = dict[str, list[Span]]  # day -> its spans, in order


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _days(text: str) -> list[str] | None:
    """``mon-fri`` -> [mon..fri], ``sat`` -> [sat], ``mon,wed`` -> [mon, wed]; None when unknown."""
    found: list[str] = []
    for part in text.split(","):
        first, dash, last = part.strip().lower().partition("-")
        start, end = _DAY_ALIASES.get(first.strip()), _DAY_ALIASES.get(last.strip()) if dash else None
        if start is None or (dash and end is None):
            return None
        if not dash:
            found.append(start)
            continue
        i, j = DAYS.index(start), DAYS.index(end or start)
        if j < i:
            return None
        found += DAYS[i:j + 1]
    return found


def parse_hours(text: str, field: str = "hours") -> tuple[Hours, list[Problem]]:
    """Business hours from ``"mon-fri 09:00-12:00, 14:00-18:00; sat 10:00-12:00"`` (clauses split by
    ``;`` or a new line; an empty text: closed every day). All problems at once, in French."""
    hours: Hours = {}
    problems: list[Problem] = []
    clauses = [c.strip() for c in re.split(r"[;\n]", text or "") if c.strip()]
    for clause in clauses:
        days_text, _sep, spans_text = clause.partition(" ")
        days = _days(days_text)
        if days is None:
            problems.append(Problem(field, N_("Jour inconnu dans « %(value)s » (lun-ven, mon-fri, sam…)."),
                                    {"value": clause[:40]}))
            continue
        spans = [s.strip() for s in spans_text.split(",") if s.strip()]
        if not spans:
            problems.append(Problem(field, N_("Horaires manquants dans « %(value)s » (par exemple 09:00-18:00)."),
                                    {"value": clause[:40]}))
            continue
        for span in spans:
            start, _dash, end = span.partition("-")
            start, end = start.strip(), end.strip()
            if not _TIME.match(start) or not _TIME.match(end):
                problems.append(Problem(field, N_("Horaire non valide : « %(value)s » (HH:MM-HH:MM)."),
                                        {"value": span[:20]}))
                continue
            start, end = _clock(_minutes(start)), _clock(_minutes(end))
            if _minutes(end) <= _minutes(start):
                problems.append(Problem(field, N_("Horaire inversé : %(value)s (la fin doit suivre le début)."),
                                        {"value": f"{start}-{end}"}))
                continue
            for day in days:
                hours.setdefault(day, []).append((start, end))
    for day in DAYS:
        ordered = sorted(hours.get(day, []), key=lambda s: _minutes(s[0]))
        for before, after in zip(ordered, ordered[1:], strict=False):
            if _minutes(after[0]) < _minutes(before[1]):
                problems.append(Problem(field, N_("Horaires qui se chevauchent le %(day)s : %(first)s et %(second)s."),
                                        {"day": DAY_NAMES_FR[day], "first": "-".join(before),
                                         "second": "-".join(after)}))
        if ordered:
            hours[day] = ordered
    return ({} if problems else {d: hours[d] for d in DAYS if d in hours}), problems


def hours_text(hours: Mapping[str, Iterable[Span]]) -> str:
    """The text ``parse_hours`` reads back: consecutive days with the same spans grouped."""
    clauses: list[str] = []
    i = 0
    while i < len(DAYS):
        spans = list(hours.get(DAYS[i], []))
        j = i
        while j + 1 < len(DAYS) and list(hours.get(DAYS[j + 1], [])) == spans:
            j += 1
        if spans:
            days = DAYS[i] if i == j else f"{DAYS[i]}-{DAYS[j]}"
            clauses.append(f"{days} " + ", ".join(f"{a}-{b}" for a, b in spans))
        i = j + 1
    return "; ".join(clauses)


def parse_holidays(text: str, field: str = "holidays") -> tuple[list[str], list[Problem]]:
    """Dates ``YYYY-MM-DD`` (or ``DD/MM/YYYY``) separated by spaces, commas or new lines."""
    dates: set[str] = set()
    problems: list[Problem] = []
    for item in re.split(r"[\s,;]+", text or ""):
        if not item:
            continue
        day: dt.date | None = None
        for form in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                day = dt.datetime.strptime(item, form).date()
                break
            except ValueError:
                continue
        if day is None:
            problems.append(Problem(field, N_("Date non valide : « %(value)s » (AAAA-MM-JJ)."), {"value": item[:20]}))
        else:
            dates.add(day.isoformat())
    return sorted(dates), problems


def zone_of(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "Europe/Paris")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Europe/Paris")


def greeting_for(hours: Mapping[str, Iterable[Span]], holidays: Iterable[str], now: dt.datetime,
                 zone: str | None) -> str:
    """``OPEN`` when ``now`` (aware, or naive UTC) falls in the business hours of its weekday in
    ``zone`` and is not a holiday there; else ``CLOSED``."""
    aware = now if now.tzinfo is not None else now.replace(tzinfo=dt.UTC)
    local = aware.astimezone(zone_of(zone))
    if local.date().isoformat() in set(holidays):
        return CLOSED
    minute = local.hour * 60 + local.minute
    for start, end in hours.get(DAYS[local.weekday()], []):
        if _minutes(start) <= minute < _minutes(end):
            return OPEN
    return CLOSED


def fold(text: str) -> str:
    """Lower case without accents or ligatures: ``Émilie Œuvray`` -> ``emilie oeuvray``."""
    text = (text or "").replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae").replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def keypad_digits(name: str) -> str:
    """A name as typed on a keypad (letters only): ``Émilie`` -> ``364``, ``Dupont`` -> ``387668``."""
    return "".join(_KEYPAD.get(c, "") for c in fold(name))


@dataclass(frozen=True)
class Person:
    """Someone dial-by-name may find: an extension, its holder's name, its recorded name (a file)."""

    number: str
    name: str
    name_path: str | None = None


def match_names(people: Iterable[Person], digits: str) -> list[Person]:
    """The people one of whose names (each word, last name first in order) starts with ``digits``
    on the keypad, ordered by last name then extension. Nobody for fewer than 2 keys."""
    if len(digits) < 2 or not digits.isdigit():
        return []
    found = [p for p in people if any(keypad_digits(word).startswith(digits)
                                      for word in re.split(r"[\s\-']+", p.name) if word)]
    return sorted(found, key=lambda p: (fold(p.name.split()[-1]) if p.name.split() else "", p.number))


def parse_key(text: str, field: str = "keys") -> tuple[tuple[str, tuple[str, ...]] | None, list[Problem]]:
    """``"1=2005"`` -> ("1", ("2005",)); ``"2=2001,2002"`` a group rung at once. Only the shape is
    checked here (the extensions' existence is the service's business)."""
    key, sep, targets = (text or "").partition("=")
    key = key.strip()
    numbers = tuple(dict.fromkeys(t.strip() for t in targets.split(",") if t.strip()))
    if not sep or key not in MAPPABLE_KEYS:
        return None, [Problem(field, N_("Touche non valide : « %(value)s » (1 à 9, par exemple 1=2005)."),
                              {"value": (text or "")[:20]})]
    if not numbers or not all(re.fullmatch(r"[0-9]{4}", n) for n in numbers):
        return None, [Problem(field, N_("La touche %(key)s doit mener à un ou plusieurs postes (par exemple %(key)s=2005)."),
                              {"key": key})]
    if len(numbers) > MAX_GROUP:
        return None, [Problem(field, N_("La touche %(key)s mène à plus de %(max)s postes."),
                              {"key": key, "max": MAX_GROUP})]
    return (key, numbers), []
