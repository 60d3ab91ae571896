"""Numbers taken from the URL, bounded to what the database can hold.

An id or a page number past the database's integers made the query fail
(OverflowError on SQLite, "out of range" on PostgreSQL) and answer 500.
"""
from __future__ import annotations

from flask import request
from werkzeug.routing import IntegerConverter

# Ids are serial columns: 32-bit on PostgreSQL (64-bit on SQLite); one bound for both engines.
ID_MAX = 2**31 - 1
PAGE_MAX = 1_000_000  # far past any list's end, and its offset still fits


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: a number no row can have matches no route (404)."""

    def __init__(self, url_map, fixed_digits: int = 0, min: int | None = None, max: int | None = ID_MAX,
                 signed: bool = False) -> None:
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def page_arg() -> int:
    """The ``?page=`` asked for: 1 when absent or not a number, at most ``PAGE_MAX``."""
    try:
        return min(PAGE_MAX, max(1, int(request.args.get("page", 1))))
    except ValueError:
        return 1
