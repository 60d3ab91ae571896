"""A console thread keeps its SQLite connection between requests (issue 19: opening one and
setting its pragmas cost about 1 ms a request), and still reads what other processes wrote."""
import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pytest

from tenants.db import database, is_sqlite
from tests import factories as f


def test_a_kept_connection_reads_what_another_process_wrote(app, db, settings):
    if not is_sqlite():
        pytest.skip("SQLite only: a PostgreSQL connection is closed after each request")
    f.tenant("acme.pbx.example", "Acme")
    f.account("operator", email="op@poste.example")
    client = f.login(app.test_client(), "op@poste.example")
    worker = ThreadPoolExecutor(max_workers=1)  # one thread, as a gunicorn thread serves request after request

    def page_and_connection(path: str) -> tuple[str, bool]:
        text = client.get(path).text
        return text, database.is_closed()

    try:
        text, closed = worker.submit(page_and_connection, "/operateur/clients").result()
        assert "Acme" in text and not closed  # kept for the thread's next request
        other = sqlite3.connect(database.database)  # another process's connection (the CLI, the media app)
        other.execute("UPDATE tenant SET name = 'Acme Renamed' WHERE domain = 'acme.pbx.example'")
        other.commit()
        other.close()
        text, _closed = worker.submit(page_and_connection, "/operateur/clients").result()
        assert "Acme Renamed" in text
        audit_page, _closed = worker.submit(page_and_connection, "/journal/").result()
        assert "acme.pbx.example" in audit_page
    finally:
        worker.submit(database.close).result()
        worker.shutdown()
