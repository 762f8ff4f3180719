"""`drafter diff`: what changed between two rounds of a letter."""

from __future__ import annotations

import typer

from ..errors import LetterError
from .common import Failed, err


def diff(old: str = typer.Argument(..., help="The earlier round: a letter file, or "
                                   "FILE@REV (a git revision of it, e.g. letter.yaml@HEAD~1)."),
         new: str = typer.Argument(..., help="The later round (a file, or FILE@REV).")) -> None:
    """One line per changed YAML path (`concerns[1].text: 2 words replaced`) and the
    signatories' changes (added, removed, withdrawn, pending -> confirmed)."""
    from ..letter.validate import letter_from_text
    from ..letter.source import parse
    from ..rounds.changes import changes
    from ..rounds.revisions import read_letter_text
    data, failed = [], False
    for spec in (old, new):
        try:
            revision = read_letter_text(spec)
            letter_from_text(revision.text, revision.shown, revision.folder)  # a letter, checked
            data.append(parse(revision.text, revision.shown).data)
        except LetterError as exc:
            err(str(exc))
            failed = True
    if failed:
        raise Failed()
    found = changes(*data)
    for change in found:
        typer.echo(str(change))
    if not found:
        typer.echo("no changes")
