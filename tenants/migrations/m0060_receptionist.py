"""Issue 16 (H1): the receptionist's table, and a DID that points at it. Idempotent."""
from __future__ import annotations

import peewee as pw
from playhouse.migrate import PostgresqlMigrator, SqliteMigrator, migrate

from tenants.receptionist.models import MODELS


def up(db) -> None:
    migrator = PostgresqlMigrator(db) if isinstance(db, pw.PostgresqlDatabase) else SqliteMigrator(db)
    if "receptionist" not in {c.name for c in db.get_columns("did")}:
        migrate(migrator.add_column("did", "receptionist", pw.BooleanField(default=False)))
    db.create_tables(MODELS, safe=True)
