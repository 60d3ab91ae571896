"""Stockage (E9, seed 001 "Limite de la boîte vocale"): what the mailbox stores against its
capacity, as a bar, with the guide's warning when it is at or near the limit."""
from __future__ import annotations

from flask import Blueprint, render_template

from console.portal import current_mailbox
from console.portal.audio import data_dir
from tenants.voicemail import portal

bp = Blueprint("storage", __name__, url_prefix="/stockage")


@bp.get("/")
def index():
    return render_template("portal/storage/index.html", storage=portal.storage(current_mailbox().id, data_dir()))
