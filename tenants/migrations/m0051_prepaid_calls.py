"""Issue 15 (C6), the call path: the longest a paid call may last, and which toll-fraud limit the
admins were last told of (once a day per limit). Idempotent: on a new database m0050 makes the
table from the current model, these columns included (SQLite and PostgreSQL)."""
from __future__ import annotations

import peewee as pw
from playhouse.migrate import PostgresqlMigrator, SqliteMigrator, migrate

TABLE = "prepaid_account"
COLUMNS = [
    ("max_call_seconds", pw.IntegerField(null=True)),
    ("limit_notified", pw.CharField(max_length=40, null=True)),
]


def up(db) -> None:
    present = {c.name for c in db.get_columns(TABLE)}
    migrator = PostgresqlMigrator(db) if isinstance(db, pw.PostgresqlDatabase) else SqliteMigrator(db)
    missing = [migrator.add_column(TABLE, name, field) for name, field in COLUMNS if name not in present]
    if missing:
        migrate(*missing)
