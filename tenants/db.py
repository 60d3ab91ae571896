"""The one database handle every model uses, bound at start-up from ``DATABASE_URL``.

SQLite (the default) runs in WAL mode with a busy timeout so the console, the
job worker and Kamailio can share the file; ``postgresql://`` selects PostgreSQL.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import peewee
from playhouse.db_url import connect

database = peewee.DatabaseProxy()


class WriteFirstSqliteDatabase(peewee.SqliteDatabase):
    """SQLite whose transactions take the write lock when they begin (BEGIN IMMEDIATE).

    A deferred transaction that reads and then writes fails at once with "database
    is locked" when another process (Kamailio, the media app, the job worker)
    committed in between; an immediate one waits on the busy timeout instead. The
    lock type is the connection's default (peewee's ``begin``), not an argument of
    ``transaction()``: ``atomic()`` through the ``DatabaseProxy`` begins with the
    default, whichever path opens the transaction.
    """

    def __init__(self, database, **kwargs):
        kwargs.setdefault("lock_type", "IMMEDIATE")
        super().__init__(database, **kwargs)


SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "busy_timeout": 10_000,  # ms: writers from other processes wait instead of failing
    "foreign_keys": 1,
    "synchronous": "normal",
}


def open_database(url: str) -> peewee.Database:
    """Connect the shared proxy to the database at ``url`` and return it."""
    scheme = urlparse(url).scheme
    if scheme.startswith("sqlite"):
        # As peewee reads it: sqlite:///relative/file.db, sqlite:////absolute/file.db.
        path = urlparse(url).path[1:] or ":memory:"
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        db = WriteFirstSqliteDatabase(path, pragmas=SQLITE_PRAGMAS, check_same_thread=False)
    elif scheme in ("postgres", "postgresql"):
        db = connect(url)
    else:
        raise ValueError(f"unsupported DATABASE_URL scheme: {scheme!r}")
    database.initialize(db)
    return db


def is_sqlite() -> bool:
    return isinstance(database.obj, peewee.SqliteDatabase)
