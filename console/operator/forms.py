"""Forms of the operator's pages."""
from __future__ import annotations

import zoneinfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

REQUIRED = _l("Ce champ est obligatoire.")
TOO_LONG = _l("Ce champ est trop long.")
LANGUAGE_CHOICES = [SelectChoice("fr", "Français"), SelectChoice("en", "English")]


def timezones() -> list[SelectChoice]:
    zones = sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    return [SelectChoice(z) for z in zones]


class TenantForm(FlaskForm):
    name = StringField(_l("Nom"), validators=[DataRequired(REQUIRED), Length(max=100, message=TOO_LONG)])
    domain = StringField(_l("Domaine SIP"), validators=[DataRequired(REQUIRED), Length(max=253, message=TOO_LONG)])
    timezone = SelectField(_l("Fuseau horaire"), default="Europe/Paris", validate_choice=False)
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
