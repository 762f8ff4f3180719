"""`drafter feedback`: partners' comments and tracked changes from returned copies, at the YAML
lines they concern, recorded for the coordinator, and (`--apply`) their tracked changes
written into the letter."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import typer

from ..errors import LetterError
from .common import Failed, err


@dataclass
class _Reading:
    """What the command knows once the letter, its record and the copies are read."""

    letter: Path
    text: str
    source: object
    written: list[tuple[str, str]]
    record: Path
    recorded: list[dict]
    found: list = field(default_factory=list)  # (Feedback, shown path)
    failed: bool = False

    def where(self, path_text: str, words: str, item=None) -> tuple[int, int]:
        """Line and column of the first word an item touches: placed by its words and
        their neighbours where it can be (folded and quoted scalars too), else the first
        verbatim occurrence of its first word in the field, else the field's start."""
        from ..rounds.apply import place
        from ..rounds.feedback import origin_path
        source = self.source
        if not path_text:
            return (1, 1)
        if item is not None and item.at >= 0 and item.context and source.text == self.text:
            found = place(self.text, source, item)
            if not isinstance(found, str):
                return source.position(found[0])
        yaml_path = origin_path(path_text)
        first = next(iter(words.split()), "")
        found = source.find(yaml_path, first) if first else None
        line, column = found or source.where(yaml_path)
        return max(line, 1), max(column, 1)


def feedback(letter: Path = typer.Argument(..., help="The letter the copies were made from."),
             returned: list[Path] = typer.Argument(None, help="Returned copies of its DOCX, "
                                                              "with comments or changes."),
             list_: bool = typer.Option(False, "--list", help="Every recorded item of "
                                        "LETTER.feedback.yaml, with its status."),
             resolve: Optional[str] = typer.Option(None, "--resolve", metavar="ID,...",
                                                   help="Mark these items resolved."),
             reject: Optional[str] = typer.Option(None, "--reject", metavar="ID,...",
                                                  help="Mark these items rejected."),
             apply: bool = typer.Option(False, "--apply", help="Write the copies' tracked "
                                        "changes into the letter's YAML (only the words they "
                                        "touch), or nothing if one cannot be applied."),
             only: Optional[str] = typer.Option(None, "--only", metavar="ID,...",
                                                help="With --apply: these changes only."),
             from_: Optional[str] = typer.Option(None, "--from", metavar="NAME",
                                                 help="Only feedback by this author (as the "
                                                 "copy names them; case aside)."),
             format: str = typer.Option("text", "--format", help="text, or json for tools.")
             ) -> None:
    """Partners' comments, tracked changes and untracked edits, each at the YAML line of the
    words it touches (FILE:LINE:COL: path: what), recorded in LETTER.feedback.yaml (beside the
    letter, coordinator-only) with a status: open until applied, resolved or rejected."""
    from ..output import files as io
    from ..rounds import ledger
    if format not in ("text", "json"):
        raise typer.BadParameter("choose text or json", param_hint="--format")
    if apply and not returned:
        raise typer.BadParameter("names the returned copies whose changes to apply",
                                 param_hint="--apply")
    if only and not apply:
        raise typer.BadParameter("goes with --apply", param_hint="--only")
    reading = _read(letter, returned or [])
    shown = reading.found
    if from_ is not None:
        shown = [(i, p) for i, p in shown if i.author.casefold() == from_.strip().casefold()]
        if reading.found and not shown:
            authors = sorted({i.author or "(no author)" for i, _ in reading.found})
            err(f"{letter}:1:1: no feedback by {from_!r} in these copies; they have: "
                f"{', '.join(authors)}")
    items = ledger.merged(reading.recorded, shown)
    unknown = []
    for ids, status in ((resolve, "resolved"), (reject, "rejected")):
        if ids:
            unknown += ledger.set_status(items, _ids(ids), status)
    for ident in unknown:
        err(f"{reading.record}:1:1: no feedback item {ident!r} (drafter feedback {letter} "
            "--list)")
    files, report, applied = {}, {}, set()
    if apply:
        outcome = _apply(reading, shown, items, _ids(only) if only else None)
        if outcome is None:
            raise Failed()
        if outcome.text is not None:
            bom = "\ufeff" if letter.read_bytes().startswith(b"\xef\xbb\xbf") else ""
            files[letter] = (bom + outcome.text).encode("utf-8")
            ledger.set_status(items, outcome.applied, "applied")
            applied = set(outcome.applied)
            reading.source = _parsed(outcome.text, letter)  # lines point at the new words
        report = {"applied": outcome.applied,
                  "refused": [{"id": c.ident, "reason": why} for c, why in outcome.refused]}
    if items != reading.recorded:
        files[reading.record] = ledger.dump(items)
    if files:
        io.write_set(files)  # the letter and its record together, or neither
    lines = _lines(reading, shown, items, list_, from_, applied)
    if format == "json":
        typer.echo(json.dumps({"letter": str(letter), "items": [line for line, _ in lines],
                               **report}, ensure_ascii=False, indent=1))
    else:
        for _, text in lines:
            typer.echo(text)
        if returned and not reading.found and not reading.failed:
            typer.echo(f"{letter}: no comments or changes in {len(returned)} returned "
                       f"cop{'ies' if len(returned) != 1 else 'y'}")
    if reading.failed or unknown or (apply and report.get("refused")):
        raise Failed()


def _ids(text: str) -> list[str]:
    return [i.strip() for i in text.split(",") if i.strip()]


def _read(letter: Path, returned: list[Path]) -> _Reading:
    """The letter as text and as drafter composes it, its feedback record, and the copies."""
    import zipfile
    from lxml import etree
    from ..errors import format_path
    from ..letter.source import parse
    from ..letter.validate import letter_from_text
    from ..rounds import ledger
    from ..rounds.feedback import origin_path, read_returned
    from ..rounds.revisions import read_letter_text
    from ..template.run import rendition
    try:
        revision = read_letter_text(str(letter))
        flow = rendition(letter_from_text(revision.text, str(letter), revision.folder)).flow
        source = parse(revision.text, str(letter))
    except LetterError as exc:
        err(str(exc))
        raise Failed() from None
    record = ledger.ledger_path(letter)
    try:
        recorded = ledger.load(record)
    except ledger.LedgerError as exc:
        err(f"{record}:1:1: {exc}")
        raise Failed() from None
    reading = _Reading(letter, revision.text, source, _written(flow), record, recorded)
    for path in returned:
        try:
            found = read_returned(path, reading.written)
        except (OSError, KeyError, ValueError, zipfile.BadZipFile, etree.XMLSyntaxError) as exc:
            err(f"{path}:1:1: cannot read it as a DOCX or ODT ({exc})")  # not a zip, no Word XML
            reading.failed = True
            continue
        reading.found += [(item, format_path(origin_path(item.origin)) if item.origin else "")
                          for item in found]
    return reading


def _apply(reading: _Reading, shown: list, items: list[dict], only: list[str] | None):
    """The outcome of applying the open tracked changes shown (or those `only` names), with
    every refusal printed; None when the ids asked for are not changes that can be applied."""
    from ..letter.validate import letter_from_text
    from ..rounds import ledger
    from ..rounds.apply import Change, apply_changes
    from ..template.run import rendition
    status = {i["id"]: i["status"] for i in items}
    changes, bad = [], False
    by_id = {ledger.item_id(item, path): item for item, path in shown}
    for ident in only or []:
        item = by_id.get(ident)
        if item is None:
            err(f"{reading.letter}:1:1: --only {ident}: not an item of these copies")
        elif item.kind != "change":
            err(f"{reading.letter}:1:1: --only {ident}: a {item.kind} is never applied; "
                "make the edit by hand, then --resolve it")
        elif status.get(ident) != "open":
            err(f"{reading.letter}:1:1: --only {ident}: already {status.get(ident)}")
        else:
            continue
        bad = True
    if bad:
        return None
    for item, path in shown:
        ident = ledger.item_id(item, path)
        if item.kind == "change" and status.get(ident) == "open" and \
                (only is None or ident in only):
            changes.append(Change(ident, item))

    def compose(text: str) -> list[tuple[str, str]]:
        letter = letter_from_text(text, str(reading.letter), reading.letter.resolve().parent)
        return _written(rendition(letter).flow)

    from ..rounds.apply import Outcome
    outcome = apply_changes(reading.text, reading.source, changes, reading.written,
                            compose) if changes else Outcome(None)
    for change, why in outcome.refused:
        item = change.item
        path = next(p for i, p in shown if i is item)
        line, column = reading.where(path, item.words, item)
        err(f"{reading.letter}:{line}:{column}: {path or '(no field of the letter)'}: not "
            f"applied: {item.text} (tracked change by {item.author or 'an unknown author'}, "
            f"{change.ident}): {why}")
    if outcome.refused:
        left = [c.ident for c in changes if c.ident not in {r.ident for r, _ in outcome.refused}]
        err(f"{reading.letter}: nothing was written: {len(outcome.refused)} of {len(changes)} "
            "changes cannot be applied as they are" +
            (f"; apply the others with --only {','.join(left)}" if left else ""))
    if not changes:
        typer.echo(f"{reading.letter}: no open tracked changes to apply in these copies")
    return outcome


def _written(flow) -> list[tuple[str, str]]:
    """(YAML path, text) of each paragraph drafter wrote from the letter: the body's, then
    the notes'."""
    out = [(p.origin, p.text) for p in flow.paragraphs if p.origin]
    return out + [(n.origin, "".join(r.text for r in n.runs if r.is_text))
                  for n in flow.footnotes if n.origin]


def _parsed(text: str, letter: Path):
    from ..letter.source import parse
    return parse(text, str(letter))


def _lines(reading: _Reading, shown: list, items: list[dict], list_: bool,
           from_: str | None, applied: set[str]) -> list[tuple[dict, str]]:
    """(JSON item, text line) for each item to show, in the letter's order."""
    from ..rounds import ledger
    status = {i["id"]: i["status"] for i in items}
    rows = []
    if list_:
        for i in items:
            if from_ is not None and i["author"].casefold() != from_.strip().casefold():
                continue
            where = reading.where(i["path"], i["words"])
            rows.append((where, {**i}, f"[{i['status']} {i['id']}] {_recorded(i)}"))
    else:
        for item, path in shown:
            ident = ledger.item_id(item, path)
            row = {"id": ident, "status": status.get(ident, "open"), "kind": item.kind,
                   "path": path, "author": item.author, "date": item.date, "text": item.text,
                   "words": item.words, "returned": Path(item.returned).name,
                   "by_text": item.by_text, "reply_to": item.reply_to,
                   "resolved": item.resolved}
            said = f"{_said(item)} ({ident})"
            words = item.words
            if ident in applied:
                said, words = f"applied: {said.removeprefix('suggested: ')}", item.new or \
                    item.context[item.at:]
            rows.append((reading.where(path, words, None if ident in applied else item), row,
                         said))
    out = []
    for (line, column), row, said in sorted(rows, key=lambda r: r[0]):
        path = row["path"] or "(no field of the letter)"
        out.append(({"file": str(reading.letter), "line": line, "column": column, **row},
                    f"{reading.letter}:{line}:{column}: {path}: {said}"))
    return out


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
