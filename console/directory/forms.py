"""Forms of the extensions pages. Rules are the domain's; these only carry fields."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from tenants.extensions import ExtensionInput
from tenants.models import Did, Extension, Tenant

REQUIRED = _l("Ce champ est obligatoire.")
TOO_LONG = _l("Ce champ est trop long.")


class ExtensionForm(FlaskForm):
    number = StringField(_l("Numéro de poste"), validators=[DataRequired(REQUIRED), Length(max=4, message=TOO_LONG)])
    name = StringField(_l("Nom de l'utilisateur"), validators=[DataRequired(REQUIRED), Length(max=100, message=TOO_LONG)])
    email = EmailField(_l("Adresse e-mail"), validators=[DataRequired(REQUIRED), Length(max=254, message=TOO_LONG)])
    kind = RadioField(_l("Type"), choices=[SelectChoice(Extension.DESK, _l("Téléphone de bureau")),
                                            SelectChoice(Extension.VIRTUAL, _l("Virtuel (renvoi vers un numéro externe)"))],
                      default=Extension.DESK)
    forward_to = StringField(_l("Numéro externe de renvoi"), validators=[Optional(), Length(max=32, message=TOO_LONG)])
    did = SelectField(_l("Numéro direct (SDA)"), choices=[], validate_choice=False)
    anonymous_calls = BooleanField(_l("Appels vers l'extérieur en numéro masqué"))

    def fill_did_choices(self, tenant: Tenant, ext: Extension | None = None) -> None:
        usable = Did.extension.is_null()
        if ext is not None:
            usable |= Did.extension == ext
        free = Did.select().where((Did.tenant == tenant) & usable)
        self.did.choices = [SelectChoice("", _l("Aucun"))] + [SelectChoice(d.number) for d in free.order_by(Did.number)]

    def to_input(self) -> ExtensionInput:
        return ExtensionInput(number=self.number.data or "", name=self.name.data or "",
                              email=self.email.data or "", kind=self.kind.data or Extension.DESK,
                              forward_to=self.forward_to.data or "", did=self.did.data or "",
                              anonymous_calls=bool(self.anonymous_calls.data))


class PinForm(FlaskForm):
    pin = PasswordField(_l("Nouveau code PIN"), validators=[DataRequired(REQUIRED), Length(max=10, message=TOO_LONG)])


class VoicemailEmailForm(FlaskForm):
    voicemail_email = EmailField(_l("Envoyer les messages vocaux à"),
                                 validators=[DataRequired(REQUIRED), Length(max=254, message=TOO_LONG)])
