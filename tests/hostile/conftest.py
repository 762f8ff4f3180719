"""Fixtures for the hostile-input suite: a secret planted outside the allowed folders, a work
place for one letter, and a loopback server that notices any connection."""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path

import pytest

from .helpers import TEMPLATE, loopback_server


@pytest.fixture
def secret() -> str:
    """A token no letter contains; tests plant it outside the folders drafter may read."""
    return "SECRET-" + secrets.token_hex(12)


@pytest.fixture
def place(tmp_path, secret):
    """A work place: `letter/` (the letter's folder), `outside/` (the secret, as several
    files a letter or template might try to reach), `out/`. Returns a namespace."""
    letter, outside, out = tmp_path / "letter", tmp_path / "outside", tmp_path / "out"
    letter.mkdir()
    outside.mkdir()
    for name in ("secret.txt", "secret.png", "secret.css", "secret.svg", "secret.j2"):
        (outside / name).write_text(f"{secret}\n")

    class Place:
        root = tmp_path

        def __init__(self):
            self.letter, self.outside, self.out = letter, outside, out

        def write(self, text: str, name: str = "letter.yaml") -> Path:
            path = self.letter / name
            path.write_text(text, encoding="utf-8")
            return path

        def template(self, name: str = "tpl") -> Path:
            """A copy of the built-in template inside the letter's folder, to tamper with."""
            folder = self.letter / name
            shutil.copytree(TEMPLATE, folder)
            return folder

    return Place()


@pytest.fixture
def loopback():
    """A TCP server on 127.0.0.1: (its http:// URL, `contacted()` listing every connection)."""
    with loopback_server() as server:
        yield server
