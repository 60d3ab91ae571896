"""The tenant admin's extensions (A3) and their mailboxes (A4, A5).

Every page works as plain HTML; htmx upgrades it: search-as-you-type, paging
in place, inline edit of a row, delete with confirmation, inline validation
of the number while it is typed.
"""
from __future__ import annotations

import math

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from markupsafe import Markup

from console import job_words
from console.bounds import page_arg
from console.directory.forms import (
    ExtensionForm,
    PinForm,
    VoicemailEmailForm,
)
from console.forms import ConfirmForm, apply_form, confirm_first, problem_text
from console.links import id_url
from console.once import keep_for_page, take_for_page
from console.plugins import htmx
from console.scoping import actor, current_tenant, roles_required, tenant_object
from tenants import extensions, jobs
from tenants.extensions import ExtensionInput
from tenants.models import Account, Did, Extension, Tenant

bp = Blueprint("directory", __name__, url_prefix="/postes")
PER_PAGE = 20
admin_only = roles_required(Account.ADMIN)


def table_context(tenant: Tenant) -> dict:
    """One page of ``tenant``'s extensions searched by ``?q=``, with their numbers (the admin's
    list, and the operator's read-only view of it)."""
    q = (request.args.get("q") or "").strip()[:100]
    query = extensions.search(tenant, q)
    total = query.count()
    pages = max(1, math.ceil(total / PER_PAGE))
    page = min(page_arg(), pages)
    rows = list(query.paginate(page, PER_PAGE))
    dids = {d.extension_id: d.number for d in Did.select().where(
        (Did.tenant == tenant) & Did.extension.in_([e.id for e in rows]))} if rows else {}
    return {"rows": rows, "dids": dids, "q": q, "page": page, "pages": pages, "total": total,
            "confirm": ConfirmForm(), "row_text": row_text()}


def row_text() -> dict:
    """What each row of the extensions list says and links to (``directory/_row.html``), written
    once for all the rows: a translation or a ``url_for`` for each cell was half of the page."""
    return {"number": Markup(gettext("Poste")), "user": Markup(gettext("Utilisateur")),
            "email": Markup(gettext("Adresse e-mail")), "type": Markup(gettext("Type")),
            "did": Markup(gettext("SDA")), "virtual": Markup(gettext("Virtuel")),
            "phone": Markup(gettext("Téléphone")), "edit": Markup(gettext("Modifier")),
            "delete": Markup(gettext("Supprimer")),
            "confirm_delete": Markup(gettext("Supprimer le poste %(number)s et sa messagerie ?")),
            "detail_url": id_url("directory.detail", "ext_id"), "edit_url": id_url("directory.edit", "ext_id"),
            "delete_url": id_url("directory.delete", "ext_id")}


@bp.get("/")
@admin_only
def index():
    context = table_context(current_tenant())
    if htmx and htmx.target == "extensions-table":
        return render_template("directory/_table.html", **context)
    return render_template("directory/index.html", **context)


@bp.route("/nouveau", methods=["GET", "POST"])
@admin_only
def create():
    tenant = current_tenant()
    form = ExtensionForm()
    form.fill_did_choices(tenant)
    made, created = apply_form(form, lambda: extensions.create_extension(actor(), tenant, form.to_input()),
                               lambda: extensions.problems_for(tenant, form.to_input()))
    if made:
        ext, password = created
        keep_for_page(_sheet(ext), {"password": password})
        flash(gettext("Poste %(number)s créé. L'e-mail de son code PIN de messagerie est en file d'attente pour "
                      "%(email)s : sa distribution est suivie ci-dessous.", number=ext.number, email=ext.email),
              "success")
        return redirect(url_for("directory.detail", ext_id=ext.id))
    return render_template("directory/new.html", form=form), 422 if form.errors else 200


@bp.post("/verifier-numero")
@admin_only
def check_number():
    """Inline validation of the number field while the admin types it."""
    number = (request.form.get("number") or "").strip()[:10]
    data = ExtensionInput(number=number, name="x", email="x@example.org")
    problems = [p for p in extensions.problems_for(current_tenant(), data) if p.field == "number"]
    return render_template("directory/_number_check.html", number=number,
                           errors=[problem_text(p) for p in problems])


@bp.get("/<int:ext_id>")
@admin_only
def detail(ext_id: int):
    return _detail_page(tenant_object(Extension, ext_id))


def _sheet(ext: Extension) -> str:
    """The name under which a new SIP password waits for the extension's page (``console.once``)."""
    return f"sip-sheet-{ext.id}"


def _detail_page(ext: Extension, pin_form: PinForm | None = None,
                 email_form: VoicemailEmailForm | None = None):
    box = extensions.mailbox_of(ext)
    status = 422 if (pin_form and pin_form.errors) or (email_form and email_form.errors) else 200
    shown = take_for_page(_sheet(ext))
    return render_template("directory/detail.html", ext=ext, box=box,
                           did=Did.get_or_none(Did.extension == ext),
                           pin_form=pin_form or PinForm(),
                           email_form=email_form or VoicemailEmailForm(voicemail_email=box.email),
                           confirm=ConfirmForm(), sip=current_app.config["POSTE_SETTINGS"],
                           password=shown["password"] if shown else None,
                           pin_job=jobs.latest(extensions.PIN_EMAIL, {"mailbox_id": box.id}, ext.tenant),
                           words=job_words), status


@bp.get("/<int:ext_id>/ligne")
@admin_only
def row(ext_id: int):
    ext = tenant_object(Extension, ext_id)
    did = Did.get_or_none(Did.extension == ext)
    return render_template("directory/_row.html", ext=ext, did=did.number if did else None, confirm=ConfirmForm(),
                           row_text=row_text())


@bp.route("/<int:ext_id>/modifier", methods=["GET", "POST"])
@admin_only
def edit(ext_id: int):
    ext = tenant_object(Extension, ext_id)
    did = Did.get_or_none(Did.extension == ext)
    if request.method == "GET":
        form = ExtensionForm(data={"number": ext.number, "name": ext.name, "email": ext.email, "kind": ext.kind,
                                   "forward_to": ext.forward_to or "", "did": did.number if did else "",
                                   "anonymous_calls": ext.anonymous_calls})
    else:
        form = ExtensionForm()
    form.fill_did_choices(ext.tenant, ext)
    made, _ = apply_form(form, lambda: extensions.update_extension(actor(), ext, form.to_input()),
                         lambda: extensions.problems_for(ext.tenant, form.to_input(), ext))
    if made:
        if htmx:
            did = Did.get_or_none(Did.extension == ext)
            return render_template("directory/_row.html", ext=ext, did=did.number if did else None,
                                   confirm=ConfirmForm(), row_text=row_text())
        flash(gettext("Poste %(number)s modifié.", number=ext.number), "success")
        return redirect(url_for("directory.detail", ext_id=ext.id))
    status = 422 if form.errors else 200
    if htmx:
        return render_template("directory/_row_edit.html", ext=ext, form=form), status
    return render_template("directory/edit.html", ext=ext, form=form), status


@bp.route("/<int:ext_id>/supprimer", methods=["GET", "POST"])
@admin_only
def delete(ext_id: int):
    ext = tenant_object(Extension, ext_id)
    if request.method == "GET":
        return render_template("directory/delete.html", ext=ext, form=ConfirmForm())
    page = confirm_first("directory/delete.html", ext=ext)
    if page is not None:
        return page
    number = ext.number
    extensions.delete_extension(actor(), ext)  # its phones are unregistered too
    if htmx:
        return ""  # the row swaps itself out
    flash(gettext("Poste %(number)s supprimé.", number=number), "success")
    return redirect(url_for("directory.index"))


@bp.post("/<int:ext_id>/pin")
@admin_only
def set_pin(ext_id: int):
    ext = tenant_object(Extension, ext_id)
    box = extensions.mailbox_of(ext)
    form = PinForm()
    made, _ = apply_form(form, lambda: extensions.set_pin(actor(), box, form.pin.data))
    if made:
        flash(gettext("Nouveau code PIN enregistré pour le poste %(number)s. "
                      "L'utilisateur devra le changer à son prochain accès.", number=ext.number), "success")
        return redirect(url_for("directory.detail", ext_id=ext.id))
    return _detail_page(ext, pin_form=form)


@bp.post("/<int:ext_id>/deverrouiller")
@admin_only
def unlock(ext_id: int):
    ext = tenant_object(Extension, ext_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    extensions.unlock_mailbox(actor(), extensions.mailbox_of(ext))
    flash(gettext("Messagerie du poste %(number)s déverrouillée.", number=ext.number), "success")
    return redirect(url_for("directory.detail", ext_id=ext.id))


@bp.post("/<int:ext_id>/email-messagerie")
@admin_only
def voicemail_email(ext_id: int):
    ext = tenant_object(Extension, ext_id)
    box = extensions.mailbox_of(ext)
    form = VoicemailEmailForm()
    made, _ = apply_form(form, lambda: extensions.set_voicemail_email(actor(), box, form.voicemail_email.data))
    if made:
        flash(gettext("Les messages vocaux du poste %(number)s iront à %(email)s.",
                      number=ext.number, email=box.email), "success")
        return redirect(url_for("directory.detail", ext_id=ext.id))
    return _detail_page(ext, email_form=form)


@bp.post("/<int:ext_id>/mot-de-passe-sip")
@admin_only
def new_sip_password(ext_id: int):
    ext = tenant_object(Extension, ext_id)
    page = confirm_first("directory/confirm_sip_password.html", ext=ext)
    if page is not None:
        return page
    password = extensions.set_sip_password(actor(), ext)
    keep_for_page(_sheet(ext), {"password": password})
    flash(gettext("Nouveau mot de passe SIP pour le poste %(number)s : reconfigurez ses téléphones avec la fiche "
                  "ci-dessous.", number=ext.number), "success")
    return redirect(url_for("directory.detail", ext_id=ext.id))
