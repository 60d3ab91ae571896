"""Calls to and from the outside (issue 14): the carrier trunk, each tenant's allow-list (seeded
with the guide's included destinations), the caller IDs of a tenant, the anonymous option of an
extension, and the accounting columns of outside calls. Idempotent (SQLite and PostgreSQL)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import cast

import peewee as pw
from playhouse.migrate import PostgresqlMigrator, SqliteMigrator, migrate

from tenants.dialing import DEFAULT_ALLOWED
from tenants.models import OUTSIDE_MODELS, AllowedDestination, Tenant

COLUMNS = [
    ("tenant", "main_number", pw.CharField(max_length=16, null=True)),
    ("tenant", "emergency_caller_id", pw.CharField(max_length=16, null=True)),
    ("extension", "anonymous_calls", pw.BooleanField(default=False)),
]
# Filled by acc's db_extra / cdr_extra (kamailio/poste.cfg) from the routing plan's account.
ACC_COLUMNS = ("tenant", "extension", "destination", "call_class")
NOT_NULL_TO_TAG = "to_tag VARCHAR(128) DEFAULT '' NOT NULL"


def _to_tag_may_be_empty(db, table: str) -> None:
    """A call Kamailio refuses itself is accounted from its request (``acc_db_request``), which has
    no To tag yet: db_sqlite writes it as NULL, which Kamailio's own schema forbids."""
    if isinstance(db, pw.PostgresqlDatabase):
        db.execute_sql(f"ALTER TABLE {table} ALTER COLUMN to_tag DROP NOT NULL")
        return
    (create,) = db.execute_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
    if NOT_NULL_TO_TAG not in create:
        return
    indexes = [sql for (sql,) in db.execute_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", (table,))]
    db.execute_sql(f"ALTER TABLE {table} RENAME TO {table}_before_m0009")
    db.execute_sql(create.replace(NOT_NULL_TO_TAG, "to_tag VARCHAR(128) DEFAULT ''"))
    db.execute_sql(f"INSERT INTO {table} SELECT * FROM {table}_before_m0009")
    db.execute_sql(f"DROP TABLE {table}_before_m0009")
    for sql in indexes:
        db.execute_sql(sql)


def up(db) -> None:
    migrator = PostgresqlMigrator(db) if isinstance(db, pw.PostgresqlDatabase) else SqliteMigrator(db)
    for table, column, field in COLUMNS:
        if column not in {c.name for c in db.get_columns(table)}:
            migrate(migrator.add_column(table, column, field))
    fresh = not db.table_exists(AllowedDestination._meta.table_name)
    db.create_tables(OUTSIDE_MODELS, safe=True)
    if fresh:  # every tenant of an earlier version gets the guide's list
        for (tenant_id,) in cast(Iterable[tuple[int]], Tenant.select(Tenant.id).tuples()):
            AllowedDestination.insert_many(
                [{"tenant": tenant_id, "country": country, "kind": kind} for country, kind in sorted(DEFAULT_ALLOWED)]
            ).execute()
    for table in ("acc", "missed_calls", "acc_cdrs"):
        present = {column.name for column in db.get_columns(table)}
        for column in ACC_COLUMNS:
            if column not in present:
                db.execute_sql(f"ALTER TABLE {table} ADD COLUMN {column} VARCHAR(64) DEFAULT NULL")
        db.execute_sql(f"CREATE INDEX IF NOT EXISTS {table}_tenant_idx ON {table} (tenant)")
    for table in ("acc", "missed_calls"):
        _to_tag_may_be_empty(db, table)
