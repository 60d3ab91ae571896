"""Issue 15 (C6): prepaid accounts, their ledger, paid calls and the rate table."""
from tenants.prepaid import MODELS


def up(db) -> None:
    db.create_tables(MODELS, safe=True)
