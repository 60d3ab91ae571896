"""Tenant-wide settings of the tenant admin (A6) and the tenant's numbers."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField

from console.scoping import actor, current_tenant, roles_required
from tenants import tenancy
from tenants.models import Account

bp = Blueprint("settings", __name__, url_prefix="/parametres")


class ReceptionistForm(FlaskForm):
    receptionist_voicemail = BooleanField(
        _l("Les appelants de la réceptionniste virtuelle peuvent accéder à une messagerie avec la touche *"))


@bp.route("/", methods=["GET", "POST"])
@roles_required(Account.ADMIN)
def index():
    tenant = current_tenant()
    form = ReceptionistForm(data={"receptionist_voicemail": tenant.receptionist_voicemail})
    if form.validate_on_submit():
        tenancy.set_receptionist_voicemail(actor(), tenant, form.receptionist_voicemail.data)
        flash(gettext("Paramètres enregistrés."), "success")
        return redirect(url_for("settings.index"))
    return render_template("settings/index.html", tenant=tenant, form=form, dids=list(tenancy.dids(tenant)))
