"""Issue 12: systemd units for a production host, rendered from the settings
(``python -m scripts.systemd``): one per process, they parse (``systemd-analyze verify``
when this machine has it), carry the settings and grant the media app real-time scheduling."""
from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from scripts.supervise import services
from tenants.config import load_settings
from tests.ops.stack import clean_env

ROOT = Path(__file__).resolve().parents[2]
SECRET = "MediaSecretNeverInAUnit42"


def parse(text: str) -> dict[str, list[tuple[str, str]]]:
    """Sections of a unit file, each a list of (key, value) in order (keys repeat: Environment=)."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
            continue
        key, sep, value = line.partition("=")
        assert current is not None and sep and key == key.strip() and key.isidentifier(), line
        current.append((key, value))
    return sections


def values(sections, section: str, key: str) -> list[str]:
    return [value for k, value in sections.get(section, []) if k == key]


@pytest.fixture
def rendered(tmp_path):
    data = tmp_path / "data"
    env = clean_env(POSTE_DATA=str(data), POSTE_HTTP_PORT="18080", POSTE_SIP_PORT="15070",
                    POSTE_SIP_ADDRESS="127.0.0.1", POSTE_RTPENGINE_NG_PORT="12223", POSTE_MEDIA_SIP_PORT="15091",
                    POSTE_RTP_PORT_MIN="40000", POSTE_RTP_PORT_MAX="40999", POSTE_MEDIA_RTP_PORT_MIN="41000",
                    POSTE_MEDIA_RTP_PORT_MAX="41999", POSTE_MEDIA_SECRET=SECRET, POSTE_MAIL_FROM="PBX <pbx@x.example>")
    out = tmp_path / "units"
    done = subprocess.run([sys.executable, "-m", "scripts.systemd", "--output", str(out), "--user", "root"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return out, load_settings(env)


def test_one_unit_per_process_and_a_target(rendered):
    out, settings = rendered
    names = [name for name, _argv in services(settings)]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"poste-{name}.service" for name in names] + ["poste-setup.service", "poste.target"])
    target = parse((out / "poste.target").read_text())
    assert set(values(target, "Unit", "Wants")[0].split()) == {f"poste-{n}.service" for n in [*names, "setup"]}


def test_the_units_parse(rendered):
    out, _settings = rendered
    for path in out.iterdir():
        sections = parse(path.read_text())
        assert "Unit" in sections and "Install" in sections or path.name == "poste-setup.service"
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed: the structural check above is all")
    done = subprocess.run(["systemd-analyze", "verify", *sorted(str(p) for p in out.iterdir())],
                          capture_output=True, text=True, timeout=120, cwd=out)
    assert done.returncode == 0 and done.stdout + done.stderr == "", done.stdout + done.stderr


def test_each_unit_runs_its_process_with_the_settings(rendered):
    out, settings = rendered
    for name, argv in services(settings):
        unit = parse((out / f"poste-{name}.service").read_text())
        (exec_start,) = values(unit, "Service", "ExecStart")
        assert exec_start.split() == argv  # the supervisor's command, word for word
        env = dict(v.strip('"').split("=", 1) for v in values(unit, "Service", "Environment"))
        assert env["POSTE_DATA"] == str(settings.data_dir) and env["POSTE_SIP_PORT"] == "15070"
        assert env["POSTE_MEDIA_SIP_PORT"] == "15091" and env["POSTE_MAIL_FROM"] == "PBX <pbx@x.example>"
        carried = {k: v for k, v in env.items() if k != "NUMBA_CACHE_DIR"}
        assert load_settings(carried) == replace(settings, media_secret="")  # every setting but the secret
        assert values(unit, "Service", "ExecStartPre")[0].endswith(f"-m tenants.listeners {name}")
        assert values(unit, "Service", "Restart") == ["always"]
        assert values(unit, "Service", "KillMode") == ["control-group"]
        assert values(unit, "Unit", "StartLimitBurst") == ["5"]
        assert values(unit, "Service", "UMask") == ["0077"]
        assert values(unit, "Service", "EnvironmentFile") == [f"-{settings.data_dir / 'poste.env'}"]
    rtpengine = " ".join(values(parse((out / "poste-rtpengine.service").read_text()), "Service", "ExecStart"))
    assert "--listen-ng=127.0.0.1:12223" in rtpengine and "--port-min=40000" in rtpengine
    console = values(parse((out / "poste-console.service").read_text()), "Service", "ExecStart")[0]
    assert "--bind 127.0.0.1:18080" in console
    assert any(line.endswith("-m kamailio.service")
               for line in values(parse((out / "poste-kamailio.service").read_text()), "Service", "ExecStartPre"))


def test_the_media_app_may_run_real_time_and_no_secret_is_in_a_unit(rendered):
    out, _settings = rendered
    media = parse((out / "poste-media.service").read_text())
    assert values(media, "Service", "LimitRTPRIO") == ["10"]  # SCHED_RR 10 without root
    assert all(not values(parse(p.read_text()), "Service", "LimitRTPRIO")
               for p in out.iterdir() if p.name != "poste-media.service")
    for path in out.iterdir():
        assert SECRET not in path.read_text()
        assert oct(path.stat().st_mode & 0o777) == "0o644"


def test_a_port_under_1024_is_granted_to_its_process_only(tmp_path):
    from scripts.systemd import units

    settings = load_settings({"POSTE_DATA": str(tmp_path), "POSTE_SIP_PORT": "506"})
    rendered = {name: parse(text) for name, text in units(settings, user="poste").items()}
    granted = {name for name, unit in rendered.items() if values(unit, "Service", "AmbientCapabilities")}
    assert granted == {"poste-kamailio.service"}
    assert values(rendered["poste-kamailio.service"], "Service", "AmbientCapabilities") == ["CAP_NET_BIND_SERVICE"]
