"""B1: the files desk phones fetch, at ``/prov/<name>``, as a plain WSGI app beside the console.

Order of every request, so that a scan learns nothing:

1. Plain HTTP: one fixed answer (403, "HTTPS only"), for every path: a phone's file holds SIP
   passwords, so it never travels in clear.
2. An address with too many failed authentications lately: one fixed answer (429), whatever
   it asks and whatever credentials it sends; other addresses are not concerned.
3. Authenticate: digest with this server's nonces (or basic, over TLS). No credentials, wrong
   ones, an unknown user, a forged nonce or a replayed answer: the same 401 (failures are
   counted and logged, one line each, with the client's address and never a password or the
   ``Authorization`` header). The path is not looked at yet.
4. Only then the file: among the names *this* device may fetch (its vendor's common files
   and, while it serves an extension, its own files); anything else, another phone's file
   included, is the same 404. Nothing is read from the query string or the file system; the
   ``User-Agent`` is not read at all.

Answers are ``Cache-Control: no-store``. It is mounted before Flask (``mount``) so that the
many small requests of a roll-out do not pay for sessions, CSRF and locales.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from collections.abc import Callable
from functools import lru_cache

from werkzeug.middleware.proxy_fix import ProxyFix

from tenants import devices
from tenants.config import Settings
from tenants.db import database
from tenants.provisioning import COMMON, VENDORS, digest
from tenants.secrets_store import secret_key

PREFIX = "/prov"
log = logging.getLogger("poste.provisioning")
_OWN_USER = re.compile(r"^ph[0-9a-f]{12}$")
_ADDRESS = re.compile(r"[^0-9A-Za-z:.\-]")
BASE_HEADERS = [("Cache-Control", "no-store"), ("Pragma", "no-cache"), ("X-Content-Type-Options", "nosniff")]
TEXT = "text/plain; charset=utf-8"
NOT_FOUND = b"Not found.\n"
UNAUTHORIZED = b"Authentication required.\n"
TOO_MANY = b"Too many failed attempts from this address. Try again later.\n"
NOT_ALLOWED = b"Method not allowed.\n"


def nonce_key(settings: Settings) -> bytes:
    """The key of this installation's nonces: every worker and host with the same secrets shares it."""
    return hmac.new(secret_key(settings.data_dir, settings.secret_key).encode(), b"poste provisioning nonces",
                    hashlib.sha256).digest()


@lru_cache(maxsize=256)
def _common(vendor_key: str, model: str) -> bytes:
    """A common file: the same bytes for every phone of the model, rendered once."""
    return VENDORS[vendor_key].render_common(model).encode("utf-8")


@lru_cache(maxsize=4096)
def _own(vendor_key: str, rows: tuple[tuple, ...], sip_address: str, sip_port: int) -> bytes:
    """A device's own file, rendered again only when what it is made of changed (``line_rows``:
    a new password, name, line or time zone gives new rows). Kept in the worker's memory, which
    holds the key that decrypts them anyway."""
    return VENDORS[vendor_key].render_device(devices.config_of(rows, sip_address, sip_port)).encode("utf-8")


class ProvisioningApp:
    def __init__(self, settings: Settings, key: bytes, clock: Callable[[], float] = time.time):
        self.settings, self.key, self.clock = settings, key, clock
        self.https_only = (f"Provisioning is served over HTTPS only: {settings.prov_url}/\n").encode()

    def __call__(self, environ, start_response):
        status, headers, body = self.answer(environ)
        headers = [*headers, *BASE_HEADERS, ("Content-Length", str(len(body)))]
        start_response(status, headers)
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]

    # ---------------------------------------------------------------- the steps
    def answer(self, environ) -> tuple[str, list[tuple[str, str]], bytes]:
        if environ.get("wsgi.url_scheme") != "https":
            return "403 Forbidden", [("Content-Type", TEXT)], self.https_only
        now = self.clock()
        client = _ADDRESS.sub("?", environ.get("REMOTE_ADDR") or "?")[:64]
        database.connect(reuse_if_open=True)  # this thread's connection stays open for its next request
        if devices.failures(client, now) >= self.settings.prov_auth_fail_max:
            log.warning("refused %s: too many failed authentications (banned for up to %d s)",
                        client, self.settings.prov_ban_seconds)
            return "429 Too Many Requests", [("Content-Type", TEXT),
                                             ("Retry-After", str(self.settings.prov_ban_seconds))], TOO_MANY
        method = environ.get("REQUEST_METHOD", "GET")
        found: dict[str, devices.Authority] = {}

        def lookup(username: str) -> digest.Secrets | None:
            authority = devices.credentials_of(username)
            if authority is not None:
                found[username] = authority
            return authority.secrets if authority else None

        verdict = digest.verify(environ.get("HTTP_AUTHORIZATION", ""), method, _request_target(environ), lookup,
                                self.key, now, basic_allowed=True)
        if verdict.kind == digest.STALE:
            return self.challenge(now, stale=True)
        if verdict.kind == digest.FAILED:
            return self.failed(client, verdict, now)
        if verdict.kind != digest.OK:
            return self.challenge(now)
        device = found[verdict.username]
        if method not in ("GET", "HEAD"):
            return "405 Method Not Allowed", [("Content-Type", TEXT), ("Allow", "GET, HEAD")], NOT_ALLOWED
        name = (environ.get("PATH_INFO") or "")[len(PREFIX) + 1:]
        content = self.content(device, name)
        if not devices.accept_fetch(device.id, verdict.replay_key, client, name if content else "", now):
            return self.failed(client, digest.Verdict(digest.FAILED, verdict.username, "replayed answer"), now)
        if content is None:
            return "404 Not Found", [("Content-Type", TEXT)], NOT_FOUND
        return "200 OK", [("Content-Type", content[0])], content[1]

    def content(self, device: devices.Authority, name: str) -> tuple[str, bytes] | None:
        """The file ``name`` of this device, if it is one of the names it may fetch."""
        kind = device.files().get(name)
        if kind is None:
            return None
        vendor = VENDORS[device.vendor]
        if kind == COMMON:
            return vendor.content_type, _common(vendor.key, device.model)
        rows = devices.line_rows(device.id)
        if not rows:  # its last extension went between the two reads
            return None
        return vendor.content_type, _own(vendor.key, rows, self.settings.sip_address, self.settings.sip_port)

    def challenge(self, now: float, stale: bool = False):
        return "401 Unauthorized", [("Content-Type", TEXT), *digest.challenge(self.key, now, stale)], UNAUTHORIZED

    def failed(self, client: str, verdict: digest.Verdict, now: float):
        count = devices.count_failure(client, self.settings.prov_ban_seconds, now)
        user = verdict.username if _OWN_USER.match(verdict.username) else ("-" if not verdict.username else "?")
        log.warning("authentication failed from %s: %s (user %s; %d failure(s) in %d s, ban at %d)",
                    client, verdict.reason, user, count, self.settings.prov_ban_seconds,
                    self.settings.prov_auth_fail_max)
        return self.challenge(now)


def _request_target(environ) -> str:
    """The path and query as the client sent them: what its digest ``uri`` must be."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "")
    if "?" not in raw and environ.get("QUERY_STRING"):
        raw += "?" + environ["QUERY_STRING"]
    return environ.get("SCRIPT_NAME", "") + raw


def mount(flask_app, settings: Settings, clock: Callable[[], float] = time.time) -> ProvisioningApp:
    """Serve ``/prov/...`` by ``ProvisioningApp`` in front of the console (the same reverse-proxy
    setting, ``POSTE_PROXY_FIX``, decides whose ``X-Forwarded-*`` headers are believed)."""
    app = ProvisioningApp(settings, nonce_key(settings), clock)
    served = app
    if settings.proxy_fix:
        n = settings.proxy_fix
        served = ProxyFix(app, x_for=n, x_proto=n, x_host=n, x_port=n, x_prefix=n)
    console = flask_app.wsgi_app

    def dispatch(environ, start_response):
        path = environ.get("PATH_INFO") or ""
        if path == PREFIX or path.startswith(PREFIX + "/"):
            return served(environ, start_response)
        return console(environ, start_response)

    flask_app.wsgi_app = dispatch
    flask_app.extensions["poste_provisioning"] = app
    return app
