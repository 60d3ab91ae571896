"""The admin's "Réceptionniste" page (issue 16, H1, D13): business hours per weekday, holidays, the
greetings (typed, or recorded files), the key map, the operator for 0, and a preview of the greetings.

One form, every error at once on its field (a day's hours, a key's extensions, the operator);
nothing is stored when one is wrong, so the receptionist in service keeps working as it was.
The checks are the domain's (``tenants.receptionist``), the same as the CLI's.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import Length

from console.forms import apply_form
from console.scoping import actor, current_tenant, roles_required
from tenants import audio_port
from tenants.models import Account, Extension
from tenants.problems import DomainError
from tenants.receptionist import rules, service

bp = Blueprint("receptionist", __name__, url_prefix="/receptionniste")
TOO_LONG = _l("Ce champ est trop long.")
DAY_LABELS = {"mon": _l("Lundi"), "tue": _l("Mardi"), "wed": _l("Mercredi"), "thu": _l("Jeudi"),
              "fri": _l("Vendredi"), "sat": _l("Samedi"), "sun": _l("Dimanche")}


class ReceptionistForm(FlaskForm):
    holidays = TextAreaField(_l("Jours de fermeture (AAAA-MM-JJ)"), validators=[Length(max=4000, message=TOO_LONG)])
    operator = StringField(_l("Standard (touche 0)"), validators=[Length(max=80, message=TOO_LONG)])
    open_text = TextAreaField(_l("Annonce pendant les heures d'ouverture"),
                              validators=[Length(max=service.MAX_TEXT, message=TOO_LONG)])
    closed_text = TextAreaField(_l("Annonce en dehors des heures d'ouverture"),
                                validators=[Length(max=service.MAX_TEXT, message=TOO_LONG)])
    open_file = FileField(_l("Annonce enregistrée, heures d'ouverture"))
    closed_file = FileField(_l("Annonce enregistrée, en dehors des heures d'ouverture"))
    open_remove = BooleanField(_l("Retirer l'annonce enregistrée (heures d'ouverture)"))
    closed_remove = BooleanField(_l("Retirer l'annonce enregistrée (en dehors des heures)"))


for _day in rules.DAYS:
    setattr(ReceptionistForm, f"hours_{_day}", StringField(DAY_LABELS[_day], validators=[Length(max=200,
                                                                                              message=TOO_LONG)]))
for _key in rules.MAPPABLE_KEYS:
    setattr(ReceptionistForm, f"key_{_key}", StringField(_l("Touche %(key)s", key=_key),
                                                         validators=[Length(max=80, message=TOO_LONG)]))


def _data(row) -> dict:
    data = {"holidays": "\n".join(row.holidays or []), "operator": row.operator or "",
            "open_text": row.open_text or "", "closed_text": row.closed_text or ""}
    for day in rules.DAYS:
        data[f"hours_{day}"] = ", ".join(f"{a}-{b}" for a, b in (row.hours or {}).get(day, []))
    for key in rules.MAPPABLE_KEYS:
        data[f"key_{key}"] = ", ".join((row.keys or {}).get(key, []))
    return data


def _day_problems(form: ReceptionistForm) -> list:
    """Each day's hours checked on its own, so that a problem sits on that day's field."""
    problems = []
    for day in rules.DAYS:
        text = (getattr(form, f"hours_{day}").data or "").strip()
        if text:
            problems += rules.parse_hours(f"{day} {text}", f"hours_{day}")[1]
    return problems


def _change(form: ReceptionistForm) -> service.Change:
    hours = "; ".join(f"{day} {text}" for day in rules.DAYS
                      if (text := (getattr(form, f"hours_{day}").data or "").strip()))
    keys = [f"{key}={(getattr(form, f'key_{key}').data or '').strip()}" for key in rules.MAPPABLE_KEYS]
    return service.Change(hours=hours, holidays=form.holidays.data or "", operator=form.operator.data or "",
                          keys=[k for k in keys if not k.endswith("=")], open_text=form.open_text.data or "",
                          closed_text=form.closed_text.data or "")


def _data_dir() -> Path:
    return Path(current_app.config["POSTE_SETTINGS"].data_dir)


def _save(tenant, form: ReceptionistForm):
    """Everything checked first (the days, the keys, the operator, then the uploads made audio):
    the first problem stops it all, and the receptionist in service stays as it was."""
    problems = _day_problems(form)
    _values, others = service.check(tenant, _change(form))
    problems += [p for p in others if not (problems and p.field == "hours")]
    uploads: dict[str, str] = {}
    if not problems:
        for when in service.WHEN:
            upload = getattr(form, f"{when}_file").data
            if upload and getattr(upload, "filename", ""):
                try:
                    uploads[when] = service.store_upload(tenant, when, upload.read(), upload.filename, _data_dir())
                except DomainError as error:
                    problems += error.problems
    if problems:
        for rel in uploads.values():  # made for nothing: the whole change is refused
            (_data_dir() / rel).unlink(missing_ok=True)
        raise DomainError(problems)
    row = service.update(actor(), tenant, _change(form))
    for when in service.WHEN:
        if when in uploads or getattr(form, f"{when}_remove").data:
            old = service.set_greeting_file(actor(), tenant, when, uploads.get(when))
            if old:
                (_data_dir() / old).unlink(missing_ok=True)
    return row


def _page(tenant, form: ReceptionistForm | None = None):
    row = service.current(tenant)
    form = form or ReceptionistForm(data=_data(row))
    people = list(Extension.select(Extension.number, Extension.name).where(Extension.tenant == tenant)
                  .order_by(Extension.number))
    status = 422 if form.errors else 200
    return render_template("receptionist/index.html", tenant=tenant, form=form, row=row, people=people,
                           days=rules.DAYS, keys=rules.MAPPABLE_KEYS), status


@bp.get("/")
@roles_required(Account.ADMIN)
def index():
    return _page(current_tenant())


@bp.post("/")
@roles_required(Account.ADMIN)
def save():
    tenant = current_tenant()
    form = ReceptionistForm()
    made, _row = apply_form(form, lambda: _save(tenant, form))
    if made:
        flash(gettext("Réceptionniste enregistrée."), "success")
        return redirect(url_for("receptionist.index"))
    return _page(tenant, form)


@bp.get("/annonce/<when>.wav")
@roles_required(Account.ADMIN)
def greeting(when: str):
    """The preview of a greeting as callers hear it (the tenant's own only): the recorded one, else
    the typed text spoken as the media app speaks it, else the built-in prompt."""
    if when not in service.WHEN:
        abort(404)
    tenant = current_tenant()
    row = service.current(tenant)
    data_dir = _data_dir()
    path, text = getattr(row, f"{when}_path"), getattr(row, f"{when}_text")
    if path:
        full = (data_dir / path).resolve()
    elif text:
        digest = hashlib.sha256(f"{tenant.language}:{text}".encode()).hexdigest()[:16]
        full = (data_dir / service.greeting_path(tenant.domain, f"preview-{when}", digest)).resolve()
        if not full.exists():
            for stale in full.parent.glob(f"preview-{when}-*.wav"):  # the text changed since
                stale.unlink(missing_ok=True)
            try:
                audio_port.audio().speak(text, tenant.language, full)
            except audio_port.AudioRejectedError:
                abort(404)
    else:
        full = (data_dir / "prompts" / tenant.language / f"receptionist-{when}.wav").resolve()
    if data_dir.resolve() not in full.parents or not full.exists():
        abort(404)
    return send_file(full, mimetype="audio/wav", max_age=0)
