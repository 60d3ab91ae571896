"""B1: desk phones of a tenant, by MAC address, each serving one or more of its extensions.

A device has its own provisioning credentials (a random user name and a password of more
than 128 bits, kept encrypted for the admin's page, and as digest HA1 for checking), which
fetch only its own files (``tenants.provisioning``). Its file is rendered when fetched, from
the extensions it serves as they are then (SIP password from the encrypted store, the one
whose digests Kamailio holds): a change is in the next fetch. A device that serves no
extension has no file; a deleted one has no credentials.

Every change runs in one transaction with its audit entry.
"""
from __future__ import annotations

import datetime as dt
import re
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import peewee as pw

from tenants import audit, ports, throttle
from tenants.audit import Actor
from tenants.credentials import decrypt_secret, decrypt_sip_password, encrypt_secret
from tenants.db import database
from tenants.models import BaseModel, Extension, Tenant, utcnow
from tenants.problems import N_, DomainError, Problem
from tenants.provisioning import MODEL_PATTERN, VENDORS, Line, PhoneConfig, digest, vendor
from tenants.provisioning.timezone import posix_rule

PASSWORD_LENGTH = 24  # base 62: 142 bits
_ALPHABET = string.ascii_letters + string.digits
_MAC_SEPARATORS = re.compile(r"[\s:.\-]")
_HEX12 = re.compile(r"^[0-9a-f]{12}$")


class Device(BaseModel):
    if TYPE_CHECKING:  # peewee's foreign-key column
        tenant_id: int

    tenant = pw.ForeignKeyField(Tenant, backref="devices", on_delete="CASCADE")
    mac = pw.CharField(max_length=12, unique=True)  # 12 lower-case hex digits: a phone is in one place
    vendor = pw.CharField(max_length=16)
    model = pw.CharField(max_length=32)
    username = pw.CharField(max_length=32, unique=True)  # provisioning credentials
    password_enc = pw.TextField()  # encrypted at rest, shown to the tenant's admin
    ha1_md5 = pw.CharField(max_length=32)
    ha1_sha256 = pw.CharField(max_length=64)
    created_at = pw.DateTimeField(default=utcnow)
    last_fetch_at = pw.DateTimeField(null=True)
    last_fetch_from = pw.CharField(max_length=64, null=True)
    last_fetch_file = pw.CharField(max_length=64, null=True)

    class Meta:
        table_name = "device"


class DeviceLine(BaseModel):
    """Line ``position`` of a device is the extension's SIP account."""

    device = pw.ForeignKeyField(Device, backref="lines", on_delete="CASCADE")
    position = pw.IntegerField()
    extension = pw.ForeignKeyField(Extension, backref="device_lines", on_delete="CASCADE")

    class Meta:
        table_name = "device_line"
        indexes = ((("device", "position"), True),)


class ProvisioningNonceUse(BaseModel):
    """A digest answer already accepted (its hash), until its nonce expires: replays are refused."""

    key = pw.CharField(max_length=64, primary_key=True)
    expires_at = pw.DoubleField(index=True)

    class Meta:
        table_name = "provisioning_nonce_use"


MODELS = [Device, DeviceLine, ProvisioningNonceUse]


# ---------------------------------------------------------------- pure rules

def normalize_mac(text: str) -> str | None:
    """``00:15:65:AA:BB:CC``, ``00-15-65-aa-bb-cc``, ``0015.65aa.bbcc``, ``001565AABBCC`` ->
    ``001565aabbcc``; None for anything else, for a group address (multicast, broadcast) and
    for all zeros (Polycom's common file is named after it)."""
    mac = _MAC_SEPARATORS.sub("", (text or "").strip()).lower()
    if not _HEX12.match(mac) or mac == "0" * 12 or int(mac[1], 16) & 1:
        return None
    return mac


def mac_colons(mac: str) -> str:
    return ":".join(mac[i:i + 2] for i in range(0, 12, 2)).upper()


@dataclass(frozen=True)
class DeviceInput:
    """What a person gives to add a device or change it."""

    mac: str
    vendor: str
    model: str
    extensions: tuple[str, ...] = ()  # the numbers of the lines, in order

    def cleaned(self) -> DeviceInput:
        return DeviceInput(mac=(self.mac or "").strip(), vendor=(self.vendor or "").strip().lower(),
                           model=(self.model or "").strip(),
                           extensions=tuple(n.strip() for n in self.extensions if n and n.strip()))


def validate(data: DeviceInput, known_numbers: set[str]) -> list[Problem]:
    """Pure check of a device: MAC, vendor, model, and its lines (extensions of the tenant, each
    once, no more than the model has)."""
    problems = []
    if normalize_mac(data.mac) is None:
        problems.append(Problem("mac", N_("« %(value)s » n'est pas une adresse MAC de téléphone "
                                          "(12 chiffres hexadécimaux, par ex. 00:15:65:12:34:56)."),
                                {"value": data.mac[:32]}))
    chosen = vendor(data.vendor)
    if chosen is None:
        problems.append(Problem("vendor", N_("Fabricant inconnu : %(value)s (possibles : %(known)s)."),
                                {"value": data.vendor[:32], "known": ", ".join(VENDORS)}))
    if not MODEL_PATTERN.match(data.model):
        problems.append(Problem("model", N_("Modèle non valide : lettres, chiffres, « - », « _ » ou « . », "
                                            "32 caractères au plus.")))
    for number in data.extensions:
        if number not in known_numbers:
            problems.append(Problem("extensions", N_("Le poste %(value)s n'existe pas chez ce client."),
                                    {"value": number[:10]}))
    if len(set(data.extensions)) != len(data.extensions):
        problems.append(Problem("extensions", N_("Un poste ne peut occuper qu'une ligne du téléphone.")))
    if chosen is not None and MODEL_PATTERN.match(data.model) and len(data.extensions) > chosen.max_lines(data.model):
        problems.append(Problem("extensions", N_("Ce modèle a %(max)d ligne(s) au plus."),
                                {"max": chosen.max_lines(data.model)}))
    return problems


def generate_password() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(PASSWORD_LENGTH))


def generate_username() -> str:
    return "ph" + secrets.token_hex(6)


# ---------------------------------------------------------------- services

def snapshot(device: Device) -> dict:
    return {"mac": device.mac, "vendor": device.vendor, "model": device.model, "extensions": numbers_of(device)}


def numbers_of(device: Device) -> list[str]:
    return [line.extension.number for line in
            DeviceLine.select(DeviceLine, Extension).join(Extension).where(DeviceLine.device == device)
            .order_by(DeviceLine.position)]


def _tenant_numbers(tenant: Tenant) -> set[str]:
    return {e.number for e in Extension.select(Extension.number).where(Extension.tenant == tenant)}


def _set_lines(device: Device, numbers: tuple[str, ...]) -> None:
    DeviceLine.delete().where(DeviceLine.device == device).execute()
    by_number = {e.number: e for e in Extension.select().where(
        (Extension.tenant == device.tenant_id) & Extension.number.in_(list(numbers)))} if numbers else {}
    for position, number in enumerate(numbers, start=1):
        DeviceLine.create(device=device, position=position, extension=by_number[number])


def _store_credentials(device: Device, password: str) -> None:
    keys = digest.secrets_for(device.username, password)
    device.password_enc, device.ha1_md5, device.ha1_sha256 = encrypt_secret(password), keys.md5, keys.sha256


def problems_for(tenant: Tenant, data: DeviceInput, device: Device | None = None) -> list[Problem]:
    data = data.cleaned()
    problems = validate(data, _tenant_numbers(tenant))
    mac = normalize_mac(data.mac)
    if mac and Device.select().where((Device.mac == mac) & (Device.id != (device.id if device else 0))).exists():
        problems.append(Problem("mac", N_("L'adresse MAC %(value)s est déjà enregistrée."), {"value": mac_colons(mac)}))
    return problems


def add_device(actor: Actor, tenant: Tenant, data: DeviceInput) -> tuple[Device, str]:
    """Register a phone of ``tenant``; return it and its provisioning password."""
    data = data.cleaned()
    problems = problems_for(tenant, data)
    if problems:
        raise DomainError(problems)
    password = generate_password()
    try:
        with database.atomic():
            device = Device(tenant=tenant, mac=normalize_mac(data.mac), vendor=data.vendor, model=data.model,
                            username=generate_username())
            _store_credentials(device, password)
            device.save()
            _set_lines(device, data.extensions)
            audit.record(actor, "device.create", tenant, "device", device.id, mac_colons(device.mac), None,
                         snapshot(device))
    except pw.IntegrityError as error:  # the same MAC, added at the same time
        raise DomainError(Problem("mac", N_("L'adresse MAC %(value)s est déjà enregistrée."),
                                  {"value": mac_colons(normalize_mac(data.mac) or data.mac)})) from error
    return device, password


def update_device(actor: Actor, device: Device, data: DeviceInput) -> Device:
    """Change a device's vendor, model and lines (its MAC stays; no line: unassigned)."""
    data = DeviceInput(mac=device.mac, vendor=data.vendor, model=data.model, extensions=data.extensions).cleaned()
    problems = problems_for(device.tenant, data, device)
    if problems:
        raise DomainError(problems)
    with database.atomic():
        before = snapshot(device)
        device.vendor, device.model = data.vendor, data.model
        device.save()
        _set_lines(device, data.extensions)
        audit.record(actor, "device.update", device.tenant, "device", device.id, mac_colons(device.mac), before,
                     snapshot(device))
    return device


def remove_device(actor: Actor, device: Device) -> None:
    with database.atomic():
        audit.record(actor, "device.delete", device.tenant, "device", device.id, mac_colons(device.mac),
                     snapshot(device), None)
        device.delete_instance(recursive=True)


def new_credentials(actor: Actor, device: Device) -> str:
    """New provisioning credentials (the phone must be given them); return the password."""
    password = generate_password()
    with database.atomic():
        device.username = generate_username()
        _store_credentials(device, password)
        device.save()
        audit.record(actor, "device.credentials", device.tenant, "device", device.id, mac_colons(device.mac),
                     {"credentials": "••••"}, {"credentials": "•••• ✔"})
    return password


def password_of(device: Device) -> str:
    return decrypt_secret(device.password_enc)


def listing(tenant: Tenant):
    return Device.select().where(Device.tenant == tenant).order_by(Device.mac)


def by_mac(mac: str) -> Device | None:
    normal = normalize_mac(mac)
    return Device.get_or_none(Device.mac == normal) if normal else None


def require_mac(mac: str, tenant: Tenant | None = None) -> Device:
    device = by_mac(mac)
    if device is None or (tenant is not None and device.tenant_id != tenant.id):
        raise DomainError(Problem("mac", N_("Aucun téléphone n'a l'adresse MAC « %(value)s »."),
                                  {"value": (mac or "")[:32]}))
    return device


def resync(actor: Actor, device: Device) -> int:
    """Ask the phone to fetch its file again now (SIP NOTIFY check-sync to every registered
    contact of the extensions it serves, through the SIP server); how many were asked."""
    chosen = vendor(device.vendor)
    if chosen is None:  # a vendor no longer known: nothing to ask the phone
        return 0
    sent = 0
    for number in numbers_of(device):
        try:
            sent += ports.registrar().resync(f"{number}@{device.tenant.domain}", chosen.check_sync_event)
        except ports.RegistrarError as error:
            raise DomainError(Problem("device", N_("Le serveur SIP ne répond pas : %(error)s"),
                                      {"error": str(error)[:200]})) from error
    audit.record(actor, "device.resync", device.tenant, "device", device.id, mac_colons(device.mac), None,
                 {"notified": sent})
    return sent


# ---------------------------------------------------------------- serving a fetch
#
# Phones fetch often and all at once (a roll-out, a power cut): the fetch path runs a few
# statements whose SQL peewee builds once per database engine (building a query costs more
# than running it), with the values as parameters.

_SQL: dict[tuple[str, type], str] = {}


def _statement(name: str, build: Callable[[], pw.Query], sentinels: tuple) -> str:
    """The SQL of ``build()`` for this database; its parameters must be ``sentinels``, in order."""
    key = (name, type(database.obj))
    if key not in _SQL:
        sql, params = build().sql()
        if tuple(params) != sentinels:
            raise RuntimeError(f"{name}: unexpected parameters {params!r}")
        _SQL[key] = sql
    return _SQL[key]


def _fetch(name: str, build: Callable[[], pw.Query], sentinels: tuple, params: tuple) -> list[tuple]:
    return database.execute_sql(_statement(name, build, sentinels), params).fetchall()


@dataclass(frozen=True)
class Authority:
    """A device as its credentials' check and its files need it."""

    id: int
    secrets: digest.Secrets
    mac: str
    vendor: str
    model: str
    lines: int

    def files(self) -> dict[str, str]:
        """The names it may fetch (``COMMON`` or ``DEVICE``): none when its vendor is unknown."""
        chosen = vendor(self.vendor)
        return chosen.files(self.mac, self.model, self.lines > 0) if chosen else {}


def credentials_of(username: str) -> Authority | None:
    rows = _fetch("credentials", lambda: Device.select(
        Device.id, Device.ha1_md5, Device.ha1_sha256, Device.mac, Device.vendor, Device.model,
        DeviceLine.select(pw.fn.COUNT(DeviceLine.id)).where(DeviceLine.device == Device.id))
        .where(Device.username == "?user"), ("?user",), (username,))
    if not rows:
        return None
    device_id, md5, sha256, mac, vendor_key, model, lines = rows[0]
    return Authority(device_id, digest.Secrets(md5, sha256), mac, vendor_key, model, lines)


def line_rows(device_id: int) -> tuple[tuple, ...]:
    """What the device's own file is made of, as stored now (SIP passwords still encrypted): its
    lines, their extensions and tenant. The same rows make the same file."""
    return tuple(_fetch("lines", lambda: DeviceLine.select(
        DeviceLine.position, Extension.number, Extension.name, Extension.sip_password_enc, Tenant.domain,
        Tenant.timezone, Tenant.language, Device.mac, Device.model)
        .join(Extension).join(Tenant).switch(DeviceLine).join(Device)
        .where(DeviceLine.device == -1).order_by(DeviceLine.position), (-1,), (device_id,)))


def config_of(rows: tuple[tuple, ...], sip_address: str, sip_port: int) -> PhoneConfig | None:
    """The values of a device's own file from its ``line_rows``; None when it serves no extension."""
    if not rows:
        return None
    _p, _n, _name, _pw, domain, timezone, language, mac, model = rows[0]
    lines = tuple(Line(position, number, name, decrypt_sip_password(enc), dom)
                  for position, number, name, enc, dom, *_rest in rows)
    return PhoneConfig(mac=mac, model=model, lines=lines, sip_address=sip_address, sip_port=sip_port,
                       zone=posix_rule(timezone), language=language)


def phone_config(device_id: int, sip_address: str, sip_port: int) -> PhoneConfig | None:
    """The device's own file's values, read now; None when it serves no extension."""
    return config_of(line_rows(device_id), sip_address, sip_port)


_SOME_TIME = dt.datetime(2000, 1, 1)


def accept_fetch(device_id: int, replay_key: str, client: str, name: str, now: float) -> bool:
    """Note that the device fetched ``name`` from ``client`` now (the admin's page shows when, from
    where, what) and remember its digest answer until its nonce expires. False, and nothing noted,
    when that answer was accepted before: a replay. ``replay_key`` empty: basic authentication."""
    remember = _statement("remember", lambda: ProvisioningNonceUse.insert(key="?key", expires_at=-1.5),
                          ("?key", -1.5))
    note = _statement("note", lambda: Device.update(last_fetch_at=_SOME_TIME, last_fetch_from="?from",
                                                    last_fetch_file="?file").where(Device.id == -1),
                      (_SOME_TIME, "?from", "?file", -1))
    at = dt.datetime.fromtimestamp(now, dt.UTC).replace(tzinfo=None)
    try:
        with database.atomic():
            if replay_key:
                database.execute_sql(remember, (replay_key, now + digest.NONCE_LIFETIME + 2 * digest.SLOT_SECONDS))
            database.execute_sql(note, (at, client[:64], name[:64], device_id))
            if secrets.randbelow(64) == 0:
                forget_expired_nonces(now)
    except pw.IntegrityError:
        return False
    return True


def forget_expired_nonces(now: float) -> int:
    return ProvisioningNonceUse.delete().where(ProvisioningNonceUse.expires_at <= now).execute()


FAILURE_KEY = "provisioning-failure:"


def count_failure(client: str, window: float, now: float) -> int:
    """One more failed authentication from ``client``; the failures of its current window."""
    return throttle.hit(FAILURE_KEY + client, window, now)


def failures(client: str, now: float) -> int:
    """The failed authentications of ``client`` in its current window (``tenants.throttle``'s count)."""
    rows = _fetch("failures", lambda: throttle.RateCounter.select(throttle.RateCounter.hits).where(
        (throttle.RateCounter.key == "?key") & (throttle.RateCounter.expires_at > -1.5)), ("?key", -1.5),
        (FAILURE_KEY + client, now))
    return rows[0][0] if rows else 0
