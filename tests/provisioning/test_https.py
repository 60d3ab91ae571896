"""B1 as deployed: ``python -m console.provisioning.serve`` (gunicorn, TLS) with the certificate it
makes itself when none is configured; a phone's digest client (requests') fetches its file; what
a scan without credentials sees does not depend on the MAC; failures are logged on one line with
the address, never with a secret. One server for the module."""
from __future__ import annotations

import os
import socket
import ssl
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from requests.auth import HTTPDigestAuth

from tenants import devices, migrations
from tenants.audit import Actor
from tenants.config import load_settings
from tenants.devices import DeviceInput
from tenants.runtime import start
from tests import factories as f
from tests.sip_fixtures import free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("prov-https")
    port = free_port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("POSTE_") and k != "DATABASE_URL"},
           "POSTE_DATA": str(data), "POSTE_PROV_HTTPS_PORT": str(port), "POSTE_HTTP_PORT": str(free_port()),
           "POSTE_SMTP_PORT": "1", "POSTE_PROV_AUTH_FAIL_MAX": "3"}
    settings = load_settings({k: v for k, v in env.items() if k.startswith("POSTE_")})
    start(settings)
    migrations.upgrade()
    tenant = f.tenant("secure.pbx.example")
    f.extension(tenant, "2001", name="Élodie \"Lo\" <Dupré> & co")
    device, password = devices.add_device(Actor.cli(), tenant, DeviceInput("64:16:7f:aa:00:01", "polycom",
                                                                            "VVX450", ("2001",)))
    log = open(data / "provisioning.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "console.provisioning.serve"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)

    def listening():
        if proc.poll() is not None:
            raise RuntimeError((data / "provisioning.log").read_text())
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", port)) == 0

    wait_for(listening, 60, what="the provisioning server")
    try:
        yield {"url": f"https://127.0.0.1:{port}/prov", "settings": settings, "device": device,
               "password": password, "log": data / "provisioning.log", "cert": settings.prov_certfile}
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(20)
        log.close()


def test_a_self_signed_certificate_is_made_and_served(server):
    cert, key = Path(server["settings"].prov_certfile), Path(server["settings"].prov_keyfile)
    assert cert.is_file() and stat.S_IMODE(key.stat().st_mode) == 0o600
    context = ssl.create_default_context(cafile=str(cert))  # it names 127.0.0.1: checked like any certificate
    host, port = "127.0.0.1", int(server["url"].split(":")[2].split("/")[0])
    with socket.create_connection((host, port)) as raw, context.wrap_socket(raw, server_hostname=host) as tls:
        assert tls.version() in ("TLSv1.2", "TLSv1.3")
    with socket.create_connection((host, port)) as plain:  # no clear text on that port
        plain.sendall(b"GET /prov/000000000000.cfg HTTP/1.0\r\n\r\n")
        plain.settimeout(10)
        assert b"200 OK" not in plain.recv(4096)


def test_a_phone_fetches_its_file_with_digest_over_tls(server):
    device = server["device"]
    answer = requests.get(f"{server['url']}/{device.mac}-phone.cfg", verify=server["cert"], timeout=20,
                          auth=HTTPDigestAuth(device.username, server["password"]))
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    import xml.etree.ElementTree as ET

    root = ET.fromstring(answer.content)
    assert root.get("reg.1.displayName") == 'Élodie "Lo" <Dupré> & co' and root.get("reg.1.address") == "2001"


def test_without_credentials_known_and_unknown_macs_look_the_same(server):
    device = server["device"]
    answers = []
    for name in (f"{device.mac}-phone.cfg", "64167f000000-phone.cfg", "000000000000.cfg", "%2e%2e%2fsecrets"):
        answer = requests.get(f"{server['url']}/{name}", verify=server["cert"], timeout=20)
        headers = {k: v for k, v in answer.headers.items() if k not in ("Date",)}
        answers.append((answer.status_code, tuple(sorted(headers.items())), answer.content))
    nonces = {a[1] for a in answers}
    assert answers[0][0] == 401 and len({(a[0], a[2]) for a in answers}) == 1
    assert len(nonces) <= 2  # the same headers, unless the minute turned between two requests


def test_failures_are_logged_on_one_line_without_secrets_then_refused(server):
    device = server["device"]
    url = f"{server['url']}/{device.mac}-phone.cfg"
    for _ in range(3):
        assert requests.get(url, verify=server["cert"], timeout=20,
                            auth=HTTPDigestAuth(device.username, "guessed-password")).status_code == 401
    refused = requests.get(url, verify=server["cert"], timeout=20,
                           auth=HTTPDigestAuth(device.username, server["password"]))
    assert refused.status_code == 429
    wait_for(lambda: "too many failed" in server["log"].read_text(), 10, what="the refusal's log line")
    lines = server["log"].read_text().splitlines()
    failures = [line for line in lines if "authentication failed from 127.0.0.1" in line]
    assert len(failures) == 3, lines
    for line in lines:
        for secret in (server["password"], "guessed-password", "Digest ", "response=", "Authorization"):
            assert secret not in line, line
