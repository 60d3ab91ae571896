"""The audit log (A8): who changed what, when, with the values before and after."""
from __future__ import annotations

from dataclasses import dataclass

from tenants.models import Account, AuditEntry, Tenant


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a signed-in account, or the command line."""

    account: Account | None
    label: str

    @classmethod
    def of(cls, account: Account) -> Actor:
        return cls(account=account, label=account.email)

    @classmethod
    def cli(cls) -> Actor:
        return cls(account=None, label="cli")


def diff(before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    """Only the keys that changed, so the log shows what an edit really did."""
    if before is None or after is None:
        return before, after
    keys = [k for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def record(actor: Actor, action: str, tenant: Tenant | None, object_type: str, object_id,
           label: str, before: dict | None = None, after: dict | None = None) -> AuditEntry | None:
    """Write one entry; call it inside the transaction of the change it describes."""
    before, after = diff(before, after)
    if before == {} and after == {}:
        return None  # an edit that changed nothing is not a change
    return AuditEntry.create(
        tenant=tenant, tenant_domain=tenant.domain if tenant else "",
        actor=actor.account, actor_email=actor.label, action=action,
        object_type=object_type, object_id=str(object_id or ""), object_label=label[:300],
        before=before, after=after,
    )


def entries(tenant: Tenant | None, page: int = 1, per_page: int = 50):
    """Newest first; ``tenant=None`` is the operator's view of everything."""
    query = AuditEntry.select().order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if tenant is not None:
        query = query.where(AuditEntry.tenant == tenant)
    return query.paginate(page, per_page), query.count()
