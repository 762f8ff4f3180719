"""`drafter signatories import` and `drafter signatories list`: sign-on form exports into the
letter's YAML, and the list as it will be printed with its counts."""

from __future__ import annotations

import difflib
from collections import Counter
from pathlib import Path
from typing import Optional

import typer

from .errors import LetterError

app = typer.Typer(help="Import signatories from a sign-on form export, or list them.",
                  no_args_is_help=True, pretty_exceptions_enable=False)


def Failed() -> Exception:  # noqa: N802 - raised like the CLI's own exception class
    """The CLI's "input needs fixing" exception (exit status 1), imported late: cli.py
    imports this module to register it."""
    from .cli import Failed as CliFailed
    return CliFailed()


def _err(message: str) -> None:
    typer.echo(message, err=True)


def _overrides(pairs: list[str]) -> dict[str, str]:
    """--map "COLUMN=field" options as {header key: field}."""
    from .signon.export import FIELDS, header_key
    out = {}
    for pair in pairs:
        column, sep, name = pair.rpartition("=")
        name = name.strip().lower()
        if not sep or not column.strip():
            raise typer.BadParameter(f"{pair!r} is not COLUMN=field", param_hint="--map")
        if name not in FIELDS:
            raise typer.BadParameter(f"{name!r} is not a field; use one of: "
                                     f"{', '.join(FIELDS)}", param_hint="--map")
        out[header_key(column)] = name
    return out


@app.command("import")
def import_(
    letter: Path = typer.Argument(..., help="The letter's YAML file."),
    export: Path = typer.Argument(..., help="The form's export: .csv or .xlsx."),
    map_: list[str] = typer.Option([], "--map", metavar="COLUMN=field",
                                   help="Read a column as a field (organisation, name, role, "
                                        "country, group, url, affiliation, email, phone, "
                                        "contact, consent, publish, anonymous, first_name, "
                                        "last_name, ignore). Repeatable."),
    group: Optional[str] = typer.Option(None, "--group", help="Put every new signatory in "
                                                               "this group."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the change; write nothing."),
) -> None:
    """Add the signatories of a form export to the letter; report what was added, skipped
    and what needs a decision. Contact data goes to LETTER.contacts.csv, never the letter."""
    from . import io
    from .signon.export import ExportError, read_export
    from .signon.plan import existing_index, plan_import
    from .signon.sidecar import contacts_file, contacts_path
    from .signon.splice import SpliceError, check, splice
    from .validate import letter_from_text
    from .yamlsource import MAX_BYTES, decode, parse
    overrides = _overrides(map_)
    if not dry_run:  # an import killed halfway: finish its set, drop its temporaries
        io.clean_temporaries(letter.parent)
    try:
        raw = io.read_bytes(letter, MAX_BYTES)
        text = decode(raw, str(letter))
        source = parse(text, str(letter))
    except OSError as exc:
        _err(f"{letter}:1:1: cannot read: {exc.strerror or exc}")
        raise Failed() from None
    except LetterError as exc:
        _err(str(exc))
        raise Failed() from None
    if not isinstance(source.data, dict):
        _err(f"{letter}:1:1: a letter must be a mapping of keys (recipients:, signatories:, ...)")
        raise Failed()
    try:
        table = read_export(export, overrides)
    except OSError as exc:
        _err(f"{export}:1:1: cannot read: {exc.strerror or exc}")
        raise Failed() from None
    except ExportError as exc:
        _err(f"{export}:{exc.line}:{exc.column}: {exc}")
        raise Failed() from None
    from .signon.export import header_key
    unknown = set(overrides) - {header_key(h) for h in table.headers}
    if unknown:
        raise typer.BadParameter(f"no column {', '.join(sorted(unknown))!r} in {export}; its "
                                 f"columns are: {', '.join(h for h in table.headers if h)}",
                                 param_hint="--map")
    if not {"organisation", "name"} & set(table.columns.values()):
        _err(f"{export}:1:1: header: no column for the organisation's name among: "
             f"{', '.join(h for h in table.headers if h)}; name it with --map "
             f"\"COLUMN=organisation\"")
        raise Failed()
    signatories = source.data.get("signatories")
    if signatories is not None and not isinstance(signatories, list):
        line, column = source.where(("signatories",))
        _err(f"{letter}:{line}:{column}: signatories: expected a list (lines starting with "
             "'- ') to add to")
        raise Failed()
    signatories = signatories or []
    plan = plan_import(table, existing_index(
        signatories, lambda i: source.where(("signatories", i))[0]))
    entries = [dict(e.fields, **({"group": group} if group else {})) for e in plan.added]
    for e, fields in zip(plan.added, entries):
        e.fields = fields
    try:
        merged = splice(text, source, entries)
        if entries:
            check(text, merged, str(letter), entries)
    except SpliceError as exc:
        _err(f"{letter}:1:1: {exc}")
        raise Failed() from None
    except LetterError:  # the merged text would not even parse (a drafter bug)
        _err(f"{letter}:1:1: the merged letter would not parse; nothing was written "
             "(please report this)")
        raise Failed() from None
    sidecar = contacts_path(letter)
    contacts = contacts_file(sidecar, plan.added, export.name) if any(
        f in table.columns.values() for f in ("email", "phone", "contact")) else None
    _report(letter, export, table, plan, sidecar if contacts else None, dry_run)
    if dry_run:
        diff = difflib.unified_diff(text.splitlines(keepends=True),
                                    merged.splitlines(keepends=True),
                                    fromfile=str(letter), tofile=f"{letter} (after import)")
        typer.echo("".join(diff), nl=False)
        return
    if not entries:
        return
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    files = {letter: bom + merged.encode("utf-8")}
    if contacts is not None:
        files[sidecar] = contacts
    try:
        io.write_set(files)
    except OSError as exc:  # a full disk, a read-only folder
        _err(f"{letter}:1:1: not written ({exc.strerror or exc}); the letter is unchanged")
        raise Failed() from None
    try:
        letter_from_text(merged, str(letter), letter.resolve().parent)
    except LetterError as exc:
        for problem in exc.problems:
            _err(f"{problem} (warning: the letter needs fixing before it renders)")


def _report(letter: Path, export: Path, table, plan, sidecar: Optional[Path],
            dry_run: bool) -> None:
    """What the import adds, skips and leaves for a decision, on stdout."""
    verb = "would add" if dry_run else "added"
    empty = f", {table.empty_rows} empty ignored" if table.empty_rows else ""
    typer.echo(f"{letter}: {verb} {len(plan.added)} of {len(table.rows)} rows of {export.name}"
               f" ({len(plan.skipped)} skipped, {len(plan.decide)} need a decision{empty})")
    mapped = ", ".join(f"{table.headers[i]} -> {f}" for i, f in sorted(table.columns.items()))
    typer.echo(f"columns: {mapped}")
    if table.ignored:
        typer.echo(f"ignored columns (copied nowhere): {', '.join(table.ignored)}")
    sections = [("added", [(e.row, e.fields.get("organisation") or e.fields.get("name"),
                            "anonymous: counted, never named" if e.fields.get("anonymous")
                            else "") for e in plan.added]),
                ("skipped", [(o.row, o.shown, o.message) for o in plan.skipped]),
                ("needs a decision", [(o.row, o.shown, o.message) for o in plan.decide])]
    for title, items in sections:
        if items:
            typer.echo(f"{title}:")
        for row, shown, message in sorted(items, key=lambda x: x[0]):
            name = f"'{shown}'" if shown else "(no name)"
            typer.echo(f"  row {row}: {name}" + (f": {message}" if message else ""))
    for note in plan.notes:
        typer.echo(f"note: {note}")
    if sidecar is not None:
        typer.echo(f"contacts: {len(plan.added)} rows {'would go' if dry_run else 'added'} to "
                   f"{sidecar} (coordinator only: never in the letter or its outputs)")


@app.command("list")
def list_(letter: Path = typer.Argument(..., help="The letter's YAML file."),
          format: str = typer.Option("table", "--format", "-f", help="table or csv.")) -> None:
    """The signatories as they will be printed, with counts per group and per country."""
    from .locale import locale_for
    from .signon.arrange import arrange
    from .signon.sidecar import csv_bytes
    from .validate import load_letter
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
