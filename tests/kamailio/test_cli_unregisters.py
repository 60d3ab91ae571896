"""``flask --app wsgi extension delete`` drops the phones' registrations in the running Kamailio,
as the console's delete does: the domain calls its registrar port, which the composition root
(``wiring.compose``) binds to Kamailio's JSON-RPC."""
from __future__ import annotations

import pytest

from kamailio import rpc


@pytest.fixture
def cli(console_app):
    return console_app.test_cli_runner()


def _phones_of(ext, sip) -> list[dict]:
    return [r for r in rpc.registrations(ext.domain, settings=sip.settings) if r["extension"] == ext.number]


def test_cli_extension_delete_unregisters_the_phones(sip, new_ext, cli):
    ext, other = new_ext(), new_ext()
    assert sip.register(ext.number, ext.domain, ext.password, contact_port=15073).ok
    assert sip.register(other.number, other.domain, other.password, contact_port=15074).ok
    assert _phones_of(ext, sip) and _phones_of(other, sip)
    result = cli.invoke(args=["extension", "delete", "--domain", ext.domain, "--number", ext.number])
    assert result.exit_code == 0, result.output
    assert not _phones_of(ext, sip)
    assert _phones_of(other, sip)  # only that extension's phones
