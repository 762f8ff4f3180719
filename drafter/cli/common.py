"""What every command module shares: the "input needs fixing" exception and stderr output.

The command modules import this, never each other, so the CLI package has no import cycle.
"""

from __future__ import annotations

import typer

from ..errors import printable


class Failed(Exception):
    """The input needs fixing (exit status 1); the message has already been printed."""


def err(message: str) -> None:
    """A message on stderr; text from letters and templates (keys, file names) never drives
    the terminal."""
    typer.echo(printable(message, keep="\n"), err=True)
