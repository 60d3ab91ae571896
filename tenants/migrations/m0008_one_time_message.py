"""Issue 11: messages that carry a secret (a new SIP password), shown once from the server
rather than from the session cookie."""
from tenants.one_time import OneTimeMessage


def up(db) -> None:
    db.create_tables([OneTimeMessage], safe=True)
