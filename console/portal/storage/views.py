"""Stockage (E9, seed 001 "Limite de la boîte vocale"): what the mailbox stores against its
capacity, as a bar, with the guide's warning when it is at or near the limit."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import format_decimal, gettext

from console.portal import current_mailbox
from console.portal.audio import data_dir
from tenants.voicemail import portal

bp = Blueprint("storage", __name__, url_prefix="/stockage")


def size_text(size: int) -> str:
    """A size as its reader writes it: "3,2 Mo" in French, "3.2 MB" in English."""
    units = [gettext("o"), gettext("ko"), gettext("Mo"), gettext("Go")]
    value, unit = float(size), 0
    while value >= 1000 and unit < len(units) - 1:
        value, unit = value / 1000, unit + 1
    return f"{format_decimal(round(value, 1) if unit else int(value))} {units[unit]}"


@bp.get("/")
def index():
    storage = portal.storage(current_mailbox().id, data_dir())
    return render_template("portal/storage/index.html", storage=storage, used=size_text(storage.used_bytes),
                           capacity=size_text(storage.capacity_bytes))
