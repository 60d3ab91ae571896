"""The layers of architecture.md, as contracts (pyproject.toml, [tool.importlinter]) that fail the suite
when broken: tenants/ imports none of console/, kamailio/, rtp/; those three import none of each other;
rtp/dsp imports nothing else of the project."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_layer_contract_is_kept():
    done = subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--no-cache"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout and "3 kept" in done.stdout, done.stdout
