"""A console worker's warm-up, done once before it takes its first request.

Without it the first requests each gunicorn worker serves pay for what the process builds
on first use and keeps: every page's template compiled by Jinja, each language's catalogue
and Babel's locale data loaded, phonenumbers' French metadata read, the time zone list
scanned. With several workers that cost lands on the first visitors after every start, and
on the first page ``bench/console.py`` measures (p95 58 ms against 33 ms for the same page
measured again later in the same run).
"""
from __future__ import annotations

import datetime as dt

from flask import Flask
from flask_babel import force_locale, format_datetime, gettext

from console.i18n import LANGUAGES


def warm(app: Flask) -> int:
    """Compile every template and load what the pages read on first use; the templates compiled."""
    from console.audit.labels import phone_number
    from console.operator.forms import timezones

    names = app.jinja_env.list_templates(filter_func=lambda name: name.endswith((".html", ".txt")))
    for name in names:
        app.jinja_env.get_template(name)
    with app.test_request_context("/"):
        for language in LANGUAGES:
            with force_locale(language):
                gettext("Clients")
                format_datetime(dt.datetime(2026, 1, 15, 8, 0))
    phone_number("+33123456789")
    timezones()
    return len(names)
