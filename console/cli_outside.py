"""``flask --app wsgi trunk ...`` and ``allowlist ...``: calls to and from the outside (issue 14).

    trunk set --host HOST --port PORT [--transport udp|tcp] [--username U --password P]
              [--from-domain D] [--forward-caller-id/--no-forward-caller-id]
    trunk show [--json]
    allowlist show --domain DOMAIN [--json]
    allowlist add|remove --domain DOMAIN --country CC --kind fixed|mobile

The same domain services, checks and audit entries (by ``cli``) as the console. What is missing
or wrong is said in French by the domain (nothing is stored then). A change counts from the
next call: Kamailio reads the trunk and the allow-list on each call.
"""
from __future__ import annotations

import json

import click

from console.cli import Commands
from tenants import allowlist, tenancy, trunk
from tenants.audit import Actor

trunk_cli = Commands("trunk", help="The carrier trunk (calls to and from the outside).")
allowlist_cli = Commands("allowlist", help="Destinations a tenant's extensions may call (C5).")


@trunk_cli.command("set")
@click.option("--host", default="", help="The carrier's host name or IPv4 address.")
@click.option("--port", default="", help="Its SIP port, e.g. 5060.")
@click.option("--transport", default="udp", show_default=True, help="udp or tcp")
@click.option("--username", default="", help="Digest credentials, if the carrier asks for them.")
@click.option("--password", default="")
@click.option("--from-domain", default="", help="The domain of From and P-Asserted-Identity (default: the host).")
@click.option("--forward-caller-id/--no-forward-caller-id", default=False, show_default=True,
              help="The carrier accepts an outside caller's number on forwarded calls (C2).")
def trunk_set(**given) -> None:
    """Set the carrier trunk; its host's addresses are the only ones trusted for calls from outside."""
    row = trunk.set_trunk(Actor.cli(), trunk.TrunkInput(**given))
    click.echo(f"trunk {row.host}:{row.port} ({row.transport}) set; calls from {', '.join(row.addresses)} "
               "are the carrier's")


@trunk_cli.command("show")
@click.option("--json", "as_json", is_flag=True)
def trunk_show(as_json: bool) -> None:
    """The carrier trunk (never its password)."""
    shown = trunk.snapshot(trunk.current())
    if as_json:
        click.echo(json.dumps(shown, ensure_ascii=False, indent=2))
    elif shown is None:
        click.echo("Aucun opérateur n'est configuré : les appels extérieurs sont refusés (trunk set).")
    else:
        for key, value in shown.items():
            click.echo(f"{key}\t{', '.join(value) if isinstance(value, list) else value}")


@allowlist_cli.command("show")
@click.option("--domain", required=True)
@click.option("--json", "as_json", is_flag=True)
def allowlist_show(domain: str, as_json: bool) -> None:
    """The countries whose fixed or mobile lines the tenant's extensions may call."""
    rows = [{"country": country, "kind": kind} for country, kind in allowlist.entries(tenancy.require(domain))]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
    else:
        for row in rows:
            click.echo(f"{row['country']}\t{row['kind']}")


def _entry_options(command):
    for option in reversed((click.option("--domain", required=True),
                            click.option("--country", default="", help="ISO 3166 code, e.g. DE"),
                            click.option("--kind", default="", help="fixed or mobile"))):
        command = option(command)
    return command


@allowlist_cli.command("add")
@_entry_options
def allowlist_add(domain: str, country: str, kind: str) -> None:
    code, kind = allowlist.add(Actor.cli(), tenancy.require(domain), country, kind)
    click.echo(f"{code} {kind} allowed for {domain}")


@allowlist_cli.command("remove")
@_entry_options
def allowlist_remove(domain: str, country: str, kind: str) -> None:
    code, kind = allowlist.remove(Actor.cli(), tenancy.require(domain), country, kind)
    click.echo(f"{code} {kind} no longer allowed for {domain}")
