"""Signatory lists as readers see them, in PDF and DOCX alike: a block each for a few, a
compact list in columns up to about sixty, a summary line and an annex beyond; counts that
follow the list; people at risk counted, never named; order, leads, tiers and logos."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docx2python import docx2python
from pypdf import PdfReader

from drafter import load_letter
from drafter.pipeline import write_letter
from pictures import write_png
from readback import read_docx, read_pdf
from signon_data import COUNTRIES, unique_name

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
HIDDEN = "Safe Harbour Defenders"  # the anonymous organisation of every letter below


def org_name(i: int) -> str:
    """unique_name, except Arabic and Hebrew (the PDF reader returns them in visual order)."""
    name = unique_name(i)
    return f"Levant Example Society {i}" if re.search("[\u0590-\u06ff]", name) else name


def letter_yaml(orgs: int, people: int = 0, extra: str = "", head: str = "") -> str:
    """A letter with `orgs` organisations (one anonymous, one pending, one withdrawn besides)
    and `people` individuals; prose that uses both count placeholders."""
    lines = [
        "recipients: [{name: Jane Doe}]",
        "opening: We, the {signatory_count} undersigned organisations and "
        "{individual_count} individuals, write about {unknown} things.",
        head,
        "signatories:",
        f"  - {{organisation: {HIDDEN}, country: Kenya, anonymous: true}}",
        "  - {organisation: Pending Partners Forum, status: pending}",
        "  - {organisation: Withdrawn Watch Society, status: withdrawn}",
    ]
    for i in range(orgs - 1):
        lines.append(f'  - {{organisation: "{org_name(i)}", country: "{COUNTRIES[i % 10]}"'
                     + (", group: Supporting organisations}" if i % 2 else "}"))
    for j in range(people):
        lines.append(f'  - {{name: "Prof. Ada Example {j}", role: Professor, '
                     f'affiliation: "University of Testing {j}"}}')
    return "\n".join(lines + [extra]) + "\n"


def render(tmp_path: Path, text: str, name: str = "letter",
           formats=("pdf", "docx", "html", "txt")):
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, "utf-8")
    letter = load_letter(path)
    write_letter(letter, tmp_path, formats)
    return letter, tmp_path / f"{name}.pdf", tmp_path / f"{name}.docx"


def _text(words: list[str]) -> str:
    return " ".join(words)


def _named(letter) -> list[str]:
    return [s.organisation or s.name for s in letter.signatories
            if s.status == "confirmed" and not s.anonymous]


@pytest.mark.parametrize("orgs,people,layout", [(5, 0, "blocks"), (55, 5, "list"),
                                                (500, 12, "annex")])
def test_every_size_prints_the_same_names_and_counts_in_pdf_and_docx(tmp_path, orgs, people,
                                                                     layout):
    letter, pdf_path, docx_path = render(tmp_path, letter_yaml(orgs, people))
    pdf, docx = read_pdf(pdf_path), read_docx(docx_path)
    assert pdf.words == docx.words
    text = _text(pdf.words)
    assert f"We, the {orgs} undersigned organisations and {people} individuals" in text
    assert "{unknown}" in text  # not a placeholder: printed as written
    for name in _named(letter):
        assert name in text, name
    for absent in (HIDDEN, "Pending Partners Forum", "Withdrawn Watch Society"):
        assert absent not in text
    assert "and 1 organisation that cannot be named for security reasons" in text
    if layout == "annex":
        assert (f"Signed by {orgs} organisations and {people} individuals "
                "(full list in the annex)") in text
        assert "Annex: signatories" in text
        # The annex lists by country: a country's heading, then its organisations.
        assert f"Kenya {org_name(1)}" in text
    else:
        assert "Signed by" not in text and "Annex" not in text
    if people:
        assert text.index("Individuals Affiliations for identification purposes only.") > \
            text.index(org_name(0))
        assert "Prof. Ada Example 0 Professor, University of Testing 0" in text or \
            "Prof. Ada Example 0, Professor, University of Testing 0" in text


def test_sixty_are_a_two_column_list_and_five_hundred_an_annex_in_three(tmp_path):
    _, _, small = render(tmp_path, letter_yaml(55, 5), "sixty")
    _, _, large = render(tmp_path, letter_yaml(500), "five-hundred")
    for path, columns in ((small, {"2"}), (large, {"3"})):
        xml = _document_xml(path)
        found = set(re.findall(rf'<w:cols [^>]*w:num="(\d)"', xml)) - {"1"}
        assert found == columns, (path.name, found)
    assert "Annex Title" in _styles_used(large)


def _document_xml(path: Path) -> str:
    import zipfile
    with zipfile.ZipFile(path) as z:
        return z.read("word/document.xml").decode("utf-8")


def _styles_used(path: Path) -> set[str]:
    import docx
    return {p.style.name for p in docx.Document(str(path)).paragraphs}


def test_five_thousand_signatories_render_in_both_formats(tmp_path):
    letter, pdf_path, docx_path = render(tmp_path, letter_yaml(5000), formats=("pdf", "docx"))
    summary = "Signed by 5,000 organisations (full list in the annex)"
    first_page = PdfReader(pdf_path).pages[0].extract_text()
    assert summary in " ".join(first_page.split())
    docx = read_docx(docx_path)
    assert summary in _text(docx.words)
    with docx2python(docx_path) as doc:
        paragraphs = [p for p in _flat(doc.body)]
    names = set(_named(letter))
    assert len(names & {p.strip() for p in paragraphs}) == len(names) == 4999


def _flat(tree):
    if isinstance(tree, str):
        return [tree] if tree.strip() else []
    return [s for item in tree for s in _flat(item)]


def test_an_anonymous_signatory_is_named_in_no_output(tmp_path):
    render(tmp_path, letter_yaml(5))
    pdf = tmp_path / "letter.pdf"
    for name in ("letter.html", "letter.txt"):
        assert HIDDEN not in (tmp_path / name).read_text("utf-8")
    assert HIDDEN not in str(PdfReader(pdf).metadata)
    assert HIDDEN not in _document_xml(tmp_path / "letter.docx")
    import zipfile
    with zipfile.ZipFile(tmp_path / "letter.docx") as z:
        assert all(HIDDEN.encode() not in z.read(n) for n in z.namelist())


def test_alphabetical_order_ignores_case_accents_and_articles_and_leads_come_first(tmp_path):
    text = """\
recipients: [{name: Jane Doe}]
signatory_order: alphabetical
signatories:
  - zeta rights forum
  - The Beacon Society
  - Échelle Justice Network
  - organisation: Yellow Lantern Trust
    lead: true
  - amber witness collective
  - Les Droits Ensemble
"""
    _, pdf_path, docx_path = render(tmp_path, text)
    expected = ["Yellow Lantern Trust", "amber witness collective", "The Beacon Society",
                "Les Droits Ensemble", "Échelle Justice Network", "zeta rights forum"]
    for reading in (read_pdf(pdf_path), read_docx(docx_path)):
        joined = _text(reading.words)
        positions = [joined.index(name) for name in expected]
        assert positions == sorted(positions), joined


def test_country_order_and_the_as_of_line(tmp_path):
    text = """\
recipients: [{name: Jane Doe}]
signatory_order: country
signatories_as_of: 2024-03-01
signatories:
  - {organisation: Nile Voices, country: Égypte}
  - {organisation: Andes Trust, country: Perú}
  - {organisation: Bantu Forum, country: Kenya}
  - {organisation: Atlas Union, country: Belgium}
"""
    _, pdf_path, docx_path = render(tmp_path, text)
    for reading in (read_pdf(pdf_path), read_docx(docx_path)):
        joined = _text(reading.words)
        assert "Signatories as of 1 March 2024" in joined
        order = [joined.index(n) for n in ("Atlas Union", "Nile Voices", "Bantu Forum",
                                           "Andes Trust")]
        assert order == sorted(order)




def test_logo_strip_scales_every_logo_to_one_height_in_both_formats(tmp_path):
    (tmp_path / "logos").mkdir()
    for name, size in (("a", (300, 100)), ("b", (80, 80)), ("c", (120, 40))):
        write_png(tmp_path / "logos" / f"{name}.png", *size)
    text = """\
recipients: [{name: Jane Doe}]
signatory_layout: {logo_strip: top}
signatories:
  - {organisation: Alpha Org, logo: logos/a.png}
  - {organisation: Beta Org, logo: logos/b.png}
  - {organisation: Gamma Org, logo: logos/c.png}
  - {organisation: Hidden Org, logo: logos/c.png, anonymous: true}
"""
    render(tmp_path, text)
    xml = _document_xml(tmp_path / "letter.docx")
    heights = re.findall(r'<wp:extent cx="(\d+)" cy="(\d+)"', xml)
    assert len(heights) == 3 and len({cy for _, cy in heights}) == 1
    widths = sorted(int(cx) / int(cy) for cx, cy in heights)
    assert widths == pytest.approx([1.0, 3.0, 3.0], rel=0.02)  # proportions kept
    page = PdfReader(tmp_path / "letter.pdf").pages[0]
    images = list(page.images)
    assert len(images) == 3


def test_validate_lists_pending_signatories_as_warnings_and_succeeds(tmp_path, drafter_cli):
    path = tmp_path / "letter.yaml"
    path.write_text(letter_yaml(3), "utf-8")
    result = drafter_cli("validate", path)
    assert result.returncode == 0
    assert re.search(rf"{re.escape(str(path))}:6:5: signatories\[1\]: warning: 'Pending "
                     r"Partners Forum' is pending", result.stderr), result.stderr


def test_list_command_shows_the_printed_order_with_counts(tmp_path, drafter_cli):
    path = tmp_path / "letter.yaml"
    path.write_text(letter_yaml(6, 2, extra='  - {organisation: "=cmd|calc", country: Kenya}'),
                    "utf-8")
    table = drafter_cli("signatories", "list", path)
    assert table.returncode == 0, table.stderr
    assert HIDDEN not in table.stdout and "Pending Partners" not in table.stdout
    assert "printed and counted: 7 organisations, 2 individuals (1 counted but not named)" \
        in table.stdout
    assert "not printed: 1 pending, 1 withdrawn" in table.stdout
    assert re.search(r"^\s+2\s+Kenya$", table.stdout, re.M)  # by country: named ones only
    csv_out = drafter_cli("signatories", "list", path, "--format", "csv")
    lines = csv_out.stdout.splitlines()
    assert lines[0].startswith("position,tier,group,organisation")
    assert len(lines) == 1 + 6 + 2
    assert any(",'=cmd|calc," in line for line in lines)  # a formula-like name stays text
