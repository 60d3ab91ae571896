"""Issue 17, the self-service portal: the message settings of seed 001 (email forwarding and
keeping the original, quick login, autoplay, the greeting chosen) and when a message went to
Deleted (purged after the retention, E7). Idempotent: a column that already exists is left
alone (SQLite and PostgreSQL)."""
from __future__ import annotations

import peewee as pw
from playhouse.migrate import PostgresqlMigrator, SqliteMigrator, migrate

COLUMNS = [
    ("mailbox_settings", "forward_email", pw.BooleanField(default=True)),
    ("mailbox_settings", "keep_original", pw.BooleanField(default=True)),
    ("mailbox_settings", "quick_login", pw.BooleanField(default=False)),
    ("mailbox_settings", "autoplay", pw.BooleanField(default=False)),
    ("mailbox_settings", "greeting", pw.CharField(max_length=16, default="")),
    ("voice_message", "deleted_at", pw.DateTimeField(null=True)),
]


def up(db) -> None:
    migrator = PostgresqlMigrator(db) if isinstance(db, pw.PostgresqlDatabase) else SqliteMigrator(db)
    for table, column, field in COLUMNS:
        if not db.table_exists(table):
            continue  # created by m0003 from the current models, with the column
        if column in {c.name for c in db.get_columns(table)}:
            continue
        migrate(migrator.add_column(table, column, field))
    if db.table_exists("voice_message"):
        db.execute_sql("CREATE INDEX IF NOT EXISTS voice_message_deleted_at ON voice_message (deleted_at)")
        # Messages deleted before this column existed: their retention starts now.
        db.execute_sql("UPDATE voice_message SET deleted_at = CURRENT_TIMESTAMP "
                       "WHERE folder = 'deleted' AND deleted_at IS NULL")
