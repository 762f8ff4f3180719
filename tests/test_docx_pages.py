"""The DOCX is the same letter as the PDF in LibreOffice: as many pages, each starting with the
same words, for every example and every whole letter the other tests render (signatory lists of
5, 60 and 500, a long footnote). LibreOffice lays the DOCX out itself, so this holds only when
the DOCX carries the stylesheet's line heights, spacing, indents, breaks and columns.

Pages are compared by their first three words, read in drawing order with pdfplumber from
drafter's PDF and from LibreOffice's PDF export of the DOCX (one LibreOffice process for all).
Tolerances, and why: text goes through NFKC (a ligature is the letters it joins) and a word
broken at a line-end hyphen is joined; list markers ("1.", "•") at a line start are left out,
because WeasyPrint draws an item's marker after its text and LibreOffice before it, so they
are not the page's first words in one of the two. Page counts must be equal.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

import pdfplumber
import pytest

from drafter import load_letter
from drafter.letter.editions import load_edition
from drafter.pipeline import write_letter
from drafter.template.folder import find_template
from readback import PAGE_HEAD, PAGE_LABEL, _words_in_stream_order
from test_layout_rules import NOTE_LETTER, _note
from test_signatories_layout import letter_yaml

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None,
                                reason="LibreOffice is installed by setup.sh; CI always has it")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
EDITIONS = ROOT / "examples" / "editions" / "forced-labour.yaml"
WRITTEN = {  # the other tests' whole letters, as YAML
    "signatories-5": lambda: letter_yaml(5),
    "signatories-60": lambda: letter_yaml(55, 5),
    "signatories-500-annex": lambda: letter_yaml(500, 12),
    "footnote-300-words": lambda: NOTE_LETTER.format(note=_note(300)),
}
LETTERS = ([p.stem for p in EXAMPLES] + [f"edition-{lang}" for lang in ("en", "de", "fr")]
           + list(WRITTEN))
LIST_MARKER = re.compile(r"\d+\.|\u2022")


def _letter(name: str, folder: Path):
    if name.startswith("edition-"):
        return load_edition(EDITIONS, name.removeprefix("edition-"))
    if name in WRITTEN:
        path = folder / f"{name}.yaml"
        path.write_text(WRITTEN[name](), "utf-8")
        return load_letter(path)
    return load_letter(ROOT / "examples" / f"{name}.yaml")


@pytest.fixture(scope="module")
def both(tmp_path_factory, office):
    """name -> (drafter's PDF, LibreOffice's PDF of the DOCX); each letter rendered once."""
    done: dict[str, tuple[Path, Path]] = {}

    def get(name: str) -> tuple[Path, Path]:
        if name not in done:
            folder = tmp_path_factory.mktemp(name)
            written = {o.format: o.path for o in
                       write_letter(_letter(name, folder), folder / "out", ("pdf", "docx"))}
            done[name] = written["pdf"], office.to_pdf(written["docx"], folder / "office.pdf")
        return done[name]
    return get


def page_starts(pdf_path: Path, count: int = 3) -> list[str]:
    """The first `count` words of each page's body: no page footer, no note calls."""
    starts = []
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            words = _words_in_stream_order(page)
            body_size = max((w["size"] for w in words), default=10)
            lines: dict[float, list[str]] = {}
            for w in words:
                lines.setdefault(round(w["base"]), []).append(w["text"])
            found: list[str] = []
            for w in words:
                if w["top"] + w["size"] < PAGE_HEAD:
                    continue  # a draft's mark and notice in the top margin: not the letter
                line = " ".join(t for base, texts in lines.items()
                                if abs(base - w["base"]) < 2.5 for t in texts)
                small_digits = w["size"] < body_size * 0.75 and w["text"].isdigit()
                marker = w["line_start"] and LIST_MARKER.fullmatch(w["text"])
                if PAGE_LABEL.match(line) or small_digits or marker:
                    continue
                text = unicodedata.normalize("NFKC", w["text"])
                if found and found[-1].endswith("-") and w["line_start"]:
                    found[-1] += text
                else:
                    found.append(text)
                if len(found) > count:
                    break
            starts.append(" ".join(found[:count]))
    return starts


@pytest.mark.parametrize("name", LETTERS)
def test_libreoffice_pages_the_docx_as_the_pdf(both, name):
    pdf, office_pdf = both(name)
    expected, got = page_starts(pdf), page_starts(office_pdf)
    assert len(expected) >= 1 and all(expected)
    assert got == expected, f"PDF pages start {expected}, LibreOffice's {got}"


def test_a_letter_the_stylesheet_spaces_out_pages_alike(tmp_path, office):
    """The spacing is read from the stylesheet, not fixed: a template that doubles the
    paragraph gaps and line height gets a longer PDF, and a DOCX as long."""
    template = tmp_path / "template"
    shutil.copytree(ROOT / "letter_templates" / "joint-letter", template)
    css = template / "style.css"
    css.write_text(css.read_text("utf-8") + "\nhtml { line-height: 2.1; }\n"
                   "p { margin-bottom: 16pt; }\n", "utf-8")
    source = ROOT / "examples" / "fr-travail-force.yaml"
    letter = load_letter(source)
    normal = write_letter(letter, tmp_path / "normal", ("pdf",))
    spaced = {o.format: o.path for o in write_letter(
        letter, tmp_path / "spaced", ("pdf", "docx"), template=find_template(str(template)))}
    assert len(page_starts(spaced["pdf"])) > len(page_starts(normal[0].path))
    assert page_starts(office.to_pdf(spaced["docx"], tmp_path / "office.pdf")) == \
        page_starts(spaced["pdf"])
