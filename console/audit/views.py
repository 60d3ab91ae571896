"""The audit log (A8): the operator sees everything (or one tenant's), a tenant admin their tenant's.

Each entry reads as a sentence with its changes as labelled values, its time in the reader's
zone; the log is filtered by object, kind of object and author, and exported as CSV with
the same filters.
"""
from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask_babel import format_number, gettext

from console.audit import labels, words
from console.bounds import page_arg
from console.links import id_url
from console.plugins import htmx
from console.scoping import account, roles_required
from tenants import audit
from tenants.models import Account, Tenant, utcnow

bp = Blueprint("audit", __name__, url_prefix="/journal")
PER_PAGE = 50
signed_in = roles_required(Account.OPERATOR, Account.ADMIN)


def _scope() -> tuple[Tenant | None, dict, dict]:
    """The tenant whose log is read (None: everything, for the operator), the filters for the
    domain's search and the same as URL arguments."""
    me = account()
    tenant = me.tenant
    args = {}
    if me.role == Account.OPERATOR:
        tenant = None
        client = request.args.get("client", "")
        if client.isdigit() and int(client) < 2**31:
            tenant = Tenant.get_or_none(Tenant.id == int(client))
            if tenant is not None:
                args["client"] = tenant.id
    filters = {"about": (request.args.get("objet") or "").strip()[:100],
               "author": (request.args.get("auteur") or "").strip()[:100],
               "object_type": request.args.get("type") if request.args.get("type") in labels.OBJECT_TYPES else ""}
    args.update({name: value for name, value in (("objet", filters["about"]), ("auteur", filters["author"]),
                                                  ("type", filters["object_type"])) if value})
    return tenant, filters, args


@bp.get("/")
@signed_in
def index():
    tenant, filters, args = _scope()
    page = page_arg()
    rows, total, capped = audit.entries(tenant, page, PER_PAGE, **filters)
    pages = max(1, math.ceil(total / PER_PAGE))
    if page > pages:  # past the last page, or past what a capped count reaches: the last one
        page = pages
        rows, total, capped = audit.entries(tenant, page, PER_PAGE, **filters)
    show_tenant = account().role == Account.OPERATOR and tenant is None
    context = {"rows": words.of(rows), "page": page, "pages": pages, "total": total,
               "more_than": format_number(total) if capped else "",
               "show_tenant": show_tenant, "tenant": tenant,
               "tenant_url": id_url("operator.tenant", "tenant_id") if show_tenant else "",
               "filters": filters, "args": args, "labels": labels,
               "object_types": [(code, labels.object_type_label(code)) for code in labels.OBJECT_TYPES]}
    if htmx and htmx.target == "audit-table":
        return render_template("audit/_table.html", **context)
    return render_template("audit/index.html", **context)


def _csv_lines(query, with_tenant: bool) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values: list[str]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    zone = labels.zone_name()
    yield "\ufeff" + line([gettext("Date (%(zone)s)", zone=zone)] + ([gettext("Client")] if with_tenant else [])
                          + [gettext("Auteur"), gettext("Action"), gettext("Objet"), gettext("Modification")])
    for entry in query.iterator():
        yield line([labels.when(entry.at)] + ([entry.tenant_domain] if with_tenant else [])
                   + [labels.author(entry.actor_email), labels.action_label(entry.action),
                      f"{labels.object_type_label(entry.object_type)} {labels.object_name(entry)}",
                      labels.in_words(entry)])


@bp.get("/export.csv")
@signed_in
def export():
    tenant, filters, _args = _scope()
    query = audit.search(tenant, **filters)
    with_tenant = account().role == Account.OPERATOR and tenant is None
    name = f"journal-{tenant.domain if tenant else 'poste'}-{utcnow():%Y%m%d-%H%M}.csv"
    return Response(stream_with_context(_csv_lines(query, with_tenant)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
