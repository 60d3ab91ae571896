"""B2: the tenant admin's "Téléphones" and "Appels en cours", the operator's totals.

Everything comes from the running Kamailio through the domain's registrar port
(``tenants.ports``, bound to Kamailio's JSON-RPC by the composition root, ``wiring.py``);
each page has a partial that htmx polls every few seconds. A tenant admin sees
only its own domain's phones and calls: the domain comes from the signed-in
account, never from the request.
"""
from __future__ import annotations

from flask import Blueprint, render_template

from console.scoping import current_tenant, roles_required
from tenants import extensions
from tenants.models import Account, Tenant
from tenants.ports import RegistrarError, registrar

bp = Blueprint("phones", __name__, url_prefix="/telephones")
admin_only = roles_required(Account.ADMIN)
operator_only = roles_required(Account.OPERATOR)
POLL = "every 3s"


def _registrations_context() -> dict:
    tenant = current_tenant()
    error = False
    try:
        regs = registrar().registrations(tenant.domain)
    except RegistrarError:
        regs, error = [], True
    by_number: dict[str, list[dict]] = {}
    for reg in regs:
        by_number.setdefault(reg["extension"], []).append(reg)
    rows = [{"extension": ext, "phones": by_number.get(ext.number, [])} for ext in extensions.search(tenant)]
    online = sum(1 for row in rows if row["phones"])
    return {"rows": rows, "online": online, "error": error, "poll": POLL}


def _calls_context() -> dict:
    tenant = current_tenant()
    try:
        return {"calls": registrar().active_calls(tenant.domain), "error": False, "poll": POLL}
    except RegistrarError:
        return {"calls": [], "error": True, "poll": POLL}


def _totals_context() -> dict:
    error = False
    try:
        totals = registrar().totals_by_domain()
    except RegistrarError:
        totals, error = {}, True
    rows = []
    for tenant in Tenant.select().order_by(Tenant.name):
        t = totals.get(tenant.domain, {})
        rows.append({"tenant": tenant, "registered_extensions": t.get("registered_extensions", 0),
                     "phones": t.get("phones", 0), "active_calls": t.get("active_calls", 0)})
    sums = {key: sum(r[key] for r in rows) for key in ("registered_extensions", "phones", "active_calls")}
    return {"rows": rows, "sums": sums, "error": error, "poll": POLL}


@bp.get("/")
@admin_only
def registrations():
    return render_template("phones/registrations.html", **_registrations_context())


@bp.get("/etat")
@admin_only
def registrations_partial():
    return render_template("phones/_registrations.html", **_registrations_context())


@bp.get("/appels")
@admin_only
def calls():
    return render_template("phones/calls.html", **_calls_context())


@bp.get("/appels/etat")
@admin_only
def calls_partial():
    return render_template("phones/_calls.html", **_calls_context())


@bp.get("/exploitation")
@operator_only
def totals():
    return render_template("phones/totals.html", **_totals_context())


@bp.get("/exploitation/etat")
@operator_only
def totals_partial():
    return render_template("phones/_totals.html", **_totals_context())
