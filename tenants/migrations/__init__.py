"""Versioned schema migrations, applied in order by ``flask --app wsgi db upgrade``.

Each module ``mNNNN_<what>.py`` in this package defines ``up(db)``; its number is its
version. Applied versions are recorded in ``schema_version``, so running the
command again does nothing. A model change always comes with a new module; a
migration is written so that it can run on a database the earlier ones made.
"""
from __future__ import annotations

import importlib
import pkgutil
import re
from types import ModuleType

import peewee as pw

from tenants.db import database
from tenants.models import BaseModel, utcnow

_NAME = re.compile(r"^m(\d{4})_\w+$")


class SchemaVersion(BaseModel):
    version = pw.IntegerField(primary_key=True)
    name = pw.CharField(max_length=100)
    applied_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "schema_version"


def available() -> list[tuple[int, str, ModuleType]]:
    """All migration modules of this package, ordered by version."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        match = _NAME.match(info.name)
        if match:
            module = importlib.import_module(f"{__name__}.{info.name}")
            found.append((int(match.group(1)), info.name, module))
    found.sort()
    versions = [v for v, _, _ in found]
    if len(versions) != len(set(versions)):
        raise RuntimeError(f"two migrations share a version: {versions}")
    return found


def applied() -> set[int]:
    if not database.table_exists(SchemaVersion._meta.table_name):
        return set()
    return {row.version for row in SchemaVersion.select()}


def upgrade() -> list[str]:
    """Apply every migration not yet applied; return the names applied now."""
    database.create_tables([SchemaVersion], safe=True)
    done = applied()
    ran = []
    for version, name, module in available():
        if version in done:
            continue
        with database.atomic():
            module.up(database.obj)
            SchemaVersion.create(version=version, name=name)
        ran.append(name)
    return ran


def pending() -> list[str]:
    done = applied()
    return [name for version, name, _ in available() if version not in done]
