"""CSV that drafter writes: the coordinator's contacts file beside the letter, and signatory
lists. A cell that a spreadsheet would run as a formula is written as text."""

from __future__ import annotations

import csv
import io
from pathlib import Path

CONTACT_COLUMNS = ("organisation", "name", "contact_person", "contact_position", "email",
                   "phone", "anonymous", "export", "row")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """A cell as data: text starting with = + - @ (or a tab or carriage return) gets a
    leading apostrophe, which spreadsheets show as text and never evaluate (OWASP's advice)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def csv_bytes(rows: list[list], header: list[str] | None = None, bom: bool = False) -> bytes:
    """Rows as UTF-8 CSV with every cell made safe; a BOM helps spreadsheets see UTF-8."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    if header:
        writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(c) for c in row])
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def contacts_path(letter: Path) -> Path:
    """`letter.yaml` -> `letter.contacts.csv`, beside it."""
    return letter.with_name(letter.stem + ".contacts.csv")


def contacts_file(path: Path, entries: list, export_name: str) -> bytes | None:
    """The contacts file with a row for each added signatory appended (None: nothing to add).

    An existing file is kept byte for byte and new rows follow it; a file written before the
    contact_position column existed is rewritten once with it."""
    if not entries:
        return None
    rows = []
    for e in entries:
        who = e.hidden or e.fields  # an anonymous one's name: in this coordinator-only file
        rows.append([who.get("organisation", ""), who.get("name", ""),
                     e.contacts.get("contact", ""), e.contacts.get("contact_position", ""),
                     e.contacts.get("email", ""), e.contacts.get("phone", ""),
                     "yes" if e.fields.get("anonymous") else "", export_name, e.row])
    if not path.is_file():
        return csv_bytes(rows, list(CONTACT_COLUMNS), bom=True)
    old = path.read_bytes()
    text = old.decode("utf-8-sig", errors="replace")
    header = next(csv.reader(io.StringIO(text)), [])
    if header == list(CONTACT_COLUMNS):
        joint = b"" if not old or old.endswith(b"\n") else b"\r\n"
        return old + joint + csv_bytes(rows)
    earlier = [dict(zip(header, r)) for r in list(csv.reader(io.StringIO(text)))[1:] if r]
    kept = [[r.get(c, "") for c in CONTACT_COLUMNS] for r in earlier]
    return csv_bytes(kept + rows, list(CONTACT_COLUMNS), bom=True)
