"""B2: the tenant admin's "Téléphones" and "Appels en cours", the operator's totals.

Everything comes from the running Kamailio through the domain's registrar port
(``tenants.ports``, bound to Kamailio's JSON-RPC by the composition root, ``wiring.py``);
each page has a partial that htmx polls every few seconds. A tenant admin sees
only its own domain's phones and calls: the domain comes from the signed-in
account, never from the request. The operator sees any tenant's phones from its page.

Lists are paged and searched (a tenant may have a thousand extensions, an installation
thousands of tenants), and a poll whose answer would be what the page already shows is
answered 204 (htmx keeps the page as it is): each partial's address carries the digest of
what it shows (``v``). The partials are written from plain data (each row's values, nothing
else), so the digest is taken of that data, in the reader's language and zone, before any
rendering: an unchanged poll costs its queries and no template. When Kamailio does not
answer, the pages say the state is unknown rather than showing every phone offline.
"""
from __future__ import annotations

import hashlib
import math
from collections.abc import Callable

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import get_locale, get_timezone, gettext
from markupsafe import Markup

from console.audit.labels import when_writer
from console.bounds import page_arg
from console.links import id_url
from console.scoping import current_tenant, roles_required
from tenants import extensions, tenancy
from tenants.db import database
from tenants.models import Account, Extension, Tenant
from tenants.ports import RegistrarError, registrar

bp = Blueprint("phones", __name__, url_prefix="/telephones")
admin_only = roles_required(Account.ADMIN)
operator_only = roles_required(Account.OPERATOR)
POLL = "every 3s"
PER_PAGE = 50
STATES = ("en-ligne", "hors-ligne")


def _search_args() -> dict:
    q = (request.args.get("q") or "").strip()[:100]
    state = request.args.get("etat") if request.args.get("etat") in STATES else ""
    return {k: v for k, v in (("q", q), ("etat", state)) if v}


def _registrations_context(tenant: Tenant, endpoint: str, partial: str, **route) -> dict:
    args = _search_args()
    try:
        regs, error = registrar().registrations(tenant.domain), False
    except RegistrarError:
        regs, error = [], True
    by_number: dict[str, list[dict]] = {}
    for reg in regs:
        by_number.setdefault(reg["extension"], []).append(reg)
    query = extensions.search(tenant, args.get("q", ""))
    if not error and args.get("etat") == "en-ligne":
        query = query.where(Extension.number.in_(list(by_number)))
    elif not error and args.get("etat") == "hors-ligne":
        query = query.where(Extension.number.not_in(list(by_number)))
    total = query.count()
    pages = max(1, math.ceil(total / PER_PAGE))
    page = min(page_arg(), pages)
    write_when = when_writer()
    rows = [{"number": number, "name": name, "phones": [_shown(reg, write_when) for reg in by_number.get(number, [])]}
            for number, name in query.select(Extension.number, Extension.name).paginate(page, PER_PAGE).tuples()]
    # the tenant's numbers straight from the cursor: a thousand peewee rows cost 3 ms
    numbers = {n for (n,) in database.execute(Extension.select(Extension.number).where(Extension.tenant == tenant))}
    online = 0 if error else len(numbers & by_number.keys())
    state_links = [(url_for(endpoint, **route, **{k: v for k, v in (("q", args.get("q")), ("etat", value)) if v}),
                    label, args.get("etat", "") == value)
                   for value, label in (("", gettext("Tous")), ("en-ligne", gettext("En ligne")),
                                        ("hors-ligne", gettext("Hors ligne")))]
    return {"rows": rows, "online": online, "extension_count": len(numbers), "total": total,
            "error": error, "poll": POLL, "page": page, "pages": pages, "args": args, "tenant": tenant,
            "endpoint": endpoint, "partial": partial, "route": route, "state_links": state_links}


SHOWN_PHONE = ("contact", "received", "user_agent", "registered_at", "expires_at")


def _shown(registration: dict, write_when: Callable) -> dict:
    """What the list shows of a registration (not its refresh times, which change at every REGISTER),
    its dates written in the reader's zone and language."""
    shown = {key: registration.get(key) for key in SHOWN_PHONE}
    shown["registered_at"] = write_when(shown["registered_at"])
    shown["expires_at"] = write_when(shown["expires_at"], False)
    return shown


def _calls_context() -> dict:
    tenant = current_tenant()
    try:
        return {"calls": registrar().active_calls(tenant.domain), "error": False, "poll": POLL}
    except RegistrarError:
        return {"calls": [], "error": True, "poll": POLL}


def _totals_context() -> dict:
    q = (request.args.get("q") or "").strip()[:100]
    args = {"q": q} if q else {}
    error = False
    try:
        totals = registrar().totals_by_domain()
    except RegistrarError:
        totals, error = {}, True
    query = tenancy.listing(q)
    count = tenancy.count(q)
    pages = max(1, math.ceil(count / PER_PAGE))
    page = min(page_arg(), pages)
    rows = []
    for tenant_id, name, domain in query.select(Tenant.id, Tenant.name, Tenant.domain).paginate(page, PER_PAGE).tuples():
        t = totals.get(domain, {})
        rows.append({"id": tenant_id, "name": name, "domain": domain,
                     "registered_extensions": t.get("registered_extensions", 0),
                     "phones": t.get("phones", 0), "active_calls": t.get("active_calls", 0)})
    sums = {key: sum(t.get(key, 0) for t in totals.values())
            for key in ("registered_extensions", "phones", "active_calls")}
    return {"rows": rows, "sums": sums, "error": error, "poll": POLL, "page": page, "pages": pages,
            "args": args, "count": count,
            "tenant_url": id_url("operator.tenant", "tenant_id"),
            "phones_url": id_url("phones.tenant_registrations", "tenant_id")}


POLLED = {"phones/_registrations.html": "registrations", "phones/_totals.html": "sip-totals"}
# What each partial is written from: its digest is the digest of these (and of the reader's
# language and zone), so a partial must show nothing but these.
SHOWN = {"phones/_registrations.html": ("rows", "online", "extension_count", "error", "page", "pages", "args",
                                        "endpoint", "route"),
         "phones/_totals.html": ("rows", "sums", "error", "page", "pages", "args")}


def _digest(template: str, context: dict) -> str:
    shown = [get_locale(), get_timezone()] + [context[name] for name in SHOWN[template]]
    return hashlib.sha256(repr(shown).encode()).hexdigest()[:16]


def _poll(template: str, poll_endpoint: str, full_page: bool = False, **context):
    """The partial ``template`` inside its polling wrapper, whose address names what it shows;
    204 when the poll already shows exactly that (known before writing it)."""
    digest = _digest(template, context)
    if not full_page and request.args.get("v") == digest:
        return "", 204
    body = render_template(template, **context)
    url = url_for(poll_endpoint, **context.get("route", {}), **context.get("args", {}), page=context.get("page", 1),
                  v=digest)
    polled = render_template("phones/_poll.html", body=Markup(body), poll_url=url, poll_id=POLLED[template], **context)
    return Markup(polled) if full_page else polled


@bp.get("/")
@admin_only
def registrations():
    context = _registrations_context(current_tenant(), "phones.registrations", "phones.registrations_partial")
    return render_template("phones/registrations.html", polled=_poll("phones/_registrations.html",
                                                                   "phones.registrations_partial", True, **context),
                           **context)


@bp.get("/etat")
@admin_only
def registrations_partial():
    context = _registrations_context(current_tenant(), "phones.registrations", "phones.registrations_partial")
    return _poll("phones/_registrations.html", "phones.registrations_partial", **context)


@bp.get("/appels")
@admin_only
def calls():
    from console.outside.views import history_context

    return render_template("phones/calls.html", **_calls_context(), **history_context(current_tenant().domain))


@bp.get("/appels/etat")
@admin_only
def calls_partial():
    return render_template("phones/_calls.html", **_calls_context())


@bp.get("/exploitation")
@operator_only
def totals():
    context = _totals_context()
    return render_template("phones/totals.html", polled=_poll("phones/_totals.html", "phones.totals_partial", True, **context),
                           **context)


@bp.get("/exploitation/etat")
@operator_only
def totals_partial():
    return _poll("phones/_totals.html", "phones.totals_partial", **_totals_context())


def _operator_tenant(tenant_id: int) -> Tenant:
    tenant = Tenant.get_or_none(Tenant.id == tenant_id)
    if tenant is None:
        abort(404)
    return tenant


@bp.get("/exploitation/clients/<int:tenant_id>")
@operator_only
def tenant_registrations(tenant_id: int):
    context = _registrations_context(_operator_tenant(tenant_id), "phones.tenant_registrations",
                                     "phones.tenant_registrations_partial", tenant_id=tenant_id)
    return render_template("phones/registrations.html", polled=_poll("phones/_registrations.html",
                                                                   "phones.tenant_registrations_partial", True,
                                                                     **context),
                           **context)


@bp.get("/exploitation/clients/<int:tenant_id>/etat")
@operator_only
def tenant_registrations_partial(tenant_id: int):
    context = _registrations_context(_operator_tenant(tenant_id), "phones.tenant_registrations",
                                     "phones.tenant_registrations_partial", tenant_id=tenant_id)
    return _poll("phones/_registrations.html", "phones.tenant_registrations_partial", **context)
