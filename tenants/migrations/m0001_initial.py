"""Tenants, accounts, extensions, mailboxes, DIDs, audit log, jobs, and Kamailio's auth tables."""
from tenants.models import DOMAIN_MODELS, SIP_MODELS


def up(db) -> None:
    db.create_tables(DOMAIN_MODELS + SIP_MODELS, safe=True)
