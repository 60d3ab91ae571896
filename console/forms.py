"""Shared helpers for forms: domain problems shown on WTForms fields."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask_babel import gettext
from flask_wtf import FlaskForm

from tenants.problems import DomainError, Problem

T = TypeVar("T")


def problem_text(problem: Problem) -> str:
    return problem.text(gettext)


def attach_problems(form: FlaskForm, error: DomainError, fallback: str | None = None) -> list[str]:
    """Put each problem on its field; return the texts that belong to no field."""
    loose = []
    for problem in error.problems:
        field = getattr(form, problem.field, None) or (getattr(form, fallback, None) if fallback else None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [problem_text(problem)]
        else:
            loose.append(problem_text(problem))
    return loose


def apply_form(form: FlaskForm, change: Callable[[], T]) -> tuple[bool, T | None]:
    """Validate ``form`` and, when valid, make ``change``; refused changes put their
    problems on the form's fields. Returns whether the change was made, and its result."""
    if not form.validate_on_submit():
        return False, None
    try:
        return True, change()
    except DomainError as error:
        attach_problems(form, error)
        return False, None
