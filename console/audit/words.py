"""An audit entry's words (its time, author, sentence and changes), kept for the entries read again.

An entry never changes once written, and its words depend only on it and on the reader's
language and time zone; writing them (a dozen translations and a date for each entry) was
the largest part of the log's page. The words of the last ``WORDS_KEPT`` entries read are
kept in each worker, keyed by the entry (its id and time) and the language and zone they
were written in: the newest page, the one read again and again, costs its query and no
words. A change of the labels takes effect at the restart that deploys it.
"""
from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import get_locale, get_timezone

from console.audit import labels
from tenants.models import AuditEntry

WORDS_KEPT = 5000


@dataclass(frozen=True)
class Words:
    at: str
    author: str
    sentence: str
    changes: tuple[str, ...]


_kept: dict[tuple, Words] = {}
_lock = threading.Lock()


def written(entry: AuditEntry) -> Words:
    """``entry`` in the reader's words (``console.audit.labels``), without keeping them."""
    return Words(labels.when(entry.at), labels.author(entry.actor_email), labels.sentence(entry),
                 tuple(labels.changes(entry)))


def of(entries: Iterable[AuditEntry]) -> list[tuple[AuditEntry, Words]]:
    """Each entry with its words, written once per entry, language and zone."""
    reader = (str(get_locale()), str(get_timezone()))
    rows = []
    for entry in entries:
        key = (entry.id, entry.at, *reader)
        words = _kept.get(key)
        if words is None:
            words = written(entry)
            with _lock:
                _kept[key] = words
                while len(_kept) > WORDS_KEPT:  # the oldest kept first (dicts keep their order)
                    del _kept[next(iter(_kept))]
        rows.append((entry, words))
    return rows
