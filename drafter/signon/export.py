"""Read a sign-on form's export (CSV or XLSX) into rows of signatory fields.

Columns are mapped to fields from their headers in English, French, German and Spanish (or
by `--map COLUMN=field`); every cell is text with its whitespace normalised. Spreadsheets are
read with openpyxl in read-only mode, values only: drafter never evaluates a formula.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000

# Fields a column can feed. Contact fields go to the sidecar file only, never to the letter.
LETTER_FIELDS = ("organisation", "name", "role", "country", "group", "url", "affiliation")
CONTACT_FIELDS = ("email", "phone", "contact", "contact_position")
CONTROL_FIELDS = ("consent", "publish", "anonymous", "first_name", "last_name", "timestamp",
                  "ignore")
FIELDS = LETTER_FIELDS + CONTACT_FIELDS + CONTROL_FIELDS
QUESTION_FIELDS = ("consent", "publish", "anonymous")

# Header words (after `header_key`: lower case, no accents, punctuation as spaces).
HEADERS = {
    "organisation": """organisation | organization | organisation name | organization name |
        name of organisation | name of organization | name of your organisation |
        name of your organization | your organisation | your organization |
        organisation full name | ngo | ngo name | signing organisation | signing organization |
        nom de l organisation | nom de l organisme | organisme | nom de la structure |
        structure | association | nom de l association | ong | nom de l ong |
        organisation signataire | name der organisation | organisationsname | verein |
        name des vereins | organizacion | nombre de la organizacion | entidad |
        nombre de la entidad | organizacion firmante""",
    "name": """name | full name | your name | signatory | signatory name | name of signatory |
        person signing | name of person signing | signed by | nom | nom complet |
        prenom et nom | nom et prenom | nom du signataire | signataire | vor und nachname |
        vollstandiger name | unterzeichner | unterzeichnerin | nombre | nombre completo |
        nombre y apellido | nombre y apellidos | firmante""",
    "first_name": "first name | given name | prenom | vorname | nombre de pila",
    "last_name": "last name | surname | family name | nom de famille | nachname | apellido | "
                 "apellidos",
    "role": """position | role | title | job title | function | position title | fonction |
        poste | titre | qualite | funktion | stelle | cargo | puesto | rol""",
    "country": """country | country of registration | country region | country or region |
        country of operation | based in | pays | pays d enregistrement | land | staat |
        sitzland | pais""",
    "group": """group | category | signatory category | type of organisation |
        type of organization | groupe | categorie | gruppe | kategorie | grupo | categoria""",
    "url": """website | web site | url | homepage | web address | site web | site internet |
        webseite | internetseite | sitio web | pagina web""",
    "affiliation": """affiliation | institution | university | institutional affiliation |
        affiliation for identification purposes only | rattachement |
        institution de rattachement | universite | zugehorigkeit | afiliacion | institucion |
        universidad""",
    "email": """email | e mail | email address | e mail address | contact email | mail |
        courriel | adresse e mail | adresse mail | adresse electronique | e mail adresse |
        correo | correo electronico | email de contacto""",
    "phone": """phone | telephone | phone number | telephone number | mobile | tel |
        tel number | numero de telephone | portable | telefon | telefonnummer | handy |
        telefono | movil""",
    "contact": """contact person | contact name | contact | focal point | point of contact |
        personne de contact | contact principal | kontaktperson | ansprechpartner |
        ansprechpartnerin | persona de contacto | contacto""",
    "timestamp": """timestamp | horodateur | horodatage | zeitstempel | marca temporal |
        submitted at | submission date | date of submission | date""",
}
_TABLE = {" ".join(h.split()): f for f, text in HEADERS.items() for h in text.split("|")}
_SPACES = re.compile(r"\s+")
# Control characters are dropped from every cell; the characters that make a name print or
# compare unlike how it reads (drafter/text.py) are removed from the fields that print, and
# reported (`_deceptive`), since a form entry cannot be sent back to be fixed.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
NAME_FIELDS = ("organisation", "name", "group", "first_name", "last_name")


class ExportError(Exception):
    """The export cannot be read as a table of signatories; `.line` is where, if known."""

    def __init__(self, message: str, line: int = 1, column: int = 1):
        super().__init__(message)
        self.line, self.column = line, column


@dataclass
class Row:
    """One data row: its number as the spreadsheet shows it, and its cells by field."""

    number: int
    cells: dict[str, str] = field(default_factory=dict)
    formulas: set = field(default_factory=set)  # fields whose cell was a formula

    def get(self, name: str) -> str:
        return self.cells.get(name, "")


@dataclass
class Table:
    """The export: its header, the field of each column, and its rows."""

    headers: list[str]
    columns: dict[int, str]  # column index -> field
    rows: list[Row]
    empty_rows: int = 0
    how: dict[int, str] = field(default_factory=dict)  # column -> "--map", "header", ...
    answers: dict[int, Counter] = field(default_factory=dict)  # column -> its distinct cells
    clashes: list[tuple[str, list[int]]] = field(default_factory=list)  # a field, 2+ columns
    notes: list[str] = field(default_factory=list)

    def header_of(self, name: str) -> str:
        """The header of the column feeding a field ("" when none does)."""
        return next((self.headers[i] for i, f in self.columns.items() if f == name), "")

    @property
    def consent_header(self) -> str:
        return self.header_of("consent")

    @property
    def ignored(self) -> list[str]:
        """Headers of columns that feed no field (never copied anywhere)."""
        return [h for i, h in enumerate(self.headers) if i not in self.columns and h]


def clean(text) -> str:
    """A cell as text: Unicode NFC, invisible characters gone, runs of whitespace (line
    breaks, tabs, no-break spaces) as one space, trimmed."""
    if text is None:
        return ""
    text = unicodedata.normalize("NFC", str(text))
    return _SPACES.sub(" ", _INVISIBLE.sub("", text)).strip()


def header_key(text: str) -> str:
    """A header as compared with the table: lower case, no accents, punctuation as spaces."""
    from ..text import reader_form
    text = unicodedata.normalize("NFKD", reader_form(clean(text)).casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def field_for(header: str) -> str | None:
    """The field a column feeds, by its header; None when not recognised."""
    key = header_key(header)
    if not key:
        return None
    if key in _TABLE:
        return _TABLE[key]
    trimmed = re.sub(r"^(your|votre|ihre?|su|tu) |\s*(optional|facultatif|optionnel)$", "", key)
    if trimmed in _TABLE:
        return _TABLE[trimmed]
    from .questions import question_for
    return question_for(header)  # the one rule for consent and publication questions


def read_export(path: Path, overrides: dict[str, str],
                remembered: dict[str, str] | None = None) -> Table:
    """Read a CSV or XLSX export; `overrides` maps header keys to fields (from --map),
    `remembered` those the coordinator decided at an earlier import of the same form."""
    return table_from(read_grid(path), overrides, remembered or {})


def read_grid(path: Path) -> list[tuple[int, list, set]]:
    """The export's rows as (row number, cells, columns holding formulas)."""
    data = _read_bytes(path)
    if path.suffix.lower() in (".xlsx", ".xlsm") or data[:4] == b"PK\x03\x04":
        return _xlsx_rows(data)
    return _csv_rows(data)


def headers_of(grid: list[tuple[int, list, set]]) -> list[str]:
    """The header row's cells (the first non-empty row), cleaned."""
    for _, cells, _ in grid:
        if any(clean(c) for c in cells):
            return [clean(c) for c in cells]
    raise ExportError("the export is empty (no header row)")


def _read_bytes(path: Path) -> bytes:
    with open(path, "rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ExportError(f"the export is larger than {MAX_BYTES // 2**20} MB")
    return data


def _csv_rows(data: bytes) -> list[tuple[int, list, set]]:
    """CSV rows (UTF-8 with or without BOM, UTF-16 as Excel writes it, else Windows-1252),
    comma, semicolon or tab separated."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample.split("\n", 1)[0] or sample, delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        for i, cells in enumerate(reader, start=1):
            if i > MAX_ROWS + 1:
                raise ExportError(f"the export has more than {MAX_ROWS} rows", i)
            rows.append((i, cells, set()))
    except csv.Error as exc:
        raise ExportError(f"not a readable CSV table ({exc})", reader.line_num) from None
    return rows


def _xlsx_rows(data: bytes) -> list[tuple[int, list, set]]:
    """The first sheet's rows as values (read-only, data only); which cells hold formulas is
    read separately, so a formula is reported, never evaluated."""
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException
    try:
        values = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ExportError(f"not a readable XLSX workbook ({exc})") from None
    try:
        sheet, raw = values.worksheets[0], formulas.worksheets[0]
        rows = []
        for i, (cells, raw_cells) in enumerate(zip(sheet.iter_rows(values_only=True),
                                                   raw.iter_rows(values_only=True)), start=1):
            if i > MAX_ROWS + 1:
                raise ExportError(f"the export has more than {MAX_ROWS} rows", i)
            formula_columns = {j for j, v in enumerate(raw_cells)
                               if isinstance(v, str) and v.startswith("=")}
            text = [_cell_text(v) for v in cells]
            for j in formula_columns:  # no cached value: the formula's text is the data
                if j < len(text) and not text[j]:
                    text[j] = clean(raw_cells[j])
            rows.append((i, text, formula_columns))
        return rows
    finally:
        values.close()
        formulas.close()


def _cell_text(value) -> str:
    """A spreadsheet value as the text a person sees (whole numbers without ".0")."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10] if not getattr(value, "hour", 0) else value.isoformat()
    return clean(value)


def table_from(grid: list[tuple[int, list, set]], overrides: dict[str, str],
               remembered: dict[str, str]) -> Table:
    """Find the header row (the first non-empty one) and map its columns to fields: --map
    first, then the mapping remembered for this form, then the headers."""
    while grid and not any(clean(c) for c in grid[0][1]):
        grid = grid[1:]
    if not grid:
        raise ExportError("the export is empty (no header row)")
    _, header_cells, _ = grid[0]
    headers = [clean(h) for h in header_cells]
    columns: dict[int, str] = {}
    how: dict[int, str] = {}
    used: dict[str, list[int]] = {}
    for i, header in enumerate(headers):
        key = header_key(header)
        if key in overrides:
            name, how[i] = overrides[key], "--map"
        elif key in remembered:
            name, how[i] = remembered[key], "remembered"
        else:
            name, how[i] = field_for(header), "header"
        if name is None or name == "ignore":
            continue
        used.setdefault(name, []).append(i)
        if len(used[name]) > 1 and name not in QUESTION_FIELDS and how[i] == "header":
            continue  # a second "Name" column: the first one wins; the report lists the rest
        columns[i] = name
    table = Table(headers, columns, [], how=how)
    table.clashes = [(name, where) for name, where in used.items()
                     if name in QUESTION_FIELDS and len(where) > 1]
    table.answers = {i: Counter() for i in range(len(headers))}
    for number, cells, formula_columns in grid[1:]:
        row = Row(number)
        texts = [clean(c) for c in cells]
        if not any(texts):
            table.empty_rows += 1
            continue
        for i, value in enumerate(texts[:len(headers)]):
            if value:
                table.answers[i][value] += 1
        for i, name in columns.items():
            value = texts[i] if i < len(texts) else ""
            if value and name in LETTER_FIELDS + NAME_FIELDS:
                value = _deceptive(value, name, number, table.notes)
            if value:
                row.cells[name] = value
            if i in formula_columns:
                row.formulas.add(name)
        first, last = row.cells.pop("first_name", ""), row.cells.pop("last_name", "")
        if (first or last) and "name" not in row.cells:
            row.cells["name"] = f"{first} {last}".strip()
        table.rows.append(row)
    _contact_roles(table)
    return table


def _deceptive(value: str, name: str, row: int, notes: list[str]) -> str:
    """A cell without bidi overrides (and, in a name, the invisible characters that make it
    print or compare unlike how it reads), each removal reported with its position."""
    from ..text import OVERRIDES, clean_name, describe, visible
    kept, found = clean_name(value, name in NAME_FIELDS)
    if not found:
        return value
    cleaned = " ".join(kept.split())
    what = ", ".join(f"{describe(c)} at position {at + 1}" for c, at in found)
    kind = "a bidi override" if all(c in OVERRIDES for c, _ in found) else \
        "characters that make a name print or compare unlike how it reads"
    notes.append(f"row {row}: {name} '{visible(value)}': removed {what} ({kind}); "
                 f"imported as '{cleaned}'")
    return cleaned


def _contact_roles(table: Table) -> None:
    """A role with no signer's name beside it is the contact person's position (printed
    alone it would read as the signatory's own role): it goes to the contacts file only."""
    role = next((i for i, f in table.columns.items() if f == "role"), None)
    if role is None:
        return
    named = {"name", "first_name", "last_name"} & set(table.columns.values())
    moved = 0
    for row in table.rows:
        if row.get("role") and not row.get("name"):
            row.cells["contact_position"] = row.cells.pop("role")
            moved += 1
    if not named and table.how.get(role) != "--map":
        table.columns[role] = "contact_position"
        table.notes.append(f"'{table.headers[role]}' is read as the contact person's position "
                           "(the export has no column for the signer's name): contacts file "
                           "only, never printed")
    elif moved:
        table.notes.append(f"{moved} rows give a role but no signer's name: their "
                           f"'{table.headers[role]}' went to the contacts file only")
