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


def run_on_terminal(*args: str, env: dict | None = None) -> tuple[int, bytes]:
    """Run `python -m drafter ARGS` with a terminal (a pty) as stdout and stderr: (exit status,
    everything it showed)."""
    import pty
    pid, fd = pty.fork()
    if pid == 0:  # the child
        os.execvpe(sys.executable, [sys.executable, "-m", "drafter", *map(str, args)],
                   env if env is not None else dict(os.environ))
    screen = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        screen += chunk
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), screen


@pytest.fixture
def drafter_cli():
    """The `run_drafter` helper, as a fixture."""
    return run_drafter


@pytest.fixture
def cli(capsys):
    """`drafter ARGS` in this process (no interpreter start-up): (exit status, stdout, stderr)."""
    from drafter.cli import main

    def run(*args) -> tuple[int, str, str]:
        try:
            main([str(a) for a in args])
            status = 0
        except SystemExit as exc:
            status = exc.code or 0
        out = capsys.readouterr()
        return status, out.out, out.err
    return run


@pytest.fixture(scope="session")
def office(tmp_path_factory):
    """One LibreOffice process (tests/office.py) for every test that reads a DOCX through it."""
    from office import Office
    reader = Office(tmp_path_factory.mktemp("office-profile"))
    yield reader
    reader.close()


@pytest.fixture
def editions(tmp_path) -> Path:
    """A copy of the three-language example (with its stamp records); its English source."""
    import shutil
    source = REPO / "examples" / "editions" / "forced-labour.yaml"
    shutil.copytree(source.parent, tmp_path / "letter")
    return tmp_path / "letter" / source.name


@pytest.fixture
def dejavu_fonts_conf(tmp_path):
    """A fontconfig file that offers only the DejaVu fonts (a machine without the Noto packages)."""
    config = tmp_path / "fonts.conf"
    config.write_text(f"""<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <dir>/usr/share/fonts/truetype/dejavu</dir>
  <cachedir>{tmp_path / 'fc-cache'}</cachedir>
</fontconfig>
""", "utf-8")
    return config
