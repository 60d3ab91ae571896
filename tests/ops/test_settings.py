"""Issue 12: the settings are read once into one typed object, documented in the README's table;
every port is a setting, derived defaults stay in range, and a port that cannot be used stops
the start with one French line naming it (and who holds it)."""
from __future__ import annotations

import ast
import asyncio
import dataclasses
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from kamailio import service
from rtp.rtp_io.session import RtpSession
from tenants import config, listeners
from tenants.config import Settings, SettingsError, load_settings
from tests.ops.stack import clean_env
from tests.sip_fixtures import free_port

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ["console", "kamailio", "rtp", "scripts", "tenants", "wsgi.py", "wiring.py"]
# Reads of the environment that are not settings of Poste.
NOT_SETTINGS = {
    "tenants/config.py": "the settings themselves",
    "rtp/dsp/cachedir.py": "numba's own NUMBA_CACHE_DIR and XDG_CACHE_HOME",
}


def python_files():
    for name in SOURCES:
        path = ROOT / name
        yield from ([path] if path.is_file() else sorted(path.rglob("*.py")))


def test_no_module_but_the_settings_reads_the_environment():
    readers = {}
    for path in python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        reads = [node.lineno for node in ast.walk(tree)
                 if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "os"
                 and node.attr in ("environ", "getenv", "environb")]
        rel = str(path.relative_to(ROOT))
        if reads and rel not in NOT_SETTINGS:
            readers[rel] = reads
    assert readers == {}


def readme_settings() -> dict[str, str]:
    """Variable -> its row in the README's settings table."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("## Settings", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in table.splitlines():
        if line.startswith("| `"):
            first = line.split("|")[1]
            for name in re.findall(r"`([A-Z_]+)`", first):
                rows[name] = line
    return rows


def test_the_readme_lists_every_setting_with_its_default():
    rows = readme_settings()
    documented = config.as_environment(Settings(), secrets=False)
    for field in dataclasses.fields(Settings):
        name = field.metadata["env"]
        assert name in rows, f"{name} missing from the README's settings table"
        if field.metadata["derived"] or field.metadata["secret"] or name == "POSTE_DATA":
            continue
        default = documented[name]
        cells = rows[name].split("|")
        assert f"`{default}`" in cells[2] or f"`{default}`" in rows[name], (name, default, rows[name])
    assert set(rows) <= {f.metadata["env"] for f in dataclasses.fields(Settings)}  # nothing stale


def test_settings_are_one_frozen_object_read_once():
    settings = load_settings({"POSTE_DATA": "/tmp/poste-x", "POSTE_SIP_PORT": "5070"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.sip_port = 5080
    assert load_settings(config.as_environment(settings)) == settings  # what systemd units carry gives it back
    # the media app follows Kamailio's socket unless told otherwise
    assert settings.media_peers == ("127.0.0.1:5070",) and settings.media_nodes == ("127.0.0.1:5090",)


def test_the_instance_file_counts_for_secrets_too(tmp_path):
    from tenants.secrets_store import media_secret

    (tmp_path / "poste.env").write_text("POSTE_MEDIA_SECRET=fromtheinstancefile\nPOSTE_SIP_PORT=5071\n")
    settings = load_settings({"POSTE_DATA": str(tmp_path)})
    assert settings.sip_port == 5071
    assert media_secret(settings.data_dir, settings.media_secret) == "fromtheinstancefile"
    assert "fromtheinstancefile" not in repr(settings)


def test_the_console_link_in_emails_follows_the_process_settings(settings, db):
    """No module sets another's global: tenants.runtime.start makes the settings the process's own."""
    from tenants import extensions, mailbox_pin
    from tenants.audit import Actor
    from tenants.models import Job
    from tenants.runtime import start
    from tests import factories

    start(dataclasses.replace(settings, public_url="https://pbx.example.net"))
    tenant = factories.tenant()
    factories.account("admin", tenant, email="boss@example.org")
    box = extensions.mailbox_of(factories.extension(tenant, "2001", "Alice Martin"))
    extensions.set_pin(Actor.cli(), box, "4711")
    assert [mailbox_pin.try_pin(box.id, "0000") for _ in range(3)][-1] is mailbox_pin.PinOutcome.JUST_LOCKED
    bodies = [job.payload.get("body", "") for job in Job.select() if job.payload.get("to") == "boss@example.org"]
    assert any(f"https://pbx.example.net/postes/{box.extension_id}" in body for body in bodies), bodies


@pytest.mark.parametrize("sip_port", [5060, 48374, 65535])
def test_derived_defaults_never_leave_the_port_range(tmp_path, sip_port):
    settings = load_settings({"POSTE_DATA": str(tmp_path), "POSTE_SIP_PORT": str(sip_port)})
    for item in listeners.listeners(settings):
        assert all(1 <= port <= 65535 for port in item.ports), item
    rtpengine = dict(service.commands(settings))["rtpengine"]
    assert f"--listen-ng=127.0.0.1:{settings.rtpengine_ng_port}" in rtpengine
    assert settings.rtpengine_ng_port == 22222  # not computed from the SIP port


def test_every_port_the_stack_opens_is_a_setting(tmp_path):
    env = {"POSTE_DATA": str(tmp_path), "POSTE_HTTP_PORT": "18000", "POSTE_PROV_HTTPS_PORT": "18443",
           "POSTE_SIP_PORT": "15060",
           "POSTE_RTPENGINE_NG_PORT": "12222", "POSTE_MEDIA_SIP_PORT": "15090", "POSTE_RTP_PORT_MIN": "40000",
           "POSTE_RTP_PORT_MAX": "40099", "POSTE_MEDIA_RTP_PORT_MIN": "40100", "POSTE_MEDIA_RTP_PORT_MAX": "40199"}
    settings = load_settings(env)
    from rtp.mediaapp.__main__ import options
    from scripts.supervise import services

    argv = {name: " ".join(words) for name, words in services(settings)}
    assert "--listen-ng=127.0.0.1:12222" in argv["rtpengine"]
    assert "--port-min=40000" in argv["rtpengine"] and "--port-max=40099" in argv["rtpengine"]
    assert "--bind 127.0.0.1:18000" in argv["console"]
    media = options(settings)
    assert media["sip_port"] == 15090 and media["rtp_ports"] == (40100, 40199)
    assert service.render(settings, service.Options().resolved(settings)).count(":15060") == 2  # udp and tcp
    assert {(item.setting, item.port) for item in listeners.listeners(settings)} == {
        ("POSTE_MEDIA_SIP_PORT", 15090), ("POSTE_MEDIA_RTP_PORT_MIN", 40100), ("POSTE_RTPENGINE_NG_PORT", 12222),
        ("POSTE_RTP_PORT_MIN", 40000), ("POSTE_SIP_PORT", 15060), ("POSTE_HTTP_PORT", 18000),
        ("POSTE_PROV_HTTPS_PORT", 18443)}


def test_the_media_app_takes_its_rtp_ports_from_its_range():
    first = free_port(span=4)

    async def main():
        sessions = [await RtpSession.open("127.0.0.1", 0, 101, ports=(first, first + 3)) for _ in range(2)]
        assert sorted(s.local_port for s in sessions) == [first, first + 2]  # even ports, as RTP's convention
        with pytest.raises(OSError, match=f"no free RTP port in {first}-{first + 3}"):
            await RtpSession.open("127.0.0.1", 0, 101, ports=(first, first + 3))
        for session in sessions:
            session.close()
    asyncio.run(main())


@pytest.mark.parametrize("name,value,expected", [
    ("POSTE_SIP_PORT", "70000", "POSTE_SIP_PORT=70000 : un numéro de port entre 1 et 65535 est attendu ; "
                                "changez POSTE_SIP_PORT."),
    ("POSTE_MEDIA_SIP_PORT", "cinq", "POSTE_MEDIA_SIP_PORT=cinq : un numéro de port entre 1 et 65535 est attendu"),
    ("POSTE_RTP_PORT_MIN", "31000", "POSTE_RTP_PORT_MIN=31000 est au-dessus de POSTE_RTP_PORT_MAX=30999 : "
                                    "changez l'un des deux."),
    ("POSTE_MEDIA_REALTIME", "peut-être", "POSTE_MEDIA_REALTIME=peut-être : 1 ou 0 est attendu"),
])
def test_an_invalid_setting_stops_with_one_french_line(tmp_path, name, value, expected):
    with pytest.raises(SettingsError, match=re.escape(expected)):
        load_settings({"POSTE_DATA": str(tmp_path), name: value})
    done = subprocess.run([sys.executable, "-m", "tenants.listeners"], cwd=ROOT, capture_output=True, text=True,
                          env=clean_env(POSTE_DATA=str(tmp_path), **{name: value}), timeout=60)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and expected in lines[0], done.stderr


def test_two_settings_naming_one_port_are_refused(tmp_path):
    settings = load_settings({"POSTE_DATA": str(tmp_path), "POSTE_MEDIA_SIP_PORT": "5060",
                              "POSTE_MEDIA_RTP_PORT_MIN": "30500", "POSTE_MEDIA_RTP_PORT_MAX": "31500"})
    lines = listeners.clashes(listeners.listeners(settings))
    assert lines == [
        "POSTE_MEDIA_SIP_PORT (5060) et POSTE_SIP_PORT (5060) désignent le même port : changez l'un des deux.",
        "POSTE_MEDIA_RTP_PORT_MIN..POSTE_MEDIA_RTP_PORT_MAX (30500-31500) et POSTE_RTP_PORT_MIN..POSTE_RTP_PORT_MAX "
        "(30000-30999) désignent le même port : changez l'un des deux."]


@pytest.fixture
def holder():
    """Another process holding a UDP and a TCP port (listening), as a running Kamailio would."""
    port = free_port()
    code = ("import socket, sys, time\n"
            f"u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('127.0.0.1', {port}))\n"
            f"t = socket.socket(); t.bind(('127.0.0.1', {port})); t.listen()\n"
            "print('held', flush=True); time.sleep(120)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    yield port, proc.pid
    proc.kill()
    proc.wait()


def test_a_taken_port_names_the_setting_and_the_process_that_holds_it(tmp_path, holder):
    port, pid = holder
    env = clean_env(POSTE_DATA=str(tmp_path / "data"), POSTE_SIP_PORT=str(port), POSTE_HTTP_PORT=str(free_port()),
                    POSTE_MEDIA_SIP_PORT=str(free_port()), POSTE_RTPENGINE_NG_PORT=str(free_port()))
    name = Path(f"/proc/{pid}/comm").read_text().strip()
    expected = [f"Le port {port}/{proto} de 127.0.0.1 (POSTE_SIP_PORT) est déjà pris par {name} (pid {pid}) : "
                "changez POSTE_SIP_PORT ou arrêtez ce processus." for proto in ("udp", "tcp")]
    assert listeners.problems(load_settings(env), ["kamailio"]) == expected
    # the supervisor says so before it starts anything
    done = subprocess.run([sys.executable, "-m", "scripts.supervise"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2
    assert [line.removeprefix("[poste] ") for line in done.stderr.strip().splitlines()] == expected
    assert not list((tmp_path / "data" / "log").glob("*.log"))


def test_an_address_not_of_this_machine_names_its_setting(tmp_path):
    settings = load_settings({"POSTE_DATA": str(tmp_path), "POSTE_SIP_ADDRESS": "192.0.2.77",
                              "POSTE_SIP_PORT": str(free_port())})
    (kamailio,) = [item for item in listeners.listeners(settings) if item.service == "kamailio"]
    lines = listeners.taken(kamailio)
    assert lines and all("L'adresse 192.0.2.77 (POSTE_SIP_ADDRESS) n'est pas une adresse de cette machine" in line
                         for line in lines), lines


def test_the_media_app_itself_stops_on_a_taken_port(tmp_path, holder):
    port, pid = holder
    done = subprocess.run([sys.executable, "-m", "rtp.mediaapp"], cwd=ROOT, capture_output=True, text=True,
                          env=clean_env(POSTE_DATA=str(tmp_path), POSTE_MEDIA_SIP_PORT=str(port)), timeout=120)
    assert done.returncode == 1
    assert "(POSTE_MEDIA_SIP_PORT) est déjà pris par" in done.stderr and f"(pid {pid})" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_free_port_is_not_reported():
    port = free_port()
    item = listeners.Listener("kamailio", "POSTE_SIP_PORT", "POSTE_SIP_ADDRESS", "127.0.0.1", port, ("udp", "tcp"))
    assert listeners.taken(item) == []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", port))
        assert len(listeners.taken(item)) == 1
