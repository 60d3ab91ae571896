"""Messages (E3, seed 001 "Utilisation des messages vocaux"): the inbox of the current mailbox.

Each message: urgent and private marks, caller, date, length, an HTML audio player (served by
``audio``, with ranges, to its owner only), and the actions of the guide's "Actions" list:
Marquer comme écouté / nouveau, Répondre (the caller is an extension), Renvoyer comme courriel,
Renvoyer comme message vocal (not for private messages), Sauvegarder le fichier, X (to
Supprimés); "Supprimer tout" with a confirmation. The list polls a digest of what it shows and
reloads itself only when a message arrived or changed, so a playing message is not cut.
"""
from __future__ import annotations

import hashlib

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext

from console.forms import ConfirmForm, apply_form, confirm_first
from console.portal import current_mailbox, own_message
from console.portal.audio import data_dir, send_audio
from console.portal.messages.forms import EmailForwardForm, VoiceForwardForm
from tenants.voicemail import mailbox_changes, portal, portal_mail
from tenants.voicemail.models import VoiceMessage

bp = Blueprint("messages", __name__, url_prefix="/messages")
POLL = "every 5s"


def digest(messages: list[VoiceMessage]) -> str:
    """What the list shows, in short: a poll answers 204 while it is the same."""
    text = ";".join(f"{m.id}:{m.folder}:{int(m.urgent)}{int(m.private)}" for m in messages)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _page_context() -> dict:
    box = current_mailbox()
    messages = portal.inbox(box.id)
    settings = mailbox_changes.settings_of(box.id)
    replies = {m.id: portal.reply_target(box.id, m.id) for m in messages}
    return {"messages": messages, "counts": portal.counts(box.id), "version": digest(messages),
            "autoplay": settings.autoplay, "replies": replies, "form": ConfirmForm(),
            "poll": POLL}


@bp.get("/")
def index():
    context = _page_context()
    if request.args.get("v") and request.args["v"] == context["version"]:
        return Response(status=204)
    if request.headers.get("HX-Request") and request.args.get("v"):
        return render_template("portal/messages/_list.html", **context)
    return render_template("portal/messages/index.html", **context)


def _back(text: str | None = None):
    if text:
        flash(text, "success")
    return redirect(url_for("portal.messages.index"), 303)


@bp.get("/<int:message_id>/audio")
def audio(message_id: int):
    message = own_message(message_id)
    name = f"message-{current_mailbox().extension.number}-{message.received_at:%Y%m%d-%H%M%S}.wav"
    return send_audio(message.path, name, as_attachment=request.args.get("telecharger") == "1")


def _posted() -> None:
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)


@bp.post("/<int:message_id>/ecoute")
def heard(message_id: int):
    _posted()
    own_message(message_id)
    portal.mark_heard(current_mailbox().id, message_id)
    return _back()


@bp.post("/<int:message_id>/nouveau")
def unheard(message_id: int):
    _posted()
    own_message(message_id)
    portal.mark_new(current_mailbox().id, message_id)
    return _back()


@bp.post("/<int:message_id>/supprimer")
def delete(message_id: int):
    _posted()
    own_message(message_id)
    portal.delete(current_mailbox().id, message_id)
    return _back(gettext("Le message a été déplacé dans Supprimés."))


@bp.post("/supprimer-tout")
def delete_all():
    box = current_mailbox()
    page = confirm_first("portal/messages/confirm_delete_all.html", count=len(portal.inbox(box.id)))
    if page is not None:
        return page
    moved = portal.delete_all(box.id)
    return _back(ngettext("%(num)d message a été déplacé dans Supprimés.",
                          "%(num)d messages ont été déplacés dans Supprimés.", moved))


@bp.route("/<int:message_id>/courriel", methods=["GET", "POST"])
def forward_email(message_id: int):
    message = own_message(message_id)
    if message.private:
        flash(gettext("Un message privé ne peut pas être renvoyé."), "error")
        return _back()
    form = EmailForwardForm()
    box = current_mailbox()
    made, _ = apply_form(form, lambda: portal_mail.queue_forward(box.id, message_id, form.to.data, form.cc.data,
                                                                 form.bcc.data, form.text.data),
                         lambda: portal_mail.forward_problems(form.to.data, form.cc.data, form.bcc.data))
    if made:
        return _back(gettext("Le message sera envoyé par courriel dans un instant."))
    return render_template("portal/messages/forward_email.html", form=form, message=message), \
        422 if form.errors else 200


@bp.route("/<int:message_id>/renvoyer", methods=["GET", "POST"])
def forward_voice(message_id: int):
    message = own_message(message_id)
    if message.private:
        flash(gettext("Un message privé ne peut pas être renvoyé."), "error")
        return _back()
    form = VoiceForwardForm()
    box = current_mailbox()
    made, numbers = apply_form(form, lambda: portal.forward_to_mailboxes(box.id, message_id, form.to.data, data_dir()))
    if made:
        return _back(gettext("Message renvoyé à : %(numbers)s.", numbers=", ".join(numbers or [])))
    return render_template("portal/messages/forward_voice.html", form=form, message=message), \
        422 if form.errors else 200
