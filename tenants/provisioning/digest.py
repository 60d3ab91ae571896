"""HTTP authentication of desk phones (RFC 7616 digest; RFC 7617 basic, over TLS only), as pure functions.

Nonces are the server's: the start of a time slot and an HMAC of it with the instance's key,
so any worker checks them without shared state, and a forged or expired one is refused. A
nonce is the same for every client within its slot: an answer that asks for credentials
carries nothing that depends on who asks or what (a scan learns nothing from it). Replays are
refused by the caller, which keeps every ``(nonce, user, cnonce, nc)`` seen while the nonce
lives (``Verdict.replay_key``); ``qop=auth`` is therefore required, so that a client's fresh
``cnonce`` makes each of its requests distinct.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass

REALM = "poste-provisioning"
SLOT_SECONDS = 60  # a new nonce every minute
NONCE_LIFETIME = 300  # seconds a nonce is accepted after its slot began; then the client is told it is stale
ALGORITHMS = {"md5": hashlib.md5, "sha-256": hashlib.sha256}
MAX_HEADER = 4096
_PARAM = re.compile(r'\s*([A-Za-z0-9_-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s,]*)\s*(?:,|$)')
_NC = re.compile(r"^[0-9a-fA-F]{8}$")
_ESCAPED = re.compile(r"\\(.)")

NONE, OK, FAILED, STALE = "none", "ok", "failed", "stale"


@dataclass(frozen=True)
class Secrets:
    """What the server keeps of one client's password: its HA1 per algorithm."""

    md5: str
    sha256: str

    def ha1(self, algorithm: str) -> str:
        return self.sha256 if algorithm == "sha-256" else self.md5


@dataclass(frozen=True)
class Verdict:
    kind: str  # NONE (no credentials: ask), OK, FAILED (count it), STALE (right, but an old nonce: ask again)
    username: str = ""
    reason: str = ""
    replay_key: str = ""  # OK by digest: what must never be accepted twice


def ha1(username: str, password: str, algorithm: str = "md5") -> str:
    return ALGORITHMS[algorithm](f"{username}:{REALM}:{password}".encode()).hexdigest()


def secrets_for(username: str, password: str) -> Secrets:
    return Secrets(ha1(username, password, "md5"), ha1(username, password, "sha-256"))


def make_nonce(key: bytes, now: float) -> str:
    slot = struct.pack(">Q", int(now) // SLOT_SECONDS * SLOT_SECONDS)
    return base64.urlsafe_b64encode(slot + hmac.new(key, b"nonce" + slot, hashlib.sha256).digest()[:18]).decode()


def nonce_age(key: bytes, nonce: str, now: float) -> float | None:
    """Seconds since ``nonce``'s slot began, or None when this server did not make it."""
    try:
        raw = base64.urlsafe_b64decode(nonce.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return None
    if len(raw) != 26:
        return None
    slot, mac = raw[:8], raw[8:]
    if not hmac.compare_digest(mac, hmac.new(key, b"nonce" + slot, hashlib.sha256).digest()[:18]):
        return None
    age = now - struct.unpack(">Q", slot)[0]
    return age if age >= -SLOT_SECONDS else None


def challenge(key: bytes, now: float, stale: bool = False) -> list[tuple[str, str]]:
    """The ``WWW-Authenticate`` headers of a 401: digest first, basic (TLS only) second."""
    digest = f'Digest realm="{REALM}", qop="auth", algorithm=MD5, nonce="{make_nonce(key, now)}"'
    return [("WWW-Authenticate", digest + (", stale=true" if stale else "")),
            ("WWW-Authenticate", f'Basic realm="{REALM}", charset="UTF-8"')]


def parse_params(text: str) -> dict[str, str] | None:
    """``k=v, k="v"`` pairs of a digest header (names lower-cased), or None when malformed."""
    params: dict[str, str] = {}
    pos = 0
    while pos < len(text):
        match = _PARAM.match(text, pos)
        if not match or match.end() == pos:
            return None
        name, value = match.group(1).lower(), match.group(2)
        if value.startswith('"'):
            value = value[1:-1]
            if "\\" in value:
                value = _ESCAPED.sub(r"\1", value)
        if name in params:
            return None
        params[name] = value
        pos = match.end()
    return params


def _digest_response(params: dict[str, str], method: str, ha1_value: str, algorithm: str) -> str:
    h = ALGORITHMS[algorithm]
    ha2 = h(f"{method}:{params['uri']}".encode()).hexdigest()
    return h(f"{ha1_value}:{params['nonce']}:{params['nc']}:{params['cnonce']}:{params['qop']}:{ha2}".encode()).hexdigest()


def client_response(username: str, password: str, method: str, uri: str, nonce: str, nc: int, cnonce: str,
                    algorithm: str = "md5") -> str:
    """The ``Authorization`` value a phone sends (for tests and the benchmark)."""
    params = {"uri": uri, "nonce": nonce, "nc": f"{nc:08x}", "cnonce": cnonce, "qop": "auth"}
    response = _digest_response(params, method, ha1(username, password, algorithm), algorithm)
    return (f'Digest username="{username}", realm="{REALM}", nonce="{nonce}", uri="{uri}", '
            f'algorithm={"SHA-256" if algorithm == "sha-256" else "MD5"}, qop=auth, nc={params["nc"]}, '
            f'cnonce="{cnonce}", response="{response}"')


def _clean_user(username: str) -> str:
    return username if 0 < len(username) <= 64 and username.isprintable() else ""


_DUMMY = Secrets("0" * 32, "0" * 64)


def verify(header: str, method: str, uri: str, lookup: Callable[[str], Secrets | None], key: bytes,
           now: float, basic_allowed: bool) -> Verdict:
    """Judge a request's ``Authorization`` header. ``uri``: the request target as sent; ``lookup``:
    the secrets of a user name, or None. The secrets are looked up (and a digest computed) even
    for a request that will fail, so both failures take the same work."""
    header = (header or "").strip()
    if not header:
        return Verdict(NONE)
    if len(header) > MAX_HEADER:
        return Verdict(FAILED, reason="header too long")
    scheme, _, rest = header.partition(" ")
    scheme = scheme.lower()
    if scheme == "basic":
        return _verify_basic(rest.strip(), lookup, basic_allowed)
    if scheme != "digest":
        return Verdict(NONE)
    params = parse_params(rest)
    if params is None or not all(params.get(k) for k in ("username", "realm", "nonce", "uri", "response")):
        return Verdict(FAILED, reason="malformed digest")
    username = _clean_user(params["username"])
    algorithm = params.get("algorithm", "MD5").lower()
    if algorithm not in ALGORITHMS:
        return Verdict(FAILED, username, "unsupported algorithm")
    if params.get("qop") != "auth" or not _NC.match(params.get("nc", "")) or not params.get("cnonce"):
        return Verdict(FAILED, username, "qop=auth with nc and cnonce required")
    secrets = lookup(username) if username else None
    expected = _digest_response(params, method, (secrets or _DUMMY).ha1(algorithm), algorithm)
    right = hmac.compare_digest(expected, params["response"].lower())
    if params["realm"] != REALM:
        return Verdict(FAILED, username, "wrong realm")
    if params["uri"] != uri:
        return Verdict(FAILED, username, "uri does not match the request")
    age = nonce_age(key, params["nonce"], now)
    if age is None:
        return Verdict(FAILED, username, "nonce not issued by this server")
    if secrets is None:
        return Verdict(FAILED, username, "unknown user")
    if not right:
        return Verdict(FAILED, username, "wrong password")
    if age > NONCE_LIFETIME:
        return Verdict(STALE, username, "stale nonce")
    replay = hashlib.sha256("\0".join((params["nonce"], username, params["cnonce"], params["nc"].lower()))
                            .encode()).hexdigest()
    return Verdict(OK, username, replay_key=replay)


def _verify_basic(token: str, lookup: Callable[[str], Secrets | None], allowed: bool) -> Verdict:
    try:
        username, sep, password = base64.b64decode(token, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, ValueError):
        return Verdict(FAILED, reason="malformed basic")
    username = _clean_user(username)
    if not sep or not username:
        return Verdict(FAILED, reason="malformed basic")
    if not allowed:
        return Verdict(FAILED, username, "basic refused without TLS")
    secrets = lookup(username)
    right = hmac.compare_digest(ha1(username, password), (secrets or _DUMMY).md5)
    if secrets is None:
        return Verdict(FAILED, username, "unknown user")
    return Verdict(OK, username) if right else Verdict(FAILED, username, "wrong password")
