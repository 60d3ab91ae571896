"""Réglages des messages (E8, seed 001): general (email forwarding), access to the mailbox by
phone, and the greeting (system ones of the guide, or one's own recorded in the browser or
uploaded, marked * once it exists). "Appliquer" saves them all at once."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, RadioField, StringField
from wtforms.validators import Length

from console.forms import apply_form
from console.portal import current_mailbox
from console.portal.audio import data_dir, send_audio
from console.scoping import actor
from tenants.voicemail import access
from tenants.voicemail import mailbox_changes as changes
from tenants.voicemail import portal_settings as ps

bp = Blueprint("message_settings", __name__, url_prefix="/reglages-messages")

ENVELOPES = [(access.ENVELOPE_BOTH, _l("Le nom de l'appelant et l'heure du message, puis le message")),
             (access.ENVELOPE_ONLY, _l("Le nom de l'appelant et l'heure du message seulement")),
             (access.MESSAGE_ONLY, _l("Le message seulement"))]


class SettingsForm(FlaskForm):
    forward_email = BooleanField(_l("Renvoyer les messages comme courriels"))
    email = StringField(_l("Adresse de courriel"), validators=[Length(max=254, message=_l("Ce champ est trop long."))])
    keep_original = BooleanField(_l("Laisser l'original dans la boîte de réception"))
    skip_pin = BooleanField(_l("Ignorer le NIP"))
    quick_login = BooleanField(_l("Connexion rapide"))
    autoplay = BooleanField(_l("Messagerie vocale à lancement automatique"))
    envelope = RadioField(_l("Écoute du message vocal"), choices=ENVELOPES, validate_choice=False)
    greeting = RadioField(_l("Message d'accueil de la messagerie vocale"), choices=[], validate_choice=False)


class GreetingForm(FlaskForm):
    audio = FileField(_l("Message d'accueil personnalisé"))


def _greeting_choices(has_name: bool, has_custom: bool) -> list[tuple[str, str]]:
    star = " *"
    return [(ps.SYSTEM, gettext("Système : message standard, sans information permettant de vous identifier")),
            (ps.SYSTEM_NUMBER, gettext("Système avec un numéro : message standard, avec votre numéro")),
            (ps.SYSTEM_NAME, gettext("Système avec un nom : message standard, avec votre nom")
             + (star if has_name else "")),
            (ps.CUSTOM, gettext("Personnalisé : votre propre message d'accueil") + (star if has_custom else ""))]


def _page(form: SettingsForm | None = None, greeting_form: GreetingForm | None = None):
    box = current_mailbox()
    row = changes.settings_of(box.id)
    if form is None:
        form = SettingsForm(data=vars(ps.current(box.id)))
    form.greeting.choices = _greeting_choices(bool(row.name_path), bool(row.unavailable_path))
    greeting_form = greeting_form or GreetingForm(formdata=None)
    status = 422 if form.errors or greeting_form.errors else 200
    return render_template("portal/message_settings/index.html", form=form, greeting_form=greeting_form,
                           has_custom=bool(row.unavailable_path)), status


@bp.route("/", methods=["GET", "POST"])
def index():
    """The page, and "Appliquer" (a POST to the same address)."""
    if request.method == "GET":
        return _page()
    box = current_mailbox()
    form = SettingsForm()

    def values() -> ps.MessageSettings:
        return ps.MessageSettings(
            forward_email=form.forward_email.data, email=(form.email.data or "").strip(),
            keep_original=form.keep_original.data, skip_pin=form.skip_pin.data, quick_login=form.quick_login.data,
            autoplay=form.autoplay.data, envelope=form.envelope.data or "", greeting=form.greeting.data or "")

    made, _ = apply_form(form, lambda: ps.update(actor(), box.id, values()),
                         lambda: ps.problems_of(values(), bool(changes.settings_of(box.id).unavailable_path)))
    if made:
        flash(gettext("Vos réglages des messages sont appliqués."), "success")
        return redirect(url_for("portal.message_settings.index"), 303)
    return _page(form=form)


@bp.post("/accueil")
def greeting():
    """Record (the browser's recording) or upload one's own greeting; a bad file keeps the old one."""
    box = current_mailbox()
    form = GreetingForm()
    upload = request.files.get("audio")
    made, _ = apply_form(form, lambda: ps.set_custom_greeting(actor(), box.id, upload.read() if upload else b"",
                                                              upload.filename if upload else None, data_dir()))
    if made:
        flash(gettext("Votre message d'accueil personnalisé est enregistré : c'est lui que vos correspondants "
                      "entendent."), "success")
        return redirect(url_for("portal.message_settings.index"), 303)
    return _page(greeting_form=form)


@bp.get("/accueil.wav")
def greeting_audio():
    row = changes.settings_of(current_mailbox().id)
    if not row.unavailable_path:
        abort(404)
    return send_audio(row.unavailable_path, f"accueil-{current_mailbox().extension.number}.wav")
