"""peewee models of the domain. Rules live in the service modules beside this one."""
from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

import peewee as pw

from tenants.db import database


def utcnow() -> dt.datetime:
    """Naive UTC time, the one form stored in every timestamp column."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class JSONField(pw.TextField):
    """JSON stored as text, so SQLite and PostgreSQL hold it the same way."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, sort_keys=True, ensure_ascii=False)

    def python_value(self, value):
        return None if value is None else json.loads(value)


class BaseModel(pw.Model):
    if TYPE_CHECKING:  # what peewee adds at run time (a model's ``<fk>_id`` are declared on it)
        id: Any

    class Meta:
        database = database
        legacy_table_names = False


class Tenant(BaseModel):
    ACTIVE = "active"
    SUSPENDED = "suspended"

    name = pw.CharField(max_length=100)
    domain = pw.CharField(max_length=253, unique=True)
    timezone = pw.CharField(max_length=64, default="Europe/Paris")
    language = pw.CharField(max_length=2, default="fr")
    status = pw.CharField(max_length=16, default=ACTIVE)
    # A6: callers of the virtual receptionist may press * to reach a mailbox.
    receptionist_voicemail = pw.BooleanField(default=True)
    # C4: the caller ID of outside calls of extensions without a DID (one of the tenant's DIDs),
    # and of emergency calls (E.164)
    main_number = pw.CharField(max_length=16, null=True)
    emergency_caller_id = pw.CharField(max_length=16, null=True)
    created_at = pw.DateTimeField(default=utcnow)

    @property
    def is_active(self) -> bool:
        return self.status == self.ACTIVE


class Extension(BaseModel):
    if TYPE_CHECKING:  # peewee's foreign-key columns
        tenant_id: int

    DESK = "desk"
    VIRTUAL = "virtual"

    tenant = pw.ForeignKeyField(Tenant, backref="extensions", on_delete="CASCADE")
    number = pw.CharField(max_length=4)
    name = pw.CharField(max_length=100)
    email = pw.CharField(max_length=254)
    kind = pw.CharField(max_length=8, default=DESK)
    forward_to = pw.CharField(max_length=32, null=True)  # E.164, for virtual extensions
    sip_password_enc = pw.TextField()  # encrypted at rest, for phone provisioning
    no_answer_seconds = pw.IntegerField(default=24)  # seed 001: voicemail after 24 s
    anonymous_calls = pw.BooleanField(default=False)  # C4: outside calls withhold the caller ID
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("tenant", "number"), True),)


class Did(BaseModel):
    """A public phone number (E.164) owned by a tenant, optionally given to an extension."""

    if TYPE_CHECKING:  # peewee's foreign-key columns
        tenant_id: int
        extension_id: int

    tenant = pw.ForeignKeyField(Tenant, backref="dids", on_delete="CASCADE")
    number = pw.CharField(max_length=16, unique=True)
    extension = pw.ForeignKeyField(Extension, backref="dids", null=True, on_delete="SET NULL")
    receptionist = pw.BooleanField(default=False)  # H1: its calls from the outside reach the receptionist
    created_at = pw.DateTimeField(default=utcnow)


class Account(BaseModel):
    if TYPE_CHECKING:  # peewee's foreign-key columns
        tenant_id: int
        extension_id: int

    OPERATOR = "operator"
    ADMIN = "admin"
    USER = "user"
    ROLES = (OPERATOR, ADMIN, USER)

    tenant = pw.ForeignKeyField(Tenant, backref="accounts", null=True, on_delete="CASCADE")
    email = pw.CharField(max_length=254, unique=True)  # stored lower-cased
    name = pw.CharField(max_length=100, default="")
    role = pw.CharField(max_length=16)
    password_hash = pw.CharField(max_length=255)
    extension = pw.ForeignKeyField(Extension, backref="accounts", null=True, on_delete="SET NULL")
    language = pw.CharField(max_length=2, null=True)
    # The operator's own time zone, for the dates of the operator's pages (a tenant's people see their tenant's).
    timezone = pw.CharField(max_length=64, null=True)
    created_at = pw.DateTimeField(default=utcnow)
    last_login_at = pw.DateTimeField(null=True)


class Mailbox(BaseModel):
    if TYPE_CHECKING:  # peewee's foreign-key columns
        extension_id: int

    extension = pw.ForeignKeyField(Extension, backref="mailboxes", unique=True, on_delete="CASCADE")
    pin_hash = pw.CharField(max_length=255)
    pin_must_change = pw.BooleanField(default=True)  # D3: first access forces a new PIN
    failed_attempts = pw.IntegerField(default=0)
    locked = pw.BooleanField(default=False)
    locked_at = pw.DateTimeField(null=True)
    email = pw.CharField(max_length=254)  # A5: where voicemail emails go
    # The first PIN, encrypted, for its email only: wiped once sent or once the PIN is changed.
    first_pin_enc = pw.TextField(null=True)
    created_at = pw.DateTimeField(default=utcnow)


class AuditEntry(BaseModel):
    tenant = pw.ForeignKeyField(Tenant, null=True, on_delete="SET NULL")
    tenant_domain = pw.CharField(max_length=253, default="")  # kept when the tenant is deleted
    actor = pw.ForeignKeyField(Account, null=True, on_delete="SET NULL")
    actor_email = pw.CharField(max_length=254)
    action = pw.CharField(max_length=64)
    object_type = pw.CharField(max_length=32)
    object_id = pw.CharField(max_length=64, default="")
    object_label = pw.CharField(max_length=300, default="")
    before = JSONField(null=True)
    after = JSONField(null=True)
    at = pw.DateTimeField(default=utcnow, index=True)


class Job(BaseModel):
    """A unit of background work (email, later MWI and call-outs), kept until done."""

    if TYPE_CHECKING:  # peewee's foreign-key columns
        tenant_id: int

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    kind = pw.CharField(max_length=32)
    payload = JSONField()
    status = pw.CharField(max_length=16, default=QUEUED, index=True)
    attempts = pw.IntegerField(default=0)
    max_attempts = pw.IntegerField(default=12)
    run_at = pw.DateTimeField(default=utcnow, index=True)
    locked_until = pw.DateTimeField(null=True)
    last_error = pw.TextField(null=True)
    tenant = pw.ForeignKeyField(Tenant, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=utcnow)
    finished_at = pw.DateTimeField(null=True)
    # a done job that had nothing to do says why (its handler's answer: ``pin_changed``), so a
    # page never says "sent" of an email that was not
    outcome = pw.CharField(max_length=32, null=True)


class SipSubscriber(BaseModel):
    """Kamailio's ``subscriber`` table (auth_db): only the digests, never the password."""

    username = pw.CharField(max_length=64, default="")
    domain = pw.CharField(max_length=64, default="")
    password = pw.CharField(max_length=64, default="")  # always empty: Kamailio uses ha1
    ha1 = pw.CharField(max_length=128, default="")
    ha1b = pw.CharField(max_length=128, default="")

    class Meta:
        table_name = "subscriber"
        indexes = ((("username", "domain"), True), (("username",), False))


class SipDomain(BaseModel):
    """Kamailio's ``domain`` table: the SIP domains it serves, one per active tenant."""

    domain = pw.CharField(max_length=64, unique=True)
    did = pw.CharField(max_length=64, null=True)
    last_modified = pw.DateTimeField(default=dt.datetime(2000, 1, 1))

    class Meta:
        table_name = "domain"


class Trunk(BaseModel):
    """The carrier trunk (one for the installation): where calls to the outside go, whose
    addresses are trusted for calls from the outside (C3, C4)."""

    host = pw.CharField(max_length=253)
    port = pw.IntegerField(default=5060)
    transport = pw.CharField(max_length=3, default="udp")
    addresses = JSONField(default=list)  # the host's addresses when it was set: calls from them are the carrier's
    username = pw.CharField(max_length=64, null=True)  # digest credentials the carrier may ask for
    password_enc = pw.TextField(null=True)  # encrypted at rest (Fernet): Kamailio needs it in clear
    from_domain = pw.CharField(max_length=253, null=True)  # the domain of From and P-Asserted-Identity
    forward_caller_id = pw.BooleanField(default=False)  # C2: the carrier accepts an outside caller's number
    updated_at = pw.DateTimeField(default=utcnow)


class AllowedDestination(BaseModel):
    """One line of a tenant's allow-list (C5): calls to fixed or mobile lines of ``country``."""

    tenant = pw.ForeignKeyField(Tenant, backref="allowed_destinations", on_delete="CASCADE")
    country = pw.CharField(max_length=2)  # ISO 3166-1 alpha-2
    kind = pw.CharField(max_length=8)  # fixed | mobile

    class Meta:
        indexes = ((("tenant", "country", "kind"), True),)


DOMAIN_MODELS = [Tenant, Extension, Did, Account, Mailbox, AuditEntry, Job]
SIP_MODELS = [SipSubscriber, SipDomain]
OUTSIDE_MODELS = [Trunk, AllowedDestination]  # made by m0009_outside_calls
