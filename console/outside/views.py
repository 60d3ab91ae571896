"""Calls to the outside (issue 14): the admin's "Appels sortants", the operator's page of a tenant's
allow-list and caller IDs.

The admin sees what the tenant's extensions may call (its allow-list, the rules that hold for
every tenant), which numbers are presented, and whether calls can go out at all; the operator
edits the allow-list and the caller IDs, through the same domain services as the CLI.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from console.forms import apply_form
from console.scoping import actor, current_tenant, roles_required
from tenants import allowlist, call_history, tenancy, trunk
from tenants.dialing import KINDS
from tenants.models import Account, Tenant
from tenants.problems import N_

bp = Blueprint("outside", __name__)
TOO_LONG = _l("Ce champ est trop long.")
KIND_NAMES = {"fixed": _l("lignes fixes"), "mobile": _l("mobiles")}
CALL_CLASSES = {"included": _l("sortant, inclus"), "emergency": _l("urgence"), "inbound": _l("entrant"),
                "refused": _l("refusé")}


def history_context(domain: str) -> dict:
    """What the calls page shows of the tenant's outside calls (``outside/_history.html``)."""
    return {"outside_calls": call_history.outside_calls(domain), "call_classes": CALL_CLASSES}


class EntryForm(FlaskForm):
    country = StringField(_l("Pays (code à deux lettres)"), validators=[Length(max=8, message=TOO_LONG)])
    kind = SelectField(_l("Lignes"), validate_choice=False,
                       choices=[SelectChoice(kind, KIND_NAMES[kind]) for kind in KINDS])


class CallerIdForm(FlaskForm):
    main_number = SelectField(_l("Numéro principal"), validate_choice=False)
    emergency_caller_id = StringField(_l("Numéro présenté aux services d'urgence"),
                                      validators=[Length(max=32, message=TOO_LONG)])


def _lines(tenant: Tenant) -> list[dict]:
    territories = get_locale().territories
    return [{"country": code, "name": territories.get(code, code), "kind": kind, "kind_name": KIND_NAMES[kind]}
            for code, kind in allowlist.entries(tenant)]


@bp.get("/appels-sortants")
@roles_required(Account.ADMIN)
def index():
    tenant = current_tenant()
    return render_template("outside/index.html", tenant=tenant, lines=_lines(tenant),
                           dids=list(tenancy.dids(tenant)), trunk_ready=trunk.current() is not None)


def _tenant(tenant_id: int) -> Tenant:
    tenant = Tenant.get_or_none(Tenant.id == tenant_id)
    if tenant is None:
        abort(404)
    return tenant


def _page(tenant: Tenant, entry_form: EntryForm | None = None, caller_form: CallerIdForm | None = None):
    dids = list(tenancy.dids(tenant))
    caller_form = caller_form or CallerIdForm(data={"main_number": tenant.main_number or "",
                                                    "emergency_caller_id": tenant.emergency_caller_id or ""})
    caller_form.main_number.choices = [SelectChoice("", gettext("aucun"))] + [SelectChoice(d.number) for d in dids]
    forms = [f for f in (entry_form, caller_form) if f is not None]
    status = 422 if any(f.errors for f in forms) else 200
    return render_template("outside/tenant.html", tenant=tenant, lines=_lines(tenant), dids=dids,
                           entry_form=entry_form or EntryForm(), caller_form=caller_form,
                           trunk=trunk.snapshot(trunk.current())), status


@bp.get("/operateur/clients/<int:tenant_id>/appels-sortants")
@roles_required(Account.OPERATOR)
def tenant_page(tenant_id: int):
    return _page(_tenant(tenant_id))


def _change_entry(tenant_id: int, change, done: str):
    """Add or remove an allow-list line with the EntryForm's CSRF token; ``done`` says so."""
    tenant = _tenant(tenant_id)
    form = EntryForm()
    made, entry = apply_form(form, lambda: change(actor(), tenant))
    if made:
        flash(gettext(done, country=entry[0], kind=KIND_NAMES[entry[1]]), "success")
        return redirect(url_for("outside.tenant_page", tenant_id=tenant.id))
    return _page(tenant, entry_form=form)


@bp.post("/operateur/clients/<int:tenant_id>/appels-sortants/destinations")
@roles_required(Account.OPERATOR)
def add_entry(tenant_id: int):
    form = EntryForm()
    return _change_entry(tenant_id, lambda who, tenant: allowlist.add(who, tenant, form.country.data, form.kind.data),
                         N_("%(country)s (%(kind)s) ajouté aux destinations autorisées."))


@bp.post("/operateur/clients/<int:tenant_id>/appels-sortants/destinations/<country>/<kind>/retirer")
@roles_required(Account.OPERATOR)
def remove_entry(tenant_id: int, country: str, kind: str):
    return _change_entry(tenant_id, lambda who, tenant: allowlist.remove(who, tenant, country, kind),
                         N_("%(country)s (%(kind)s) retiré des destinations autorisées."))


@bp.post("/operateur/clients/<int:tenant_id>/appels-sortants/numeros")
@roles_required(Account.OPERATOR)
def caller_ids(tenant_id: int):
    tenant = _tenant(tenant_id)
    form = CallerIdForm()
    made, _ = apply_form(form, lambda: tenancy.update_tenant(
        actor(), tenant, main_number=form.main_number.data or "",
        emergency_caller_id=form.emergency_caller_id.data or ""))
    if made:
        flash(gettext("Numéros présentés enregistrés."), "success")
        return redirect(url_for("outside.tenant_page", tenant_id=tenant.id))
    return _page(tenant, caller_form=form)
