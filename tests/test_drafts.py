"""Drafts that look like drafts: a draft's mark and notice and an embargo's line at the top of
every page of the PDF (artifacts, not content) and of the DOCX (its header, as LibreOffice lays
it out), first in the text and the web page; never in a final, nor once the embargo passed.
`render --final` refuses a draft, pending signatories and undecided sign-on rows, located, and
writes nothing. Read back with pdfplumber, pikepdf, outloud, LibreOffice and lxml."""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import os
import re
import zipfile
from pathlib import Path

import pdfplumber
import pytest
from lxml import html as lxml_html

from drafter import load_letter
from drafter.pipeline import write_letter
from test_pdf_accessibility import read_structure

REPO = Path(__file__).resolve().parent.parent
MAIN = REPO / "examples" / "eu-china-summit.yaml"
ALL = ("pdf", "docx", "html", "txt")
NOTICE = "Draft 3 — not for circulation beyond the coalition"
EMBARGO = "Embargoed until 24 March 2022, 10:00 CET"
BEFORE_EMBARGO = datetime.datetime(2022, 3, 18, 12, tzinfo=datetime.timezone.utc)
AFTER_EMBARGO = datetime.datetime(2022, 3, 24, 9, 1, tzinfo=datetime.timezone.utc)


@contextlib.contextmanager
def clock(moment: datetime.datetime):
    """The moment drafter judges an embargo against (SOURCE_DATE_EPOCH, as for a build)."""
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(moment.timestamp()))
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved


def main_example(**fields: str) -> str:
    """The main example (three pages) with top-level fields added after its `place:`."""
    text = MAIN.read_text("utf-8")
    added = "".join(f"{key}: {value}\n" for key, value in fields.items())
    return text.replace("\nplace: Brussels\n", f"\nplace: Brussels\n{added}", 1)


def write(folder: Path, text: str, name: str = "letter") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for logo in (REPO / "examples" / "logos").glob("*"):
        (folder / "logos").mkdir(exist_ok=True)
        (folder / "logos" / logo.name).write_bytes(logo.read_bytes())
    path = folder / f"{name}.yaml"
    path.write_text(text, "utf-8")
    return path


def everything(folder: Path, name: str = "letter") -> str:
    """All a reader can meet in every format: PDF text, every XML part of the DOCX (header and
    properties included), the HTML as written and as text, the text file."""
    with pdfplumber.open(folder / f"{name}.pdf") as pdf:
        text = [p.extract_text() or "" for p in pdf.pages]
    with zipfile.ZipFile(folder / f"{name}.docx") as z:
        text += [z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml")]
    page = (folder / f"{name}.html").read_text("utf-8")
    text += [page, lxml_html.document_fromstring(page).text_content(),
             (folder / f"{name}.txt").read_text("utf-8")]
    return "\n".join(text)


def page_heads(pdf_path: Path) -> list[str]:
    """The text above each page's body (its top margin), page by page, line by line (the
    notice's first line is higher than the mark beside it)."""
    with pdfplumber.open(pdf_path) as pdf:
        return [" ".join((page.crop((0, 0, page.width, 70)).extract_text() or "").split())
                for page in pdf.pages]


@pytest.fixture(scope="module")
def draft(tmp_path_factory) -> Path:
    """The main example as Draft 3 under an embargo that still holds, in every format."""
    folder = tmp_path_factory.mktemp("draft")
    path = write(folder, main_example(status="draft", version="Draft 3",
                                      embargo="2022-03-24 10:00 Europe/Brussels"))
    with clock(BEFORE_EMBARGO):
        write_letter(load_letter(path), folder, ALL, pdf_variant="pdf/ua-1")
    return folder


# --- a draft ------------------------------------------------------------------------------

def test_every_page_of_the_pdf_says_draft_with_its_notice_and_embargo(draft):
    heads = page_heads(draft / "letter.pdf")
    assert len(heads) == 3
    for head in heads:
        assert head.split().count("DRAFT") == 1, head
        assert NOTICE in head and EMBARGO in head, head


def test_the_pdf_furniture_is_an_artifact_a_screen_reader_skips(draft):
    structure = read_structure((draft / "letter.pdf").read_bytes())
    said = " ".join(structure.root.reading().split())
    heads = [" ".join(a.split()) for a in structure.artifacts]
    for words in ("DRAFT", NOTICE, EMBARGO):
        assert words not in said
        assert sum(words in head for head in heads) == 3, heads  # once a page
    import outloud
    result = outloud.check(str(draft / "letter.pdf"))
    assert result.errors == 0, [(f.rule, f.message) for f in result.findings
                                if f.severity == "error"]


def test_every_page_of_the_docx_says_it_too_in_libreoffice(draft, office, tmp_path):
    pdf = office.to_pdf(draft / "letter.docx", tmp_path / "office.pdf")
    heads = page_heads(pdf)
    assert len(heads) == len(page_heads(draft / "letter.pdf"))  # the header moves no page
    for head in heads:
        assert head.split().count("DRAFT") == 1 and NOTICE in head and EMBARGO in head, head
    with zipfile.ZipFile(draft / "letter.docx") as z:
        core = z.read("docProps/core.xml").decode()
    assert "<cp:version>Draft 3</cp:version>" in core


def test_the_text_and_the_web_page_say_it_first(draft):
    lines = (draft / "letter.txt").read_text("utf-8").splitlines()
    assert lines[:3] == [f"DRAFT — {NOTICE}", EMBARGO, ""]
    body = lxml_html.parse(str(draft / "letter.html")).getroot().find("body")
    first = body[0]
    assert first.get("role") == "note"
    assert [" ".join(p.text_content().split()) for p in first] == [f"DRAFT — {NOTICE}",
                                                                    EMBARGO]


def test_the_letters_own_words_are_counted_without_the_furniture(draft, tmp_path):
    final = write(tmp_path, main_example())
    write_letter(load_letter(final), tmp_path, ("txt",))
    words = lambda t: len(t.split())  # noqa: E731
    drafted = (draft / "letter.txt").read_text("utf-8").split("\n\n", 1)[1]
    assert words(drafted) == words((tmp_path / "letter.txt").read_text("utf-8"))


# --- a final, and an embargo that passed ---------------------------------------------------

@pytest.mark.parametrize("fields", [{}, {"status": "final", "version": "Final",
                                         "embargo": "2022-03-24T10:00+01:00"}],
                         ids=["final", "final-after-its-embargo"])
def test_a_final_letter_has_no_draft_mark_nor_passed_embargo_anywhere(tmp_path, fields):
    path = write(tmp_path, main_example(**fields))
    with clock(AFTER_EMBARGO):
        write_letter(load_letter(path), tmp_path, ALL)
    seen = everything(tmp_path)
    for words in ("DRAFT", "not for circulation", "Embargoed", "drafter-furniture"):
        assert words not in seen
    assert all(not head for head in page_heads(tmp_path / "letter.pdf"))


def test_an_embargo_still_holding_prints_on_a_final_too(tmp_path):
    path = write(tmp_path, main_example(embargo="2022-03-24 10:00 Europe/Brussels"))
    with clock(AFTER_EMBARGO - datetime.timedelta(minutes=2)):
        write_letter(load_letter(path), tmp_path, ALL)
    assert all(head == EMBARGO for head in page_heads(tmp_path / "letter.pdf"))
    assert "DRAFT" not in everything(tmp_path)


def test_a_draft_speaks_the_letters_language(tmp_path):
    text = (REPO / "examples" / "fr-travail-force.yaml").read_text("utf-8")
    text = re.sub(r"(?m)^language: fr$", "language: fr\nstatus: draft\nversion: Projet 2\n"
                  "embargo: 2030-01-15 09:30 Europe/Paris", text, count=1)
    path = write(tmp_path, text)
    with clock(BEFORE_EMBARGO):
        write_letter(load_letter(path), tmp_path, ("pdf",))
    head = page_heads(tmp_path / "letter.pdf")[0]
    assert "PROJET" in head.split(), head
    assert "Projet 2 — ne pas diffuser hors de la coalition" in head
    assert re.search(r"Sous embargo jusqu.au 15 janvier 2030, 09:30 CET", head), head


# --- validate and the embargo's moment ------------------------------------------------------

def test_validate_shows_the_draft_and_whether_the_embargo_holds(tmp_path, cli):
    path = write(tmp_path, main_example(status="draft", version="Draft 3",
                                        embargo="2022-03-24 10:00 Europe/Brussels"))
    with clock(BEFORE_EMBARGO):
        status, out, _ = cli("validate", path)
    assert status == 0
    assert out.strip().endswith("; draft (Draft 3); embargoed until 24 March 2022, 10:00 CET)")
    with clock(AFTER_EMBARGO):
        _, out, _ = cli("validate", path)
    assert "embargo passed (24 March 2022, 10:00 CET): not printed" in out


@pytest.mark.parametrize("written, says", [
    ("2022-03-24 10:00", "has no time zone"),
    ("2022-03-24 10:00 CET", "an abbreviation several zones share"),
    ("2022-10-30 02:30 Europe/Brussels", "happens twice in Europe/Brussels"),
    ("2022-03-27 02:30 Europe/Brussels", "does not exist in Europe/Brussels"),
    ("2022-03-24 10:00 Europe/Bruxelles", "no time zone is called 'Europe/Bruxelles'"),
    ("24/03/2022 10:00 UTC", "is not a date and time written YYYY-MM-DD HH:MM"),
])
def test_an_embargo_that_could_be_read_two_ways_is_an_error_at_its_line(tmp_path, cli,
                                                                       written, says):
    path = write(tmp_path, main_example(embargo=f'"{written}"'))
    line = path.read_text("utf-8").splitlines().index(f'embargo: "{written}"') + 1
    status, _, err = cli("validate", path)
    assert status == 1
    assert re.search(rf"letter\.yaml:{line}:\d+: embargo: .*{re.escape(says)}", err), err


# --- render --final ------------------------------------------------------------------------

def test_final_refuses_a_draft_and_pending_signatories_located_writing_nothing(tmp_path, cli):
    example = (REPO / "examples" / "draft-round.yaml").read_text("utf-8")
    path = write(tmp_path, example.replace("\nnotes:", "\n  - organisation: Southern Cone "
                                           "Defenders' Alliance\n    status: pending\n\nnotes:"))
    lines = path.read_text("utf-8").splitlines()
    status_line = lines.index("status: draft") + 1
    pending_line = lines.index("  - organisation: Southern Cone Defenders' Alliance") + 1
    out = tmp_path / "out"
    status, _, err = cli("render", path, "--final", "--out", out)
    assert status == 1
    assert f"letter.yaml:{status_line}:9: status: the letter is still a draft" in err
    assert re.search(rf"letter\.yaml:{pending_line}:\d+: signatories\[4\]: 'Southern Cone "
                     r"Defenders' Alliance' is still pending", err), err
    assert not out.exists() or not any(out.iterdir())
    # Told to send without the pending one, it still refuses the draft.
    status, _, err = cli("render", path, "--final", "--allow-pending", "--out", out)
    assert status == 1 and "still a draft" in err and "still pending" not in err
    path.write_text(path.read_text("utf-8").replace("status: draft", "status: final"), "utf-8")
    with clock(datetime.datetime(2027, 3, 1, tzinfo=datetime.timezone.utc)):
        status, _, err = cli("render", path, "--final", "--allow-pending", "--out", out)
    assert status == 0, err
    assert page_heads(out / "letter.pdf") == ["Embargoed until 22 March 2027, 09:00 CET"]


def test_final_refuses_sign_on_rows_left_for_a_decision_until_they_are_decided(tmp_path,
                                                                              cli):
    path = write(tmp_path, main_example())
    export = tmp_path / "form.csv"
    rows = [["Organisation", "Do you want your organisation to sign this letter?"],
            ["Aster Signs Network", "Yes"],
            ["Dune Unsure Board", "Yes, but waiting for board approval"]]
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    export.write_text(buffer.getvalue(), "utf-8")
    status, _, err = cli("signatories", "import", path, export)
    assert status == 0, err
    out = tmp_path / "out"
    status, _, err = cli("render", path, "--final", "--out", out)
    assert status == 1
    assert re.search(r"letter\.signon\.json:1:1: undecided: 1 row of form\.csv still needs "
                     r"a decision \(row 3\)", err), err
    assert not (out.exists() and any(out.iterdir()))
    status, _, err = cli("signatories", "import", path, export, "--answer",
                         "consent:Yes, but waiting for board approval=no")
    assert status == 0, err
    status, _, err = cli("render", path, "--final", "--out", out, "--format", "txt")
    assert status == 0, err


def test_allow_pending_goes_with_final(tmp_path, cli):
    status, _, err = cli("render", MAIN, "--allow-pending", "--out", tmp_path)
    assert status == 2 and "--final" in err
