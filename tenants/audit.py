"""The audit log (A8): who changed what, when, with the values before and after."""
from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass

from peewee import SQL, fn

from tenants.models import Account, AuditEntry, Tenant
from tenants.validation import to_e164

CLI = "cli"
# The operator command being run (``tenant create``), set by the CLI around each command: its
# changes are signed ``cli:tenant create``, so the log says which command made them.
_cli_command: contextvars.ContextVar[str] = contextvars.ContextVar("poste_cli_command", default="")


@contextlib.contextmanager
def cli_command(name: str) -> Iterator[None]:
    """Changes made by ``Actor.cli()`` within this block are signed with the command ``name``."""
    token = _cli_command.set(name)
    try:
        yield
    finally:
        _cli_command.reset(token)


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
        """The command line; inside ``cli_command`` its label names the command."""
        command = _cli_command.get()
        return cls(account=None, label=f"{CLI}:{command}" if command else CLI)


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


# Past this many matching entries, a page of them is found faster by reading the log newest first
# and keeping what matches (they are many: the first 50 come soon) than through the filter's index
# (which finds them all, then sorts them by date).
DENSE = 2000


def _starts_with(column, text: str, indexed: bool = True):
    """``column`` begins with ``text``: as a range an index answers (a LIKE would read every entry),
    or (``indexed=False``) as an expression no index answers, for a scan in the log's order."""
    if indexed:
        return (column >= text) & (column < text + "\uffff")
    return fn.SUBSTR(column, 1, len(text)) == text


def search(tenant: Tenant | None, about: str = "", author: str = "", object_type: str = "", indexed: bool = True):
    """Entries newest first; ``tenant=None`` is the operator's view of everything. ``about``
    begins the object's name (an extension's number, a domain, an email, a number as typed),
    ``author`` who made the change (an email, or an operator command: ``tenant create``),
    ``object_type`` is exact."""
    query = AuditEntry.select().order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if tenant is not None:
        query = query.where(AuditEntry.tenant == tenant)
    about = about.strip().lower()
    if about:
        e164 = to_e164(about) if about[0] in "+0" else None
        query = query.where(_starts_with(AuditEntry.object_label, e164 or about, indexed))
    author = author.strip().lower().removeprefix("flask ")
    if author:
        command = f"{CLI}:{author}"
        by_author = _starts_with(AuditEntry.actor_email, author, indexed)
        if not command.startswith(author):  # else ("cli") the commands' entries are the author's already,
            # and the OR of two ranges made SQLite gather every matching row to count them (1.2 ms
            # against 0.45 ms at 11,500 entries)
            by_author |= _starts_with(AuditEntry.actor_email, command, indexed)
        query = query.where(by_author)
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    return query


# A filtered log (or one tenant's) is counted up to this many entries, and past it is said to have
# more: a count reads every entry it counts (at 106,000 entries, 7.5 ms for an author's, 23 ms for
# a kind of object, on every page turn), and 200 pages are more than anyone turns; a narrower
# filter, or the CSV export, reaches further back.
COUNT_CAP = 10_000


def entries(tenant: Tenant | None, page: int = 1, per_page: int = 50, **filters):
    """One page of ``search(tenant, **filters)``, how many entries it has in all, and whether that
    count stopped at ``COUNT_CAP`` (there are more; the whole log is always counted)."""
    if tenant is None and not any(filters.values()):
        # the whole log: COUNT(*), which SQLite counts from an index's pages without reading its
        # entries (it grows for ever: 0.6 ms at 11,500 entries for the count of the search)
        total, capped = int(AuditEntry.select(fn.COUNT(SQL("*"))).scalar()), False
    else:
        total = search(tenant, **filters).limit(COUNT_CAP + 1).count()
        capped = total > COUNT_CAP
        total = min(total, COUNT_CAP)
    dense = total > DENSE and (filters.get("about") or filters.get("author"))
    return search(tenant, **filters, indexed=not dense).paginate(page, per_page), total, capped

