"""`drafter signatories import`: form exports of 5, 60 and 500 rows merged into a letter whose
YAML outside the signatory list stays byte for byte as it was, with every row accounted for."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from drafter import load_letter
from drafter.letter.matching import name_key, signatory_key
from signon_data import LETTER, LETTER_NAMES, csv_text, make_export, xlsx_bytes

LIST_END = LETTER.index("country: Perú\n") + len("country: Perú\n")  # after the last entry


def _setup(tmp_path: Path, n: int, kind: str = "csv"):
    letter = tmp_path / "letter.yaml"
    letter.write_text(LETTER, "utf-8", newline="")
    ex = make_export(n)
    export = tmp_path / f"export.{kind}"
    if kind == "csv":
        export.write_text(csv_text(ex), "utf-8", newline="")
    else:
        export.write_bytes(xlsx_bytes(ex))
    return letter, export, ex


def _report(stdout: str) -> dict[str, dict[int, str]]:
    """The report's rows by section: {"added": {row: text}, "skipped": ..., ...}."""
    sections, current = {}, None
    for line in stdout.splitlines():
        if line in ("added:", "skipped:", "needs a decision:"):
            current = sections.setdefault(line[:-1], {})
        elif current is not None and (m := re.match(r"  row (\d+): (.*)", line)):
            current[int(m.group(1))] = m.group(2)
        elif not line.startswith("  "):
            current = None
    return sections


@pytest.mark.parametrize("n,kind", [(5, "csv"), (60, "csv"), (60, "xlsx"), (500, "csv")])
def test_import_adds_each_new_signatory_once_and_accounts_for_every_row(tmp_path, drafter_cli,
                                                                        n, kind):
    letter, export, ex = _setup(tmp_path, n, kind)
    result = drafter_cli("signatories", "import", letter, export)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr

    # The letter: its three signatories, then exactly the new ones, names cleaned of stray
    # whitespace but otherwise as the organisations wrote them (accents, scripts).
    loaded = load_letter(letter)
    names = [s.organisation for s in loaded.signatories]
    assert names == LETTER_NAMES + [" ".join(name.split()) for name in ex.added]
    keys = [signatory_key(s.organisation, s.name) for s in loaded.signatories]
    assert len(set(keys)) == len(keys)

    report = _report(result.stdout)
    assert len(report.get("added", {})) == len(ex.added)
    for row, word in ex.skipped.items():
        assert word.lower() in report["skipped"][row].lower(), (row, report["skipped"][row])
    for row, word in ex.decide.items():
        assert word in report["needs a decision"][row], (row, report["needs a decision"][row])
    assert f"{ex.empty} empty ignored" in result.stdout


@pytest.mark.parametrize("n", [5, 60, 500])
def test_yaml_outside_the_list_is_byte_for_byte_unchanged(tmp_path, drafter_cli, n):
    letter, export, ex = _setup(tmp_path, n)
    assert drafter_cli("signatories", "import", letter, export).returncode == 0
    new = letter.read_text("utf-8")
    # Everything before the end of the old list and everything after it are unchanged...
    assert new.startswith(LETTER[:LIST_END]) and new.endswith(LETTER[LIST_END:])
    inserted = new[LIST_END:len(new) - (len(LETTER) - LIST_END)]
    # ...and what came in is signatory entries only, in the file's own indentation.
    for line in inserted.splitlines():
        assert re.match(r"    -   organisation: |        (country|role|url|anonymous): ",
                        line), line
    assert "# Coordinator's draft: keep these comments!" in new
    assert "# a comment on the value" in new and "# The contact line follows" in new


@pytest.mark.parametrize("n", [60, 500])
def test_contact_data_goes_to_the_sidecar_only_and_formulas_stay_text(tmp_path, drafter_cli, n):
    letter, export, ex = _setup(tmp_path, n)
    assert drafter_cli("signatories", "import", letter, export).returncode == 0
    text = letter.read_text("utf-8")
    assert not re.search(r"sign\d+@|s\d+@", text) and "7946" not in text
    assert "Person 1" not in text
    assert "HYPERLINK" not in text and "SUM(" not in text
    sidecar = tmp_path / "letter.contacts.csv"
    with open(sidecar, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(ex.added)
    by_name = {name_key(r["organisation"]): r for r in rows}
    for name, (email, phone, contact) in ex.contacts.items():
        row = by_name[name_key(name)]
        # A cell starting with = + - @ is written with a leading apostrophe: data, not formula.
        for cell, value in ((row["email"], email), (row["phone"], phone),
                            (row["contact_person"], contact)):
            assert cell == ("'" + value if value[0] in "=+-@" else value)
    assert any(r["phone"].startswith("'+") for r in rows)
    assert any(r["contact_person"].startswith("'=cmd") for r in rows)


def test_the_formula_organisation_in_a_spreadsheet_is_reported_not_evaluated(tmp_path,
                                                                            drafter_cli):
    letter, export, ex = _setup(tmp_path, 60, "xlsx")
    result = drafter_cli("signatories", "import", letter, export)
    decisions = _report(result.stdout)["needs a decision"]
    formula_rows = [row for row, word in ex.decide.items() if word == "formula"]
    for row in formula_rows:
        assert "looks like a spreadsheet formula; not added" in decisions[row]
    assert '=HYPERLINK("http://evil.example","Click")' in result.stdout
    assert "HYPERLINK" not in letter.read_text("utf-8")


def test_importing_the_same_export_twice_adds_nothing_the_second_time(tmp_path, drafter_cli):
    letter, export, ex = _setup(tmp_path, 60)
    assert drafter_cli("signatories", "import", letter, export).returncode == 0
    once = letter.read_bytes()
    contacts = (tmp_path / "letter.contacts.csv").read_bytes()
    again = drafter_cli("signatories", "import", letter, export)
    assert again.returncode == 0
    assert letter.read_bytes() == once
    assert (tmp_path / "letter.contacts.csv").read_bytes() == contacts
    assert f"added 0 of" in again.stdout
    assert again.stdout.count("already in the letter as") >= len(ex.added)


def test_dry_run_shows_the_change_and_writes_nothing(tmp_path, drafter_cli):
    letter, export, ex = _setup(tmp_path, 5)
    result = drafter_cli("signatories", "import", letter, export, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert letter.read_text("utf-8") == LETTER
    assert not (tmp_path / "letter.contacts.csv").exists()
    assert "would add" in result.stdout
    added = [line for line in result.stdout.splitlines() if line.startswith("+    -   ")]
    assert len(added) == len(ex.added)


def test_a_semicolon_csv_with_a_mapped_column_and_a_group(tmp_path, drafter_cli):
    letter = tmp_path / "letter.yaml"
    letter.write_text(LETTER, "utf-8")
    export = tmp_path / "export.csv"
    export.write_text("Structure signataire (nom complet);Pays;Courriel\n"
                      "Ligue des Droits du Sahel;Mali;a@b.ml\n"
                      "Observatoire   des Libertés ;Sénégal;c@d.sn\n", "utf-8-sig")
    result = drafter_cli("signatories", "import", letter, export, "--group", "Partenaires",
                         "--map", "Structure signataire (nom complet)=organisation")
    assert result.returncode == 0, result.stderr
    added = load_letter(letter).signatories[3:]
    assert [(s.organisation, s.country, s.group) for s in added] == [
        ("Ligue des Droits du Sahel", "Mali", "Partenaires"),
        ("Observatoire des Libertés", "Sénégal", "Partenaires")]


def test_individuals_publish_consent_and_websites(tmp_path, drafter_cli):
    letter = tmp_path / "letter.yaml"
    letter.write_text(LETTER, "utf-8")
    export = tmp_path / "export.csv"
    export.write_text(
        "Organisation,First name,Last name,Affiliation,May we publish your name?,Website\n"
        "Safe Harbour Defenders,,,,No,safeharbour.example\n"
        ",Amina,Diallo,Université de Dakar,Yes,\n", "utf-8")
    assert drafter_cli("signatories", "import", letter, export).returncode == 0
    hidden, person = load_letter(letter).signatories[3:]
    # The organisation that withheld its name: a fingerprint and nothing else in the letter;
    # its name and website only in the coordinator's file.
    assert hidden.anonymous and re.fullmatch(r"anon-[0-9a-f]{16}", hidden.organisation)
    assert hidden.url is None
    text = letter.read_text("utf-8")
    assert "Safe Harbour" not in text and "safeharbour" not in text
    kept = (tmp_path / "letter.signon.json").read_text("utf-8")
    assert "Safe Harbour Defenders" in kept and "https://safeharbour.example" in kept
    assert (person.name, person.affiliation, person.is_individual) == (
        "Amina Diallo", "Université de Dakar", True)


@pytest.mark.parametrize("args,status,message", [
    (("--map", "Pays=colour"), 2, "'colour' is not a field"),
    (("--map", "Nowhere=organisation"), 2, "no column 'nowhere'"),
])
def test_usage_errors_exit_2(tmp_path, drafter_cli, args, status, message):
    letter, export, _ = _setup(tmp_path, 5)
    result = drafter_cli("signatories", "import", letter, export, *args)
    assert result.returncode == status
    assert message in result.stderr and "Traceback" not in result.stderr
    assert letter.read_text("utf-8") == LETTER


def test_an_export_without_a_name_column_is_refused_with_its_position(tmp_path, drafter_cli):
    letter = tmp_path / "letter.yaml"
    letter.write_text(LETTER, "utf-8")
    export = tmp_path / "export.csv"
    export.write_text("Colour,Size\nred,big\n", "utf-8")
    result = drafter_cli("signatories", "import", letter, export)
    assert result.returncode == 1
    assert result.stderr.startswith(f"{export}:1:1: header: no column for the organisation")
    assert "--map" in result.stderr
    assert letter.read_text("utf-8") == LETTER


def test_a_broken_letter_is_reported_and_left_alone(tmp_path, drafter_cli):
    letter = tmp_path / "letter.yaml"
    letter.write_text("recipients: [\n", "utf-8")
    (tmp_path / "x").mkdir()
    _, export, _ = _setup(tmp_path / "x", 5)
    result = drafter_cli("signatories", "import", letter, export)
    assert result.returncode == 1
    assert re.match(rf"{re.escape(str(letter))}:\d+:\d+: YAML syntax", result.stderr)
    assert letter.read_text("utf-8") == "recipients: [\n"


def test_counts_are_right_in_pdf_and_docx_after_importing_500_rows(tmp_path, drafter_cli):
    from drafter.pipeline import write_letter
    from readback import read_docx, read_pdf
    letter, export, ex = _setup(tmp_path, 500)
    assert drafter_cli("signatories", "import", letter, export).returncode == 0
    write_letter(load_letter(letter), tmp_path / "out", ("pdf", "docx"))
    total = f"{len(LETTER_NAMES) + len(ex.added):,}"
    for reading in (read_pdf(tmp_path / "out" / "letter.pdf"),
                    read_docx(tmp_path / "out" / "letter.docx")):
        text = " ".join(reading.words)
        assert f"We, the {total} undersigned organisations and 0 individuals" in text
        assert f"Signed by {total} organisations (full list in the annex)" in text


def test_a_signatories_key_that_is_not_a_list_is_reported(tmp_path, drafter_cli):
    letter = tmp_path / "letter.yaml"
    letter.write_text("recipients: [{name: J}]\nsignatories:\n  organisation: X\n", "utf-8")
    (tmp_path / "x").mkdir()
    _, export, _ = _setup(tmp_path / "x", 5)
    result = drafter_cli("signatories", "import", letter, export)
    assert result.returncode == 1
    assert result.stderr.startswith(f"{letter}:3:3: signatories: expected a list")
