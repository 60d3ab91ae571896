"""The self-service portal (issue 17, seed 001): a mailbox owner's pages, under ``/portail/<box>/``.

Who and which mailbox
    Every portal URL carries the mailbox it shows (``/portail/<box>/messages/``): ``box`` is a
    mailbox id the signed-in account owns (``tenants.voicemail.owners.mailboxes_of``), else the
    answer is 404, whatever the page. Views never read ``box``: the blueprint's URL processor
    takes it out, checks it and keeps the mailbox in ``g``; ``current_mailbox()`` returns it and
    ``url_for`` fills ``box`` in by itself for every portal endpoint. So two tabs on two mailboxes
    never act on each other's (A7: the list at the top of every page links the same page of
    another mailbox). ``/portail/`` opens the account's first mailbox.

How a feature adds a page
    1. A folder ``console/portal/<feature>/`` with ``views.py`` defining ``bp = Blueprint("<feature>",
       __name__, url_prefix="/<french-path>")`` and its routes. Do not repeat the sign-in or role
       check: the portal's ``before_request`` already did it (user role, owned mailbox).
    2. Its name in ``FEATURES`` below: the blueprint is nested in ``portal``, so its endpoints are
       ``portal.<feature>.<view>`` and its URLs ``/portail/<box>/<french-path>/...``.
    3. Templates under ``console/templates/portal/<feature>/`` extending ``portal/base.html``
       (the console's layout, the mailbox switcher, the portal's navigation, flashes). Forms are
       ``FlaskForm`` (CSRF) shown with ``_macros.html``'s ``field``/``form_errors``; domain
       problems go on fields with ``console.forms.apply_form``; text is French in ``_()``.
    4. A link in ``NAVIGATION`` when it is a page of the top navigation.
    Objects of the mailbox are loaded with ``own_message(id)`` (404 when not this mailbox's);
    plain rows of the mailbox through ``current_mailbox()``.

Accueil (``portal.home``, ``/portail/<box>/``) is the call-rules page of ``console/portal/rules``:
    when ``console/portal/rules/views.py`` defines a view function ``home``, it is registered
    as ``portal.home``; until then a placeholder page stands there.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable

from flask import Blueprint, Flask, abort, current_app, g, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from tenants.models import Account, Mailbox
from tenants.voicemail import owners
from tenants.voicemail.models import VoiceMessage

ROLES = (Account.USER,)
# Each is console/portal/<name>/views.py with a ``bp``; nested under ``portal``.
FEATURES = ("messages", "compose", "calls", "deleted", "message_settings", "storage", "passwords", "rules")

# The portal's navigation (seed 001's pages), in order: (endpoint, label).
NAVIGATION: tuple[tuple[str, object], ...] = (
    ("portal.home", _l("Accueil")),
    ("portal.messages.index", _l("Messages")),
    ("portal.compose.new", _l("Nouveau message vocal")),
    ("portal.calls.index", _l("Appels")),
    ("portal.deleted.index", _l("Supprimés")),
    ("portal.message_settings.index", _l("Réglages des messages")),
    ("portal.storage.index", _l("Stockage")),
    ("portal.passwords.index", _l("Mots de passe")),
)

bp = Blueprint("portal", __name__, url_prefix="/portail")


def current_mailbox() -> Mailbox:
    """The mailbox of this request's URL, owned by the signed-in account."""
    box = g.get("portal_mailbox")
    if box is None:
        abort(404)
    return box


def owned_mailboxes() -> list[Mailbox]:
    """Every mailbox of the signed-in account (A7's list)."""
    if "portal_mailboxes" not in g:
        g.portal_mailboxes = owners.mailboxes_of(current_user.account)
    return g.portal_mailboxes


def own_message(message_id: int) -> VoiceMessage:
    """A message of the current mailbox (any folder), or 404: another mailbox's id is unknown here."""
    message = VoiceMessage.get_or_none((VoiceMessage.id == message_id)
                                       & (VoiceMessage.mailbox == current_mailbox().id))
    if message is None:
        abort(404)
    return message


def is_portal_user() -> bool:
    return bool(current_user.is_authenticated and current_user.account.role in ROLES)


@bp.get("/")
def start():
    """The first mailbox's Accueil."""
    boxes = owned_mailboxes()
    if not boxes:
        return render_template("portal/no_mailbox.html"), 404
    return redirect(url_for("portal.home", box=boxes[0].id))


@bp.before_request
def _signed_in_user():
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if current_user.account.role not in ROLES:
        abort(403)
    box_id = g.pop("portal_box_id", None)
    if box_id is not None:
        box = next((b for b in owned_mailboxes() if b.id == box_id), None)
        if box is None:
            abort(404)
        g.portal_mailbox = box
    return None


@bp.url_value_preprocessor
def _take_box(_endpoint, values):
    if values and "box" in values:
        g.portal_box_id = values.pop("box")


@bp.url_defaults
def _give_box(endpoint, values):
    if "box" not in values and g.get("portal_mailbox") is not None and endpoint in current_app.view_functions \
            and current_app.url_map.is_endpoint_expecting(endpoint, "box"):
        values["box"] = g.portal_mailbox.id


def navigation() -> list[tuple[str, object]]:
    """The navigation's pages that exist in this app (a feature not built yet has no link)."""
    known = current_app.view_functions
    return [(endpoint, label) for endpoint, label in NAVIGATION if endpoint in known]


def storage_level() -> str:
    """Seed 001 "Limite de la boîte vocale": ``ok``, ``nearly_full`` or ``full`` for the warning icon."""
    from tenants.voicemail import portal
    return portal.storage(current_mailbox().id, current_app.config["POSTE_SETTINGS"].data_dir).level


@bp.app_context_processor
def _portal_context():
    return {"portal_navigation": navigation, "is_portal_user": is_portal_user, "portal_storage_level": storage_level}


def placeholder_home():
    """Accueil until console/portal/rules provides its call-rules page."""
    return render_template("portal/home_placeholder.html")


def _home_view() -> Callable:
    try:
        module = importlib.import_module("console.portal.rules.views")
    except ModuleNotFoundError:
        return placeholder_home
    return getattr(module, "home", placeholder_home)


_assembled = False


def _assemble() -> None:
    """Once per process: Accueil and each feature's blueprint nested under ``/portail/<box>``."""
    global _assembled
    if _assembled:
        return
    _assembled = True
    bp.add_url_rule("/<int:box>/", "home", _home_view())
    for name in FEATURES:
        try:
            module = importlib.import_module(f"console.portal.{name}.views")
        except ModuleNotFoundError as error:
            if error.name and error.name.startswith(f"console.portal.{name}"):
                continue  # a feature not written yet
            raise
        feature_bp = module.bp
        prefix = f"/<int:box>{feature_bp.url_prefix or ''}"
        bp.register_blueprint(feature_bp, url_prefix=prefix)


def register(app: Flask) -> None:
    """Register the portal (with its features) on ``app``."""
    _assemble()
    app.register_blueprint(bp)
