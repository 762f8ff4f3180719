"""Spreadsheets in and out: sign-on exports that anyone on the internet could type into, lists
of recipients, and the CSV files drafter writes for coordinators to open in a spreadsheet.

Formula injection: a cell starting with = + - @ (or a tab or carriage return) is run by
spreadsheet programs. drafter never evaluates one it reads (an organisation or name that looks
like a formula is left for a person to decide), and every CSV cell it writes that starts so gets
a leading apostrophe, which spreadsheets show as text.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

from openpyxl import Workbook

from .helpers import assert_refused, loopback_server, render, run_cli
from .helpers import yaml_value as json_str

FORMULAS = ['=HYPERLINK("http://127.0.0.1:9/?"&A1,"Click")', "+cmd|' /C calc'!A0", "-1+1",
            "@SUM(1+1)*cmd|' /C calc'!A0", "=1+1"]


def _rows(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_signatory_list_csv_from_hand_written_yaml_keeps_formulas_as_text(place):
    """A coordinator (or a tool) wrote formula-like names into the YAML itself: the CSV that
    `signatories list --format csv` makes for a spreadsheet keeps them inert."""
    names = FORMULAS[:4] + ["\t=tab-led", "Plain Org"]
    entries = "".join(f"  - organisation: {json_str(n)}\n    country: {json_str(n)}\n"
                      for n in names)
    letter = place.write("recipients: [{name: Jane Doe}]\nsignatories:\n" + entries)
    result = run_cli("signatories", "list", letter, "--format", "csv")
    assert result.returncode == 0, result
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    by_country = {r["country"]: r["organisation"] for r in rows}
    for name in names[:4]:
        assert by_country["'" + name] == "'" + name
    assert by_country["'\t=tab-led"] == "'\t=tab-led"
    assert by_country["Plain Org"] == "Plain Org"


def test_formula_names_in_a_letter_print_literally_and_add_no_word_field(place):
    """Formula and DDE text in the YAML is text in every format; the DOCX holds no field
    but the page numbers (Word runs DDEAUTO fields)."""
    dde = '{ DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc" }'
    entries = "".join(f"  - {json_str(n)}\n" for n in FORMULAS[:4] + [dde])
    letter = place.write("recipients: [{name: Jane Doe}]\nsignatories:\n" + entries)
    result = render(letter, place.out, formats="pdf,docx,txt")
    assert result.returncode == 0, result
    txt = (place.out / "letter.txt").read_text("utf-8")
    assert all(name in txt for name in FORMULAS[:4]) and "DDEAUTO" in txt
    with zipfile.ZipFile(place.out / "letter.docx") as docx:
        xml = b"".join(docx.read(n) for n in docx.namelist() if n.endswith(".xml")).decode()
    fields = {code.split()[0] for code in re.findall(r"<w:instrText[^>]*>([^<]*)<", xml)}
    assert fields <= {"PAGE", "NUMPAGES"} and "fldSimple" not in xml


def test_an_xlsx_formula_is_never_evaluated_nor_fetched_and_stays_text_in_the_sidecar(place):
    with loopback_server() as (http, contacted):
        book = Workbook()
        sheet = book.active
        sheet.append(["Organisation", "Name", "Email", "Phone"])
        sheet.append([f'=WEBSERVICE("{http}/leak")', "Eve", "eve@example.org", "1"])
        sheet.append(["Safe Org", "Sam", f'=HYPERLINK("{http}/x","mail")', "+44 20 7946 0000"])
        sheet.append(["Other Org", "Olga", "-2+3", "@SUM(A1)"])
        export = place.letter / "export.xlsx"
        book.save(export)
        letter = place.write("recipients: [{name: Jane Doe}]\nsignatories: [Amnesty]\n")
        result = run_cli("signatories", "import", letter, export)
        assert contacted() == []
    assert result.returncode == 0, result
    assert "row 2" in result.stdout and "looks like a spreadsheet formula" in result.stdout
    text = letter.read_text("utf-8")
    assert "WEBSERVICE" not in text and "Safe Org" in text and "Other Org" in text
    rows = {r["organisation"]: r for r in _rows(place.letter / "letter.contacts.csv")}
    assert rows["Safe Org"]["email"].startswith("'=HYPERLINK(")
    assert rows["Safe Org"]["phone"] == "'+44 20 7946 0000"
    assert rows["Other Org"]["email"] == "'-2+3" and rows["Other Org"]["phone"] == "'@SUM(A1)"


def test_an_export_full_of_terminal_escapes_and_template_syntax_imports_as_plain_text(place):
    export = place.letter / "export.csv"
    export.write_text("Organisation,Name\n"
                      "\"Evil\x1b[2J\x1b]0;pwned\x07 Org\",Ann\n"
                      "\"{{ cycler.__init__.__globals__ }}\",Bob\n"
                      "\"</p><script>x</script>\",Cy\n", "utf-8")
    letter = place.write("recipients: [{name: Jane Doe}]\nsignatories: [Amnesty]\n")
    result = run_cli("signatories", "import", letter, export)
    assert result.returncode == 0, result
    assert "\x1b" not in result.stdout + result.stderr and "\x07" not in result.stdout
    render_result = render(letter, place.out, formats="txt,html")
    assert render_result.returncode == 0, render_result
    txt = (place.out / "letter.txt").read_text("utf-8")
    assert "{{ cycler.__init__.__globals__ }}" in txt and "</p><script>x</script>" in txt
    assert "\x1b" not in txt
    assert "<script>" not in (place.out / "letter.html").read_text("utf-8")


def test_a_recipients_list_with_invisible_characters_is_refused_with_row_and_column(place):
    (place.letter / "people.csv").write_text("name,title\nAnn\x00Bee,Minister\n"
                                             "Carl,Sec\x1b[31mretary\n", "utf-8")
    letter = place.write("recipients: [{name: Jane Doe}]\nsignatories: [Amnesty]\n")
    result = run_cli("render", letter, "--recipients", place.letter / "people.csv",
                     "--out", place.out)
    assert_refused(result, place.out)
    assert "people.csv:2:1: row 2: contains the invisible character U+0000" in result.stderr
    assert "people.csv:3:2: row 3: contains the invisible character U+001B" in result.stderr
    assert "\x1b" not in result.stderr


def test_a_recipients_list_with_a_huge_cell_is_refused_not_a_crash(place):
    (place.letter / "people.csv").write_text("name\n" + "x" * 200_000 + "\n", "utf-8")
    letter = place.write("recipients: [{name: Jane Doe}]\nsignatories: [Amnesty]\n")
    result = run_cli("render", letter, "--recipients", place.letter / "people.csv",
                     "--out", place.out)
    assert_refused(result, place.out, "people.csv:", "not a readable CSV list")


def test_formula_like_recipients_are_printed_as_names(place):
    (place.letter / "people.csv").write_text(
        'name,title\n"=HYPERLINK(""http://127.0.0.1:9"")",+cmd\n', "utf-8")
    letter = place.write("recipients: [{name: Jane Doe}]\nsignatories: [Amnesty]\n")
    result = run_cli("render", letter, "--recipients", place.letter / "people.csv",
                     "--out", place.out, "--format", "txt")
    assert result.returncode == 0, result
    [txt] = place.out.glob("*.txt")
    assert '=HYPERLINK("http://127.0.0.1:9")' in txt.read_text("utf-8")
