"""``flask --app wsgi prepaid ...`` and ``rates ...``: prepaid funds and the rate table (issue 15).

    prepaid enable --domain DOMAIN [--max-calls N] [--max-daily-cents N] [--max-call-seconds N]
    prepaid disable --domain DOMAIN
    prepaid topup --domain DOMAIN --cents N [--note TEXT]
    prepaid balance --domain DOMAIN        (the balance in cents, alone on its line)
    prepaid ledger --domain DOMAIN [--json]
    rates import FILE.csv                  (a report per line; nothing imported on a bad line)
    rates show [--prefix P] [--csv]

The domain services of ``tenants/prepaid.py``, their checks and audit entries (by ``cli``);
what is refused is said in French, and nothing is stored then.
"""
from __future__ import annotations

import csv
import io
import json
import re

import click

from console.cli import Commands
from tenants import prepaid, tenancy
from tenants.audit import Actor
from tenants.problems import N_, DomainError, Problem

prepaid_cli = Commands("prepaid", help="A tenant's prepaid account (C6) and its toll-fraud limits.")
rates_cli = Commands("rates", help="The rate table of paid calls.")
_WHOLE = re.compile(r"^-?[0-9]{1,30}$")


def _whole(value: str | None, name: str) -> int | None:
    if value is None:
        return None
    if not _WHOLE.match(value.strip()):
        raise DomainError(Problem(name, N_("« %(value)s » n'est pas un nombre entier."), {"value": value[:30]}))
    return int(value)


@prepaid_cli.command("enable")
@click.option("--domain", required=True)
@click.option("--max-calls", default=None, help="Toll-fraud limit: paid calls at once.")
@click.option("--max-daily-cents", default=None, help="Toll-fraud limit: cents spent per day.")
@click.option("--max-call-seconds", default=None, help="The longest a paid call may last (default 3600 s).")
def prepaid_enable(domain: str, max_calls: str | None, max_daily_cents: str | None,
                   max_call_seconds: str | None) -> None:
    """Enable the tenant's prepaid account (a rate table must have been imported)."""
    account = prepaid.enable(Actor.cli(), tenancy.require(domain), max_calls=_whole(max_calls, "max_calls"),
                             max_daily_cents=_whole(max_daily_cents, "max_daily_cents"),
                             max_call_seconds=_whole(max_call_seconds, "max_call_seconds"))
    click.echo(f"prepaid enabled for {domain}; balance {account.balance_cents} cents; "
               f"max calls {account.max_calls or '-'}, max per day {account.max_daily_cents or '-'} cents, "
               f"longest call {account.max_call_seconds or prepaid.MAX_CALL_SECONDS} s")


@prepaid_cli.command("disable")
@click.option("--domain", required=True)
def prepaid_disable(domain: str) -> None:
    """Disable it: payable destinations are refused again (the balance stays)."""
    prepaid.disable(Actor.cli(), tenancy.require(domain))
    click.echo(f"prepaid disabled for {domain}")


@prepaid_cli.command("topup")
@click.option("--domain", required=True)
@click.option("--cents", required=True, help="The amount added, in cents.")
@click.option("--note", default="", help="What it is (a transfer's reference...).")
def prepaid_topup(domain: str, cents: str, note: str) -> None:
    """Record a top-up."""
    tenant = tenancy.require(domain)
    prepaid.topup(Actor.cli(), tenant, _whole(cents, "cents"), note)
    click.echo(f"top-up recorded; balance {prepaid.balance(tenant)} cents")


@prepaid_cli.command("balance")
@click.option("--domain", required=True)
def prepaid_balance(domain: str) -> None:
    """The balance, as an integer number of cents alone on its line."""
    click.echo(str(prepaid.balance(tenancy.require(domain))))


@prepaid_cli.command("ledger")
@click.option("--domain", required=True)
@click.option("--json", "as_json", is_flag=True)
def prepaid_ledger(domain: str, as_json: bool) -> None:
    """Every movement of the account, newest first."""
    rows = [{"at": e.at.isoformat(sep=" ", timespec="seconds"), "kind": e.kind, "cents": e.cents, "delta": e.delta,
             "call_id": e.call_id, "extension": e.extension, "destination": e.destination, "seconds": e.seconds,
             "note": e.note} for e in prepaid.ledger(tenancy.require(domain))]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo("\t".join(str(row[k]) if row[k] not in (None, "") else "-" for k in (
            "at", "kind", "cents", "delta", "extension", "destination", "seconds", "call_id", "note")))


@rates_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def rates_import(file: str) -> None:
    """Replace the rate table with a CSV file (prefix,description,cents_per_minute,increment_s,first_increment_s)."""
    try:
        with open(file, encoding="utf-8") as handle:
            text = handle.read()
    except UnicodeDecodeError:
        raise DomainError(Problem("file", N_("Le fichier n'est pas en UTF-8 : rien n'est importé."))) from None
    found, reports = prepaid.parse_rates(text)
    bad = [r for r in reports if r.problems]
    for report in reports:
        if report.problems:
            for problem in report.problems:
                click.echo(problem.text())
        else:
            click.echo(f"Ligne {report.line} : {report.prefix} correct.")
    if bad:
        raise click.ClickException(f"{len(bad)} ligne(s) en erreur : rien n'est importé.")
    count, _reports = prepaid.import_rates(Actor.cli(), text)
    click.echo(f"{count} tarif(s) importé(s).")


@rates_cli.command("show")
@click.option("--prefix", default="", help="Only the prefixes starting with this one (e.g. +44).")
@click.option("--csv", "as_csv", is_flag=True, help="In the import's layout.")
def rates_show(prefix: str, as_csv: bool) -> None:
    """The rate table."""
    text = prepaid.export_rates(prefix)
    if as_csv:
        click.echo(text, nl=False)
        return
    for row in list(csv.reader(io.StringIO(text)))[1:]:
        click.echo("\t".join(row))
