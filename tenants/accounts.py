"""Accounts and roles (A2): the operator, tenant admins and extension users."""
from __future__ import annotations

from tenants import audit
from tenants.audit import Actor
from tenants.credentials import hash_secret, verify_secret
from tenants.db import database
from tenants.models import Account, Extension, Tenant, utcnow
from tenants.prepared import Prepared
from tenants.problems import N_, DomainError, Problem
from tenants.validation import check_email, check_name, check_password, check_timezone, normalize_email

# Spent on unknown emails too, so the time of a failed login tells nothing.
_DUMMY_HASH = hash_secret("not-a-real-password")


def snapshot(account: Account) -> dict:
    return {"email": account.email, "name": account.name, "role": account.role,
            "extension": account.extension.number if account.extension is not None else None}


def role_allowed(role: str, tenant: Tenant | None) -> list[Problem]:
    """The operator belongs to no tenant; admins and users belong to exactly one."""
    if role not in Account.ROLES:
        return [Problem("role", N_("Rôle inconnu."))]
    if role == Account.OPERATOR and tenant is not None:
        return [Problem("role", N_("Un opérateur n'appartient à aucun client."))]
    if role != Account.OPERATOR and tenant is None:
        return [Problem("domain", N_("Un administrateur ou un utilisateur appartient à un client."))]
    return []


def may_manage_tenant(account: Account, tenant: Tenant) -> bool:
    """Operators manage every tenant; an admin only their own."""
    if account.role == Account.OPERATOR:
        return True
    return account.role == Account.ADMIN and account.tenant_id == tenant.id


def account_problems(role: str, email: str, password: str, tenant: Tenant | None = None, name: str = "",
                     extension: Extension | None = None) -> list[Problem]:
    """What is wrong with a new account (every problem at once; nothing is changed)."""
    email = normalize_email(email)
    problems = (role_allowed(role, tenant) + check_email(email) + check_password(password)
                + check_name(name, required=False))
    if not any(p.field == "email" for p in problems) and Account.select().where(Account.email == email).exists():
        problems.append(Problem("email", N_("Un compte existe déjà avec l'adresse « %(value)s »."), {"value": email}))
    if extension is not None and (tenant is None or extension.tenant_id != tenant.id):
        problems.append(Problem("extension", N_("Ce poste n'appartient pas à ce client.")))
    return problems


def create_account(actor: Actor, role: str, email: str, password: str, tenant: Tenant | None = None,
                   name: str = "", extension: Extension | None = None) -> Account:
    email = normalize_email(email)
    problems = account_problems(role, email, password, tenant, name, extension)
    if problems:
        raise DomainError(problems)
    if role == Account.USER and extension is None:
        # A user account serves a mailbox: link it to the extension with the same email.
        extension = (Extension.select().where((Extension.tenant == tenant) & (Extension.email == email))
                     .order_by(Extension.number).first())
    with database.atomic():
        account = Account.create(role=role, email=email, password_hash=hash_secret(password),
                                 tenant=tenant, name=(name or "").strip(), extension=extension)
        audit.record(actor, "account.create", tenant, "account", account.id, email, None, snapshot(account))
    return account


def authenticate(email: str, password: str) -> Account:
    """The account for these credentials, or a DomainError with a message for the login page."""
    account = Account.get_or_none(Account.email == normalize_email(email))
    if account is None:
        verify_secret(_DUMMY_HASH, password or "")
        raise DomainError(Problem("password", N_("Adresse e-mail ou mot de passe incorrect.")))
    if not verify_secret(account.password_hash, password or ""):
        raise DomainError(Problem("password", N_("Adresse e-mail ou mot de passe incorrect.")))
    if not can_sign_in(account):
        raise DomainError(Problem("password", N_("Ce compte client est suspendu. Contactez votre opérateur.")))
    Account.update(last_login_at=utcnow()).where(Account.id == account.id).execute()
    return account


_ACCOUNT_BY_ID = Prepared(Account, lambda account_id: Account.select().where(Account.id == account_id))
_TENANT_BY_ID = Prepared(Tenant, lambda tenant_id: Tenant.select().where(Tenant.id == tenant_id))


def session_account(account_id: int) -> Account | None:
    """The account a signed-in session names, its tenant already read: done on every console
    request, so in two prepared queries (``tenants.prepared``) rather than peewee's four-fold
    costlier ones."""
    account = _ACCOUNT_BY_ID.first(account_id)
    if account is not None and account.tenant_id is not None:
        account.tenant = _TENANT_BY_ID.first(account.tenant_id)
    return account


def can_sign_in(account: Account) -> bool:
    """Checked at login and on every request: a suspended tenant's people are shut out."""
    return account.tenant is None or account.tenant.status == Tenant.ACTIVE


def password_problems(account: Account, current: str, new: str, confirm: str) -> list[Problem]:
    """What is wrong with a change of password (every problem at once; nothing is changed)."""
    problems: list[Problem] = []
    if not verify_secret(account.password_hash, current or ""):
        problems.append(Problem("current", N_("Le mot de passe actuel est incorrect.")))
    problems += check_password(new, "new")
    if new != confirm:
        problems.append(Problem("confirm", N_("La confirmation ne correspond pas au nouveau mot de passe.")))
    return problems


def change_password(account: Account, current: str, new: str, confirm: str) -> None:
    problems = password_problems(account, current, new, confirm)
    if problems:
        raise DomainError(problems)
    with database.atomic():
        account.password_hash = hash_secret(new)
        account.save()
        audit.record(Actor.of(account), "account.password", account.tenant, "account", account.id,
                     account.email, {"password": "••••"}, {"password": "•••• ✔"})


def set_timezone(actor: Actor, account: Account, timezone: str) -> Account:
    """The operator's own time zone: the dates of the operator's pages (a tenant's people see their tenant's)."""
    if problems := check_timezone(timezone):
        raise DomainError(problems)
    with database.atomic():
        before = {"timezone": account.timezone}
        account.timezone = timezone
        account.save()
        audit.record(actor, "account.timezone", account.tenant, "account", account.id, account.email, before,
                     {"timezone": timezone})
    return account


def admins(tenant: Tenant):
    return Account.select().where((Account.tenant == tenant) & (Account.role == Account.ADMIN)).order_by(Account.email)


def require(email: str) -> Account:
    """The account of ``email``, or a DomainError that says there is none."""
    account = Account.get_or_none(Account.email == normalize_email(email))
    if account is None:
        raise DomainError(Problem("email", N_("Aucun compte n'a l'adresse « %(value)s »."),
                                  {"value": (email or "")[:254]}))
    return account


def delete_account(actor: Actor, account: Account) -> None:
    """Delete an account; the last operator stays, or nobody could manage the platform."""
    operators = Account.select().where(Account.role == Account.OPERATOR)
    if account.role == Account.OPERATOR and operators.count() <= 1:
        raise DomainError(Problem("email", N_("Le dernier compte opérateur ne peut pas être supprimé.")))
    with database.atomic():
        audit.record(actor, "account.delete", account.tenant, "account", account.id, account.email,
                     snapshot(account), None)
        account.delete_instance()
