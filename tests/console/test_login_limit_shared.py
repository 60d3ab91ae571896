"""The login rate limit (10 attempts a minute per address) is counted in the application's
database, so every gunicorn worker and every process sees the same count (issue 11)."""
from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlencode

import pytest

from console.gunicorn_conf import command
from console.rate_limit import DatabaseStorage
from tenants.config import load_settings
from tests import factories as f
from tests.sip_fixtures import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


class Output:
    """Lines a process writes, collected by a thread; ``wait`` blocks until a condition holds."""

    def __init__(self, *streams):
        self.lines: list[str] = []
        self.changed = threading.Condition()
        for stream in streams:
            threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream):
        for line in stream:
            with self.changed:
                self.lines.append(line.rstrip("\n"))
                self.changed.notify_all()

    def wait(self, condition, timeout: float, what: str):
        deadline = time.monotonic() + timeout
        with self.changed:
            while not (found := condition(self.lines)):
                left = deadline - time.monotonic()
                assert left > 0, f"{what} not seen within {timeout} s:\n" + "\n".join(self.lines[-40:])
                self.changed.wait(left)
        return found


@pytest.fixture
def gunicorn(settings):
    """Two gunicorn workers serving ``wsgi:app`` as production starts them (``console.gunicorn_conf``:
    each warmed, then saying it is ready) on a free port, on a freshly migrated database, behind one
    (pretend) reverse proxy so each test round can come from its own address."""
    env = {**os.environ, "POSTE_DATA": str(settings.data_dir), "DATABASE_URL": settings.database_url,
           "POSTE_SMTP_PORT": "1", "POSTE_PROXY_FIX": "1", "PYTHONUNBUFFERED": "1",
           "POSTE_HTTP_PORT": str(free_port()), "POSTE_HTTP_WORKERS": "2"}
    env.pop("RATELIMIT_STORAGE_URI", None)
    subprocess.run([BIN / "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=120)
    process = subprocess.Popen(
        command(load_settings(env), BIN) + ["--access-logformat", "access pid=%(p)s %(m)s %(U)s %(s)s"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    output = Output(process.stdout, process.stderr)
    try:
        listening = output.wait(lambda lines: next((m for line in lines if (
            m := re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", line))), None), 60, "gunicorn listening")
        output.wait(lambda lines: len([x for x in lines if re.search(r"console worker \d+ ready: \d+ templates", x)])
                    >= 2, 60, "two workers warmed")
        yield int(listening.group(1)), output
    finally:
        process.terminate()
        process.wait(timeout=30)


def request(port: int, method: str, path: str, body: str = "", headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read().decode("utf-8")
    finally:
        connection.close()


def login_form(port: int, address: str):
    """A session cookie and its CSRF token, asked for by a browser at ``address``; and a function
    that posts one wrong login attempt with them, returning the status."""
    status, headers, html = request(port, "GET", "/connexion", headers={"X-Forwarded-For": address})
    assert status == 200
    cookie = next(v.split(";")[0] for k, v in headers if k.lower() == "set-cookie" and v.startswith("session="))
    body = urlencode({"csrf_token": f.csrf_token(html), "email": "nobody@acme.example", "password": "wrong"})

    def attempt() -> int:
        return request(port, "POST", "/connexion", body, {
            "Cookie": cookie, "X-Forwarded-For": address,
            "Content-Type": "application/x-www-form-urlencoded"})[0]
    return attempt


def test_the_eleventh_attempt_is_refused_whatever_worker_answers(gunicorn):
    port, output = gunicorn
    attempt = login_form(port, "203.0.113.7")
    assert [attempt() for _ in range(12)] == [422] * 10 + [429] * 2

    # 24 attempts at once from another address: exactly 10 go through, across both workers.
    attempt = login_form(port, "203.0.113.8")
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: attempt(), range(24)))
    assert sorted(statuses) == [422] * 10 + [429] * 14

    assert login_form(port, "203.0.113.9")() == 422  # counted per address

    def all_logged(lines):
        posts = [line for line in lines if line.startswith("access ") and "POST /connexion" in line]
        return posts if len(posts) == 37 else None
    posts = output.wait(all_logged, 30, "37 logged attempts")
    workers = {re.search(r"pid=<?(\d+)", line).group(1) for line in posts}
    assert len(workers) == 2, "one worker answered every attempt: the test proved nothing"


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture
def storage(db, monkeypatch):
    clock = Clock()
    monkeypatch.setattr(DatabaseStorage, "clock", clock)
    return DatabaseStorage("poste-db://"), clock


def test_database_storage_counts_a_fixed_window(storage):
    store, clock = storage
    assert store.check() and store.get("k") == 0
    assert [store.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert store.incr("k", 60, amount=2) == 5 and store.get("k") == 5 and store.get("other") == 0
    assert store.get_expiry("k") == clock.now + 60
    clock.now += 59.9
    assert store.incr("k", 60) == 6 and store.get_expiry("k") == 1_000_060.0  # the window does not slide
    clock.now += 0.1
    assert store.get("k") == 0 and store.incr("k", 60) == 1 and store.get_expiry("k") == clock.now + 60
    store.clear("k")
    assert store.get("k") == 0
    store.incr("a", 60), store.incr("b", 60)
    assert store.reset() == 2 and store.get("a") == store.get("b") == 0


def test_login_limit_uses_the_database_unless_told_otherwise(settings, db, monkeypatch):
    from console import create_app
    from console.plugins import limiter

    elsewhere = replace(settings, ratelimit_storage_uri="memory://")
    create_app(elsewhere, TESTING=True, RATELIMIT_ENABLED=True)
    assert type(limiter.storage).__name__ == "MemoryStorage"
    create_app(settings, TESTING=True, RATELIMIT_ENABLED=True)
    assert isinstance(limiter.storage, DatabaseStorage)
    create_app(elsewhere, TESTING=True, RATELIMIT_ENABLED=True)
    assert type(limiter.storage).__name__ == "MemoryStorage"


def attempts(app, address: str, count: int) -> list[int]:
    client = app.test_client()
    token = f.csrf_token(client.get("/connexion").text)
    return [client.post("/connexion", data={"csrf_token": token, "email": "x@acme.example", "password": "wrong"},
                        headers={"X-Forwarded-For": address}).status_code for _ in range(count)]


@pytest.mark.parametrize("proxies,second_address", [("0", 429), ("1", 422)])
def test_forwarded_addresses_count_apart_only_behind_a_configured_proxy(settings, db, monkeypatch,
                                                                         proxies, second_address):
    from console import create_app

    app = create_app(replace(settings, proxy_fix=int(proxies), ratelimit_storage_uri="poste-db://"), TESTING=True,
                     RATELIMIT_ENABLED=True)
    assert attempts(app, "198.51.100.1", 11) == [422] * 10 + [429]
    assert attempts(app, "198.51.100.2", 1) == [second_address]
