"""Issue 12: every transaction on SQLite takes the write lock first, whichever path opens it.

``tenants.db.database`` is a peewee ``DatabaseProxy``; ``atomic()`` through it used to open a
plain deferred ``BEGIN``, so a read-then-write (the PIN check, the job worker's claim) failed at
once with "database is locked" when another process wrote in between.
"""
from __future__ import annotations

import multiprocessing
import sqlite3

import peewee

from tenants.db import database, open_database

WRITERS, ROUNDS = 3, 40


def _statements(path) -> list[str]:
    open_database(f"sqlite:///{path}")
    database.connect(reuse_if_open=True)
    seen: list[str] = []
    database.obj.connection().set_trace_callback(seen.append)
    database.execute_sql("create table if not exists t (n integer)")
    with database.atomic():
        database.execute_sql("select 1")
    with database.transaction():
        pass
    with database.obj.atomic():
        pass
    database.close()
    return [s for s in seen if s.upper().startswith("BEGIN")]


def test_every_path_begins_immediate(tmp_path):
    assert _statements(tmp_path / "x.db") == ["BEGIN IMMEDIATE"] * 3


def _read_then_write(path: str, barrier, errors) -> None:
    open_database(f"sqlite:///{path}")
    database.connect(reuse_if_open=True)
    barrier.wait(30)
    for _ in range(ROUNDS):
        try:
            with database.atomic():
                (n,) = database.execute_sql("select n from counter").fetchone()
                database.execute_sql("update counter set n = ?", (n + 1,))
        except peewee.OperationalError as exc:
            errors.put(str(exc))
    database.close()


def test_read_then_write_from_several_processes_never_fails_nor_loses_an_update(tmp_path):
    path = tmp_path / "shared.db"
    with sqlite3.connect(path) as conn:
        conn.execute("pragma journal_mode=wal")
        conn.execute("create table counter (n integer)")
        conn.execute("insert into counter values (0)")
    ctx = multiprocessing.get_context("spawn")
    barrier, errors = ctx.Barrier(WRITERS), ctx.Queue()
    procs = [ctx.Process(target=_read_then_write, args=(str(path), barrier, errors)) for _ in range(WRITERS)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
        assert proc.exitcode == 0
    failures = []
    while not errors.empty():
        failures.append(errors.get())
    assert failures == []
    with sqlite3.connect(path) as conn:
        assert conn.execute("select n from counter").fetchone() == (WRITERS * ROUNDS,)
