"""Issue 19: the audit log filtered by the start of an object's name or of its author, at the
speed of an index whatever the size of the log. Idempotent (SQLite and PostgreSQL)."""

INDEXES = [
    ("audit_entry_object_label", "audit_entry", "object_label"),
    ("audit_entry_actor_email", "audit_entry", "actor_email"),
]


def up(db) -> None:
    for name, table, columns in INDEXES:
        db.execute_sql(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")
