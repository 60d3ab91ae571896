"""The operator's pages: tenants (A1), their numbers and admins, the job queue."""
from __future__ import annotations

import math

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from peewee import fn

from console import job_words
from console.bounds import page_arg
from console.directory.views import table_context
from console.forms import ConfirmForm, apply_form, confirm_first, problem_text
from console.links import id_url
from console.operator.forms import (
    AdminForm,
    DeleteTenantForm,
    DidForm,
    TenantEditForm,
    TenantForm,
)
from console.plugins import htmx
from console.scoping import actor, roles_required
from tenants import accounts, jobs, tenancy
from tenants.models import Account, Did, Extension, Job, Tenant
from tenants.problems import DomainError

bp = Blueprint("operator", __name__, url_prefix="/operateur")
operator_only = roles_required(Account.OPERATOR)
PER_PAGE = 50
JOBS_PER_PAGE = 50


def _tenant(tenant_id: int) -> Tenant:
    tenant = Tenant.get_or_none(Tenant.id == tenant_id)
    if tenant is None:
        abort(404)
    return tenant


@bp.route("/clients", methods=["GET", "POST"])
@operator_only
def tenants():
    form = TenantForm()
    made, tenant = apply_form(
        form, lambda: tenancy.create_tenant(actor(), form.name.data, form.domain.data, form.timezone.data,
                                            form.language.data),
        lambda: tenancy.new_tenant_problems(form.name.data, form.domain.data, form.timezone.data, form.language.data))
    if made:
        flash(gettext("Client %(name)s créé.", name=tenant.name), "success")
        return redirect(url_for("operator.tenant", tenant_id=tenant.id))
    context = _tenants_context()
    if htmx and htmx.target == "tenants-table":
        return render_template("operator/_tenants_table.html", **context)
    return render_template("operator/tenants.html", form=form, **context), 422 if form.errors else 200


def _tenants_context() -> dict:
    """One page of the tenants (searched by name or domain), with their extensions counted in one query."""
    q = (request.args.get("q") or "").strip()[:100]
    query = tenancy.listing(q)
    total = tenancy.count(q)
    pages = max(1, math.ceil(total / PER_PAGE))
    page = min(page_arg(), pages)
    rows = list(query.select(Tenant.id, Tenant.name, Tenant.domain, Tenant.status).paginate(page, PER_PAGE))
    counts = dict(Extension.select(Extension.tenant, fn.COUNT(Extension.id))
                  .where(Extension.tenant.in_([t.id for t in rows])).group_by(Extension.tenant).tuples()) if rows else {}
    return {"rows": rows, "counts": counts, "q": q, "page": page, "pages": pages, "total": total,
            "tenant_url": id_url("operator.tenant", "tenant_id"),
            "extensions_url": id_url("operator.tenant_extensions", "tenant_id")}


def _tenant_page(tenant: Tenant, edit_form=None, did_form=None, admin_form=None):
    forms = [f for f in (edit_form, did_form, admin_form) if f is not None]
    status = 422 if any(f.errors for f in forms) else 200
    edit_form = edit_form or TenantEditForm(data={"name": tenant.name, "timezone": tenant.timezone,
                                                  "language": tenant.language})
    return render_template("operator/tenant.html", tenant=tenant, edit_form=edit_form,
                           did_form=did_form or DidForm(), admin_form=admin_form or AdminForm(),
                           confirm=ConfirmForm(), dids=list(tenancy.dids(tenant)),
                           admins=list(accounts.admins(tenant)),
                           extension_count=Extension.select().where(Extension.tenant == tenant).count()), status


@bp.get("/clients/<int:tenant_id>")
@operator_only
def tenant(tenant_id: int):
    return _tenant_page(_tenant(tenant_id))


@bp.post("/clients/<int:tenant_id>/modifier")
@operator_only
def edit_tenant(tenant_id: int):
    tenant = _tenant(tenant_id)
    form = TenantEditForm()
    made, _ = apply_form(form, lambda: tenancy.update_tenant(actor(), tenant, form.name.data, form.timezone.data, form.language.data),
                         lambda: tenancy.tenant_problems(form.name.data, form.timezone.data, form.language.data))
    if made:
        flash(gettext("Client %(name)s modifié.", name=tenant.name), "success")
        return redirect(url_for("operator.tenant", tenant_id=tenant.id))
    return _tenant_page(tenant, edit_form=form)


@bp.post("/clients/<int:tenant_id>/statut")
@operator_only
def set_status(tenant_id: int):
    tenant = _tenant(tenant_id)
    status = request.form.get("status")
    if status not in (Tenant.ACTIVE, Tenant.SUSPENDED):
        abort(400)
    if status == Tenant.SUSPENDED:
        page = confirm_first("operator/confirm_suspend.html", tenant=tenant)
        if page is not None:
            return page
    elif not ConfirmForm().validate_on_submit():
        abort(400)
    tenancy.set_status(actor(), tenant, status)
    if status == Tenant.SUSPENDED:
        flash(gettext("Client %(name)s suspendu : ses utilisateurs et ses téléphones sont refusés.", name=tenant.name), "success")
    else:
        flash(gettext("Client %(name)s réactivé.", name=tenant.name), "success")
    return redirect(url_for("operator.tenant", tenant_id=tenant.id))


@bp.route("/clients/<int:tenant_id>/supprimer", methods=["GET", "POST"])
@operator_only
def delete_tenant(tenant_id: int):
    tenant = _tenant(tenant_id)
    form = DeleteTenantForm()
    name = tenant.name
    made, _ = apply_form(form, lambda: tenancy.delete_tenant(actor(), tenant, form.confirm.data))
    if made:
        flash(gettext("Client %(name)s supprimé.", name=name), "success")
        return redirect(url_for("operator.tenants"))
    return render_template("operator/delete_tenant.html", tenant=tenant, form=form), 422 if form.errors else 200


@bp.post("/clients/<int:tenant_id>/numeros")
@operator_only
def add_did(tenant_id: int):
    tenant = _tenant(tenant_id)
    form = DidForm()
    made, did = apply_form(form, lambda: tenancy.add_did(actor(), tenant, form.did.data))
    if made:
        flash(gettext("Numéro %(number)s ajouté.", number=did.number), "success")
        return redirect(url_for("operator.tenant", tenant_id=tenant.id))
    return _tenant_page(tenant, did_form=form)


@bp.post("/numeros/<int:did_id>/supprimer")
@operator_only
def remove_did(did_id: int):
    did = Did.get_or_none(Did.id == did_id)
    if did is None:
        abort(404)
    page = confirm_first("operator/confirm_remove_did.html", did=did, tenant=did.tenant)
    if page is not None:
        return page
    tenant_id, number = did.tenant_id, did.number
    tenancy.remove_did(actor(), did)
    flash(gettext("Numéro %(number)s retiré.", number=number), "success")
    return redirect(url_for("operator.tenant", tenant_id=tenant_id))


@bp.post("/clients/<int:tenant_id>/administrateurs")
@operator_only
def add_admin(tenant_id: int):
    tenant = _tenant(tenant_id)
    form = AdminForm()
    made, admin = apply_form(
        form, lambda: accounts.create_account(actor(), Account.ADMIN, form.email.data, form.password.data,
                                              tenant=tenant, name=form.name.data or ""),
        lambda: accounts.account_problems(Account.ADMIN, form.email.data, form.password.data, tenant,
                                          form.name.data or ""))
    if made:
        flash(gettext("Administrateur %(email)s créé.", email=admin.email), "success")
        return redirect(url_for("operator.tenant", tenant_id=tenant.id))
    return _tenant_page(tenant, admin_form=form)


@bp.post("/comptes/<int:account_id>/supprimer")
@operator_only
def remove_admin(account_id: int):
    account = Account.get_or_none((Account.id == account_id) & (Account.role == Account.ADMIN))
    if account is None:
        abort(404)
    page = confirm_first("operator/confirm_remove_admin.html", account=account, tenant=account.tenant)
    if page is not None:
        return page
    tenant_id, email = account.tenant_id, account.email
    accounts.delete_account(actor(), account)
    flash(gettext("Administrateur %(email)s supprimé.", email=email), "success")
    return redirect(url_for("operator.tenant", tenant_id=tenant_id))


def _jobs_filters(source) -> tuple[str | None, Tenant | None, dict]:
    """The status and tenant the jobs are filtered by (``?statut=``, ``?client=``), and as URL arguments."""
    status = source.get("statut") if source.get("statut") in (Job.QUEUED, Job.RUNNING, Job.DONE, Job.FAILED) else None
    client = source.get("client", "")
    tenant = Tenant.get_or_none(Tenant.id == int(client)) if client.isdigit() and int(client) < 2**31 else None
    args = {k: v for k, v in (("statut", status), ("client", tenant.id if tenant else None)) if v}
    return status, tenant, args


@bp.get("/taches", endpoint="jobs")
@operator_only
def jobs_page():
    status, tenant, args = _jobs_filters(request.args)
    page = page_arg()
    rows, total = jobs.listing(status, page, JOBS_PER_PAGE, tenant=tenant)
    rows = list(rows)
    return render_template("operator/jobs.html", rows=rows, total=total, page=page,
                           pages=max(1, math.ceil(total / JOBS_PER_PAGE)), status=status, tenant=tenant, args=args,
                           counts=jobs.counts(tenant), subjects=job_words.subjects(rows), words=job_words,
                           confirm=ConfirmForm())


@bp.post("/taches/<int:job_id>/relancer")
@operator_only
def retry_job(job_id: int):
    job = Job.get_or_none(Job.id == job_id)
    if job is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        jobs.retry(actor(), job)
        flash(gettext("La tâche n° %(id)d sera relancée au prochain passage du worker.", id=job.id), "success")
    except DomainError as error:
        flash(" ".join(problem_text(p) for p in error.problems), "error")
    _status, _tenant, args = _jobs_filters(request.form)
    return redirect(url_for("operator.jobs", **args))


@bp.get("/clients/<int:tenant_id>/postes")
@operator_only
def tenant_extensions(tenant_id: int):
    """A tenant's extensions, as its admin lists them (read only): paged and searched."""
    tenant = _tenant(tenant_id)
    context = {**table_context(tenant), "tenant": tenant, "readonly": True,
               "list_endpoint": "operator.tenant_extensions", "list_route": {"tenant_id": tenant.id}}
    if htmx and htmx.target == "extensions-table":
        return render_template("directory/_table.html", **context)
    return render_template("operator/tenant_extensions.html", **context)
