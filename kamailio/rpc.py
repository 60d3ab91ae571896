"""A small JSON-RPC client for the running Kamailio (module ``jsonrpcs``).

It talks over the UNIX datagram socket that ``kamailio/service.py`` configures
(``$POSTE_DATA/kamailio/rpc.sock``) and returns plain data. ``KamailioRegistrar``
is the domain's registrar port (``tenants.ports.Registrar``) over it, which the
composition root (``wiring.py``) installs; the console and the domain go through
that port, not through this module.

    registrations("acme.pbx.example")  -> [{"extension": "2001", "contact": ..., ...}]
    active_calls("acme.pbx.example")   -> [{"caller": "2002", "callee": "2001", ...}]
    stats(), totals_by_domain(), call(method, *params)

Times are naive UTC ``datetime`` values, like every timestamp of the project.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import os
import socket
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tenants import config
from tenants.config import Settings
from tenants.ports import RegistrarError

DEFAULT_TIMEOUT = 3.0
MAX_REPLY = 1 << 20
_ids = itertools.count(1)


class RpcError(RegistrarError):
    """Kamailio answered with an error, or did not answer in time."""


def socket_path(settings=None) -> Path:
    """Kamailio's JSON-RPC socket for ``settings`` (default: this process's, ``tenants.config.current()``)."""
    settings = settings or config.current()
    return settings.data_dir / "kamailio" / "rpc.sock"


def call(method: str, *params: Any, settings=None, path: str | os.PathLike | None = None,
         timeout: float = DEFAULT_TIMEOUT) -> Any:
    """Run one RPC command and return its ``result``; raise ``RpcError`` on failure."""
    target = str(path or socket_path(settings))
    request = {"jsonrpc": "2.0", "method": method, "id": next(_ids)}
    if params:
        request["params"] = list(params)
    with tempfile.TemporaryDirectory(prefix="poste-rpc-") as tmp:
        own = os.path.join(tmp, "c.sock")
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.bind(own)
            sock.settimeout(timeout)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, MAX_REPLY)
            try:
                sock.sendto(json.dumps(request).encode(), target)
                data = sock.recv(MAX_REPLY)
            except (OSError, TimeoutError) as exc:
                raise RpcError(f"{method}: no answer from Kamailio at {target}: {exc}") from exc
    try:
        reply = json.loads(data.decode("utf-8", "replace"))
    except ValueError as exc:
        raise RpcError(f"{method}: unreadable answer {data[:200]!r}") from exc
    if "error" in reply:
        raise RpcError(f"{method}: {reply['error'].get('code')} {reply['error'].get('message')}")
    return reply.get("result")


def is_running(settings=None, path=None) -> bool:
    try:
        call("core.version", settings=settings, path=path, timeout=1.0)
        return True
    except RpcError:
        return False


# ---------------------------------------------------------------- registrations

def _utc(timestamp: float | int | None) -> dt.datetime | None:
    if not timestamp:
        return None
    return dt.datetime.fromtimestamp(float(timestamp), dt.UTC).replace(tzinfo=None)


def _since_key(aor: str, contact: str) -> str:
    # the key kamailio.cfg stores in htable "regsince": md5("sip:<aor>|<contact uri>")
    return hashlib.md5(f"sip:{aor}|{contact}".encode()).hexdigest()


def _since_table(settings=None, path=None) -> dict[str, int]:
    try:
        result = call("htable.dump", "regsince", settings=settings, path=path)
    except RpcError:
        return {}
    table = {}
    for slot in result or []:
        for item in slot.get("slot", []):
            try:
                table[item["name"]] = int(item["value"])
            except (KeyError, TypeError, ValueError):
                continue
    return table


def _aors(settings=None, path=None) -> list[dict]:
    result = call("ul.dump", settings=settings, path=path)
    aors = []
    for entry in (result or {}).get("Domains", []):
        aors += entry.get("Domain", {}).get("AoRs", [])
    return aors


def registrations(domain: str | None = None, *, settings=None, path=None) -> list[dict]:
    """The registered phones, of one tenant's ``domain`` or of all, by extension.

    Each: extension, domain, aor, contact, user_agent, received, registered_at
    (first registration of this contact), last_refresh, expires_at, expires_in (s), transport.
    """
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    since = _since_table(settings, path)
    rows = []
    for aor_entry in _aors(settings, path):
        info = aor_entry.get("Info", {})
        aor = info.get("AoR", "")
        user, _, aor_domain = aor.partition("@")
        if domain is not None and aor_domain.lower() != domain.lower():
            continue
        for item in info.get("Contacts", []):
            contact = item.get("Contact", {})
            expires = contact.get("Expires")
            expires_in = int(expires) if isinstance(expires, (int, float)) or str(expires).isdigit() else None
            last = _utc(contact.get("Last-Modified"))
            address = contact.get("Address", "")
            first = since.get(_since_key(aor, address))
            socket_name = contact.get("Socket") or ""
            rows.append({
                "extension": user, "domain": aor_domain, "aor": aor, "contact": address,
                "user_agent": contact.get("User-Agent") or "",
                "received": contact.get("Received") if contact.get("Received") not in ("[not set]", None) else "",
                "registered_at": _utc(first) if first else last,
                "last_refresh": last,
                "expires_at": now + dt.timedelta(seconds=expires_in) if expires_in is not None else None,
                "expires_in": expires_in,
                "transport": socket_name.split(":", 1)[0] if socket_name else "",
                "call_id": contact.get("Call-ID", ""),
            })
    rows.sort(key=lambda r: (r["domain"], r["extension"], r["contact"]))
    return rows


# ---------------------------------------------------------------- calls

def _uri_user_domain(uri: str) -> tuple[str, str]:
    uri = (uri or "").strip("<>")
    if ":" in uri:
        uri = uri.split(":", 1)[1]
    uri = uri.split(";", 1)[0].split(">", 1)[0]
    user, _, host = uri.rpartition("@")
    return user, host.split(":", 1)[0].lower()


_STATES = {1: "unconfirmed", 2: "early", 3: "confirmed", 4: "confirmed", 5: "deleted"}


def active_calls(domain: str | None = None, *, settings=None, path=None) -> list[dict]:
    """Calls in progress (Kamailio dialogs), of one tenant's ``domain`` or of all.

    Each: call_id, caller, callee, domain, state (early/confirmed), started_at, duration (s).
    """
    result = call("dlg.list", settings=settings, path=path) or []
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    calls = []
    for dlg in result:
        state = int(dlg.get("state", 0))
        if state not in (1, 2, 3, 4):
            continue
        caller, caller_domain = _uri_user_domain(dlg.get("caller", {}).get("uri", ""))
        callee, _ = _uri_user_domain(dlg.get("callee", {}).get("uri", "") or dlg.get("ruri", ""))
        variables = {}
        for var in dlg.get("variables", []) or []:
            if isinstance(var, dict):
                variables.update(var)
        tenant = (variables.get("tenant") or caller_domain).lower()
        if domain is not None and tenant != domain.lower():
            continue
        started = _utc(dlg.get("start_ts")) if state in (3, 4) else None
        calls.append({
            "call_id": dlg.get("call-id", ""), "caller": variables.get("src_user") or caller,
            "callee": variables.get("dst_user") or callee, "domain": tenant,
            "state": _STATES.get(state, str(state)),
            "created_at": _utc(dlg.get("init_ts")), "started_at": started,
            "duration": int((now - started).total_seconds()) if started else 0,
        })
    calls.sort(key=lambda c: (c["domain"], c["created_at"] or now))
    return calls


# ---------------------------------------------------------------- statistics

def stats(*, settings=None, path=None) -> dict:
    """A few counters: registered contacts, active and early dialogs, processed requests, uptime."""
    values = {}
    for group in ("usrloc:", "dialog:", "core:", "sl:", "tmx:"):
        result = call("stats.get_statistics", group, settings=settings, path=path) or []
        for line in result:
            name, _, value = str(line).partition(" = ")
            try:
                values[name.split(":", 1)[-1]] = int(value)
            except ValueError:
                continue
    uptime = call("core.uptime", settings=settings, path=path) or {}
    return {
        "registered_contacts": values.get("location_contacts", 0),
        "registered_users": values.get("registered_users", 0),
        "active_calls": values.get("active_dialogs", 0),
        "early_calls": values.get("early_dialogs", 0),
        "processed_calls": values.get("processed_dialogs", 0),
        "received_requests": values.get("rcv_requests", 0),
        "uptime_seconds": int(uptime.get("uptime", 0)) if isinstance(uptime, dict) else 0,
    }


def totals_by_domain(*, settings=None, path=None) -> dict[str, dict]:
    """For the operator: per tenant domain, registered extensions, phones and active calls."""
    totals: dict[str, dict] = {}

    def slot(domain: str) -> dict:
        return totals.setdefault(domain, {"extensions": set(), "phones": 0, "calls": 0})

    for reg in registrations(settings=settings, path=path):
        entry = slot(reg["domain"])
        entry["extensions"].add(reg["extension"])
        entry["phones"] += 1
    for active in active_calls(settings=settings, path=path):
        slot(active["domain"])["calls"] += 1
    return {domain: {"registered_extensions": len(v["extensions"]), "phones": v["phones"],
                     "active_calls": v["calls"]} for domain, v in sorted(totals.items())}


def media_nodes(*, settings=None, path=None) -> list[dict]:
    """The media apps of dispatcher set 1: ``uri``, ``flags`` (A active, I inactive, T trying,
    D disabled; P probing) and ``active``. Empty when Kamailio runs without media apps."""
    try:
        result = call("dispatcher.list", settings=settings, path=path)
    except RpcError:
        return []
    nodes = []
    for record in (result or {}).get("RECORDS") or []:
        group = record.get("SET") or {}
        if int(group.get("ID", 0)) != 1:
            continue
        for target in group.get("TARGETS") or []:
            dest = target.get("DEST") or {}
            flags = str(dest.get("FLAGS", ""))
            nodes.append({"uri": dest.get("URI", ""), "flags": flags, "active": flags.startswith("A")})
    return nodes


def unregister(extension: str, domain: str, *, settings=None, path=None) -> None:
    """Drop every registration of ``extension@domain`` (e.g. after a deleted extension)."""
    try:
        call("ul.rm", "location", f"{extension}@{domain}", settings=settings, path=path)
    except RpcError as exc:
        if "not found" not in str(exc).lower() and "404" not in str(exc):
            raise


def _contacts_of(aor: str, settings=None, path=None) -> list[dict]:
    """The registered contacts of ``aor`` as usrloc keeps them (``Address``, ``Received``, ``Socket``...)."""
    try:
        result = call("ul.lookup", "location", aor, settings=settings, path=path)
    except RpcError as exc:
        if "not found" in str(exc).lower() or "404" in str(exc):
            return []
        raise
    result = result if isinstance(result, dict) else {}
    aor_entry = result.get("AoR")
    items = result.get("Contacts") or (aor_entry.get("Contacts") if isinstance(aor_entry, dict) else None) or []
    return [item.get("Contact", {}) for item in items if isinstance(item, dict)]


def resync(aor: str, event: str = "check-sync", *, settings=None, path=None) -> int:
    """SIP NOTIFY ``Event: <event>`` (check-sync) from Kamailio to every registered contact of
    ``aor`` (``tm.t_uac_start``: sent from the socket the phone registered on, to the address
    its REGISTER came from), which makes a desk phone fetch its configuration again. Returns
    how many were sent; the phones' answers are not awaited."""
    user, _, domain = aor.partition("@")
    sent = 0
    for contact in _contacts_of(aor, settings, path):
        uri = contact.get("Address") or ""
        if not uri.startswith(("sip:", "sips:")):
            continue
        received = contact.get("Received") or ""
        nexthop = received if received.startswith("sip") else "."
        socket_name = contact.get("Socket") or ""
        headers = (f"From: <sip:provisioning@{domain}>;tag={uuid.uuid4().hex[:16]}\r\n"
                   f"To: <sip:{user}@{domain}>\r\n"
                   f"Event: {event}\r\n"
                   "Subscription-State: terminated;reason=noresource\r\n"
                   "Content-Length: 0\r\n")
        call("tm.t_uac_start", "NOTIFY", uri, nexthop, socket_name if socket_name and socket_name != "[not set]" else ".",
             headers, settings=settings, path=path)
        sent += 1
    return sent


@dataclass(frozen=True)
class KamailioRegistrar:
    """``tenants.ports.Registrar`` over the Kamailio of ``settings``; its errors are ``RpcError``,
    a ``RegistrarError``."""

    settings: Settings

    def unregister(self, aor: str) -> None:
        extension, _, domain = aor.partition("@")
        unregister(extension, domain, settings=self.settings)

    def registrations(self, domain: str | None = None) -> list[dict]:
        return registrations(domain, settings=self.settings)

    def active_calls(self, domain: str | None = None) -> list[dict]:
        return active_calls(domain, settings=self.settings)

    def totals_by_domain(self) -> dict[str, dict]:
        return totals_by_domain(settings=self.settings)

    def resync(self, aor: str, event: str) -> int:
        return resync(aor, event, settings=self.settings)

    def forget_domain(self, domain: str) -> None:
        """poste.cfg's ``served`` htable remembers served domains: drop this one's answer."""
        try:
            call("htable.delete", "served", domain.lower(), settings=self.settings)
        except RpcError as exc:
            if "not found" not in str(exc).lower():
                raise
