"""A tenant's time zone as desk phones take it: a UTC offset and a daylight-saving rule.

Phones do not know IANA names (``Europe/Paris``); each vendor wants an offset and the rule
of the clock change in its own notation. Both come from the time zone database itself: the
last line of a TZif file is the POSIX TZ string that describes the zone from now on
(``CET-1CEST,M3.5.0,M10.5.0/3``), which ``posix_rule`` reads. No hand-written table.
"""
from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class Change:
    """A clock change: month 1-12, week 1-5 (5: the last of the month), weekday 0-6 (0: Sunday),
    at ``seconds`` after local midnight (may be negative or past a day, as POSIX allows)."""

    month: int
    week: int
    weekday: int
    seconds: int

    @property
    def hour(self) -> int:
        return self.seconds // 3600

    @property
    def weekday_monday_first(self) -> int:
        """1 Monday ... 7 Sunday (Yealink, Snom, Cisco)."""
        return self.weekday or 7

    @property
    def hms(self) -> str:
        seconds = self.seconds % 86400
        return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


@dataclass(frozen=True)
class ZoneRule:
    posix: str
    utc_offset: int  # seconds east of UTC, standard time
    dst_save: int = 0  # seconds added in summer
    start: Change | None = None
    end: Change | None = None

    @property
    def has_dst(self) -> bool:
        return self.start is not None and self.end is not None

    @property
    def offset_text(self) -> str:
        """``+1``, ``-3``, ``+5:30``, ``+10:30`` (Yealink's ``local_time.time_zone``)."""
        sign = "-" if self.utc_offset < 0 else "+"
        hours, rest = divmod(abs(self.utc_offset), 3600)
        return f"{sign}{hours}" + (f":{rest // 60:02d}" if rest else "")

    @property
    def gmt_text(self) -> str:
        """``GMT+01:00`` (Cisco's ``Time_Zone``)."""
        sign = "-" if self.utc_offset < 0 else "+"
        hours, rest = divmod(abs(self.utc_offset), 3600)
        return f"GMT{sign}{hours:02d}:{rest // 60:02d}"


UTC = ZoneRule("UTC0", 0)

_NAME = r"(?:[A-Za-z]{3,}|<[+\-0-9A-Za-z]+>)"
_OFFSET = r"[+-]?\d{1,3}(?::\d{1,2}){0,2}"
_POSIX = re.compile(rf"^(?P<std>{_NAME})(?P<stdoff>{_OFFSET})"
                    rf"(?:(?P<dst>{_NAME})(?P<dstoff>{_OFFSET})?(?:,(?P<start>[^,]+),(?P<end>[^,]+))?)?$")
_MRULE = re.compile(rf"^M(\d{{1,2}})\.(\d)\.(\d)(?:/({_OFFSET}))?$")


def _seconds(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    parts = [int(p) for p in text.lstrip("+-").split(":")] + [0, 0]
    return sign * (parts[0] * 3600 + parts[1] * 60 + parts[2])


def _change(text: str) -> Change | None:
    match = _MRULE.match(text)
    if not match:
        return None  # Julian-day rules (Jn, n): no zone in use today needs them
    month, week, weekday, at = match.groups()
    return Change(int(month), int(week), int(weekday), _seconds(at) if at else 7200)


def parse_posix(posix: str) -> ZoneRule:
    """The rule a POSIX TZ string describes (offsets in POSIX are west of UTC: ``CET-1`` is UTC+1)."""
    match = _POSIX.match(posix.strip())
    if not match:
        return UTC
    utc_offset = -_seconds(match["stdoff"])
    if not match["dst"] or not match["start"]:
        return ZoneRule(posix, utc_offset)
    dst_offset = -_seconds(match["dstoff"]) if match["dstoff"] else utc_offset + 3600
    start, end = _change(match["start"]), _change(match["end"])
    if start is None or end is None:
        return ZoneRule(posix, utc_offset)
    return ZoneRule(posix, utc_offset, dst_offset - utc_offset, start, end)


def _tzif(name: str) -> bytes | None:
    if not name or name.startswith(("/", ".")) or ".." in name:
        return None
    for root in zoneinfo.TZPATH:
        path = Path(root) / name
        if path.is_file():
            return path.read_bytes()
    try:
        return resources.files("tzdata.zoneinfo").joinpath(*name.split("/")).read_bytes()
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return None


@lru_cache(maxsize=512)
def posix_rule(name: str) -> ZoneRule:
    """The rule of the IANA zone ``name`` (``Europe/Paris``), from the footer of its TZif file."""
    data = _tzif(name)
    if not data or not data.startswith(b"TZif"):
        return UTC
    footer = data.rstrip(b"\n").rsplit(b"\n", 1)[-1]
    try:
        return parse_posix(footer.decode("ascii"))
    except UnicodeDecodeError:
        return UTC
