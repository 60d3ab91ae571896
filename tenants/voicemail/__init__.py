"""Voicemail: messages, greetings and mailbox settings, the rules over them, and the
services the media app calls (store a message, MWI counts, notification jobs).

``models`` (peewee tables, migration m0003), ``rules`` (pure decisions: greeting
choice, mailbox full, length limits, MWI counts), ``service`` (store a message
atomically and queue its jobs), ``notify`` (the ``voicemail_email`` and
``voicemail_mwi`` job handlers), ``mwi`` (RFC 3842 bodies and the NOTIFY sender).
"""
