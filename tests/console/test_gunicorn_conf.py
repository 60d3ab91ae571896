"""The console as gunicorn runs it (console/gunicorn_conf.py): one command for scripts/supervise.py
and bench/console.py, workers and threads from the settings, each worker warmed before its
first request (console/warm.py)."""
import os

import pytest

from console import gunicorn_conf
from console.warm import warm
from tenants.config import SettingsError, load_settings


def test_workers_and_threads_follow_the_settings(tmp_path):
    default = load_settings({"POSTE_DATA": str(tmp_path)})
    assert default.http_workers == min(2 * os.cpu_count(), 8) and default.http_threads == 2
    argv = gunicorn_conf.command(load_settings({"POSTE_DATA": str(tmp_path), "POSTE_HTTP_WORKERS": "3",
                                                "POSTE_HTTP_THREADS": "5", "POSTE_HTTP_PORT": "8123"}),
                                 tmp_path / "bin")
    assert argv[argv.index("--workers") + 1] == "3" and argv[argv.index("--threads") + 1] == "5"
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:8123"
    assert argv[argv.index("--config") + 1] == "python:console.gunicorn_conf" and argv[-1] == "wsgi:app"
    with pytest.raises(SettingsError, match="POSTE_HTTP_THREADS"):
        load_settings({"POSTE_DATA": str(tmp_path), "POSTE_HTTP_THREADS": "0"})


def test_supervise_starts_the_console_with_that_command(tmp_path):
    from scripts.supervise import services

    settings = load_settings({"POSTE_DATA": str(tmp_path)})
    console = dict(services(settings))["console"]
    assert console[console.index("--workers") + 1] == str(settings.http_workers)
    assert "python:console.gunicorn_conf" in console


def test_a_warmed_worker_has_every_template_compiled(app):
    names = [n for n in app.jinja_env.list_templates() if n.endswith((".html", ".txt"))]
    assert warm(app) == len(names) > 50
    compiled = {name for (_loader, name) in app.jinja_env.cache.keys()}
    assert set(names) <= compiled
