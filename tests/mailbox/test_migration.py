"""m0005 adds the new columns to a database made before it, and running it again changes nothing."""
from __future__ import annotations

import peewee as pw

from tenants.migrations import m0005_mailbox_access


def test_m0005_adds_columns_idempotently(tmp_path):
    db = pw.SqliteDatabase(str(tmp_path / "old.db"))
    db.connect()
    db.execute_sql("CREATE TABLE mailbox_settings (id INTEGER PRIMARY KEY, temporary_on INTEGER NOT NULL DEFAULT 0)")
    db.execute_sql("CREATE TABLE voicemail_options (id INTEGER PRIMARY KEY, max_messages INTEGER NOT NULL)")
    db.execute_sql("INSERT INTO mailbox_settings (temporary_on) VALUES (0)")
    m0005_mailbox_access.up(db)
    m0005_mailbox_access.up(db)
    columns = {c.name for c in db.get_columns("mailbox_settings")}
    assert {"skip_pin", "envelope", "setup_done"} <= columns
    assert "menu_layout" in {c.name for c in db.get_columns("voicemail_options")}
    assert db.execute_sql("SELECT skip_pin, envelope, setup_done FROM mailbox_settings").fetchone() == (0, "both", 0)
