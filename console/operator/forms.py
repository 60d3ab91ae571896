"""Forms of the operator's pages."""
from __future__ import annotations

import functools
import zoneinfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length
from wtforms.widgets import html_params

REQUIRED = _l("Ce champ est obligatoire.")
TOO_LONG = _l("Ce champ est trop long.")
LANGUAGE_CHOICES = [SelectChoice("fr", "Français"), SelectChoice("en", "English")]


@functools.cache
def _zones() -> tuple[str, ...]:
    """The time zones offered (read from the system once: it scans a folder of files)."""
    return tuple(sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/"))))


@functools.cache
def timezones() -> list[SelectChoice]:
    return [SelectChoice(z) for z in _zones()]


@functools.cache
def _zone_options() -> str:
    return "".join(f'<option value="{escape(z)}">{escape(z)}</option>' for z in _zones())


class ZoneSelect:
    """The time zone ``<select>``: its 400 options are written once, only the chosen one is marked
    (WTForms' own widget took 60 ms to write them on every page that has the field)."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        options = _zone_options()
        if field.data:
            chosen = f'<option value="{escape(field.data)}">'
            options = options.replace(chosen, chosen.replace("<option ", "<option selected "), 1)
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>{options}</select>")


class TenantForm(FlaskForm):
    name = StringField(_l("Nom"), validators=[DataRequired(REQUIRED), Length(max=100, message=TOO_LONG)])
    domain = StringField(_l("Domaine SIP"), validators=[DataRequired(REQUIRED), Length(max=253, message=TOO_LONG)])
    timezone = SelectField(_l("Fuseau horaire"), default="Europe/Paris", validate_choice=False, widget=ZoneSelect())
    language = SelectField(_l("Langue"), choices=LANGUAGE_CHOICES, default="fr", validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezones()


class TenantEditForm(TenantForm):
    """The domain names the tenant's SIP accounts and cannot change once phones use it."""

    domain = None


class DeleteTenantForm(FlaskForm):
    confirm = StringField(_l("Domaine à supprimer"), validators=[DataRequired(REQUIRED), Length(max=253, message=TOO_LONG)])


class DidForm(FlaskForm):
    did = StringField(_l("Numéro"), validators=[DataRequired(REQUIRED), Length(max=32, message=TOO_LONG)])


class AdminForm(FlaskForm):
    name = StringField(_l("Nom"), validators=[Length(max=100, message=TOO_LONG)])
    email = EmailField(_l("Adresse e-mail"), validators=[DataRequired(REQUIRED), Length(max=254, message=TOO_LONG)])
    password = PasswordField(_l("Mot de passe initial"), validators=[DataRequired(REQUIRED), Length(max=128, message=TOO_LONG)])
