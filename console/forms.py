"""Shared helpers for forms: domain problems shown on WTForms fields, and the
confirmation step of destructive actions."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import abort, render_template, request
from flask_babel import gettext
from flask_wtf import FlaskForm

from tenants.problems import DomainError, Problem

T = TypeVar("T")

# The field a destructive action's POST must carry to be performed; the
# confirmation page's form sends it, and so does htmx (``hx-vals``) after its
# ``hx-confirm`` dialog (see the ``confirm_form`` and ``hx_confirm`` macros).
CONFIRM_FIELD = "confirm"


class ConfirmForm(FlaskForm):
    """A form with only its CSRF token: destructive and one-click actions."""


def confirm_first(template: str, **context) -> str | None:
    """The two steps of a destructive action, the same without JavaScript.

    A POST without a valid CSRF token is refused (400). A POST without the
    confirm field changes nothing: the answer is ``template``, the page that
    names what will go and posts again with the field (``form`` is its CSRF
    form). With the field, ``None``: the view goes on and acts."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if request.form.get(CONFIRM_FIELD):
        return None
    return render_template(template, form=form, **context)


def problem_text(problem: Problem) -> str:
    return problem.text(gettext)


def attach_problems(form: FlaskForm, error: DomainError, fallback: str | None = None,
                    clean_only: bool = False) -> list[str]:
    """Put each problem on its field; return the texts that belong to no field.

    ``clean_only``: only on fields without an error yet (the form's own check said it first)."""
    loose = []
    for problem in error.problems:
        field = getattr(form, problem.field, None) or (getattr(form, fallback, None) if fallback else None)
        if field is not None and hasattr(field, "errors"):
            if clean_only and field.errors:
                continue
            field.errors = list(field.errors) + [problem_text(problem)]
        else:
            loose.append(problem_text(problem))
    return loose


def apply_form(form: FlaskForm, change: Callable[[], T],
               check: Callable[[], list[Problem]] | None = None) -> tuple[bool, T | None]:
    """Validate ``form`` and, when valid, make ``change``; refused changes put their
    problems on the form's fields. Returns whether the change was made, and its result.

    ``check`` is the domain's own validation of what was typed (no change made): when the
    form's validators refuse a field, its problems go on the other fields, so that every
    error shows at once rather than in two rounds (a missing name, then a bad number)."""
    if not form.is_submitted():
        return False, None
    if not form.validate():
        if check is not None:
            attach_problems(form, DomainError(check()), clean_only=True)
        return False, None
    try:
        return True, change()
    except DomainError as error:
        attach_problems(form, error)
        return False, None


def fields_in_error(form: FlaskForm) -> list:
    """The form's fields that carry an error, in the form's order (not its CSRF token)."""
    return [f for f in form if f.errors and f.type not in ("CSRFTokenField", "HiddenField")]


def aria(field, hint: str | None = None, attrs: dict | None = None) -> dict:
    """The attributes that tie ``field`` to its hint and messages (the ``field`` macro)."""
    ids = ([f"{field.id}-hint"] if hint else []) + [f"{field.id}-errors"]
    extra = {"aria-describedby": " ".join(ids)}
    if field.errors:
        extra["aria-invalid"] = "true"
    return {**(attrs or {}), **extra}
