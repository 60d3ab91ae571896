"""Hashing of web passwords and PINs (argon2), and secrets kept encrypted at rest.

A SIP password is needed in clear by a desk phone's configuration file, so it is
encrypted (Fernet, the instance key ``POSTE_SIP_KEY``) rather than hashed; Kamailio
only ever sees its digests. A first voicemail PIN is kept the same way, only until
its email is sent.
"""
from __future__ import annotations

import hashlib
import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet

_hasher = PasswordHasher()
_fernet: Fernet | None = None


def use_fast_hashing() -> None:
    """Cheapest argon2 parameters: for test suites only, where thousands of hashes are made."""
    global _hasher
    from argon2.profiles import CHEAPEST
    _hasher = PasswordHasher.from_parameters(CHEAPEST)


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


def verify_secret(stored_hash: str, secret: str) -> bool:
    try:
        return _hasher.verify(stored_hash, secret)
    except (VerificationError, InvalidHashError):
        return False


def configure_sip_key(key: str) -> None:
    """Set the key that encrypts secrets at rest, SIP passwords first (done once at start-up)."""
    global _fernet
    _fernet = Fernet(key.encode("ascii"))


def _cipher() -> Fernet:
    if _fernet is None:
        raise RuntimeError("configure_sip_key() was not called")
    return _fernet


def encrypt_secret(secret: str) -> str:
    """``secret`` encrypted with the instance key, to be stored."""
    return _cipher().encrypt(secret.encode("utf-8")).decode("ascii")


def decrypt_secret(token: str) -> str:
    return _cipher().decrypt(token.encode("ascii")).decode("utf-8")


encrypt_sip_password, decrypt_sip_password = encrypt_secret, decrypt_secret


def sip_digests(username: str, domain: str, password: str) -> tuple[str, str]:
    """Kamailio's ``ha1`` and ``ha1b`` (RFC 2617 MD5, which SIP digest still uses)."""
    ha1 = hashlib.md5(f"{username}:{domain}:{password}".encode()).hexdigest()
    ha1b = hashlib.md5(f"{username}@{domain}:{domain}:{password}".encode()).hexdigest()
    return ha1, ha1b


def generate_sip_password(length: int = 20) -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def generate_pin(length: int = 6) -> str:
    """A random voicemail PIN with no obvious pattern (not all one digit, not a run)."""
    while True:
        pin = "".join(secrets.choice(string.digits) for _ in range(length))
        if len(set(pin)) > 2 and pin not in "01234567890" and pin not in "98765432109":
            return pin
