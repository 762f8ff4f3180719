"""`drafter signatories import` and `drafter signatories list`: sign-on form exports into the
letter's YAML, and the list as it will be printed with its counts."""

from __future__ import annotations

import difflib
from collections import Counter
from pathlib import Path
from typing import Optional

import typer

from ..errors import LetterError
from .common import Failed, err

app = typer.Typer(help="Import signatories from a sign-on form export, or list them.",
                  no_args_is_help=True, pretty_exceptions_enable=False)


_err = err


def _overrides(pairs: list[str]) -> dict[str, str]:
    """--map "COLUMN=field" options as {header key: field}."""
    from ..signon.importer import parse_maps
    try:
        return parse_maps(pairs)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--map") from None


def _answers(pairs: list[str]) -> list[tuple[str, str, str]]:
    """--answer "QUESTION:ANSWER=DECISION" options as (question, answer, decision)."""
    from ..signon.importer import parse_answers
    try:
        return parse_answers(pairs)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--answer") from None


@app.command("import")
def import_(
    letter: Path = typer.Argument(..., help="The letter's YAML file."),
    export: Path = typer.Argument(..., help="The form's export: .csv or .xlsx."),
    map_: list[str] = typer.Option([], "--map", metavar="COLUMN=field",
                                   help="Read a column as a field (organisation, name, role, "
                                        "country, group, url, affiliation, email, phone, "
                                        "contact, contact_position, consent, publish, "
                                        "anonymous, first_name, last_name, timestamp, "
                                        "ignore). Remembered for the form. Repeatable."),
    answer: list[str] = typer.Option([], "--answer", metavar="QUESTION:ANSWER=DECISION",
                                     help="Read an answer that is not a plain yes or no, e.g. "
                                          "\"consent:Yes, after our board meets=pending\" or "
                                          "\"publish:Prefer not=no\". Remembered. "
                                          "Repeatable."),
    group: Optional[str] = typer.Option(None, "--group", help="Put every new signatory in "
                                                               "this group."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the change; write nothing."),
) -> None:
    """Add the signatories of a form export to the letter. Only a clear yes signs and only a
    clear yes publishes a name; anything drafter cannot read for certain stops the import or
    is listed for a decision. Contacts, consent records and at-risk names go to files beside
    the letter that only the coordinator keeps, never to the letter."""
    from ..output import files as io
    from ..signon.importer import Stop, run_import
    overrides, answers = _overrides(map_), _answers(answer)
    if not dry_run:  # an import killed halfway: finish its set, drop its temporaries
        io.clean_temporaries(letter.parent, say=_err)
    try:
        result = run_import(letter, export, overrides, answers, group)
    except LetterError as exc:
        _err(str(exc))
        raise Failed() from None
    except Stop as exc:
        for message in exc.messages:
            _err(message)
        raise Failed() from None
    except ValueError as exc:  # --map names a column the export does not have
        raise typer.BadParameter(str(exc), param_hint="--map") from None
    for warning in result.warnings:
        _err(warning)
    _report(letter, export, result, dry_run, _masking())
    if dry_run:
        diff = difflib.unified_diff(result.text.splitlines(keepends=True),
                                    result.merged.splitlines(keepends=True),
                                    fromfile=str(letter), tofile=f"{letter} (after import)")
        typer.echo("".join(diff), nl=False)
        return
    if not result.files:
        return
    try:
        io.write_set(result.files)
    except io.SetIncomplete as exc:  # neither new nor old: says what the next run does
        _err(f"{letter}:1:1: not written whole ({exc})")
        raise Failed() from None
    except OSError as exc:  # a full disk, a read-only folder
        _err(f"{letter}:1:1: not written ({exc.strerror or exc}); the letter is unchanged")
        raise Failed() from None
    if result.merged == result.text:
        return
    if len(result.merged) > _CHECK_AFTER_UP_TO:
        # Reading a letter this large with positions takes drafter's parser a second per
        # 250 KB; the import has checked what it wrote, so the rest is the user's call.
        typer.echo(f"note: the letter is large ({len(result.merged) / 1e6:.1f} MB): run "
                   f"`drafter validate {letter}` to check all of it before rendering")
        return
    from ..letter.validate import letter_from_text
    try:
        letter_from_text(result.merged, str(letter), letter.resolve().parent)
    except LetterError as exc:
        for problem in exc.problems:
            _err(f"{problem} (warning: the letter needs fixing before it renders)")


_CHECK_AFTER_UP_TO = 1_000_000  # characters: larger merged letters are not validated again


def _masking():
    """At-risk names are shown on a terminal and masked anywhere else (a CI log, a file)."""
    import sys
    if sys.stdout.isatty():
        return lambda name: name
    return lambda name: "[name withheld]"


def _report(letter: Path, export: Path, result, dry_run: bool, mask) -> None:
    """What the import adds, skips, hides and leaves for a decision, on stdout; the first
    line says which columns are read as the consent and publication questions."""
    table, plan = result.table, result.plan
    typer.echo(result.questions)
    verb = "would add" if dry_run else "added"
    empty = f", {table.empty_rows} empty ignored" if table.empty_rows else ""
    typer.echo(f"{letter}: {verb} {len(plan.added)} of {len(table.rows)} rows of {export.name}"
               f" ({len(plan.skipped)} skipped, {len(plan.decide)} need a decision{empty})")
    mapped = ", ".join(f"{table.headers[i]} -> {f}" for i, f in sorted(table.columns.items()))
    typer.echo(f"columns: {mapped}")
    typer.echo(f"form: {result.form}")
    if table.ignored:
        typer.echo(f"ignored columns (copied nowhere): {', '.join(table.ignored)}")
    where = result.coordinator.name if result.coordinator else "the coordinator's file"
    sections = [("added", [(e.row, e.shown, e.anonymous,
                            f"anonymous: counted, never named; its name is kept in {where} "
                            "only" if e.anonymous else
                            ("pending: not printed until confirmed"
                             if e.fields.get("status") == "pending" else ""))
                           for e in plan.added]),
                ("skipped", [(o.row, o.shown, o.hidden, o.message) for o in plan.skipped]),
                ("needs a decision", [(o.row, o.shown, o.hidden, o.message)
                                      for o in plan.decide])]
    for title, items in sections:
        if items:
            typer.echo(f"{title}:")
        for row, shown, hidden, message in sorted(items, key=lambda x: x[0]):
            name = f"'{mask(shown) if hidden else shown}'" if shown else "(no name)"
            typer.echo(f"  row {row}: {name}" + (f": {message}" if message else ""))
    for note in table.notes + plan.notes:
        typer.echo(f"note: {note}")
    contacts = [p for p in result.files if p.name.endswith(".contacts.csv")]
    if contacts or (dry_run and plan.added):
        typer.echo(f"contacts: {len(plan.added)} rows {'would go' if dry_run else 'added'} to "
                   f"{letter.stem}.contacts.csv (coordinator only: never in the letter or "
                   "its outputs)")
    hidden = sum(1 for e in plan.added if e.anonymous) + len(plan.hide)
    if hidden:
        typer.echo(f"at-risk names: {hidden} {'would be' if dry_run else 'are'} kept in {where} "
                   "only (the letter holds a fingerprint); keep that file to yourself")


@app.command("list")
def list_(letter: Path = typer.Argument(..., help="The letter's YAML file."),
          format: str = typer.Option("table", "--format", "-f", help="table or csv.")) -> None:
    """The signatories as they will be printed, with counts per group and per country."""
    from ..compose.wording import locale_for
    from ..compose.arrange import arrange
    from ..signon.sidecar import csv_bytes
    from ..letter.validate import load_letter
    if format not in ("table", "csv"):
        raise typer.BadParameter("choose table or csv", param_hint="--format")
    try:
        loaded = load_letter(letter)
    except LetterError as exc:
        _err(str(exc))
        raise Failed() from None
    words = locale_for(loaded.language)
    signing = arrange(loaded, words, words.date(loaded.signatories_as_of))
    rows = [(tier.label or "", group.label or "", s)
            for tier in signing.tiers for group in tier.groups for s in group.signers]
    if format == "csv":
        header = ["position", "tier", "group", "organisation", "name", "role", "affiliation",
                  "country"]
        data = [[i, tier or "organisations", grp, s.organisation or "", s.name or "",
                 s.role or "", s.affiliation or "", s.country or ""]
                for i, (tier, grp, s) in enumerate(rows, start=1)]
        typer.echo(csv_bytes(data, header).decode("utf-8"), nl=False)
        return
    _table(rows)
    _counts(loaded, signing, rows)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def _table(rows: list) -> None:
    """A fixed-width table of the printed signatories."""
    head = ("#", "Organisation or name", "Signer / affiliation", "Country", "Group")
    cells = [(str(i), s.heading, s.signer_line, s.country or "", grp or tier)
             for i, (tier, grp, s) in enumerate(rows, start=1)]
    widths = [min(max([len(head[c])] + [len(r[c]) for r in cells]), cap)
              for c, cap in enumerate((6, 44, 36, 20, 30))]
    for line in [head] + cells:
        typer.echo("  ".join(_cut(v, w).ljust(w) for v, w in zip(line, widths)).rstrip())


def _counts(letter, signing, rows: list) -> None:
    """Totals, then counts per group and per country (named signatories only)."""
    statuses = Counter(s.status for s in letter.signatories)
    hidden = sum(1 for s in letter.signatories if s.status == "confirmed" and s.anonymous)
    typer.echo("")
    typer.echo(f"printed and counted: {signing.organisation_count} organisations, "
               f"{signing.individual_count} individuals ({hidden} counted but not named); "
               f"layout: {signing.layout}")
    if statuses["pending"] or statuses["withdrawn"]:
        typer.echo(f"not printed: {statuses['pending']} pending, "
                   f"{statuses['withdrawn']} withdrawn")
    for title, counter in (("by group", Counter(grp or tier or "(no group)"
                                                for tier, grp, _ in rows)),
                           ("by country", Counter(s.country or "(no country)"
                                                  for _, _, s in rows))):
        typer.echo(f"{title}:")
        for key, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])):
            typer.echo(f"  {n:>5}  {key}")
