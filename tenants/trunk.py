"""The carrier trunk (C3, C4): where calls to the outside go and whose calls come from the outside.

One trunk for the installation, set by the operator. Calls from the outside are the carrier's
when they come from one of its host's addresses (any source port: carriers send from several),
never because of what a request says; calls to the outside may be challenged by the carrier,
and are then authenticated with the digest credentials given here. Kamailio reads the trunk on
each call (``kamailio/kemi.py``): a change counts from the next call, nothing to restart.
"""
from __future__ import annotations

import ipaddress
import json
import socket
from dataclasses import dataclass

from tenants import audit
from tenants.audit import Actor
from tenants.config import PORT_RANGE
from tenants.credentials import decrypt_secret, encrypt_secret
from tenants.db import database
from tenants.models import Trunk, utcnow
from tenants.problems import N_, DomainError, Problem
from tenants.validation import check_domain

TRANSPORTS = ("udp", "tcp")
_HOST_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789.-:")
_CREDENTIAL_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_+*!~@#%^&=/?")


@dataclass(frozen=True)
class TrunkInput:
    host: str
    port: int | str = 5060
    transport: str = "udp"
    username: str = ""
    password: str = ""
    from_domain: str = ""
    forward_caller_id: bool = False


def resolve(host: str) -> list[str]:
    """The IPv4 addresses of ``host`` (an address is itself), sorted; [] when it does not resolve."""
    try:
        return [str(ipaddress.IPv4Address(host))]
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, None, socket.AF_INET, socket.SOCK_DGRAM)
    except (OSError, UnicodeError):
        return []
    return sorted({str(info[4][0]) for info in found})


def check(data: TrunkInput) -> list[Problem]:
    """Pure checks of what the operator typed (the host's resolution is ``set_trunk``'s)."""
    problems = []
    host = (data.host or "").strip().lower()
    if not host:
        problems.append(Problem("host", N_("L'adresse de l'opérateur (hôte) est obligatoire.")))
    elif not set(host) <= _HOST_CHARS or len(host) > 253:
        problems.append(Problem("host", N_("« %(value)s » n'est pas un nom d'hôte ni une adresse IP."),
                                {"value": host[:80]}))
    port = str(data.port).strip()
    if not port.isdigit() or not PORT_RANGE[0] <= int(port) <= PORT_RANGE[1]:
        problems.append(Problem("port", N_("Le port doit être un nombre entre 1 et 65535.")))
    if data.transport not in TRANSPORTS:
        problems.append(Problem("transport", N_("Le transport doit être udp ou tcp.")))
    if bool(data.username) != bool(data.password):
        problems.append(Problem("username", N_("Donnez l'identifiant et le mot de passe ensemble, ou aucun des deux.")))
    for name, value in (("username", data.username), ("password", data.password)):
        if value and (len(value) > 64 or not set(value) <= _CREDENTIAL_CHARS):
            problems.append(Problem(name, N_("L'identifiant ou le mot de passe contient des caractères non autorisés "
                                             "ou dépasse 64 caractères.")))
    if data.from_domain:
        problems += check_domain(data.from_domain, "from_domain")
    return problems


def current() -> Trunk | None:
    return Trunk.select().order_by(Trunk.id).first()


def snapshot(trunk: Trunk | None) -> dict | None:
    """What may be shown and logged: never the password."""
    if trunk is None:
        return None
    return {"host": trunk.host, "port": trunk.port, "transport": trunk.transport, "addresses": list(trunk.addresses),
            "username": trunk.username, "password": "***" if trunk.password_enc else None,
            "from_domain": trunk.from_domain, "forward_caller_id": trunk.forward_caller_id}


def set_trunk(actor: Actor, data: TrunkInput) -> Trunk:
    """Set the carrier trunk (the only one), in one transaction with its audit entry."""
    problems = check(data)
    host = (data.host or "").strip().lower()
    addresses = resolve(host) if not problems else []
    if not problems and not addresses:
        problems.append(Problem("host", N_("L'hôte « %(value)s » ne se résout en aucune adresse IPv4."),
                                {"value": host[:80]}))
    if problems:
        raise DomainError(problems)
    with database.atomic():
        trunk = current() or Trunk()
        before = snapshot(trunk) if trunk.id else None
        trunk.host, trunk.port, trunk.transport, trunk.addresses = host, int(str(data.port).strip()), data.transport, addresses
        trunk.username = data.username or None
        trunk.password_enc = encrypt_secret(data.password) if data.password else None
        trunk.from_domain = (data.from_domain or "").strip().lower() or None
        trunk.forward_caller_id = bool(data.forward_caller_id)
        trunk.updated_at = utcnow()
        trunk.save()
        audit.record(actor, "trunk.set", None, "trunk", trunk.id, f"{host}:{trunk.port}", before, snapshot(trunk))
    return trunk


@dataclass(frozen=True)
class TrunkRoute:
    """What Kamailio needs to send a call to the carrier (``kamailio/kemi.py``)."""

    host: str
    port: int
    transport: str
    from_domain: str
    username: str
    password: str
    forward_caller_id: bool


def route(trunk: Trunk | None) -> TrunkRoute | None:
    if trunk is None:
        return None
    return TrunkRoute(trunk.host, trunk.port, trunk.transport, trunk.from_domain or trunk.host,
                      trunk.username or "", decrypt_secret(trunk.password_enc) if trunk.password_enc else "",
                      trunk.forward_caller_id)


def is_from_trunk(address: str) -> bool:
    """Is ``address`` (a request's source address) one of the carrier's? Kamailio asks on each
    request (kemi.py): one small parameterless query, its JSON read here."""
    row = database.execute_sql("SELECT addresses FROM trunk ORDER BY id LIMIT 1").fetchone()
    return row is not None and address in json.loads(row[0] or "[]")
