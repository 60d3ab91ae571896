"""Tenant-wide settings of the tenant admin (A6) and the tenant's numbers."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from console.forms import apply_form
from console.scoping import actor, current_tenant, roles_required
from tenants import tenancy
from tenants.models import Account
from tenants.voicemail import tenant_options

bp = Blueprint("settings", __name__, url_prefix="/parametres")


LAYOUT_HINTS = (_l("Standard : 1 écouter, 2 dossiers, 3 options avancées, 0 options de la boîte"),
                _l("Ooma Office : 5 pour l'annonce, le nom et le code PIN"))


class VoicemailForm(FlaskForm):
    menu_layout = SelectField(_l("Disposition des menus de la messagerie"), validate_choice=False, choices=[
        SelectChoice("asterisk", _l("Standard")),
        SelectChoice("ooma", _l("Ooma Office")),
    ])
    reception = StringField(_l("Poste de l'accueil (touche 0 après un message)"),
                            validators=[Length(max=4, message=_l("Ce champ est trop long."))])


class ReceptionistForm(FlaskForm):
    receptionist_voicemail = BooleanField(
        _l("Les appelants de la réceptionniste virtuelle peuvent accéder à une messagerie avec la touche *"))


def _page(tenant, form=None, voicemail_form=None):
    options = tenant_options.current(tenant)
    form = form or ReceptionistForm(data={"receptionist_voicemail": tenant.receptionist_voicemail})
    voicemail_form = voicemail_form or VoicemailForm(
        data={"menu_layout": options.menu_layout, "reception": options.reception or ""})
    status = 422 if voicemail_form.errors else 200
    return render_template("settings/index.html", tenant=tenant, form=form, voicemail_form=voicemail_form,
                           layout_hint=" ".join(f"{hint}." for hint in LAYOUT_HINTS),
                           dids=list(tenancy.dids(tenant))), status


@bp.route("/", methods=["GET", "POST"])
@roles_required(Account.ADMIN)
def index():
    tenant = current_tenant()
    if request.method == "GET":
        return _page(tenant)
    form = ReceptionistForm()
    if form.validate_on_submit():
        tenancy.set_receptionist_voicemail(actor(), tenant, form.receptionist_voicemail.data)
        flash(gettext("Paramètres enregistrés."), "success")
        return redirect(url_for("settings.index"))
    return _page(tenant, form=form)


@bp.post("/messagerie")
@roles_required(Account.ADMIN)
def voicemail():
    tenant = current_tenant()
    form = VoicemailForm()
    made, _ = apply_form(form, lambda: tenant_options.update(actor(), tenant, form.menu_layout.data,
                                                             form.reception.data),
                         lambda: tenant_options.options_problems(tenant, form.menu_layout.data, form.reception.data))
    if made:
        flash(gettext("Paramètres de la messagerie enregistrés."), "success")
        return redirect(url_for("settings.index"))
    return _page(tenant, voicemail_form=form)
