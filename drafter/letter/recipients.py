"""Recipients for personalised letters: from the letter itself or from a CSV list, and the
file names their letters get (`<stem>-<NN>-<slug>.<ext>`)."""

from __future__ import annotations

import csv
import difflib
import io as _io
import re
import unicodedata
from pathlib import Path

from pydantic import ValidationError

from ..errors import LetterError, Problem
from .model import Letter, Party
from ..text import OVERRIDES, describe, refused
from .validate import _INVISIBLE

MAX_BYTES = 5 * 1024 * 1024
_COLUMNS = {  # header as written (case and spacing ignored) -> Party field
    "name": "name", "title": "title", "position": "title", "organisation": "organisation",
    "organization": "organisation", "org": "organisation", "address": "address",
    "salutation": "salutation", "greeting": "salutation",
}


FIELDS = ("name", "title", "organisation", "address", "salutation", "ignore")


class MapError(ValueError):
    """A `--map COLUMN=FIELD` the list cannot follow (a usage error)."""


def column_map(pairs: list[str], fields=FIELDS, key=None) -> dict[str, str]:
    """`--map "COLUMN=FIELD"` options as {key(header): field}, FIELD one of `fields` (for a
    recipients list `ignore` drops a column); MapError names a pair that is not one."""
    key = key or _key
    out = {}
    for pair in pairs:
        column, sep, name = pair.rpartition("=")
        name = name.strip().casefold()
        if not sep or not column.strip():
            raise MapError(f"{pair!r} is not COLUMN=FIELD")
        if name not in fields:
            raise MapError(f"{name!r} is not a field; use one of: {', '.join(fields)}")
        out[key(column)] = name
    return out


def _key(header: str) -> str:
    return " ".join(header.split()).casefold()


def read_recipients_csv(path: Path, columns: dict[str, str] | None = None) -> list[Party]:
    """Recipients from a CSV file with a header row (name, title, organisation, address,
    salutation); an address cell holds its lines separated by line breaks or " | ".
    `columns` (from column_map) names the field of a header, or `ignore` to drop its column."""
    from ..output import files as io
    try:
        raw = io.read_bytes(path, MAX_BYTES)
    except OSError as exc:
        raise LetterError([Problem(str(path), 1, 1, "", f"cannot read: {exc.strerror}")]) from None
    if len(raw) > MAX_BYTES:
        raise LetterError([Problem(str(path), 1, 1, "", "the list is over 5 MB")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LetterError([Problem(str(path), 1, 1, "", "not UTF-8 text; export the list as "
                                   "CSV UTF-8")]) from None
    reader = csv.reader(_io.StringIO(text, newline=""))
    try:
        rows = list(reader)
    except csv.Error as exc:  # e.g. a cell over the csv module's 128 kB limit
        raise LetterError([Problem(str(path), reader.line_num or 1, 1, "",
                                   f"not a readable CSV list ({exc})")]) from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise LetterError([Problem(str(path), 1, 1, "", "the list is empty; the first row "
                                   "names the columns (name, title, organisation, address)")])
    fields, problems = _header(rows[0], str(path), columns or {})
    parties = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = {}
        for col, cell in enumerate(row):
            field = fields[col] if col < len(fields) else None
            if field == "ignore":
                continue  # dropped on request (--map COLUMN=ignore): not read at all
            if cell.strip() and not (col < len(fields) and rows[0][col].strip()):
                problems.append(Problem(str(path), number, col + 1, f"row {number}", (
                    f"a value in column {col + 1}, which has no name in the first row; name "
                    "the column there (or delete the value)")))
            invisible = _INVISIBLE.search(cell)
            if invisible:  # refused as in the letter's YAML: a bad paste, not a name
                problems.append(Problem(str(path), number, col + 1, f"row {number}",
                                        f"contains the invisible character "
                                        f"U+{ord(invisible.group()):04X} at position "
                                        f"{invisible.start() + 1}; remove it"))
            found = refused(cell, in_name=field in ("name", "organisation"))
            if found:  # the letter's rule (validate.is_name): overrides anywhere, and in a
                char, index, written = found[0]  # name the invisibles too, raw or as entities
                how = "" if written == char else f" written as '{written}'"
                kind = "bidi override" if char in OVERRIDES else "invisible character"
                problems.append(Problem(str(path), number, col + 1, f"row {number}",
                                        f"contains the {kind} {describe(char)}{how} at "
                                        f"position {index + 1}; remove it"))
            if col < len(fields) and fields[col] and cell.strip():
                value = " ".join(cell.split()) if fields[col] != "address" else cell
                values[fields[col]] = ([x.strip() for x in re.split(r"\n| \| ", value)
                                        if x.strip()] if fields[col] == "address" else value)
        try:
            parties.append(Party.model_validate(values))
        except ValidationError as exc:
            for err in exc.errors():
                problems.append(Problem(str(path), number, 1, f"row {number}",
                                        err["msg"].removeprefix("Value error, ")))
    if problems:
        raise LetterError(problems)
    if not parties:
        raise LetterError([Problem(str(path), 2, 1, "", "the list has no recipients")])
    return parties


def _header(cells: list[str], file: str,
            columns: dict[str, str]) -> tuple[list[str | None], list[Problem]]:
    keys = [_key(cell) for cell in cells]
    absent = [column for column in columns if column not in keys]
    if absent:
        raise MapError(f"no column {', '.join(repr(c) for c in absent)} in {file} (its "
                       f"columns: {', '.join(c for c in cells if c.strip())}; case is ignored)")
    fields, problems = [], []
    for col, (cell, key) in enumerate(zip(cells, keys), start=1):
        field = columns.get(key, _COLUMNS.get(key))
        if field is None and key:
            close = difflib.get_close_matches(key, list(_COLUMNS), n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else \
                "columns are name, title, organisation, address, salutation"
            problems.append(Problem(file, 1, col, cell, f"unknown column; {hint} (or drop it "
                                    f"with --map \"{cell.strip()}=ignore\")"))
        elif field not in (None, "ignore") and field in fields:
            first = fields.index(field) + 1  # both would fill one field: one would be lost
            problems.append(Problem(file, 1, col, cell, (
                f"a second {field} column (column {first} is one); drop one with --map "
                f"\"{cell.strip()}=ignore\", or name its field with --map")))
        fields.append(field)
    return fields, problems


def personalised(letter: Letter, recipients: list[Party] | None = None) -> list[Letter]:
    """One letter per recipient: only that recipient addressed, greeted with its own
    salutation (the letter-wide greeting names everyone, so it is dropped)."""
    people = recipients if recipients is not None else list(letter.recipients)
    return [letter.model_copy(update={"recipients": [p], "salutation": None}) for p in people]


def slug(party: Party) -> str:
    """A file-name part naming a recipient: lower case, words joined by hyphens."""
    text = party.name or party.title or party.organisation or ""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    words = re.findall(r"\w+", text.casefold())
    joined = "-".join(words)[:48].strip("-")
    return joined or "recipient"


def stems(stem: str, parties: list[Party]) -> list[str]:
    """`<stem>-<NN>-<slug>` for each recipient, NN counted from 01."""
    width = max(2, len(str(len(parties))))
    return [f"{stem}-{i:0{width}d}-{slug(p)}" for i, p in enumerate(parties, start=1)]
