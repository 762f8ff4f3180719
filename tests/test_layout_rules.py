"""The same layout rules in the PDF as in the DOCX: long unbreakable text wraps inside its
column, a footnote too long for a page is refused where it is written (never printed above the
page), paragraph direction follows one rule, and lists nested as deep as drafter allows keep
every level's words inside the page."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pdfplumber
from lxml import etree, html as lxml_html

from readback import read_docx, read_pdf

from drafter.compose.markdown import MAX_DEPTH

MM = 72 / 25.4
# The joint-letter template's page (style.css): A4, 24 mm side margins, 25 mm top, 26 mm bottom.
LEFT, RIGHT, TOP, BOTTOM = 24 * MM, (210 - 24) * MM, 25 * MM, (297 - 26) * MM
GAPS = {2: 16, 3: 12}  # column-gap of the signatory list (2 columns) and the annex (3), in pt
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}

URL = ("https://example.org/reports/" + "detention-without-trial-" * 8)[:200]
NAME = ("Internationale" + "Menschenrechtsvereinigung" * 4)[:90]


def _render(tmp_path: Path, drafter_cli, text: str, formats: str = "pdf,docx") -> Path:
    path = tmp_path / "letter.yaml"
    path.write_text(text, "utf-8")
    result = drafter_cli("render", path, "-o", tmp_path, "-f", formats)
    assert result.returncode == 0, result.stderr
    return path


def _signatories(count: int) -> str:
    return "".join(f"  - organisation: Organisation number {i}\n    country: France\n"
                   for i in range(count))


def _chars_of(page, word: str) -> list[dict]:
    """The characters that draw `word` on the page (it may be broken over lines)."""
    chars = [c for c in page.chars if not c["text"].isspace()]
    drawn = "".join(c["text"] for c in chars)
    at = drawn.find(word)
    assert at >= 0, f"{word[:30]}... is not drawn whole on the page"
    return chars[at:at + len(word)]


def _columns(count: int) -> list[tuple[float, float]]:
    width = (RIGHT - LEFT - (count - 1) * GAPS[count]) / count
    return [(LEFT + i * (width + GAPS[count]), LEFT + i * (width + GAPS[count]) + width)
            for i in range(count)]


def _inside_one_column(chars: list[dict], count: int) -> bool:
    column = next(c for c in _columns(count) if c[0] - 1 <= chars[0]["x0"] <= c[1])
    return all(column[0] - 1 <= c["x0"] and c["x1"] <= column[1] + 1 for c in chars)


def test_long_unbreakable_text_wraps_inside_its_page_and_columns(tmp_path, drafter_cli):
    for layout, count, columns in (("list", 14, 2), ("annex", 70, 3)):
        folder = tmp_path / layout
        folder.mkdir()
        _render(folder, drafter_cli, f"""\
recipients: [{{name: Jane Doe}}]
opening: |
  The report at {URL} documents every case.
signatories:
  - organisation: {NAME}
    country: Germany
{_signatories(count)}""")
        with pdfplumber.open(folder / "letter.pdf") as pdf:
            pages = pdf.pages
            for page in pages:
                assert all(LEFT - 1 <= c["x0"] and c["x1"] <= RIGHT + 1 for c in page.chars), \
                    [c["text"] for c in page.chars if c["x1"] > RIGHT + 1][:20]
            assert _chars_of(pages[0], URL.replace(" ", ""))
            named = [p for p in pages if NAME in "".join(c["text"] for c in p.chars
                                                          if not c["text"].isspace())]
            assert named, f"{layout}: the long name is not drawn whole"
            assert _inside_one_column(_chars_of(named[-1], NAME), columns), layout
        docx = "".join(read_docx(folder / "letter.docx").words)
        assert URL in docx and NAME in docx


NOTE_LETTER = """\
recipients: [{{name: Jane Doe}}]
opening: |
  The facts are set out in the note.[^long] More words follow the call.
signatories: [Foo]
notes:
  long: {note}
"""


def _note(words: int) -> str:
    return " ".join(f"word{i:04d}" for i in range(words))


def test_a_footnote_too_long_for_a_page_is_refused_where_it_is_written(tmp_path, drafter_cli):
    path = tmp_path / "letter.yaml"
    path.write_text(NOTE_LETTER.format(note=_note(1500)), "utf-8")
    result = drafter_cli("render", path, "-o", tmp_path, "-f", "pdf,docx")
    assert result.returncode == 1, result.stderr
    found = re.search(rf"^{re.escape(str(path))}:6:9: notes\.long: footnote 1: this note has "
                      r"1500 words; at most about (\d+) fit on one page", result.stderr, re.M)
    assert found, result.stderr
    assert "Traceback" not in result.stderr
    assert not list(tmp_path.glob("letter.pdf")) and not list(tmp_path.glob("letter.docx"))
    # A note of the length the message gives prints whole, on the page, with its call.
    fits = int(found.group(1))
    assert 200 < fits < 1500
    folder = tmp_path / "fits"
    folder.mkdir()
    _render(folder, drafter_cli, NOTE_LETTER.format(note=_note(fits)), "pdf")
    reading = read_pdf(folder / "letter.pdf")
    assert reading.notes[1].split() == _note(fits).split()
    assert reading.note_pages[1] == reading.call_pages[1]
    with pdfplumber.open(folder / "letter.pdf") as pdf:
        for page in pdf.pages:
            assert all(c["top"] >= TOP - 1 and c["bottom"] <= page.height for c in page.chars)


DIRECTION_LETTER = """\
recipients: [{name: Jane Doe}]
opening: |
  ئىلھام توختى is an economist who called for dialogue.

  ئىلھام توختى ئىقتىسادشۇناس، 2014-يىلى.
signatories: [Foo]
"""
MIXED, UYGHUR = "is an economist", "ئىقتىسادشۇناس"


def test_paragraph_direction_follows_one_rule_in_pdf_and_docx(tmp_path, drafter_cli):
    _render(tmp_path, drafter_cli, DIRECTION_LETTER, "pdf,docx,html")
    # HTML (what the PDF lays out): only the paragraph wholly in Uyghur turns right to left.
    page = lxml_html.fromstring((tmp_path / "letter.html").read_bytes())
    dirs = {p.text_content(): p.get("dir") for p in page.iter("p")}
    assert [d for t, d in dirs.items() if MIXED in t] == [None]
    assert [d for t, d in dirs.items() if UYGHUR in t] == ["rtl"]
    # PDF: the mixed paragraph starts at the left margin, its words in the written order;
    # the Uyghur one ends at the right margin.
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "letter.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    text = re.sub("[\u202a-\u202e\u2066-\u2069]", "", text)
    # (pdftotext puts the space beside the Uyghur words before them: its own bidi output)
    assert re.search(r"^ *ئىلھام توختى *is an economist who called for dialogue\.$", text, re.M)
    with pdfplumber.open(tmp_path / "letter.pdf") as pdf:
        lines: dict[int, list] = {}
        for c in pdf.pages[0].chars:
            if not c["text"].isspace():
                lines.setdefault(round(c["matrix"][5]), []).append(c)
    def ends(word):
        line = next(v for v in lines.values() if word in "".join(c["text"] for c in v)
                    or word[::-1] in "".join(c["text"] for c in v))
        return min(c["x0"] for c in line), max(c["x1"] for c in line)
    assert abs(ends("economist")[0] - LEFT) < 2
    assert abs(ends(UYGHUR)[1] - RIGHT) < 2 and ends(UYGHUR)[0] > LEFT + 100
    # DOCX: the same two directions.
    with zipfile.ZipFile(tmp_path / "letter.docx") as z:
        root = etree.fromstring(z.read("word/document.xml"))
    bidi = {"".join(p.itertext()): p.find("w:pPr/w:bidi", NS) is not None
            for p in root.iterfind(".//w:p", NS)}
    assert [b for t, b in bidi.items() if MIXED in t] == [False]
    assert [b for t, b in bidi.items() if UYGHUR in t] == [True]


def test_lists_nested_as_deep_as_drafter_allows_keep_every_level_inside_the_page(
        tmp_path, drafter_cli):
    depth = MAX_DEPTH
    lines = ["recipients: [{name: Jane Doe}]", "opening: |"]
    lines += ["  " + "  " * d + f"- bullet{d}x " + "words that fill the line " * 3
              for d in range(depth)]
    lines += ["demands:", "  - |"]  # a demand is one level more: the demands' own list
    lines += ["    " + "   " * d + f"- demand{d}x " + "words that fill the line " * 3
              for d in range(depth)]
    lines += ["signatories: [Foo]", ""]
    _render(tmp_path, drafter_cli, "\n".join(lines))
    office = tmp_path / "office"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
                    "--convert-to", "pdf", "--outdir", str(office), str(tmp_path / "letter.docx")],
                   check=True, capture_output=True, timeout=180)
    levels = [f"bullet{d}x" for d in range(depth)] + [f"demand{d}x" for d in range(depth)]
    for pdf_path in (tmp_path / "letter.pdf", office / "letter.pdf"):
        words = read_pdf(pdf_path).words
        assert [w for w in words if w in levels] == levels, pdf_path
        with pdfplumber.open(pdf_path) as pdf:
            for page in pdf.pages:
                for word in page.extract_words():
                    assert LEFT - 1 <= word["x0"] and word["x1"] <= RIGHT + 1, (pdf_path, word)
                    if word["text"] in levels:  # every level keeps room for its words
                        assert word["x0"] < LEFT + (RIGHT - LEFT) / 2, (pdf_path, word)
    assert [w for w in read_docx(tmp_path / "letter.docx").words if w in levels] == levels
