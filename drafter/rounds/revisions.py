"""A letter as it is on disk, or as a git revision has it (`letter.yaml@HEAD~1`), read with
git itself: no checkout, nothing written, nothing from the network."""

from __future__ import annotations

import datetime
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..errors import LetterError, Problem


@dataclass(frozen=True)
class Revision:
    """A letter's text, the name its problems are reported under, its folder (for logos) and,
    for a git revision, the commit's date."""

    text: str
    shown: str
    folder: Path
    committed: datetime.datetime | None = None


def read_letter_text(spec: str) -> Revision:
    """FILE, or FILE@REV: the file as commit REV of its repository has it."""
    from ..letter.source import MAX_BYTES, decode
    from ..output import files as io
    path = Path(spec)
    if path.is_file() or "@" not in spec:
        try:
            raw = io.read_bytes(path, MAX_BYTES)
        except OSError as exc:
            raise LetterError([Problem(spec, 1, 1, "", f"cannot read: {exc.strerror or exc}")]) \
                from None
        return Revision(decode(raw, spec), spec, path.resolve().parent)
    name, rev = spec.rsplit("@", 1)
    path = Path(name)
    if not rev or rev.startswith("-") or any(c.isspace() for c in rev):
        raise LetterError([Problem(spec, 1, 1, "", f"{rev!r} is not a git revision (HEAD, "
                                                   "HEAD~1, a commit, a tag)")])
    folder = path.resolve().parent
    raw = _git(folder, spec, "show", f"{rev}:./{path.name}")
    if len(raw) > MAX_BYTES:
        raise LetterError([Problem(spec, 1, 1, "", f"is over {MAX_BYTES // 1_000_000} MB")])
    when = _git(folder, spec, "log", "-1", "--format=%cI", rev, "--").decode().strip()
    committed = datetime.datetime.fromisoformat(when) if when else None
    return Revision(decode(raw, spec), spec, folder, committed)


def _git(folder: Path, spec: str, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True,
                              timeout=30, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise LetterError([Problem(spec, 1, 1, "", "reading a revision needs git, which is "
                                                   "not installed")]) from None
    if done.returncode != 0:
        why = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise LetterError([Problem(spec, 1, 1, "", "git cannot read it: "
                                   + (why[-1] if why else f"exit status {done.returncode}"))])
    return done.stdout
