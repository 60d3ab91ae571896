"""Shared helpers for forms: domain problems shown on WTForms fields."""
from __future__ import annotations

from flask_babel import gettext
from flask_wtf import FlaskForm

from tenants.problems import DomainError, Problem


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
