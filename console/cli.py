"""The management CLI on ``flask --app wsgi``. Operators script these: names and options stay.

Every command goes through the domain services the console uses (the same checks, the same
audit entries, the same side effects); a refused change prints the domain's French message
and exits non-zero, having stored nothing.
"""
from __future__ import annotations

import json
import logging

import click
from flask import Flask
from flask.cli import AppGroup

from tenants import accounts, audit, extensions, jobs, migrations, tenancy, worker
from tenants.audit import Actor
from tenants.extensions import ExtensionInput
from tenants.models import Account, Did, Extension
from tenants.problems import DomainError


class Commands(AppGroup):
    """A group whose commands' refused changes (``DomainError``) are their French message, exit 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except DomainError as error:
            raise click.ClickException("\n".join(p.text() for p in error.problems)) from None

    def resolve_command(self, ctx: click.Context, args: list[str]):
        """The command about to run: its changes are signed with its name (``cli:tenant create``)."""
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None:
            ctx.with_resource(audit.cli_command(f"{self.name} {command.name}"))
        return name, command, rest


db_cli = Commands("db", help="Database schema.")
tenant_cli = Commands("tenant", help="Tenants (SIP domains).")
account_cli = Commands("account", help="Operator, admin and user accounts.")
extension_cli = Commands("extension", help="Extensions 2000-2999 of a tenant.")
did_cli = Commands("did", help="Public numbers of a tenant.")
jobs_cli = Commands("jobs", help="The background job queue.")
demo_cli = Commands("demo", help="Demo data.")


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema to the latest version."""
    ran = migrations.upgrade()
    click.echo("applied: " + ", ".join(ran) if ran else "schema up to date")


@db_cli.command("status")
def db_status() -> None:
    """List migrations not yet applied."""
    waiting = migrations.pending()
    click.echo("pending: " + ", ".join(waiting) if waiting else "schema up to date")


@tenant_cli.command("create")
@click.option("--name", required=True)
@click.option("--domain", required=True)
@click.option("--timezone", default="Europe/Paris", show_default=True)
@click.option("--language", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
def tenant_create(name: str, domain: str, timezone: str, language: str) -> None:
    """Create a tenant."""
    tenant = tenancy.create_tenant(Actor.cli(), name, domain, timezone, language)
    click.echo(f"tenant {tenant.domain} created (id {tenant.id})")


@tenant_cli.command("set")
@click.option("--domain", required=True)
@click.option("--name", default=None)
@click.option("--timezone", default=None, help="e.g. Europe/Paris")
@click.option("--language", default=None, help="fr or en")
@click.option("--main-number", default=None, help="One of its DIDs: the caller ID of extensions without one (\"\" clears).")
@click.option("--emergency-caller-id", default=None, help="The caller ID of its emergency calls (\"\" clears).")
def tenant_set(domain: str, **given: str | None) -> None:
    """Change a tenant's settings: only the options given."""
    changes = {option: value for option, value in given.items() if value is not None}
    if not changes:
        options = ", ".join(f"--{option.replace('_', '-')}" for option in given)
        raise click.ClickException(f"Rien à modifier : donnez au moins une option ({options}).")
    tenant = tenancy.update_tenant(Actor.cli(), tenancy.require(domain), **changes)
    click.echo(f"tenant {tenant.domain} updated")


@tenant_cli.command("list")
@click.option("--json", "as_json", is_flag=True)
def tenant_list(as_json: bool) -> None:
    rows = [tenancy.snapshot(t) for t in tenancy.listing()]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for row in rows:
            click.echo(f"{row['domain']}\t{row['name']}\t{row['status']}")


@tenant_cli.command("suspend")
@click.option("--domain", required=True)
def tenant_suspend(domain: str) -> None:
    tenancy.set_status(Actor.cli(), tenancy.require(domain), "suspended")
    click.echo(f"tenant {domain} suspended")


@tenant_cli.command("resume")
@click.option("--domain", required=True)
def tenant_resume(domain: str) -> None:
    tenancy.set_status(Actor.cli(), tenancy.require(domain), "active")
    click.echo(f"tenant {domain} resumed")


@tenant_cli.command("delete")
@click.option("--domain", required=True)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def tenant_delete(domain: str, yes: bool) -> None:
    tenant = tenancy.require(domain)
    if not yes:
        click.confirm(f"Delete {domain} and everything it owns?", abort=True)
    tenancy.delete_tenant(Actor.cli(), tenant, domain)
    click.echo(f"tenant {domain} deleted")


@account_cli.command("create")
@click.option("--role", type=click.Choice(list(Account.ROLES)), required=True)
@click.option("--domain", default=None, help="Tenant of an admin or user.")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--name", default="")
@click.option("--extension", "extension_number", default=None, help="Extension of a user (default: same email).")
def account_create(role: str, domain: str | None, email: str, password: str, name: str,
                   extension_number: str | None) -> None:
    """Create an account."""
    tenant = tenancy.require(domain) if domain else None
    ext = extensions.require(tenant, extension_number) if extension_number and tenant else None
    account = accounts.create_account(Actor.cli(), role, email, password, tenant=tenant, name=name, extension=ext)
    click.echo(f"{account.role} {account.email} created")


@account_cli.command("remove")
@click.option("--email", required=True)
def account_remove(email: str) -> None:
    """Remove an account (a tenant's admin, say); the last operator stays."""
    account = accounts.require(email)
    accounts.delete_account(Actor.cli(), account)
    click.echo(f"{account.role} {account.email} removed")


@extension_cli.command("create")
@click.option("--domain", required=True)
@click.option("--number", required=True)
@click.option("--name", required=True)
@click.option("--email", required=True)
@click.option("--sip-password", default=None, help="Generated and printed once when not given.")
@click.option("--virtual-to", default=None, help="External number a virtual extension forwards to.")
@click.option("--did", default="", help="One of the tenant's numbers for this extension.")
def extension_create(domain: str, number: str, name: str, email: str, sip_password: str | None,
                     virtual_to: str | None, did: str) -> None:
    """Create an extension with its mailbox; its user gets the PIN by email."""
    tenant = tenancy.require(domain)
    data = ExtensionInput(number=number, name=name, email=email,
                          kind=Extension.VIRTUAL if virtual_to else Extension.DESK,
                          forward_to=virtual_to or "", did=did)
    ext, password = extensions.create_extension(Actor.cli(), tenant, data, sip_password)
    click.echo(f"extension {ext.number}@{tenant.domain} created")
    if sip_password is None:
        click.echo(f"SIP password: {password}")


@extension_cli.command("list")
@click.option("--domain", required=True)
@click.option("--json", "as_json", is_flag=True)
def extension_list(domain: str, as_json: bool) -> None:
    tenant = tenancy.require(domain)
    rows = []
    for ext in extensions.search(tenant):
        box = extensions.mailbox_of(ext)
        rows.append({**extensions.snapshot(ext), "id": ext.id, "voicemail_email": box.email,
                     "mailbox_locked": box.locked})
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for row in rows:
            click.echo(f"{row['number']}\t{row['name']}\t{row['email']}\t{row['kind']}")


@extension_cli.command("set-sip-password")
@click.option("--domain", required=True)
@click.option("--number", required=True)
@click.option("--sip-password", default=None)
def extension_set_sip_password(domain: str, number: str, sip_password: str | None) -> None:
    ext = extensions.require(tenancy.require(domain), number)
    password = extensions.set_sip_password(Actor.cli(), ext, sip_password)
    click.echo(f"SIP password: {password}" if sip_password is None else "SIP password changed")


@extension_cli.command("delete")
@click.option("--domain", required=True)
@click.option("--number", required=True)
def extension_delete(domain: str, number: str) -> None:
    """Delete an extension with its mailbox; its phones are unregistered."""
    extensions.delete_extension(Actor.cli(), extensions.require(tenancy.require(domain), number))
    click.echo(f"extension {number}@{domain} deleted")


@did_cli.command("add")
@click.option("--domain", required=True)
@click.option("--number", required=True)
@click.option("--extension", default=None, help="The extension its calls from the outside ring (C3).")
@click.option("--receptionist", is_flag=True, help="Its calls from the outside reach the virtual receptionist (H1).")
def did_add(domain: str, number: str, extension: str | None, receptionist: bool) -> None:
    did = tenancy.add_did(Actor.cli(), tenancy.require(domain), number, extension=extension,
                          receptionist=receptionist)
    click.echo(f"{did.number} added to {domain}" + (f", extension {extension}" if extension else "")
               + (", receptionist" if receptionist else ""))


@did_cli.command("remove")
@click.option("--number", required=True)
def did_remove(number: str) -> None:
    """Remove a public number from its tenant (its extension keeps working without it)."""
    did = tenancy.require_did(number)
    domain = did.tenant.domain
    tenancy.remove_did(Actor.cli(), did)
    click.echo(f"{did.number} removed from {domain}")


@jobs_cli.command("work")
@click.option("--poll", default=1.0, show_default=True, help="Seconds between polls when idle.")
def jobs_work(poll: float) -> None:
    """Run the job worker until SIGTERM or Ctrl-C."""
    _require_worker_handlers()
    logging.getLogger().setLevel(logging.INFO)
    worker.run_forever(poll)


def _require_worker_handlers() -> None:
    """The worker's handlers are registered by the composition root (``wsgi.py``): say so at once."""
    try:
        jobs.require_handlers(jobs.WORKER)
    except RuntimeError as error:
        raise click.ClickException(str(error)) from None


@jobs_cli.command("run-due")
def jobs_run_due() -> None:
    """Run the jobs due now once, then exit."""
    _require_worker_handlers()
    click.echo(f"{jobs.run_due()} job(s) run")


@jobs_cli.command("retry")
@click.option("--id", "job_id", required=True, help="The job's number (jobs list).")
def jobs_retry(job_id: str) -> None:
    """Run a waiting or failed job at the worker's next turn."""
    job = jobs.retry(Actor.cli(), jobs.require(job_id))
    click.echo(f"job {job.id} ({job.kind}) queued")


@jobs_cli.command("list")
@click.option("--status", type=click.Choice(["queued", "running", "done", "failed"]), default=None)
def jobs_list(status: str | None) -> None:
    rows, _total = jobs.listing(status, 1, 100)
    for job in rows:
        click.echo(f"{job.id}\t{job.kind}\t{job.status}\t{job.attempts}/{job.max_attempts}\t"
                   f"{job.run_at:%Y-%m-%d %H:%M:%S}\t{job.last_error or ''}")


DEMO_DOMAIN = "demo.pbx.example"
DEMO_OPERATOR = ("operateur@poste.example", "operateur-demo")
DEMO_ADMIN = ("admin@demo.example", "admin-demo-2024")
DEMO_USER = ("alice@demo.example", "alice-demo-2024")
DEMO_PIN = "1234"
DEMO_EXTENSIONS = [("2001", "Alice Martin", "alice@demo.example"),
                   ("2002", "Bruno Petit", "bruno@demo.example"),
                   ("2003", "Chloé Durand", "chloe@demo.example")]


@demo_cli.command("seed")
def demo_seed() -> None:
    """Create the demo operator, tenant, admin, user and three extensions (idempotent)."""
    actor = Actor.cli()
    if not Account.select().where(Account.email == DEMO_OPERATOR[0]).exists():
        accounts.create_account(actor, Account.OPERATOR, *DEMO_OPERATOR, name="Opérateur démo")
    tenant = tenancy.by_domain(DEMO_DOMAIN) or tenancy.create_tenant(actor, "Démo Coworking", DEMO_DOMAIN)
    if not Did.select().where(Did.tenant == tenant).exists():
        tenancy.add_did(actor, tenant, "+33 1 84 88 00 01")
    passwords = {}
    for number, name, email in DEMO_EXTENSIONS:
        if extensions.by_number(tenant, number) is None:
            # A demo machine rarely delivers mail: a known first PIN, to be changed at first access (D3).
            _ext, passwords[number] = extensions.create_extension(
                actor, tenant, ExtensionInput(number=number, name=name, email=email), pin=DEMO_PIN)
    if tenant.main_number is None:  # the demo's outside calls present its number, once a trunk is set
        tenancy.update_tenant(actor, tenant, main_number=Did.get(Did.tenant == tenant).number)
    if not Account.select().where(Account.email == DEMO_ADMIN[0]).exists():
        accounts.create_account(actor, Account.ADMIN, *DEMO_ADMIN, tenant=tenant, name="Admin démo")
    if not Account.select().where(Account.email == DEMO_USER[0]).exists():
        accounts.create_account(actor, Account.USER, *DEMO_USER, tenant=tenant, name="Alice Martin")
    for number, password in passwords.items():
        click.echo(f"extension {number}@{DEMO_DOMAIN} SIP password: {password}  voicemail PIN: {DEMO_PIN}")
    click.echo("demo data ready")


def register_cli(app: Flask) -> None:
    from console.cli_devices import device_cli
    from console.cli_outside import allowlist_cli, trunk_cli
    from console.cli_prepaid import prepaid_cli, rates_cli
    from console.cli_receptionist import receptionist_cli

    for group in (db_cli, tenant_cli, account_cli, extension_cli, did_cli, jobs_cli, demo_cli, device_cli, trunk_cli,
                  allowlist_cli, prepaid_cli, rates_cli, receptionist_cli):
        app.cli.add_command(group)
