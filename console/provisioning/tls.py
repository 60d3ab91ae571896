"""The provisioning server's certificate: the configured one, else a self-signed one made once.

Phones that must trust it are given its fingerprint (``fingerprint``; the devices page shows
it) or are told not to check (most vendors' default for a first provisioning); an operator
with a real certificate sets ``POSTE_PROV_CERTFILE`` and ``POSTE_PROV_KEYFILE``.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tenants.config import Settings

VALID_DAYS = 3650


def _names(settings: Settings) -> list[x509.GeneralName]:
    hosts = {"localhost", "127.0.0.1", settings.sip_address}
    host = settings.prov_url.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0].strip("[]")
    hosts.add(host)
    if settings.prov_address not in ("", "0.0.0.0", "::"):
        hosts.add(settings.prov_address)
    names: list[x509.GeneralName] = []
    for name in sorted(h for h in hosts if h):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            names.append(x509.DNSName(name))
    return names


def _write(path: Path, data: bytes, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def ensure_certificate(settings: Settings) -> tuple[Path, Path]:
    """The certificate and key files to serve with, made (self-signed, ECDSA P-256) when absent."""
    cert, key = Path(settings.prov_certfile), Path(settings.prov_keyfile)
    if cert.is_file() and key.is_file():
        return cert, key
    private = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Poste provisioning"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Poste")])
    now = dt.datetime.now(dt.UTC)
    certificate = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
                   .public_key(private.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=VALID_DAYS))
                   .add_extension(x509.SubjectAlternativeName(_names(settings)), critical=False)
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                   .sign(private, hashes.SHA256()))
    _write(key, private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()), 0o600)
    _write(cert, certificate.public_bytes(serialization.Encoding.PEM), 0o644)
    return cert, key


def fingerprint(settings: Settings) -> str:
    """SHA-256 fingerprint of the certificate in use (``AB:CD:...``), or "" when there is none yet."""
    try:
        certificate = x509.load_pem_x509_certificate(Path(settings.prov_certfile).read_bytes())
    except (OSError, ValueError):
        return ""
    return ":".join(f"{b:02X}" for b in certificate.fingerprint(hashes.SHA256()))
