"""The Messages page's dialogs (seed 001): forward as email, forward as voice message."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

REQUIRED = _l("Ce champ est obligatoire.")
TOO_LONG = _l("Ce champ est trop long.")


class EmailForwardForm(FlaskForm):
    to = StringField(_l("À"), validators=[DataRequired(REQUIRED), Length(max=1000, message=TOO_LONG)])
    cc = StringField(_l("Cc"), validators=[Optional(), Length(max=1000, message=TOO_LONG)])
    bcc = StringField(_l("Cci"), validators=[Optional(), Length(max=1000, message=TOO_LONG)])
    text = TextAreaField(_l("Message"), validators=[Optional(), Length(max=5000, message=TOO_LONG)])


class VoiceForwardForm(FlaskForm):
    to = StringField(_l("À"), validators=[DataRequired(REQUIRED), Length(max=500, message=TOO_LONG)])
