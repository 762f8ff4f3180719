"""Problems found in a letter, and the exception that carries them."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or worth a warning) in a letter, with where it is."""

    file: str
    line: int
    column: int
    path: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}:"
        what = f" {self.path}:" if self.path else ""
        prefix = " warning:" if self.severity == "warning" else ""
        return printable(f"{where}{what}{prefix} {self.message}")


# Control characters (C0 but tab, DEL, C1) and bidi controls shown as escapes: a key or a file name written in
# a letter must not drive the terminal that shows its problems (ANSI escapes can clear the
# screen, retitle the window or write to the clipboard), nor split a message in two lines.
_CONTROLS = {c: f"\\x{c:02x}" for c in [*range(0x20), *range(0x7f, 0xa0)] if c != 0x09}
# Bidi embeddings, overrides and isolates would reorder the message around them on screen.
_CONTROLS.update({c: f"<U+{c:04X}>" for c in [*range(0x202a, 0x202f), *range(0x2066, 0x206a)]})


def printable(text: str, keep: str = "") -> str:
    """`text` with control characters (other than tab and those in `keep`) as `\\xNN`."""
    table = {c: e for c, e in _CONTROLS.items() if chr(c) not in keep} if keep else _CONTROLS
    return text.translate(table)


class LetterError(Exception):
    """The letter cannot be used as it is; `.problems` lists every reason found."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.column, p.path))
        super().__init__("\n".join(str(p) for p in self.problems))


def format_path(parts: tuple) -> str:
    """Render a location tuple as `signatories[2].organisation`."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_LOCATED = re.compile(r"^[^\n]+?:\d+:\d+: ")


def warning_line(label: str, warning: str) -> str:
    """A warning as printed: as it is when it names its own FILE:LINE:COL (a template's line),
    else after the letter it is about."""
    return warning if _LOCATED.match(warning) else f"{label}: warning: {warning}"
