"""Nouveau message vocal (E4) and Répondre (E3, seed 001): record in the browser (or choose a
file), listen, record again, send to one or more mailboxes of the tenant. The recording goes
through ``rtp/dsp`` (trimmed, normalized) by the audio port, like any other message."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length

from console.forms import apply_form
from console.portal import current_mailbox, own_message
from console.portal.audio import data_dir
from tenants.voicemail import portal

bp = Blueprint("compose", __name__, url_prefix="/nouveau-message")


class VoiceMessageForm(FlaskForm):
    to = StringField(_l("À"), validators=[DataRequired(_l("Ce champ est obligatoire.")),
                                          Length(max=500, message=_l("Ce champ est trop long."))])
    urgent = BooleanField(_l("Urgent"))
    private = BooleanField(_l("Privé"))
    audio = FileField(_l("Enregistrement"))


@bp.route("/", methods=["GET", "POST"])
def new():
    box = current_mailbox()
    reply_to = request.args.get("reponse", type=int)
    replying = own_message(reply_to) if reply_to else None
    form = VoiceMessageForm(data={"to": request.args.get("a", "")[:20]} if request.method == "GET" else None)

    def send() -> list[str]:
        upload = request.files.get("audio")
        data = upload.read() if upload else b""
        return portal.send_voice_message(box.id, form.to.data, data, upload.filename if upload else None,
                                         data_dir(), urgent=form.urgent.data, private=form.private.data)

    made, numbers = apply_form(form, send, lambda: portal.recipients_problems(
        box.id, portal.parse_numbers(form.to.data))[0] if form.to.data else [])
    if made:
        flash(gettext("Message vocal envoyé à : %(numbers)s.", numbers=", ".join(numbers or [])), "success")
        return redirect(url_for("portal.messages.index"), 303)
    return render_template("portal/compose/new.html", form=form, replying=replying), 422 if form.errors else 200
