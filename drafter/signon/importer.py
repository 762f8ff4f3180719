"""One sign-on import from start to finish, without printing or writing: read the letter, the
coordinator's file and the export; stop on any question drafter cannot answer for certain;
plan the rows; return the new letter text and the coordinator-only files as a set to write.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import LetterError
from .coordinator import CoordinatorFile, CoordinatorFileError, coordinator_path, form_id
from .export import (QUESTION_FIELDS, ExportError, Table, header_key, headers_of, read_grid,
                     table_from)
from .plan import Plan, existing, plan_import
from .questions import answer_key, yes_no_share

QUESTION_CHOICES = "consent|publish|anonymous|ignore"
_NAMES = {"consent": "consent", "publish": "publication", "anonymous": "anonymity"}


class Stop(Exception):
    """The import cannot go on without the coordinator: every reason, located."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass
class Result:
    """What an import does (or would do, for a dry run)."""

    table: Table
    plan: Plan
    text: str
    merged: str
    files: dict = field(default_factory=dict)  # path -> bytes: the set to write
    form: str = ""      # how the columns were decided, for the report
    questions: str = ""  # the report's first line
    warnings: list = field(default_factory=list)
    coordinator: Path | None = None


def parse_maps(pairs: list[str]) -> dict[str, str]:
    """"COLUMN=field" mappings (--map) as {header key: field}; ValueError says what is wrong."""
    from ..letter.recipients import MapError, column_map
    from .export import FIELDS, header_key
    try:
        return column_map(pairs, FIELDS, header_key)
    except MapError as exc:
        raise ValueError(str(exc)) from None


DECISIONS = {"consent": ("yes", "no", "pending"), "publish": ("yes", "no"),
             "anonymous": ("yes", "no")}


def parse_answers(pairs: list[str]) -> list[tuple[str, str, str]]:
    """"QUESTION:ANSWER=DECISION" (--answer) as (question, answer, decision); ValueError
    says what is wrong."""
    out = []
    for pair in pairs:
        question, colon, rest = pair.partition(":")
        given, sep, decision = rest.rpartition("=")
        question, decision = question.strip().lower(), decision.strip().lower()
        if not colon or not sep or question not in DECISIONS:
            raise ValueError(f"{pair!r} is not QUESTION:ANSWER=DECISION (QUESTION is consent, "
                             "publish or anonymous)")
        if decision not in DECISIONS[question]:
            raise ValueError(f"{decision!r} is no decision for {question}; use "
                             f"{' or '.join(DECISIONS[question])}")
        out.append((question, given, decision))
    return out


def run_import(letter: Path, export: Path, maps: dict[str, str],
               answers: list[tuple[str, str, str]], group: str | None) -> Result:
    """Plan an import; raise Stop (or LetterError) when it needs the coordinator first."""
    from ..output import files as io
    from .sidecar import contacts_file, contacts_path
    from .splice import SpliceError, check, splice
    from .rewrite import replace_entries
    from ..letter.source import MAX_BYTES, decode, parse
    try:
        raw = io.read_bytes(letter, MAX_BYTES)
    except OSError as exc:
        raise Stop([f"{letter}:1:1: cannot read: {exc.strerror or exc}"]) from None
    text = decode(raw, str(letter))
    source = parse(text, str(letter))
    if not isinstance(source.data, dict):
        raise Stop([f"{letter}:1:1: a letter must be a mapping of keys (recipients:, "
                    "signatories:, ...)"])
    signatories = source.data.get("signatories")
    if signatories is not None and not isinstance(signatories, list):
        line, column = source.where(("signatories",))
        raise Stop([f"{letter}:{line}:{column}: signatories: expected a list (lines starting "
                    "with '- ') to add to"])
    signatories = signatories or []
    path = coordinator_path(letter)
    try:
        coord = CoordinatorFile.load(path)
    except CoordinatorFileError as exc:
        raise Stop([f"{path}:1:1: {exc}"]) from None
    for question, given, decision in answers:
        coord.answers.setdefault(question, {})[answer_key(given)] = decision
    try:
        grid = read_grid(export)
        form = form_id(headers_of(grid))
        known = coord.forms.get(form)
        table = table_from(grid, maps, (known or {}).get("columns", {}))
    except OSError as exc:
        raise Stop([f"{export}:1:1: cannot read: {exc.strerror or exc}"]) from None
    except ExportError as exc:
        raise Stop([f"{export}:{exc.line}:{exc.column}: {exc}"]) from None
    unknown = set(maps) - {header_key(h) for h in table.headers}
    if unknown:
        raise ValueError(f"no column {', '.join(sorted(unknown))!r} in {export}; its "
                         f"columns are: {', '.join(h for h in table.headers if h)}")
    stops = column_stops(table, export, maps, coord, known)
    if not {"organisation", "name"} & set(table.columns.values()):
        stops.append(f"{export}:1:1: header: no column for the organisation's name among: "
                     f"{', '.join(h for h in table.headers if h)}; name it with --map "
                     "\"COLUMN=organisation\"")
    if stops:
        raise Stop(stops + [f"{export}: nothing was imported; {letter.name} and "
                            f"{path.name} are unchanged"])
    for question, given, decision in answers:  # a decision that reads no row is said
        if not any(answer_key(row.get(question)) == answer_key(given) for row in table.rows):
            table.notes.append(f"--answer \"{question}:{given}={decision}\" matches no answer "
                               "in this export; it is kept for later exports")
    letter_view = existing(signatories, lambda i: source.where(("signatories", i))[0], coord)
    result = Result(table, Plan(), text, text, coordinator=path)
    result.warnings = _key_warnings(letter, path, coord, letter_view)
    plan = plan_import(table, letter_view, coord, export.name, group)
    result.plan = plan
    try:
        merged = replace_entries(text, source, plan.hide)
        after = parse(merged, str(letter)) if plan.hide else source
        entries = [e.fields for e in plan.added]
        merged2 = splice(merged, after, entries)
        if entries:
            check(merged, merged2, str(letter), entries)
    except SpliceError as exc:
        raise Stop([f"{letter}:1:1: {exc}"]) from None
    except LetterError as exc:  # over a size limit (or, a drafter bug, unreadable)
        raise Stop([f"{p} (in the merged letter)" for p in exc.problems] +
                   [f"{letter}: nothing was written"]) from None
    result.merged = merged2
    _remember(coord, form, table, plan, export.name)
    result.form = (f"columns as remembered for this form ({path.name})" if known else
                   f"a new form: its columns will be remembered in {path.name}")
    result.questions = _questions_line(table)
    files = {}
    if merged2 != text:
        bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
        files[letter] = bom + merged2.encode("utf-8")
    if {"email", "phone", "contact", "contact_position"} & set(table.columns.values()) or \
            any(e.contacts for e in plan.added):
        contacts = contacts_file(contacts_path(letter), plan.added, export.name)
        if contacts is not None:
            files[contacts_path(letter)] = contacts
    new_coord = coord.to_bytes()
    if not path.is_file() or path.read_bytes() != new_coord:
        files[path] = new_coord
    result.files = files
    return result


def column_stops(table: Table, export: Path, maps: dict, coord: CoordinatorFile,
                 known: dict | None) -> list[str]:
    """Why the columns cannot be read for certain: a yes/no column nobody named, a question
    header whose answers are free text, two columns for one question, a column new since the
    form's last import."""
    stops = []
    for name, where in table.clashes:
        shown = " and ".join(f"'{table.headers[i]}' (column {i + 1})" for i in where)
        stops.append(f"{export}:1:{where[1] + 1}: header: {shown} both read as the "
                     f"{_NAMES[name]} question; keep one, e.g. --map "
                     f"\"{table.headers[where[1]]}=ignore\"")
    nearest = _nearest_form(coord, table.headers) if known is None else None
    for i, header in enumerate(table.headers):
        decided = table.how.get(i) in ("--map", "remembered")
        values = table.answers.get(i, Counter())
        where = f"{export}:1:{i + 1}: column '{header or f'#{i + 1}'}'"
        if decided:
            continue
        mapped = table.columns.get(i)
        if nearest is not None and header and header_key(header) not in nearest["columns"]:
            stops.append(f"{where}: new since this form's last import; say what it holds: "
                         f"--map \"{header}=FIELD\" (a field, or {QUESTION_CHOICES})"
                         + _sample(values))
        elif mapped is None and yes_no_share(values) >= 0.5:
            stops.append(f"{where}: its answers are yes or no{_sample(values)}, so it asks a "
                         f"question drafter cannot name from its header: say which with "
                         f"--map \"{header}={QUESTION_CHOICES}\"")
        elif mapped in QUESTION_FIELDS and len(values) > 3 and yes_no_share(values) < 0.5:
            stops.append(f"{where}: reads as the {_NAMES[mapped]} question by its header, but "
                         f"its answers are not yes or no{_sample(values)}: say what it holds "
                         f"with --map \"{header}=FIELD\" (a field, or {QUESTION_CHOICES})")
    return stops


def _sample(values: Counter, most: int = 6) -> str:
    """' (Yes ×12, No ×3, …)': an answer column's distinct answers with their counts."""
    if not values:
        return " (no answers)"
    shown = ", ".join(f"'{v}' ×{n}" for v, n in values.most_common(most))
    more = f", and {len(values) - most} other answers" if len(values) > most else ""
    return f" ({shown}{more})"


def _nearest_form(coord: CoordinatorFile, headers: list[str]) -> dict | None:
    """The remembered form this export most resembles (half of all their headers shared, or
    more), if any: the same form with columns added or removed."""
    keys = {header_key(h) for h in headers if header_key(h)}
    best, score = None, 0.0
    for entry in coord.forms.values():
        theirs = set(entry.get("columns", {}))
        share = len(keys & theirs) / max(len(theirs | keys), 1)
        if share >= 0.5 and share > score:
            best, score = entry, share
    return best


def _remember(coord: CoordinatorFile, form: str, table: Table, plan: Plan,
              export: str) -> None:
    """The columns as decided for this form, every row's consent record, and the rows of this
    export left for a decision (until an import of it decides them: `render --final` asks)."""
    rows = sorted({o.row for o in plan.decide})
    if rows:
        coord.undecided[export] = rows
    else:
        coord.undecided.pop(export, None)
    coord.forms[form] = {"headers": [h for h in table.headers if h], "columns": {
        header_key(h): table.columns.get(i, "ignore")
        for i, h in enumerate(table.headers) if header_key(h)}}
    for sid, details, record in plan.records:
        coord.record(sid, details, record)
    for entry in plan.added:
        if entry.anonymous:
            ref = entry.fields.get("organisation") or entry.fields.get("name")
            coord.signatories.setdefault(ref, {"records": []}).update(entry.hidden,
                                                                     anonymous=True)


def _questions_line(table: Table) -> str:
    """The report's first line: which columns drafter reads as the questions, and why."""
    how = {"header": "recognised by its header", "--map": "as you mapped it",
           "remembered": "as remembered for this form"}
    parts = [f"{_NAMES[f]}: '{table.headers[i]}' ({how[table.how[i]]})"
             for i, f in sorted(table.columns.items()) if f in QUESTION_FIELDS]
    asked = set(table.columns.values())
    if "consent" not in asked:
        parts.append("no consent question (every row is read as signing)")
    if not {"publish", "anonymous"} & asked:
        parts.append("no publication question (names are printed)")
    return "questions: " + "; ".join(parts)


def _key_warnings(letter: Path, path: Path, coord: CoordinatorFile, view) -> list[str]:
    """A lost key or a lost name is said, never worked around in silence."""
    if not view.refs:
        return []
    n = len(view.refs)
    if coord.fresh or coord.lost_key:
        return [f"{path}:1:1: warning: the letter has {n} anonymous signatories written as "
                f"fingerprints, but {'this file is missing' if coord.fresh else 'its key is lost'}"
                ": drafter cannot recognise them, and an export row for one of them would be "
                "added again; restore the file from a copy before importing"]
    if view.unknown_refs:
        return [f"{path}:1:1: warning: {view.unknown_refs} of the letter's {n} anonymous "
                "signatories have no name in this file: rows for them cannot be recognised "
                "and may be added again"]
    return []
