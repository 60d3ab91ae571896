"""The console as gunicorn serves it: ``scripts/supervise.py`` and ``bench/console.py`` both
start it from ``command`` (``--config python:console.gunicorn_conf`` plus its settings).

Workers and threads: a console request is Python on the CPU (templates, queries, gzip), which
one process runs on one core at a time, so the console scales by processes:
``POSTE_HTTP_WORKERS`` (default twice the cores, at most 8) of ``POSTE_HTTP_THREADS`` threads
(default 2, so that a slow download does not hold up the worker's other connections). A
keep-alive connection stays with the worker that accepted it: with two workers, four busy
browsers can all land on one, sharing one core while the other idles. On this project's 2-core
machine 2 x 4, 4 x 2 and 4 x 1 measured alike within the machine's noise (p95 25-55 ms for the
same pages in alternating rounds); the default follows the argument, not a measured gain.

Each worker is warmed before it takes a request (``console.warm``), and says so in the log.
"""
from __future__ import annotations

import time
from pathlib import Path

from tenants.config import Settings

worker_class = "gthread"
graceful_timeout = 5


def post_worker_init(worker) -> None:
    """Warm the worker before its first request (``console.warm``); its log line says it is ready
    (``bench/console.py`` waits for every worker's)."""
    from console.warm import warm

    began = time.monotonic()
    templates = warm(worker.wsgi)
    worker.log.info("console worker %s ready: %d templates compiled in %.2f s", worker.pid, templates,
                    time.monotonic() - began)


def command(settings: Settings, venv: Path, app: str = "wsgi:app", access_log: str = "-") -> list[str]:
    """The argv that starts the console's gunicorn for ``settings``."""
    return [str(venv / "gunicorn"), "--config", "python:console.gunicorn_conf",
            "--bind", f"{settings.http_address}:{settings.http_port}",
            "--workers", str(settings.http_workers), "--threads", str(settings.http_threads),
            "--access-logfile", access_log, app]
