"""`drafter diff`: what changed between two rounds of a letter."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..errors import LetterError
from .common import Failed, err


def diff(old: str = typer.Argument(..., help="The earlier round: a letter file, or "
                                   "FILE@REV (a git revision of it, e.g. letter.yaml@HEAD~1)."),
         new: str = typer.Argument(..., help="The later round (a file, or FILE@REV)."),
         out: Optional[Path] = typer.Option(None, "--out", "-o", help="Also write the redline, "
                                            "OUT/<stem>.redline.docx (NEW's stem) with Word "
                                            "tracked changes and OUT/<stem>.redline.pdf."),
         format: str = typer.Option("docx,pdf", "--format", "-f",
                                    help="With --out: the redline's formats, docx and pdf.")) -> None:
    """One line per changed YAML path (`concerns[1].text: 2 words replaced`) and the
    signatories' changes (added, removed, withdrawn, pending -> confirmed)."""
    from ..letter.validate import letter_from_text
    from ..letter.source import parse
    from ..rounds.changes import changes
    from ..rounds.revisions import read_letter_text
    rounds, failed = [], False
    for spec in (old, new):
        try:
            revision = read_letter_text(spec)
            letter = letter_from_text(revision.text, revision.shown, revision.folder)
            rounds.append((revision, letter, parse(revision.text, revision.shown).data))
        except LetterError as exc:
            err(str(exc))
            failed = True
    if failed:
        raise Failed()
    found = changes(rounds[0][2], rounds[1][2])
    for change in found:
        typer.echo(str(change))
    if not found:
        typer.echo("no changes")
    formats = [f.strip().lower() for f in format.split(",") if f.strip()]
    if not formats or set(formats) - {"docx", "pdf"}:
        raise typer.BadParameter("choose docx, pdf or both", param_hint="--format")
    if out is not None:
        _write_redline(rounds[0][1], rounds[1], out, formats)


def _write_redline(old, new: tuple, out: Path, formats: list[str]) -> None:
    """OUT/<stem>.redline.docx: NEW as it renders, OLD's differences as tracked changes by
    "drafter", dated from NEW's date (or, for a git revision, its commit's): the same inputs,
    the same bytes. OUT/<stem>.redline.pdf: the same, insertions underlined in blue and
    deletions struck through in red. Written as one set."""
    import dataclasses
    from ..errors import warning_line
    from ..formats.docx import write_flow
    from ..formats.docx_changes import Tracker
    from ..formats.docx_ooxml import document_timestamp
    from ..formats.pdf import render_pdf
    from ..output import files as io
    from ..pipeline import RenderError, TemplateError
    from ..rounds.redline import merged_flow
    from ..rounds.redline_html import redline_html
    from ..template.run import rendition
    revision, letter, _ = new
    stem = Path(revision.shown.rsplit("@", 1)[0] if "@" in revision.shown
                and not Path(revision.shown).is_file() else revision.shown).stem
    when = revision.committed or document_timestamp(letter.date)
    files, notes = {}, []
    try:
        later, earlier = rendition(letter), rendition(old)
        merged = merged_flow(earlier.flow, later.flow)
        if "docx" in formats:
            files[out / f"{stem}.redline.docx"] = write_flow(later, merged,
                                                            Tracker("drafter", when))
        if "pdf" in formats:
            html, unmarked = redline_html(later.tree, merged)  # after the DOCX: it changes it
            files[out / f"{stem}.redline.pdf"] = render_pdf(dataclasses.replace(later, html=html))
            notes += [f"the redline PDF does not mark the changes in \"{text}\" (a paragraph "
                      "holding others); the DOCX does" for text in unmarked]
    except (RenderError, TemplateError) as exc:
        err(f"{revision.shown}: {exc}")
        raise Failed() from None
    out.mkdir(parents=True, exist_ok=True)
    io.write_set(files)
    for target, data in files.items():
        for warning in list(data.warnings) + (notes if target.suffix == ".pdf" else []):
            err(warning_line(str(target), warning))
        if target.suffix == ".docx":
            typer.echo(f"{target}: the redline, {_count(found_changes(data))}")
        else:
            typer.echo(f"{target}: the redline")


def found_changes(data: bytes) -> int:
    """How many tracked changes a DOCX holds (insertions and deletions)."""
    import io as bytes_io
    import zipfile
    with zipfile.ZipFile(bytes_io.BytesIO(data)) as z:
        xml = b"".join(z.read(n) for n in z.namelist() if n.startswith("word/"))
    return xml.count(b"<w:ins ") + xml.count(b"<w:del ")


def _count(n: int) -> str:
    return f"{n} tracked change{'s' if n != 1 else ''}"
