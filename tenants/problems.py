"""Errors the domain reports to people: a field, a French message, its parameters.

Messages are French (the product's first language) and marked with ``N_`` so
the console's translation catalogue picks them up; the console translates
them with ``gettext`` before formatting with ``params``.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass


def N_(message: str) -> str:  # noqa: N802
    """Mark a message for translation without translating it here."""
    return message


@dataclass(frozen=True)
class Problem:
    field: str
    message: str
    params: dict = dataclasses.field(default_factory=dict)

    def text(self, translate=lambda s: s) -> str:
        """The message translated by ``translate`` and filled with its parameters."""
        return translate(self.message) % self.params if self.params else translate(self.message)


class DomainError(Exception):
    """Raised by a service when the change asked for is refused; nothing was stored."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = problems if isinstance(problems, list) else [problems]
        super().__init__("; ".join(p.text() for p in self.problems))

    def for_field(self, name: str) -> list[Problem]:
        return [p for p in self.problems if p.field == name]
