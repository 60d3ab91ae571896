"""Issue 17 (C7-C11): a user's call rules and call-services PIN, one row an extension."""
from tenants.call_services import MODELS


def up(db) -> None:
    db.create_tables(MODELS, safe=True)
