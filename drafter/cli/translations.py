"""`drafter translations new` and `drafter translations stamp`: start a language edition of a
letter, and record which source text each translation was made from."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..errors import LetterError
from .common import Failed

app = typer.Typer(help="Start a translation of a letter, or stamp translations as current.",
                  no_args_is_help=True, pretty_exceptions_enable=False)


def _language(value: str) -> str:
    from ..letter.model import _LANGUAGE
    if not _LANGUAGE.fullmatch(value.strip()):
        raise typer.BadParameter(f"{value!r} is not a language tag such as fr, de or en-US",
                                 param_hint="--lang")
    return value.strip()


@app.command("new")
def new(letter: Path = typer.Argument(..., help="The letter (source language) YAML file."),
        lang: str = typer.Option(..., "--lang", help="The edition's language, e.g. fr.")) -> None:
    """Write <letter>.<lang>.yaml with every text to translate (the source text in place)."""
    from ..letter.translations import new_edition
    try:
        path = new_edition(letter, _language(lang))
    except LetterError as exc:
        typer.echo(str(exc), err=True)
        raise Failed() from None
    typer.echo(f"{path}: written; translate each text, then run: drafter translations stamp "
               f"{letter} --lang {lang}")


@app.command("stamp")
def stamp(letter: Path = typer.Argument(..., help="The letter (source language) YAML file."),
          lang: str = typer.Option(..., "--lang", help="The edition's language, e.g. fr."),
          field: Optional[list[str]] = typer.Option(None, "--field", help="Stamp only this "
                                                    "translation (a path such as "
                                                    "concerns[0].text); repeatable."),
          force: bool = typer.Option(False, "--force", help="Stamp translations left as they "
                                     "were while their source changed (after checking that "
                                     "they still say the same).")) -> None:
    """Mark translations as made from the letter's current text (after translating them)."""
    from ..letter.editions import edition_path
    from ..letter.translations import stamp as stamp_edition
    target = edition_path(letter, lang.strip())
    try:
        done = stamp_edition(letter, _language(lang), field or None, force)
    except LetterError as exc:
        typer.echo(str(exc), err=True)
        if any(p.severity != "warning" and p.file == str(target) for p in exc.problems):
            typer.echo(f"{target}: nothing stamped", err=True)
        raise Failed() from None
    for warning in sorted(done.warnings):  # never a failure
        typer.echo(str(warning), err=True)
    if done.started:
        typer.echo(f"{done.started}: written, the source text of each stamped translation (for "
                   f"word diffs when it changes); keep it beside {target.name}")
    changed = done.changed
    if not changed:
        typer.echo(f"{target}: every translation was already stamped")
        return
    typer.echo(f"{target}: stamped {len(changed)} translation{'s' if len(changed) > 1 else ''}"
               f" ({', '.join(changed)})")
