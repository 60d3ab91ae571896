"""Who may see what: role checks and the tenant-scoped loader every view uses.

A tenant's people reach objects only through ``tenant_object``, which answers
404 for anything outside their tenant (not 403: another tenant's ids are not
even acknowledged to exist).
"""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from tenants.audit import Actor
from tenants.models import Account, Did, Extension, Mailbox, Tenant

# How each model leads to its tenant, for the scoped loader.
_TENANT_PATH = {
    Extension: lambda q, t: q.where(Extension.tenant == t),
    Did: lambda q, t: q.where(Did.tenant == t),
    Mailbox: lambda q, t: q.join(Extension).where(Extension.tenant == t),
    Account: lambda q, t: q.where(Account.tenant == t),
}


def account() -> Account:
    return current_user.account


def actor() -> Actor:
    return Actor.of(current_user.account)


def roles_required(*roles: str):
    """Signed-in accounts of these roles only; others get 403."""
    def decorate(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.account.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorate


def current_tenant() -> Tenant:
    tenant = current_user.account.tenant
    if tenant is None:
        abort(404)
    return tenant


def tenant_object(model, object_id: int, tenant: Tenant | None = None):
    """The ``model`` row with this id in the current (or given) tenant, or 404."""
    tenant = tenant or current_tenant()
    query = _TENANT_PATH[model](model.select(), tenant).where(model.id == object_id)
    obj = query.first()
    if obj is None:
        abort(404)
    return obj


def own_extension() -> Extension:
    """The extension of the signed-in user; 404 when the account has none."""
    ext_id = current_user.account.extension_id
    if ext_id is None:
        abort(404)
    return tenant_object(Extension, ext_id)
