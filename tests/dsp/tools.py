"""External programs the tests run: missing means a broken test machine, so fail, never skip."""

import shutil

import pytest


def require(tool: str) -> str:
    """Path of ``tool``; fails the calling test if it is not installed (CI installs it)."""
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} not found: install it (apt install {tool}; listed in scripts/apt-packages.txt)",
                    pytrace=False)
    return path
