"""Sign-on form exports and letters made up for the tests: what a coordinator really gets
(duplicates, accents, other scripts, stray whitespace, empty rows, "No" answers, formula-like
cells), with what an import must make of each row written down beside it."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

HEADER = ["Horodateur", "Nom de l'organisation", "Pays", "Position", "Email", "Téléphone",
          "Contact person", "Do you agree to sign the letter?", "Website", "Comments"]

ADJECTIVES = ["Alpine", "Baltic", "Coastal", "Danube", "Eastern", "Fjord", "Granite", "Harbour",
              "Inland", "Jade", "Kestrel", "Lagoon", "Meadow", "Nimbus", "Orchard", "Pampas",
              "Quartz", "Riverine", "Savanna", "Tundra"]
NOUNS = ["Rights", "Justice", "Dignity", "Witness", "Voices", "Shelter", "Bridges", "Horizons",
         "Compass", "Lanterns", "Anchors", "Keystones", "Beacons", "Orchids", "Pathways",
         "Summits", "Tapestry", "Umbrella", "Vanguard", "Wellspring", "Yardstick", "Zenith",
         "Mosaic", "Harvest", "Ember"]
KINDS = ["Network", "Alliance", "Collective", "Forum", "Institute", "Coalition", "Trust",
         "Society", "Observatory", "Foundation"]
OTHER_SCRIPTS = ["Мемориал Правозащитный Центр", "مركز القاهرة لدراسات حقوق الإنسان",
                 "香港人權監察", "Ελληνική Ένωση για τα Δικαιώματα", "ארגון זכויות האדם בגליל",
                 "Правозащитный центр Вясна", "مؤسسة الحق", "日本人権擁護協会"]
COUNTRIES = ["Belgium", "Kenya", "Côte d'Ivoire", "Perú", "Deutschland", "Россия", "Norway",
             "Brasil", "India", "Égypte"]
# Clear yeses only: one yes-word of a language drafter knows, in any case, with punctuation.
YES = ["Yes", "yes", "Oui", "Sí", "Ja", "YES", "oui !", "Y"]

# The letter the rows are imported into: comments, four-space list indentation, a long line,
# a plain-string entry, a folded scalar and a flow mapping, so any re-emitting would show.
LETTER = """\
# Coordinator's draft: keep these comments!
recipients:
    - name: Jane Doe      # the minister
      title: Minister of Foreign Affairs
subject: "A subject line that is rather long, longer than eighty characters, so that a re-emitter would wrap it"
opening: >
  We, the {signatory_count} undersigned organisations and {individual_count}
  individuals, write to you.
signatory_layout: {blocks_up_to: 10, annex_over: 60}

signatories:
    # lead organisations
    -   organisation: Human Rights Watch (HRW)   # a comment on the value
        lead: true
    -   Amnesty International
    -   organisation: 'Fundación Voces del Valle'
        country: Perú

# The contact line follows the list.
contact: "Press: press@example.org"
"""
LETTER_NAMES = ["Human Rights Watch (HRW)", "Amnesty International", "Fundación Voces del Valle"]


@dataclass
class Export:
    """Rows of a made-up export and what the import must do with each."""

    rows: list[list[str]] = field(default_factory=list)
    added: list[str] = field(default_factory=list)       # names as they must reach the letter
    skipped: dict[int, str] = field(default_factory=dict)   # row -> word the reason must hold
    decide: dict[int, str] = field(default_factory=dict)    # row -> word the reason must hold
    contacts: dict[str, list[str]] = field(default_factory=dict)  # name -> email, phone, contact
    empty: int = 0

    def add(self, cells: list[str]) -> int:
        """Append a row; return its row number as a spreadsheet shows it (header = 1)."""
        self.rows.append(cells)
        return len(self.rows) + 1


def unique_name(i: int) -> str:
    """The i-th made-up organisation: accents every 7th, another script every 11th."""
    if i % 11 == 5 and i < 11 * len(OTHER_SCRIPTS):
        return OTHER_SCRIPTS[i // 11]
    name = (f"{ADJECTIVES[i % 20]} {NOUNS[(i // 20) % 25]} {KINDS[(i // 500) % 10]}")
    return name.replace("a", "á", 1) if i % 7 == 3 else name


def _row(name: str, i: int, answer: str = "", email: str = "", phone: str = "",
         contact: str = "") -> list[str]:
    return [f"2024-03-0{1 + i % 9} 10:{i % 60:02d}", name, COUNTRIES[i % 10],
            "Director" if i % 4 == 0 else "", email, phone, contact, answer,
            f"www.example{i}.org" if i % 5 == 0 else "", "see you" if i % 6 == 0 else ""]


def make_export(n: int) -> Export:
    """An export of `n` data rows (plus empty ones) exercising every rule at least once."""
    ex = Export()
    specials = [
        # (name, answer, outcome, word the report must give)
        ("  the   HUMAN rights\u00a0watch ", "Yes", "skip", "Human Rights Watch (HRW)"),
        ("Amnesty International France", "Oui", "decide", "chapter"),
        ('=HYPERLINK("http://evil.example","Click")', "Yes", "decide", "formula"),
        ("No Thanks Society", "No", "skip", "No"),
        ("Refusing Collective", "Non, pas cette fois", "decide", "not a clear yes"),
        ("Undecided Forum", "maybe later", "decide", "not a clear yes"),
        ("Board Pending Network", "Yes, but waiting for board approval", "decide",
         "not a clear yes"),
        ("@SUM(A1:A9) Trust", "Yes", "decide", "formula"),
    ]
    per_special = max(1, n // 8)
    special_at = {k * per_special + 1: s for k, s in enumerate(specials)} if n >= 20 else {
        1: specials[0], 3: specials[3]}
    uniques, i = 0, 0
    first_row: dict[str, int] = {}
    while len(ex.rows) - ex.empty < n:
        position = len(ex.rows) - ex.empty
        if position in special_at:
            name, said, outcome, word = special_at.pop(position)
            row = ex.add(_row(name, position, said, email=f"s{position}@example.org"))
            (ex.skipped if outcome == "skip" else ex.decide)[row] = word
        elif n >= 20 and position % 9 == 8 and first_row:
            # The same organisation again, written another way (case, accents, "The").
            earlier = sorted(first_row)[position % len(first_row)]
            again = "The " + earlier.upper()
            row = ex.add(_row(f" {again}  ", position, YES[position % len(YES)]))
            ex.skipped[row] = f"row {first_row[earlier]}"
        else:
            name = unique_name(i)
            i += 1
            spaced = name.replace(" ", "  ", 1) if uniques % 3 == 0 else name
            spaced = f"\t{spaced}\n" if uniques % 10 == 1 else spaced
            phone = "+44 20 7946 0000" if uniques % 4 == 0 else "020 7946 0000"
            contact = "=cmd|' /C calc'!A0" if uniques % 13 == 2 else f"Person {uniques}"
            email = f"-sign{uniques}@example.org" if uniques % 17 == 3 else \
                f"sign{uniques}@example.org"
            row = ex.add(_row(spaced, position, YES[uniques % len(YES)], email, phone, contact))
            first_row[name] = row
            ex.added.append(name)
            ex.contacts[name] = [email, phone, contact]
            uniques += 1
        if position % 25 == 24 or (n < 20 and position == 2):
            ex.add([""] * len(HEADER))  # an empty row, as forms leave them
            ex.empty += 1
    return ex


def csv_text(ex: Export, delimiter: str = ",") -> str:
    """The export as CSV text."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(ex.rows)
    return out.getvalue()


def xlsx_bytes(ex: Export) -> bytes:
    """The export as an XLSX workbook (openpyxl stores "=..." text as a formula)."""
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in ex.rows:
        sheet.append([int(c) if c.isdigit() else c for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
