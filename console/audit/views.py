"""The audit log (A8): the operator sees everything, a tenant admin their tenant's."""
from __future__ import annotations

import math

from flask import Blueprint, render_template

from console.bounds import page_arg
from console.scoping import account, roles_required
from tenants import audit
from tenants.models import Account

bp = Blueprint("audit", __name__, url_prefix="/journal")
PER_PAGE = 50


@bp.get("/")
@roles_required(Account.OPERATOR, Account.ADMIN)
def index():
    me = account()
    tenant = None if me.role == Account.OPERATOR else me.tenant
    page = page_arg()
    rows, total = audit.entries(tenant, page, PER_PAGE)
    return render_template("audit/index.html", rows=list(rows), page=page,
                           pages=max(1, math.ceil(total / PER_PAGE)), show_tenant=tenant is None)
