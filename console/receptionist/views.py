"""The admin's "Réceptionniste" page (issue 16, H1, D13): business hours per weekday, holidays, the
greetings (typed, or recorded files), the key map, the operator for 0, and a preview of the greetings.

One form, every error at once on its field (a day's hours, a key's extensions, the operator);
nothing is stored when one is wrong, so the receptionist in service keeps working as it was.
The checks are the domain's (``tenants.receptionist``), the same as the CLI's.
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from console.forms import apply_form
from console.scoping import actor, current_tenant, roles_required
from tenants.models import Account, Extension
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


def _save(tenant, form: ReceptionistForm):
    from tenants.problems import DomainError

    problems = _day_problems(form)
    if problems:  # the days' own problems, with the rest of the form's
        _values, others = service.check(tenant, _change(form))
        raise DomainError(problems + [p for p in others if p.field != "hours"])
    return service.update(actor(), tenant, _change(form))


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
    """The preview of a recorded greeting (the tenant's own only)."""
    if when not in service.WHEN:
        abort(404)
    path = getattr(service.current(current_tenant()), f"{when}_path")
    data_dir = Path(current_app.config["POSTE_SETTINGS"].data_dir)
    full = (data_dir / path).resolve() if path else None
    if full is None or data_dir.resolve() not in full.parents or not full.exists():
        abort(404)
    return send_file(full, mimetype="audio/wav")
