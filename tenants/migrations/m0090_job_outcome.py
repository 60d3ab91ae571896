"""A done job's outcome when it had nothing to do (the PIN email of a PIN changed before it was
sent). Idempotent: a column that already exists is left alone (SQLite and PostgreSQL)."""
from __future__ import annotations

import peewee as pw
from playhouse.migrate import PostgresqlMigrator, SqliteMigrator, migrate


def up(db) -> None:
    if not db.table_exists("job") or "outcome" in {c.name for c in db.get_columns("job")}:
        return  # created by an earlier migration from the current models, with the column
    migrator = PostgresqlMigrator(db) if isinstance(db, pw.PostgresqlDatabase) else SqliteMigrator(db)
    migrate(migrator.add_column("job", "outcome", pw.CharField(max_length=32, null=True)))
