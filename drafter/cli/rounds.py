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


def feedback(letter: Path = typer.Argument(..., help="The letter the copies were made from."),
             returned: list[Path] = typer.Argument(None, help="Returned copies of its DOCX, "
                                                              "with comments or changes."),
             list_: bool = typer.Option(False, "--list", help="Every recorded item of "
                                        "LETTER.feedback.yaml, with its status."),
             resolve: Optional[str] = typer.Option(None, "--resolve", metavar="ID,...",
                                                   help="Mark these items resolved."),
             reject: Optional[str] = typer.Option(None, "--reject", metavar="ID,...",
                                                  help="Mark these items rejected.")) -> None:
    """Partners' comments, tracked changes and untracked edits, each at the YAML line of the
    words it touches (FILE:LINE:COL: path: what), recorded in LETTER.feedback.yaml (beside the
    letter, coordinator-only) with a status: open until resolved or rejected."""
    import zipfile
    from lxml import etree
    from ..errors import format_path
    from ..letter.source import parse
    from ..letter.validate import load_letter
    from ..output import files as io
    from ..rounds import ledger
    from ..rounds.feedback import origin_path, read_returned
    from ..rounds.revisions import read_letter_text
    from ..template.run import rendition
    returned = returned or []
    try:
        flow = rendition(load_letter(letter)).flow
        source = parse(read_letter_text(str(letter)).text, str(letter))
    except LetterError as exc:
        err(str(exc))
        raise Failed() from None
    record = ledger.ledger_path(letter)
    try:
        recorded = ledger.load(record)
    except ledger.LedgerError as exc:
        err(f"{record}:1:1: {exc}")
        raise Failed() from None
    written = [(p.origin, p.text) for p in flow.paragraphs if p.origin]
    written += [(n.origin, "".join(r.text for r in n.runs if r.is_text))
                for n in flow.footnotes if n.origin]
    found, failed = [], False
    for path in returned:
        try:
            found += read_returned(path, written)
        except (OSError, KeyError, ValueError, zipfile.BadZipFile, etree.XMLSyntaxError) as exc:
            err(f"{path}:1:1: cannot read it as a DOCX ({exc})")  # not a zip, no Word XML
            failed = True

    def where(path_text: str, words: str) -> tuple[int, int]:
        if not path_text:
            return (1, 1)
        yaml_path = origin_path(path_text)
        first = next(iter(words.split()), "")
        return (source.find(yaml_path, first) if first else None) or source.where(yaml_path)

    shown = [(item, format_path(origin_path(item.origin)) if item.origin else "")
             for item in found]
    items = ledger.merged(recorded, shown)
    unknown = []
    for ids, status in ((resolve, "resolved"), (reject, "rejected")):
        if ids:
            unknown += ledger.set_status(items, [i.strip() for i in ids.split(",") if i.strip()],
                                         status)
    for ident in unknown:
        err(f"{record}:1:1: no feedback item {ident!r} (drafter feedback {letter} --list)")
    if items != recorded:
        io.write_set({record: ledger.dump(items)})
    lines = []
    for item, path_text in shown:
        lines.append((where(path_text, item.words), path_text or "(no field of the letter)",
                      f"{_said(item)} ({ledger.item_id(item, path_text)})"))
    if list_:
        lines = [(where(i["path"], i["words"]), i["path"] or "(no field of the letter)",
                  f"[{i['status']} {i['id']}] {_recorded(i)}") for i in items]
    for (line, column), path_text, said in sorted(lines, key=lambda x: x[0]):
        typer.echo(f"{letter}:{max(line, 1)}:{max(column, 1)}: {path_text}: {said}")
    if returned and not found and not failed:
        typer.echo(f"{letter}: no comments or changes in {len(returned)} returned "
                   f"cop{'ies' if len(returned) != 1 else 'y'}")
    if failed or unknown:
        raise Failed()


def _recorded(item: dict) -> str:
    """A recorded item as --list shows it."""
    by = f"{item['author'] or 'an unknown author'}{', ' + item['date'][:10] if item['date'] else ''}"
    kinds = {"comment": f"comment by {by}: \"{item['text']}\"",
             "change": f"suggested: {item['text']} (tracked change by {by})"}
    return f"{kinds.get(item['kind'], item['text'])} [{item['returned']}]"


def _said(item) -> str:
    """What a feedback line says after its path."""
    by = f"{item.author or 'an unknown author'}{', ' + item.date[:10] if item.date else ''}"
    how = " (matched by text: its bookmark is gone)" if item.by_text else ""
    src = f" [{Path(item.returned).name}]"
    if item.kind == "comment":
        reply = f" in reply to \"{item.reply_to}…\"" if item.reply_to else ""
        done = " (resolved)" if item.resolved else ""
        on = f" on \"{item.words}\"" if item.words else ""
        return f"comment by {by}{reply}{done}{on}: \"{item.text}\"{how}{src}"
    if item.kind == "change":
        return f"suggested: {item.text} (tracked change by {by}){how}{src}"
    return f"{item.text}{how}{src}"
