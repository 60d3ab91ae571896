"""``flask --app wsgi device ...``: desk phones for operators and scripted roll-outs (B1).

    device add --domain DOMAIN --mac MAC --vendor yealink|polycom|grandstream|snom|cisco --model MODEL
               --extension 2001 [--extension 2002 ...]
        prints one JSON object: base_url, username, password, files (the names the phone
        requests, relative to base_url), and mac, vendor, model, extensions, urls
    device list --domain DOMAIN [--json]
    device remove --mac MAC
    device resync --mac MAC        (SIP NOTIFY check-sync to its registered phones)

The same domain services, checks and audit entries (by ``cli``) as the console.
"""
from __future__ import annotations

import json

import click
from flask import current_app

from console.cli import Commands
from tenants import devices, tenancy
from tenants.audit import Actor
from tenants.devices import Device, DeviceInput
from tenants.provisioning import VENDORS

device_cli = Commands("device", help="Desk phones (provisioning).")


def describe(device: Device, base_url: str) -> dict:
    numbers = devices.numbers_of(device)
    vendor = VENDORS[device.vendor]
    files = list(vendor.files(device.mac, device.model, bool(numbers)))
    return {"base_url": base_url, "username": device.username, "files": files,
            "urls": [f"{base_url}/{name}" for name in files], "mac": device.mac, "vendor": device.vendor,
            "model": device.model, "extensions": numbers, "domain": device.tenant.domain,
            "last_fetch_at": device.last_fetch_at.isoformat() + "Z" if device.last_fetch_at else None}


def _base_url() -> str:
    return current_app.config["POSTE_SETTINGS"].prov_url


@device_cli.command("add")
@click.option("--domain", required=True)
@click.option("--mac", required=True)
@click.option("--vendor", required=True, type=click.Choice(list(VENDORS), case_sensitive=False))
@click.option("--model", required=True)
@click.option("--extension", "extensions", multiple=True, help="An extension for each line, in order.")
def device_add(domain: str, mac: str, vendor: str, model: str, extensions: tuple[str, ...]) -> None:
    """Register a desk phone; print its provisioning address, credentials and files as JSON."""
    tenant = tenancy.require(domain)
    device, password = devices.add_device(Actor.cli(), tenant, DeviceInput(mac, vendor, model, extensions))
    described = describe(device, _base_url())
    click.echo(json.dumps({**described, "password": password}, ensure_ascii=False))


@device_cli.command("list")
@click.option("--domain", required=True)
@click.option("--json", "as_json", is_flag=True)
def device_list(domain: str, as_json: bool) -> None:
    rows = [describe(d, _base_url()) for d in devices.listing(tenancy.require(domain))]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(f"{row['mac']}\t{row['vendor']}\t{row['model']}\t{','.join(row['extensions']) or '-'}\t"
                   f"{row['last_fetch_at'] or 'never'}")


@device_cli.command("remove")
@click.option("--mac", required=True)
def device_remove(mac: str) -> None:
    """Remove a desk phone: its files are no longer served, its credentials no longer valid."""
    device = devices.require_mac(mac)
    devices.remove_device(Actor.cli(), device)
    click.echo(f"device {device.mac} removed")


@device_cli.command("resync")
@click.option("--mac", required=True)
def device_resync(mac: str) -> None:
    """Ask the phone to fetch its configuration again (SIP NOTIFY check-sync through Kamailio)."""
    sent = devices.resync(Actor.cli(), devices.require_mac(mac))
    click.echo(f"check-sync sent to {sent} registered phone(s)")
