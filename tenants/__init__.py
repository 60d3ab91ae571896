"""The domain of Poste: tenants, accounts, extensions, mailboxes and their rules.

Plain Python over peewee. Nothing here imports Flask, SIP or audio code: the
console, Kamailio glue and the media app all apply what this package decides.
"""
