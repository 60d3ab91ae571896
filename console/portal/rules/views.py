"""Accueil (E2, seed 001): the phone's status, where incoming calls go, the forwarding options,
the universal contact number (C9), the advanced settings (C10) with "Appliquer" and "Annuler";
and the call-services PIN (C11), asked before any change when set.

The rules are the domain's (``tenants.call_rules``, stored by ``tenants.call_services``); routing
reads them on the next call. The page works as a plain form (POST, then back to the page);
htmx swaps the form in place (Appliquer without reload, Annuler reloads what is stored)."""
from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, RadioField, StringField, TextAreaField

from console.forms import apply_form
from console.portal import current_mailbox
from console.scoping import actor
from tenants import call_rules, call_services
from tenants.call_rules import FORWARD, RING, SEQUENCE, VOICEMAIL, CallRules, Cell
from tenants.models import Extension
from tenants.problems import N_, DomainError, Problem

bp = Blueprint("rules", __name__, url_prefix="/regles")

ROWS, COLUMNS = call_rules.MAX_ROWS, call_rules.MAX_COLUMNS
_CELL = re.compile(r"^cell_(\d+)_(\d+)$")
_CELL_LIMIT = 20  # a cell further right than this is not read at all (a forged form): too many columns
FALLBACK_CHOICES = [(VOICEMAIL, _l("Envoyer vers la messagerie vocale")), (FORWARD, _l("Renvoyer à un autre téléphone"))]
NUMBER_HINT = _l("Un poste (2002) ou un numéro : 06 12 34 56 78, 0049 30 1234567.")


class RulesForm(FlaskForm):
    status = RadioField(_l("Disponibilité"), choices=[
        ("available", _l("Disponible pour appels")),
        ("dnd", _l("Ne pas déranger : tous les appels vont à la messagerie vocale"))], default="available")
    incoming = RadioField(_l("Les appels entrants"), choices=[
        (RING, _l("Feront sonner votre téléphone")),
        (FORWARD, _l("Seront renvoyés vers un autre téléphone")),
        (SEQUENCE, _l("Feront sonner vos téléphones les uns après les autres (numéro de contact universel)"))],
        default=RING)
    forward_to = StringField(_l("Numéro de renvoi de tous les appels"))
    columns = StringField(_l("Numéro de contact universel"))  # carries the table's errors (its cells are below)
    no_answer = RadioField(_l("S'il n'y a aucune réponse"), choices=FALLBACK_CHOICES, default=VOICEMAIL)
    no_answer_seconds = StringField(_l("Après (secondes)"), default="24")
    no_answer_to = StringField(_l("Numéro de renvoi si aucune réponse"))
    busy = RadioField(_l("Si votre téléphone est occupé"), choices=FALLBACK_CHOICES, default=VOICEMAIL)
    busy_to = StringField(_l("Numéro de renvoi si occupé"))
    unreachable = RadioField(_l("Si votre téléphone n'est pas disponible (non connecté)"), choices=FALLBACK_CHOICES,
                             default=VOICEMAIL)
    unreachable_to = StringField(_l("Numéro de renvoi si non disponible"))
    selective_forward = BooleanField(_l("Renvoi sélectionné : renvoyer les appels des appelants de la liste de renvoi"))
    forward_list = TextAreaField(_l("Liste de renvoi"))
    selective_forward_to = StringField(_l("Renvoyer ces appels vers"))
    selective_reject = BooleanField(_l("Rejet sélectionné : rejeter, sans messagerie vocale, les appelants de la "
                                       "liste de rejet"))
    reject_list = TextAreaField(_l("Liste de rejet"))
    reject_anonymous = BooleanField(_l("Appels anonymes : rejeter les appelants dont le numéro est masqué, sans "
                                       "messagerie vocale"))
    services_pin = PasswordField(_l("NIP des services d'appels"))


class ServicesPinForm(FlaskForm):
    current_pin = PasswordField(_l("NIP actuel"))
    new_pin = PasswordField(_l("Nouveau NIP"))
    confirm_pin = PasswordField(_l("Confirmer le nouveau NIP"))


def _extension() -> Extension:
    return current_mailbox().extension


def _form_of(ext: Extension) -> RulesForm:
    """The form filled with what is stored."""
    rules = call_services.rules_of(ext)
    data = {**rules.to_data(), "status": "dnd" if rules.do_not_disturb else "available",
            "no_answer_seconds": str(ext.no_answer_seconds),
            "forward_list": "\n".join(call_rules.display(n) for n in rules.forward_list),
            "reject_list": "\n".join(call_rules.display(n) for n in rules.reject_list)}
    for name in ("forward_to", "no_answer_to", "busy_to", "unreachable_to", "selective_forward_to"):
        data[name] = call_rules.display(data[name]) if data[name] else ""
    data.pop("columns")
    return RulesForm(formdata=None, data=data)


def _grid_of(rules: CallRules) -> tuple[list[str], dict[tuple[int, int], str]]:
    """The universal number's table as shown: a number a row, its delay in each column it rings in."""
    numbers: list[str] = []
    cells: dict[tuple[int, int], str] = {}
    for j, column in enumerate(rules.columns):
        for cell in column:
            if cell.number not in numbers:
                numbers.append(cell.number)
            cells[(numbers.index(cell.number), j)] = str(cell.seconds)
    return [call_rules.display(n) for n in numbers], cells


def _grid_from_request() -> tuple[list[str], dict[tuple[int, int], str]]:
    numbers = [request.form.get(f"row_{i}", "").strip() for i in range(ROWS)]
    cells = {}
    for key, value in request.form.items():
        found = _CELL.match(key)
        if found and value.strip():
            cells[(int(found.group(1)), int(found.group(2)))] = value.strip()
    return numbers, cells


def _columns(numbers: list[str], cells: dict[tuple[int, int], str]) -> tuple[list[list[tuple[str, int | None]]],
                                                                             list[Problem]]:
    """The typed table as columns of (number, delay), and what is wrong with it besides."""
    problems: list[Problem] = []
    beyond = [(i, j) for i, j in cells if i >= ROWS or j >= _CELL_LIMIT]  # only a forged form has them
    if beyond:
        problems.append(Problem("columns", N_("Le numéro de contact universel compte au plus %(max)d colonnes."),
                                {"max": COLUMNS}))
    width = max((j for i, j in cells if (i, j) not in beyond), default=-1) + 1
    columns: list[list[tuple[str, int | None]]] = [[] for _ in range(width)]
    for (i, j), text in sorted(cells.items()):
        if (i, j) in beyond:
            continue
        number = numbers[i] if i < len(numbers) else ""
        if not number:
            problems.append(Problem("columns", N_("Indiquez le numéro de chaque ligne où figure un délai.")))
            continue
        columns[j].append((number, int(text) if text.isascii() and text.isdigit() else None))
    return columns, problems


def _rules(form: RulesForm, columns: list[list[tuple[str, int | None]]]) -> CallRules:
    forward_list, _bad_f = call_rules.parse_list(form.forward_list.data or "")
    reject_list, _bad_r = call_rules.parse_list(form.reject_list.data or "")
    return CallRules(
        do_not_disturb=form.status.data == "dnd", incoming=form.incoming.data or RING,
        forward_to=form.forward_to.data or "",
        columns=tuple(tuple(Cell(n, s if s is not None else -1) for n, s in col) for col in columns if col),
        no_answer=form.no_answer.data or VOICEMAIL, no_answer_to=form.no_answer_to.data or "",
        busy=form.busy.data or VOICEMAIL, busy_to=form.busy_to.data or "",
        unreachable=form.unreachable.data or VOICEMAIL, unreachable_to=form.unreachable_to.data or "",
        selective_forward=bool(form.selective_forward.data), forward_list=tuple(forward_list),
        selective_forward_to=form.selective_forward_to.data or "",
        selective_reject=bool(form.selective_reject.data), reject_list=tuple(reject_list),
        reject_anonymous=bool(form.reject_anonymous.data))


def _seconds(form: RulesForm) -> int | None:
    text = (form.no_answer_seconds.data or "").strip()
    return int(text) if text.isascii() and text.isdigit() else None


def _problems(form: RulesForm, ext: Extension, columns, grid_problems: list[Problem]) -> list[Problem]:
    """Every problem of what was typed: the table's, the lists', the rules' and the PIN's."""
    problems = list(grid_problems)
    typed_badly = set()
    for name in ("forward_list", "reject_list"):
        good, bad = call_rules.parse_list(getattr(form, name).data or "")
        problems += call_rules.check_list(bad, len(good), name)
        if bad:
            typed_badly.add(name)
    # a list of nothing but mistakes says what is wrong with them, not that it is empty
    problems += [p for p in call_services.problems_for(ext, _rules(form, columns), _seconds(form),
                                                       form.services_pin.data) if p.field not in typed_badly]
    unique: list[Problem] = []
    for p in problems:
        if p not in unique:
            unique.append(p)
    return unique


def _page(form: RulesForm, grid, pin_form: ServicesPinForm | None = None, status: int = 200):
    ext = _extension()
    numbers, cells = grid
    template = "portal/rules/_form.html" if request.headers.get("HX-Request") and request.method == "POST" \
        and request.endpoint == "portal.rules.apply" else "portal/rules/home.html"
    return render_template(template, form=form, numbers=numbers, cells=cells, rows=ROWS, width=COLUMNS,
                           has_pin=call_services.has_services_pin(ext), ext=ext,
                           pin_form=pin_form or ServicesPinForm(formdata=None), number_hint=NUMBER_HINT,
                           display=call_rules.display), status


def home():
    """Accueil: the call rules as stored."""
    ext = _extension()
    return _page(_form_of(ext), _grid_of(call_services.rules_of(ext)))


@bp.post("/")
def apply():
    """Appliquer: every problem at once on its field, nothing stored; else stored for the next call."""
    ext = _extension()
    if ext.kind == Extension.VIRTUAL:  # its calls go to its number (routing's C2): no rules to apply
        abort(404)
    form = RulesForm()
    grid = _grid_from_request()
    columns, grid_problems = _columns(*grid)

    def change():
        problems = _problems(form, ext, columns, grid_problems)
        if problems:
            raise DomainError(problems)
        return call_services.save_rules(actor(), ext, _rules(form, columns), _seconds(form) or 0,
                                        form.services_pin.data)

    made, _ = apply_form(form, change, check=lambda: _problems(form, ext, columns, grid_problems))
    if made:
        flash(gettext("Vos règles d'appel sont appliquées : elles valent dès le prochain appel."), "success")
        if request.headers.get("HX-Request"):
            fresh = _form_of(ext)
            return _page(fresh, _grid_of(call_services.rules_of(ext)))
        return redirect(url_for("portal.home"))
    return _page(form, grid, status=422)


@bp.post("/nip")
def services_pin():
    """C11: set or change the call-services PIN (the current one first when one is set)."""
    ext = _extension()
    form = ServicesPinForm()
    made, _ = apply_form(form, lambda: call_services.set_services_pin(
        actor(), ext, form.new_pin.data or "", form.confirm_pin.data or "", form.current_pin.data))
    if made:
        flash(gettext("Votre NIP des services d'appels est changé."), "success")
        back = "portal.passwords.index" if request.form.get("back") == "passwords" else "portal.home"
        return redirect(url_for(back if back in current_app.view_functions else "portal.home"), 303)
    return _page(_form_of(ext), _grid_of(call_services.rules_of(ext)), pin_form=form, status=422)
