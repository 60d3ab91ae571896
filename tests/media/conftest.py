"""Fixtures for media-app tests: prompts rendered once, a media app process, a speech sample."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from tests import factories
from tests.media.caller import TEST_MEDIA_SECRET
from tests.sip_fixtures import free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def prompt_dir(tmp_path_factory) -> Path:
    from rtp.prompts.generate import generate_prompts

    root = tmp_path_factory.mktemp("prompts-data")
    generate_prompts(root, languages=("fr",))
    return root / "prompts"


@pytest.fixture(scope="session")
def speech() -> np.ndarray:
    """About 3 s of French speech at 8 kHz (espeak-ng), the caller's message."""
    from rtp.prompts.generate import render

    return render("Bonjour, c'est Bob. Je vous appelle au sujet de la réunion de demain matin. Rappelez-moi.", "fr")


class MediaProcess:
    """``python -m rtp.mediaapp`` on a free port. ``kamailio=True``: behind the test Kamailio of
    ``settings`` (its socket the only peer, the secret of their shared POSTE_DATA); otherwise
    tests call it directly, from any port of 127.0.0.1, with ``TEST_MEDIA_SECRET``."""

    def __init__(self, settings, env_extra: dict | None = None, kamailio: bool = False):
        self.settings = settings
        self.port = free_port()
        peers = ({"POSTE_SIP_ADDRESS": settings.sip_address, "POSTE_SIP_PORT": str(settings.sip_port)} if kamailio
                 else {"POSTE_MEDIA_PEERS": "127.0.0.1", "POSTE_MEDIA_SECRET": TEST_MEDIA_SECRET})
        env = {k: v for k, v in os.environ.items() if k not in ("POSTE_MEDIA_PEERS", "POSTE_MEDIA_SECRET")}
        self.env = {**env, "POSTE_DATA": str(settings.data_dir), "DATABASE_URL": settings.database_url,
                    "POSTE_MEDIA_SIP_PORT": str(self.port), "POSTE_MEDIA_ADDRESS": "127.0.0.1",
                    "POSTE_SMTP_PORT": "1", "PYTHONUNBUFFERED": "1", **peers, **(env_extra or {})}
        self.proc: subprocess.Popen | None = None
        self.lines: list[str] = []
        self.log = settings.data_dir / "log" / "media.log"

    def start(self) -> MediaProcess:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.lines = []
        self.proc = subprocess.Popen([sys.executable, "-m", "rtp.mediaapp"], cwd=ROOT, env=self.env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     start_new_session=True)
        threading.Thread(target=self._pump, args=(self.proc,), daemon=True).start()

        def ready():
            if self.proc.poll() is not None:
                raise RuntimeError("media app exited:\n" + "".join(self.lines[-40:]))
            return any("media app ready" in line for line in self.lines)
        wait_for(ready, 60, what="media app ready")
        return self

    def _pump(self, proc) -> None:
        with open(self.log, "a") as log:
            for line in proc.stdout:
                self.lines.append(line)
                log.write(line)

    def kill(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return "".join(self.lines[-80:])


@pytest.fixture
def mailbox_ext(db):
    tenant = factories.tenant()
    return factories.extension(tenant, "2001", "Alice Martin", email="alice@example.org")


@pytest.fixture
def media(settings, db, mailbox_ext, prompt_dir):
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    link = settings.data_dir / "prompts"
    if not link.exists():
        link.symlink_to(prompt_dir)
    proc = MediaProcess(settings).start()
    yield proc
    proc.stop()


def wait_until(condition, timeout: float = 10.0, what: str = "condition"):
    return wait_for(condition, timeout, 0.02, what)


__all__ = ["MediaProcess", "time", "wait_until"]
