"""Shared test helpers. Keep this small: fixtures used by several test files only."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def run_drafter(*args: str, cwd: Path | None = None, timeout: float = 60,
                python_args: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """Run `python -m drafter ARGS` in a fresh process; text output, never raises on status."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run([sys.executable, *python_args, "-m", "drafter", *map(str, args)],
                          cwd=cwd or REPO, env=env, capture_output=True, text=True,
                          encoding="utf-8", errors="replace", timeout=timeout)


@pytest.fixture
def drafter_cli():
    """The `run_drafter` helper, as a fixture."""
    return run_drafter
