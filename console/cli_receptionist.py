"""``flask --app wsgi receptionist ...``: a tenant's virtual receptionist (issue 16, H1).

    receptionist show --domain DOMAIN [--json]
    receptionist set --domain DOMAIN [--hours "mon-fri 09:00-18:00"] [--holidays "2026-12-25 ..."]
                     [--operator 2000] [--key 1=2005 ...] [--clear-keys]
                     [--greeting-text TEXT --when open|closed]

The same checks and audit entries (by ``cli``) as the console's "Réceptionniste" page; what is
refused is said in French and nothing is stored then (the receptionist keeps working as it was).
A change counts from the next call.
"""
from __future__ import annotations

import json

import click

from console.cli import Commands
from tenants import tenancy
from tenants.audit import Actor
from tenants.problems import N_, DomainError, Problem
from tenants.receptionist import service

receptionist_cli = Commands("receptionist", help="A tenant's virtual receptionist (H1).")


def _lines(shown: dict) -> list[str]:
    keys = ", ".join(f"{k}={','.join(v)}" for k, v in shown["keys"].items()) or "-"
    return [f"hours\t{shown['hours'] or '-'}", f"holidays\t{' '.join(shown['holidays']) or '-'}",
            f"operator\t{shown['operator'] or '-'}", f"keys\t{keys}",
            f"open\t{shown['open_path'] or shown['open_text'] or '(message intégré)'}",
            f"closed\t{shown['closed_path'] or shown['closed_text'] or '(message intégré)'}"]


@receptionist_cli.command("show")
@click.option("--domain", required=True)
@click.option("--json", "as_json", is_flag=True)
def receptionist_show(domain: str, as_json: bool) -> None:
    """Business hours, holidays, operator, key map and greetings."""
    shown = service.snapshot(service.current(tenancy.require(domain)))
    click.echo(json.dumps(shown, ensure_ascii=False, indent=2) if as_json else "\n".join(_lines(shown)))


@receptionist_cli.command("set")
@click.option("--domain", required=True)
@click.option("--hours", default=None, help='Business hours, e.g. "mon-fri 09:00-12:00, 14:00-18:00; sat 10:00-12:00".')
@click.option("--holidays", default=None, help='Closed days, e.g. "2026-12-25 2027-01-01" ("" for none).')
@click.option("--operator", default=None, help='The extension 0 rings ("" for none).')
@click.option("--key", "keys", multiple=True, help="A key to an extension or a group rung at once: 1=2005, 2=2001,2002.")
@click.option("--clear-keys", is_flag=True, help="Start the key map afresh (with the --key given).")
@click.option("--greeting-text", default=None, help="A greeting spoken by the prompt generator.")
@click.option("--when", default=None, help="Which greeting --greeting-text is: open or closed.")
def receptionist_set(domain: str, hours: str | None, holidays: str | None, operator: str | None,
                     keys: tuple[str, ...], clear_keys: bool, greeting_text: str | None, when: str | None) -> None:
    """Change the receptionist; what is not given stays as it is."""
    tenant = tenancy.require(domain)
    change = service.Change(hours=hours, holidays=holidays, operator=operator,
                            keys=list(keys) if clear_keys else None, set_keys=[] if clear_keys else list(keys))
    if greeting_text is not None or when is not None:
        if when not in service.WHEN or greeting_text is None:
            raise DomainError(Problem("when", N_("Précisez --greeting-text et --when open ou --when closed.")))
        setattr(change, f"{when}_text", greeting_text)
    service.update(Actor.cli(), tenant, change)
    click.echo(f"receptionist of {domain} saved")
