"""The emails the platform sends, as Jinja templates (a text part and an HTML part each) in the tenant's language.

``templates/<kind>.txt`` is the text part and sets the subject at its top level
(``{% set subject = _("...") %}``); ``templates/<kind>.html`` is the HTML part (autoescaped, the
subject as its title). Their French source strings are translated through the console's catalogue,
``console/translations`` (the one catalogue of the product: ``babel.cfg`` extracts these templates
too, ``scripts/i18n-update`` merges them); it is read here as data, compiled in memory, so the domain
imports nothing of the console. Dates are written by Babel in the language and time zone given to
``render`` (filters ``date`` and ``time``), message lengths by Babel's units (filter ``duration``).

Rendering needs no request and no Flask: the job worker renders an email when its job runs (a secret,
such as a first PIN, is then decrypted for the email and never stored in a job row).
"""
from __future__ import annotations

import datetime as dt
import functools
import io
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

import jinja2
from babel.dates import format_date, format_time
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from babel.units import format_unit

TEMPLATES = Path(__file__).parent / "templates"
CATALOGUE = Path(__file__).resolve().parents[2] / "console" / "translations"  # data, not an import
LANGUAGES = ("fr", "en")
SOURCE_LANGUAGE = "fr"  # the templates' own strings


class Email(NamedTuple):
    """A rendered email: ``mail.compose(to, *email)`` / ``mail.queue_mail(to, *email)``."""

    subject: str
    text: str
    html: str


def language_of(language: str | None) -> str:
    """``language`` when the emails are written in it, else French, the product's own."""
    return language if language in LANGUAGES else SOURCE_LANGUAGE


def render(kind: str, language: str | None, timezone: str = "Europe/Paris", **values) -> Email:
    """The email ``kind`` (``templates/<kind>.txt`` and ``.html``) with ``values``, in ``language``;
    dates (naive UTC, as stored) are written in ``timezone``."""
    env = _environment(language_of(language))
    context = {**values, "timezone": timezone}
    text = env.get_template(f"{kind}.txt").make_module(context)
    subject = " ".join(str(vars(text)["subject"]).split())  # its top-level {% set %}, on one line
    html = env.get_template(f"{kind}.html").render(context, subject=subject)
    return Email(subject, str(text), html)


def duration(ms: int, language: str) -> str:
    """A message's length in whole seconds (at least one), by Babel's units of the language:
    each non-zero unit, largest first, joined as the language writes it ("1 min 5 s", "42 sec")."""
    locale = language_of(language)
    hours, rest = divmod(max(1, round(ms / 1000)), 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [format_unit(value, unit, length="short", locale=locale)
             for value, unit in ((hours, "duration-hour"), (minutes, "duration-minute"),
                                 (seconds, "duration-second")) if value]
    return format_list(parts, style="unit-narrow", locale=locale)


def local(moment: dt.datetime, timezone: str) -> dt.datetime:
    """A stored moment (naive UTC, or aware) in ``timezone``."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(ZoneInfo(timezone))


@functools.cache
def translations(language: str) -> NullTranslations:
    """The catalogue's translations for ``language``, compiled in memory once per process
    (as the console does at start-up); the source language needs none."""
    po = CATALOGUE / language / "LC_MESSAGES" / "messages.po"
    if language == SOURCE_LANGUAGE or not po.exists():
        return NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


@functools.cache
def _environment(language: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined, extensions=["jinja2.ext.i18n"],
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]

    @jinja2.pass_context
    def date(context, moment: dt.datetime) -> str:
        return format_date(local(moment, context["timezone"]), "long", locale=language)

    @jinja2.pass_context
    def time(context, moment: dt.datetime) -> str:
        return format_time(local(moment, context["timezone"]), "short", locale=language)

    env.filters.update(date=date, time=time, duration=functools.partial(duration, language=language))
    env.globals["language"] = language
    return env
