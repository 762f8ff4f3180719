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
from dataclasses import dataclass, field
from pathlib import Path

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000

# Fields a column can feed. Contact fields go to the sidecar file only, never to the letter.
LETTER_FIELDS = ("organisation", "name", "role", "country", "group", "url", "affiliation")
CONTACT_FIELDS = ("email", "phone", "contact")
CONTROL_FIELDS = ("consent", "publish", "anonymous", "first_name", "last_name", "ignore")
FIELDS = LETTER_FIELDS + CONTACT_FIELDS + CONTROL_FIELDS

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
    "publish": """publish name | may we publish your name | publish our name | name publicly |
        public listing | list our name | rendre public | publier le nom | namentlich nennen |
        veroffentlichen | publicar nombre""",
    "anonymous": "anonymous | sign anonymously | anonyme | anonym | anonimo",
    "ignore": """timestamp | horodateur | zeitstempel | marca temporal | submitted at |
        submission date | date of submission""",
}
_TABLE = {" ".join(h.split()): f for f, text in HEADERS.items() for h in text.split("|")}
# Words that make a header the consent question ("Do you agree to sign ...?").
_CONSENT = re.compile(r"\b(consent\w*|agree\w*|endorse\w*|sign on|sign the|we sign|"
                      r"accept\w*|accord|signez|signer|zustimm\w*|einverstanden|unterzeichnen|"
                      r"acuerdo|acepta\w*|firmar|consiente|consentimiento)\b")

_SPACES = re.compile(r"\s+")
_INVISIBLE = re.compile("[\u200b\u2060\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


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
    consent_header: str = ""

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
    text = unicodedata.normalize("NFKD", clean(text).casefold())
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
    if _CONSENT.search(key) and not re.search(r"\b(name|nom|logo)\b", key):
        return "consent"
    return None


def read_export(path: Path, overrides: dict[str, str]) -> Table:
    """Read a CSV or XLSX export; `overrides` maps header keys to fields (from --map)."""
    data = _read_bytes(path)
    if path.suffix.lower() in (".xlsx", ".xlsm") or data[:4] == b"PK\x03\x04":
        grid = _xlsx_rows(data)
    else:
        grid = _csv_rows(data)
    return _table(grid, overrides)


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


def _table(grid: list[tuple[int, list, set]], overrides: dict[str, str]) -> Table:
    """Find the header row (the first non-empty one) and map its columns to fields."""
    while grid and not any(clean(c) for c in grid[0][1]):
        grid = grid[1:]
    if not grid:
        raise ExportError("the export is empty (no header row)")
    _, header_cells, _ = grid[0]
    headers = [clean(h) for h in header_cells]
    columns: dict[int, str] = {}
    used: dict[str, int] = {}
    for i, header in enumerate(headers):
        name = overrides.get(header_key(header)) or field_for(header)
        if name is None or name == "ignore":
            continue
        if name in used and header_key(header) not in overrides:
            continue  # a second "Name" column: the first one wins; the report lists the rest
        used[name] = i
        columns[i] = name
    table = Table(headers, columns, [])
    table.consent_header = next((headers[i] for i, f in columns.items() if f == "consent"), "")
    for number, cells, formula_columns in grid[1:]:
        row = Row(number)
        for i, name in columns.items():
            value = clean(cells[i]) if i < len(cells) else ""
            if value:
                row.cells[name] = value
            if i in formula_columns:
                row.formulas.add(name)
        if not any(clean(c) for c in cells):
            table.empty_rows += 1
            continue
        first, last = row.cells.pop("first_name", ""), row.cells.pop("last_name", "")
        if (first or last) and "name" not in row.cells:
            row.cells["name"] = f"{first} {last}".strip()
        table.rows.append(row)
    return table


YES = re.compile(r"^(yes|y|oui|o|ja|j|si|sí|true|vrai|wahr|verdadero|1|x|✓|✔|ok|d accord|"
                 r"i agree|i consent|we agree|we consent|agree|consent|agreed|accept|j accepte|"
                 r"nous acceptons|einverstanden|acepto|aceptamos|de acuerdo)\b")
NO = re.compile(r"^(no|n|non|nein|false|faux|falsch|falso|0|not|don t|do not|we do not|"
                r"i do not|disagree|refuse|decline|ne |nous ne|je ne|nicht|kein|ich nicht|"
                r"wir nicht)\b")


def answer(text: str) -> bool | None:
    """A yes/no answer in English, French, German or Spanish: True, False, or None (unclear
    or empty)."""
    key = header_key(text) if text not in ("✓", "✔") else text
    if not key:
        return None
    if NO.match(key):
        return False
    if YES.match(key):
        return True
    return None
