"""The virtual receptionist's table (H1): one row per tenant, made when the admin first saves it."""
from __future__ import annotations

from typing import TYPE_CHECKING

import peewee as pw

from tenants.models import BaseModel, JSONField, Tenant, utcnow


def _default_hours() -> dict:
    return {day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


class Receptionist(BaseModel):
    """Business hours, holidays, greetings, key map and operator of a tenant's receptionist.

    Greetings: a recorded file (``*_path``, relative to $POSTE_DATA) wins over a text spoken by
    the prompt generator (``*_text``); with neither, the built-in greeting."""

    if TYPE_CHECKING:  # peewee's foreign-key columns
        tenant_id: int

    tenant = pw.ForeignKeyField(Tenant, backref="receptionist", unique=True, on_delete="CASCADE")
    hours = JSONField(default=_default_hours)  # {"mon": [["09:00", "18:00"]], ...}
    holidays = JSONField(default=list)  # ["2026-12-25", ...] in the tenant's calendar
    keys = JSONField(default=dict)  # {"1": ["2005"], "2": ["2001", "2002"]}
    operator = pw.CharField(max_length=4, null=True)  # the extension 0 rings; None: no operator
    open_text = pw.TextField(null=True)
    closed_text = pw.TextField(null=True)
    open_path = pw.CharField(max_length=300, null=True)
    closed_path = pw.CharField(max_length=300, null=True)
    updated_at = pw.DateTimeField(default=utcnow)


MODELS = [Receptionist]
