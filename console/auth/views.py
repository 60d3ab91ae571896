"""Login, logout and password change for every role (A2)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from console.forms import apply_form
from console.i18n import DEFAULT_TIMEZONE
from console.operator.forms import ZoneSelect, timezones
from console.plugins import limiter
from console.scoping import actor, roles_required
from console.session_user import SessionUser
from tenants import accounts
from tenants.models import Account
from tenants.problems import N_, DomainError, Problem
from tenants.voicemail import owners

bp = Blueprint("auth", __name__)
REQUIRED = _l("Ce champ est obligatoire.")
TOO_LONG = _l("Ce champ est trop long.")


class LoginForm(FlaskForm):
    # E1: a mailbox number (2001@domain, 2001 under the tenant's own host name, a direct number) or an email
    email = StringField(_l("Numéro ou adresse e-mail"),
                        validators=[DataRequired(REQUIRED), Length(max=254, message=TOO_LONG)])
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(REQUIRED), Length(max=128, message=TOO_LONG)])


def _authenticate(identifier: str, password: str) -> Account:
    """E1: by mailbox number (the tenant from the domain typed, the host name or the DID) or by email."""
    if not owners.is_mailbox_login(identifier):
        return accounts.authenticate(identifier, password)
    email, _account = owners.resolve_login(identifier, request.host)
    try:
        return accounts.authenticate(email, password)
    except DomainError as error:
        if any("suspendu" in p.message for p in error.problems):
            raise
        raise DomainError(Problem("password", N_("Numéro ou mot de passe incorrect."))) from None


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Mot de passe actuel"), validators=[DataRequired(REQUIRED), Length(max=128, message=TOO_LONG)])
    new = PasswordField(_l("Nouveau mot de passe"), validators=[DataRequired(REQUIRED), Length(max=128, message=TOO_LONG)])
    confirm = PasswordField(_l("Confirmation du nouveau mot de passe"),
                            validators=[DataRequired(REQUIRED), Length(max=128, message=TOO_LONG)])


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths, so the login page is no open redirect."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home"))
    form = LoginForm()
    made, account = apply_form(form, lambda: _authenticate(form.email.data, form.password.data))
    if made:
        login_user(SessionUser(account))
        return redirect(_safe_next(request.args.get("next")) or url_for("home"))
    return render_template("auth/login.html", form=form, host_tenant=owners.tenant_of_host(request.host)), \
        200 if not form.errors else 422


@bp.post("/deconnexion")
@login_required
def logout():
    logout_user()
    flash(gettext("Vous êtes déconnecté."), "info")
    return redirect(url_for("auth.login"))


class TimezoneForm(FlaskForm):
    timezone = SelectField(_l("Fuseau horaire des dates de vos pages"), validate_choice=False, widget=ZoneSelect())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezones()


def _password_page(form: PasswordForm, zone_form: TimezoneForm | None = None):
    account = current_user.account
    if account.role == Account.OPERATOR and zone_form is None:
        zone_form = TimezoneForm(data={"timezone": account.timezone or DEFAULT_TIMEZONE})
    errors = form.errors or (zone_form.errors if zone_form else None)
    return render_template("auth/password.html", form=form, zone_form=zone_form), 422 if errors else 200


@bp.post("/mot-de-passe/fuseau-horaire")
@roles_required(Account.OPERATOR)
def timezone():
    """The operator's own time zone (a tenant's people see their tenant's)."""
    form = TimezoneForm()
    made, _ = apply_form(form, lambda: accounts.set_timezone(actor(), current_user.account, form.timezone.data))
    if made:
        flash(gettext("Les dates de vos pages sont maintenant à l'heure de %(zone)s.", zone=form.timezone.data), "success")
        return redirect(url_for("auth.password"))
    return _password_page(PasswordForm(formdata=None), form)


@bp.route("/mot-de-passe", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordForm()
    made, _ = apply_form(
        form, lambda: accounts.change_password(current_user.account, form.current.data, form.new.data, form.confirm.data),
        lambda: accounts.password_problems(current_user.account, form.current.data, form.new.data, form.confirm.data))
    if made:
        login_user(SessionUser(current_user.account))  # the session id follows the new hash
        flash(gettext("Votre mot de passe a été modifié."), "success")
        return redirect(url_for("home"))
    return _password_page(form)
