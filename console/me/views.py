"""The extension user's own page: their extension and mailbox, nobody else's."""
from __future__ import annotations

from flask import Blueprint, render_template

from console.scoping import account, roles_required, tenant_object
from tenants import extensions
from tenants.models import Account, Did, Extension
from tenants.voicemail import service as voicemail

bp = Blueprint("me", __name__, url_prefix="/moi")


@bp.get("/")
@roles_required(Account.USER)
def index():
    me = account()
    ext = tenant_object(Extension, me.extension_id) if me.extension_id else None
    box = extensions.mailbox_of(ext) if ext else None
    did = Did.get_or_none(Did.extension == ext) if ext else None
    # D12 / seed 001 "Limite de la boîte vocale": what is stored against the capacity, warned near it
    capacity = voicemail.capacity_of(box.id) if box else None
    return render_template("me/index.html", ext=ext, box=box, did=did, capacity=capacity)
