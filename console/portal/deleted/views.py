"""Supprimés (E7, seed 001 "Utilisation des éléments supprimés"): restore a message, delete it
for good, or empty the list for good after a confirmation. What stays here is purged with its
file after the operator's retention (``POSTE_DELETED_RETENTION_DAYS``)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext, ngettext

from console.forms import ConfirmForm, confirm_first
from console.portal import current_mailbox, own_message
from console.portal.audio import data_dir
from tenants.voicemail import portal

bp = Blueprint("deleted", __name__, url_prefix="/supprimes")


@bp.get("/")
def index():
    box = current_mailbox()
    days = current_app.config["POSTE_SETTINGS"].deleted_retention_days
    return render_template("portal/deleted/index.html", messages=portal.deleted(box.id), form=ConfirmForm(),
                           retention_days=days)


def _back(text: str):
    flash(text, "success")
    return redirect(url_for("portal.deleted.index"), 303)


@bp.post("/<int:message_id>/restaurer")
def restore(message_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    own_message(message_id)
    if not portal.restore(current_mailbox().id, message_id):
        abort(404)
    return _back(gettext("Le message a été remis dans vos messages."))


@bp.post("/<int:message_id>/supprimer")
def purge(message_id: int):
    message = own_message(message_id)
    if message.folder != "deleted":
        abort(404)
    page = confirm_first("portal/deleted/confirm.html", count=1, action=url_for("portal.deleted.purge",
                                                                                message_id=message_id))
    if page is not None:
        return page
    portal.purge(current_mailbox().id, message_id, data_dir())
    return _back(gettext("Le message a été supprimé définitivement."))


@bp.post("/tout")
def purge_all():
    box = current_mailbox()
    page = confirm_first("portal/deleted/confirm.html", count=len(portal.deleted(box.id)),
                         action=url_for("portal.deleted.purge_all"))
    if page is not None:
        return page
    done = portal.purge_all(box.id, data_dir())
    return _back(ngettext("%(num)d message a été supprimé définitivement.",
                          "%(num)d messages ont été supprimés définitivement.", done))
