"""Mots de passe (E10, C11; seed 001 "Sécurité"): the portal password, the voicemail PIN (the
phone's rules; not the default, not the current one) and the call-services PIN (the Accueil
helper's form, ``portal/rules/_services_pin.html``)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, Length

from console.forms import apply_form
from console.portal import current_mailbox
from console.session_user import SessionUser
from tenants import accounts, mailbox_pin

bp = Blueprint("passwords", __name__, url_prefix="/mots-de-passe")
REQUIRED = _l("Ce champ est obligatoire.")
TOO_LONG = _l("Ce champ est trop long.")


class PortalPasswordForm(FlaskForm):
    current = PasswordField(_l("Mot de passe actuel"), validators=[DataRequired(REQUIRED), Length(max=128, message=TOO_LONG)])
    new = PasswordField(_l("Nouveau mot de passe"), validators=[DataRequired(REQUIRED), Length(max=128, message=TOO_LONG)])
    confirm = PasswordField(_l("Confirmer le nouveau mot de passe"),
                            validators=[DataRequired(REQUIRED), Length(max=128, message=TOO_LONG)])


class VoicemailPinForm(FlaskForm):
    pin = PasswordField(_l("Nouveau NIP"), validators=[DataRequired(REQUIRED), Length(max=20, message=TOO_LONG)])
    confirm = PasswordField(_l("Confirmer le nouveau NIP"), validators=[DataRequired(REQUIRED),
                                                                        Length(max=20, message=TOO_LONG)])


def _services_pin_context() -> dict:
    """The call-services PIN form of console/portal/rules, when that feature is there."""
    try:
        from console.portal.rules.views import ServicesPinForm
        from tenants import call_services
    except ImportError:  # pragma: no cover - the feature is optional for this page
        return {}
    return {"pin_form": ServicesPinForm(formdata=None),
            "has_pin": call_services.has_services_pin(current_mailbox().extension)}


def _page(password_form=None, pin_form=None):
    password_form = password_form or PortalPasswordForm(formdata=None)
    pin_form = pin_form or VoicemailPinForm(formdata=None)
    status = 422 if (password_form.errors or pin_form.errors) else 200
    return render_template("portal/passwords/index.html", password_form=password_form, vm_pin_form=pin_form,
                           **_services_pin_context()), status


@bp.get("/")
def index():
    return _page()


@bp.post("/portail")
def password():
    form = PortalPasswordForm()
    account = current_user.account
    made, _ = apply_form(form, lambda: accounts.change_password(account, form.current.data, form.new.data,
                                                                form.confirm.data),
                         lambda: accounts.password_problems(account, form.current.data, form.new.data, form.confirm.data))
    if made:
        login_user(SessionUser(account))  # the session id follows the new hash
        flash(gettext("Votre mot de passe a été modifié."), "success")
        return redirect(url_for("portal.passwords.index"), 303)
    return _page(password_form=form)


@bp.post("/nip-messagerie")
def voicemail_pin():
    form = VoicemailPinForm()
    box = current_mailbox()
    made, _ = apply_form(form, lambda: mailbox_pin.change_pin_checked(box.id, form.pin.data, form.confirm.data),
                         lambda: mailbox_pin.new_pin_problems(box.id, form.pin.data, form.confirm.data))
    if made:
        flash(gettext("Votre NIP de messagerie vocale a été modifié."), "success")
        return redirect(url_for("portal.passwords.index"), 303)
    return _page(pin_form=form)
