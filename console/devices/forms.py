"""Forms of the devices pages. Rules are the domain's (``tenants.devices``); these only carry fields."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from tenants.devices import DeviceInput
from tenants.provisioning import VENDORS

REQUIRED = _l("Ce champ est obligatoire.")
TOO_LONG = _l("Ce champ est trop long.")


def _vendor_field():
    return SelectField(_l("Fabricant"), choices=[SelectChoice(key, v.label) for key, v in VENDORS.items()],
                       validate_choice=False)


class DeviceEditForm(FlaskForm):
    vendor = _vendor_field()
    model = StringField(_l("Modèle"), validators=[DataRequired(REQUIRED), Length(max=32, message=TOO_LONG)])
    extensions = StringField(_l("Postes, dans l'ordre des lignes"), validators=[Length(max=200, message=TOO_LONG)])

    def numbers(self) -> tuple[str, ...]:
        return tuple((self.extensions.data or "").replace(",", " ").split())

    def to_input(self, mac: str) -> DeviceInput:
        return DeviceInput(mac=mac, vendor=self.vendor.data or "", model=self.model.data or "",
                           extensions=self.numbers())


class DeviceForm(DeviceEditForm):
    mac = StringField(_l("Adresse MAC"), validators=[DataRequired(REQUIRED), Length(max=32, message=TOO_LONG)])
