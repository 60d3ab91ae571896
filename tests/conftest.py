"""Shared fixtures: a fresh database per test (SQLite file, or PostgreSQL when
``POSTE_TEST_DATABASE_URL`` is set by ``scripts/test --postgres``), the console app,
and signed-in clients."""
from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

import pytest

import wiring
from tenants import credentials, migrations
from tenants.config import load_settings
from tenants.runtime import start

pytest_plugins = ("tests.fake_registrar",)  # the ``registrar`` fixture
credentials.use_fast_hashing()
wiring.register_handlers()  # the job worker's handlers, as every process started from wsgi.py has them


def _postgres_url(base: str) -> str:
    """One database per xdist worker, created on first use, emptied per test."""
    import psycopg2
    from psycopg2 import sql

    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"poste_test_{worker}"
    admin = psycopg2.connect(base)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if cur.fetchone() is None:
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()
    url = re.sub(r"/[^/]*$", f"/{name}", base)
    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    conn.close()
    return url


@pytest.fixture
def settings(tmp_path: Path):
    base = load_settings({"POSTE_DATA": str(tmp_path / "data"), "POSTE_SMTP_PORT": "1"})
    pg = os.environ.get("POSTE_TEST_DATABASE_URL")
    if pg:
        base = replace(base, database_url=_postgres_url(pg))
    return base


@pytest.fixture
def db(settings):
    _settings, database = start(settings)
    database.connect(reuse_if_open=True)
    migrations.upgrade()
    yield database
    if not database.is_closed():
        database.close()


@pytest.fixture
def smtp(settings, db):
    """A real SMTP server (tests/mail_server.py) that the emails of this test go to."""
    from tests.mail_server import MailServer

    server = MailServer().start()
    start(replace(settings, smtp_port=server.port))
    yield server
    server.stop()


@pytest.fixture
def app(db, settings):
    from console import create_app

    application = create_app(settings, TESTING=True, RATELIMIT_ENABLED=False)
    yield application


@pytest.fixture
def client(app):
    return app.test_client()
