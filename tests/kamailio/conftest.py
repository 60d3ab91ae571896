"""One Kamailio + rtpengine per test session (per xdist worker), on free ports, with its own data."""
from __future__ import annotations

import itertools
import os
import re
from dataclasses import dataclass

import pytest

import wiring
from tenants import credentials, extensions, ports, tenancy, trunk
from tenants.secrets_store import sip_key
from tests import factories
from tests.sip_fixtures import SipStack

credentials.use_fast_hashing()

_numbers = itertools.count(2100)


@dataclass
class Ext:
    number: str
    domain: str
    password: str
    model: object


@dataclass
class Directory:
    acme: object
    globex: object
    acme_2001: Ext
    acme_2002: Ext
    globex_2001: Ext
    globex_2002: Ext


def postgres_database(prefix: str = "poste_sip") -> str:
    """With ``scripts/test --postgres`` (POSTE_TEST_DATABASE_URL): an empty PostgreSQL database named
    ``prefix`` and this xdist worker, for Kamailio's stack and the test alike; else "" (SQLite)."""
    base = os.environ.get("POSTE_TEST_DATABASE_URL")
    if not base:
        return ""
    import psycopg2
    from psycopg2 import sql

    name = f"{prefix}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    admin = psycopg2.connect(base)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()
    return re.sub(r"/[^/]*$", f"/{name}", base)


@pytest.fixture(scope="session")
def sip():
    stack = SipStack(database_url=postgres_database())
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


@pytest.fixture(autouse=True)
def _sip_database(sip):
    sip.use_database()
    credentials.configure_sip_key(sip_key(sip.settings.data_dir))
    previous = ports.install_registrar(sip.registrar())  # what the domain tells Kamailio reaches it
    yield
    ports.install_registrar(previous)


def make_ext(tenant, number: str | None = None) -> Ext:
    number = number or str(next(_numbers))
    ext, password = extensions.create_extension(
        factories.CLI, tenant, extensions.ExtensionInput(number, f"Poste {number}", f"p{number}@{tenant.domain}"))
    return Ext(number, tenant.domain, password, ext)


@pytest.fixture(scope="session")
def speech():
    """A caller's message: about 1.8 s of speech, over the media app's 1 s minimum."""
    from rtp.prompts.generate import render

    return render("Bonjour, rappelez-moi demain.", "fr")


def connect_to_carrier(sip, tenant, did: str, carrier: str, extension: str | None = None) -> None:
    """Give ``tenant`` the main number ``did`` (held by ``extension`` when one is named) and the
    carrier trunk at ``carrier`` on ``sip.carrier_port``."""
    tenancy.add_did(factories.CLI, tenant, did, extension=extension)
    tenancy.update_tenant(factories.CLI, tenant, main_number=did)
    trunk.set_trunk(factories.CLI, trunk.TrunkInput(host=carrier, port=sip.carrier_port))


@pytest.fixture(scope="session")
def directory(sip):
    sip.use_database()
    credentials.configure_sip_key(sip_key(sip.settings.data_dir))
    acme = factories.tenant("acme.pbx.example")
    globex = factories.tenant("globex.pbx.example")
    return Directory(acme, globex, make_ext(acme, "2001"), make_ext(acme, "2002"),
                     make_ext(globex, "2001"), make_ext(globex, "2002"))


@pytest.fixture
def new_ext(directory):
    """A fresh extension of acme (or of the given tenant) nobody else uses."""
    return lambda tenant=None: make_ext(tenant or directory.acme)


_ips = itertools.count(10)


@pytest.fixture
def own_ip():
    """A loopback source address of this test alone, so failure counts and bans stay its own."""
    return lambda: f"127.0.1.{next(_ips)}"


@pytest.fixture(scope="module")
def tenant(request, sip):
    """The test module's tenant (its ``DOMAIN``) in that module's own SIP stack (its ``sip``)."""
    sip.use_database()
    credentials.configure_sip_key(sip_key(sip.settings.data_dir))
    return factories.tenant(request.module.DOMAIN)


@pytest.fixture
def ext(tenant):
    """A maker of new extensions of the module's tenant."""
    return lambda: make_ext(tenant)


@pytest.fixture
def console_app(sip):
    """The console and the CLI wired for this Kamailio as ``wsgi.py`` wires them (``wiring.compose``)."""
    from console import create_app

    application = create_app(sip.settings, TESTING=True, RATELIMIT_ENABLED=False)
    previous = ports.registrar()
    wiring.compose(sip.settings)
    yield application
    ports.install_registrar(previous)
    sip.use_database()
