"""``python -m console.provisioning.serve``: the console's app (``wsgi:app``) over HTTPS for desk phones.

A second gunicorn, beside the console's plain-HTTP one, bound to ``POSTE_PROV_ADDRESS`` and
``POSTE_PROV_HTTPS_PORT`` with the provisioning certificate (made first when absent,
``console.provisioning.tls``). Phones fetch ``/prov/...`` from it; over plain HTTP those
paths answer only "HTTPS only". gthread workers keep connections alive, so a phone's
challenge, its authenticated request and its next files share one TLS handshake, and each
worker keeps one TLS context (``gunicorn_conf``) rather than building one per connection.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from console.provisioning.tls import ensure_certificate
from tenants.config import Settings, load_or_exit

ROOT = Path(__file__).resolve().parents[2]


def argv(settings: Settings, cert: Path, key: Path) -> list[str]:
    host = f"[{settings.prov_address}]" if ":" in settings.prov_address else settings.prov_address
    return [str(Path(sys.executable).parent / "gunicorn"), "--bind", f"{host}:{settings.prov_https_port}",
            "--certfile", str(cert), "--keyfile", str(key), "--config", "python:console.provisioning.gunicorn_conf",
            "--workers", "2", "--worker-class", "gthread", "--threads", "4", "--keep-alive", "30",
            "--access-logfile", "-", "--graceful-timeout", "5", "--no-control-socket", "--chdir", str(ROOT),
            "wsgi:app"]


def main() -> int:
    settings = load_or_exit()  # an unusable setting: its French line, exit 2
    cert, key = ensure_certificate(settings)
    command = argv(settings, cert, key)
    os.execv(command[0], command)
    return 1  # not reached


if __name__ == "__main__":
    sys.exit(main())
