"""The mailbox by phone (issue 7): skip-PIN, envelope and first-access setup per mailbox; the menu
layout per tenant. Idempotent: a column that already exists is left alone (SQLite and PostgreSQL)."""
from __future__ import annotations

import peewee as pw
from playhouse.migrate import PostgresqlMigrator, SqliteMigrator, migrate

COLUMNS = [
    ("mailbox_settings", "skip_pin", pw.BooleanField(default=False)),
    ("mailbox_settings", "envelope", pw.CharField(max_length=16, default="both")),
    ("mailbox_settings", "setup_done", pw.BooleanField(default=False)),
    ("voicemail_options", "menu_layout", pw.CharField(max_length=16, default="asterisk")),
]


def up(db) -> None:
    migrator = PostgresqlMigrator(db) if isinstance(db, pw.PostgresqlDatabase) else SqliteMigrator(db)
    for table, column, field in COLUMNS:
        if not db.table_exists(table):
            continue  # created by m0003 from the current models, with the column
        if column in {c.name for c in db.get_columns(table)}:
            continue
        migrate(migrator.add_column(table, column, field))
