"""The web console: operator, tenant admin and extension user pages (Flask + htmx)."""
from __future__ import annotations

import logging

from flask import Flask, redirect, render_template, url_for
from flask_babel import get_locale, gettext
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from console import assets, forms, i18n, once, portal, security
from console.audit.labels import action_label, job_label, phone_number, when
from console.bounds import IdConverter
from console.plugins import babel, csrf, htmx, limiter, login_manager
from console.provisioning import app as provisioning
from console.rate_limit import STORAGE_URI
from console.session_user import load_user
from tenants.config import Settings
from tenants.db import database, is_sqlite
from tenants.models import Account
from tenants.runtime import start
from tenants.secrets_store import secret_key
from tenants.validation import NAME_MAX

HOME_BY_ROLE = {
    Account.OPERATOR: "operator.tenants",
    Account.ADMIN: "directory.index",
    Account.USER: "portal.start",
}


def create_app(settings: Settings | None = None, **overrides) -> Flask:
    """Build the console for ``settings`` (default: from the environment)."""
    settings, _db = start(settings)
    app = Flask(__name__)
    app.url_map.converters["int"] = IdConverter  # every <int:...> of every route: 404 past the ids' range
    app.config.update(
        SECRET_KEY=secret_key(settings.data_dir),
        POSTE_SETTINGS=settings,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=20 * 1024 * 1024,
        BABEL_DEFAULT_LOCALE="fr",
        BABEL_TRANSLATION_DIRECTORIES=str(i18n.compile_catalogues(settings.data_dir / "translations")),
        WTF_CSRF_TIME_LIMIT=None,  # tied to the session instead; a long-open form still posts
        RATELIMIT_HEADERS_ENABLED=True,
        # Counted in the application's database, so across workers and hosts (console.rate_limit).
        RATELIMIT_STORAGE_URI=settings.ratelimit_storage_uri or STORAGE_URI,
    )
    security.init_app(app, settings)
    app.config.update(overrides)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    app.jinja_env.install_gettext_callables(i18n.template_gettext, i18n.template_ngettext, newstyle=True)
    htmx.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    once.init_app(app)
    assets.init_app(app)

    _register_blueprints(app)
    _register_db_hooks(app)
    _register_errors(app)
    provisioning.mount(app, settings)  # /prov/...: the desk phones' files, served before Flask
    app.jinja_env.globals.update(NAME_MAX=NAME_MAX, get_locale=get_locale, aria=forms.aria)
    app.jinja_env.filters.update(action_label=action_label, job_label=job_label, when=when, phone=phone_number,
                                 fields_in_error=forms.fields_in_error)

    from console.cli import register_cli
    register_cli(app)

    @app.get("/")
    def home():
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login"))
        return redirect(url_for(HOME_BY_ROLE[current_user.account.role]))

    return app


def _register_blueprints(app: Flask) -> None:
    from console.audit.views import bp as audit_bp
    from console.auth.views import bp as auth_bp
    from console.devices.views import bp as devices_bp
    from console.directory.views import bp as directory_bp
    from console.me.views import bp as me_bp
    from console.operator.views import bp as operator_bp
    from console.outside.views import bp as outside_bp
    from console.phones.views import bp as phones_bp
    from console.prepaid.views import bp as prepaid_bp
    from console.receptionist.views import bp as receptionist_bp
    from console.settings.views import bp as settings_bp

    for blueprint in (auth_bp, operator_bp, directory_bp, phones_bp, devices_bp, settings_bp, audit_bp, me_bp,
                      outside_bp, prepaid_bp, receptionist_bp):
        app.register_blueprint(blueprint)
    portal.register(app)  # /portail/<box>/...: the mailbox owner's pages (issue 17)


def _register_db_hooks(app: Flask) -> None:
    @app.before_request
    def _connect():
        database.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(_exc):
        # On SQLite each thread keeps its connection for its next request: opening one and
        # setting its pragmas cost about 1 ms, a quarter of a small page. A PostgreSQL
        # connection is closed, as the server may drop it between requests.
        if not database.is_closed() and not is_sqlite():
            database.close()


def _register_errors(app: Flask) -> None:
    def page(status: int, title: str, text: str):
        return render_template("errors/error.html", status=status, title=title, text=text), status

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return page(400, gettext("Requête refusée"),
                    gettext("Le formulaire a expiré ou n'est pas valide. Rechargez la page et réessayez."))

    @app.errorhandler(400)
    def bad_request(_error):
        return page(400, gettext("Requête invalide"), gettext("La requête n'a pas pu être comprise."))

    @app.errorhandler(403)
    def forbidden(_error):
        return page(403, gettext("Accès refusé"), gettext("Vous n'avez pas accès à cette page."))

    @app.errorhandler(404)
    def not_found(_error):
        return page(404, gettext("Page introuvable"), gettext("Cette page n'existe pas ou a été supprimée."))

    @app.errorhandler(413)
    def too_large(_error):
        return page(413, gettext("Fichier trop volumineux"), gettext("Le fichier envoyé dépasse 20 Mo."))

    @app.errorhandler(429)
    def too_many(_error):
        return page(429, gettext("Trop de tentatives"),
                    gettext("Trop de tentatives de connexion. Patientez une minute avant de réessayer."))
