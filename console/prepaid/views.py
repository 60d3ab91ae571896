"""The admin's "Compte prépayé" (issue 15, C6): the balance, whether paid calls are enabled, the
low-balance threshold, the toll-fraud limits (read only), the ledger and what each paid call cost.
Top-ups, the rate table and the limits are the operator's (``flask --app wsgi prepaid topup``,
``rates import``, ``prepaid enable --max-calls/--max-daily-cents/--max-call-seconds``): the console
has no operator view."""
from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import format_currency, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import Length

from console.forms import apply_form
from console.scoping import actor, current_tenant, roles_required
from tenants import prepaid
from tenants.models import Account, Tenant
from tenants.prepaid_rules import MAX_CALL_SECONDS, parse_euros
from tenants.problems import N_, DomainError, Problem

bp = Blueprint("prepaid", __name__)
KIND_NAMES = {prepaid.TOPUP: _l("rechargement"), prepaid.RESERVATION: _l("réservation"),
              prepaid.DEBIT: _l("débit"), prepaid.RELEASE: _l("libération")}
STATE_NAMES = {prepaid.RESERVED: _l("en cours"), prepaid.SETTLED: _l("facturé"), prepaid.RELEASED: _l("gratuit")}


def euros(cents: int | None) -> str:
    return "" if cents is None else format_currency(Decimal(cents) / 100, "EUR")


class SettingsForm(FlaskForm):
    enabled = BooleanField(_l("Appels payants autorisés (payés sur le compte prépayé)"))
    low_balance = StringField(_l("Seuil de solde bas (en euros)"),
                              validators=[Length(max=20, message=_l("Ce champ est trop long."))])


def _page(tenant: Tenant, form: SettingsForm | None = None):
    account = prepaid.account_of(tenant)
    low = account.low_balance_cents
    form = form or SettingsForm(data={"enabled": account.enabled,
                                      "low_balance": "" if low is None else f"{low // 100},{low % 100:02d}"})
    return render_template("prepaid/index.html", tenant=tenant, account=account, form=form, euros=euros,
                           ledger=prepaid.ledger(tenant, 200), calls=prepaid.calls(tenant), kinds=KIND_NAMES,
                           states=STATE_NAMES, longest=account.max_call_seconds or MAX_CALL_SECONDS), \
        422 if form.errors else 200


@bp.get("/compte-prepaye")
@roles_required(Account.ADMIN)
def index():
    return _page(current_tenant())


def _threshold(text: str) -> int | None:
    if not (text or "").strip():
        return None
    cents = parse_euros(text)
    if cents is None:
        raise DomainError(Problem("low_balance", N_("« %(value)s » n'est pas un montant en euros (par exemple 12,50)."),
                                  {"value": text[:20]}))
    return cents


@bp.post("/compte-prepaye")
@roles_required(Account.ADMIN)
def save():
    tenant = current_tenant()
    form = SettingsForm()
    made, _ = apply_form(form, lambda: prepaid.configure(actor(), tenant, enabled=bool(form.enabled.data),
                                                          low_balance_cents=_threshold(form.low_balance.data)))
    if made:
        flash(gettext("Compte prépayé enregistré."), "success")
        return redirect(url_for("prepaid.index"))
    return _page(tenant, form)
