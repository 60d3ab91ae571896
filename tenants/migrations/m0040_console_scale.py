"""Issue 19: the operator's own time zone, and the indexes that keep the console's lists fast
at thousands of tenants (the tenants list by name, the audit log newest first, per tenant too).
Idempotent (SQLite and PostgreSQL)."""
from __future__ import annotations

import peewee as pw
from playhouse.migrate import PostgresqlMigrator, SqliteMigrator, migrate

INDEXES = [
    ("tenant_name", "tenant", "name"),
    ("audit_entry_at_id", "audit_entry", "at, id"),
    ("audit_entry_tenant_at_id", "audit_entry", "tenant_id, at, id"),
    ("job_kind_tenant", "job", "kind, tenant_id"),
]


def up(db) -> None:
    migrator = PostgresqlMigrator(db) if isinstance(db, pw.PostgresqlDatabase) else SqliteMigrator(db)
    if "timezone" not in {c.name for c in db.get_columns("account")}:
        migrate(migrator.add_column("account", "timezone", pw.CharField(max_length=64, null=True)))
    for name, table, columns in INDEXES:
        db.execute_sql(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")
