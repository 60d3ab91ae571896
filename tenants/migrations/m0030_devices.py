"""Issue 18 (B1): desk phones by MAC, the extensions they serve, the digest answers already accepted."""
from tenants.devices import MODELS


def up(db) -> None:
    db.create_tables(MODELS, safe=True)
