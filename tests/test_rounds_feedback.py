"""`drafter feedback LETTER RETURNED.docx...`: partners' comments, tracked changes and untracked
edits from returned copies, each at the YAML line and column of the first word it touches.
The copies are made as partners make them: edited in LibreOffice with changes recorded (through
its UNO bridge), and written the way Word writes comments and revisions (python-docx comments,
w:ins/w:del by hand)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from returned_copies import at, paragraph_marked, track

REPO = Path(__file__).resolve().parent.parent
MAIN = REPO / "examples" / "eu-china-summit.yaml"


@pytest.fixture
def letter(tmp_path, cli) -> tuple[Path, Path]:
    """A copy of the main example and the DOCX drafter makes of it."""
    path = tmp_path / "letter.yaml"
    shutil.copy(MAIN, path)
    assert cli("render", path, "--format", "docx", "--out", tmp_path)[0] == 0
    return path, tmp_path / "letter.docx"


def test_a_copy_edited_in_libreoffice_with_changes_recorded_gives_the_change_at_its_line(
        letter, office, cli, tmp_path):
    path, made = letter
    returned = office.edit_and_save(made, tmp_path / "partner.docx", "Tibetans face severe",
                                    "Tibetans endure severe", record=True)
    status, out, err = cli("feedback", path, returned)
    assert status == 0, err
    line, column = at(path, "Tibetans face severe")
    assert out.startswith(f"{path}:{line}:{column}: concerns[1].text: suggested: replace "
                          "'Tibetans face severe' by 'Tibetans endure severe' (tracked change "
                          "by "), out
    assert out.count("\n") == 1  # that change only: nothing else differs from drafter's text


def test_a_copy_written_as_word_writes_comments_and_revisions(letter, cli, tmp_path):
    path, made = letter
    document = docx.Document(str(made))
    demand = paragraph_marked(document, "dr_demands_items_0")
    document.add_comment(demand.runs, text="Soften: 'suspend' is too strong for us",
                         author="Human Rights Partner", initials="HRP")
    concern = paragraph_marked(document, "dr_concerns_1_text_0")
    assert concern.text.startswith("Tibetans face severe")
    track(concern, "face", "endure", "Tibet Partner")
    returned = tmp_path / "word.docx"
    document.save(str(returned))
    status, out, err = cli("feedback", path, returned)
    assert status == 0, err
    line, column = at(path, "Suspend the bilateral")
    assert f"{path}:{line}:{column}: demands.items[0]: comment by Human Rights Partner" in out
    assert "\"Soften: 'suspend' is too strong for us\"" in out
    line, column = at(path, "face severe", after="Tibetans")
    assert (f"{path}:{line}:{column}: concerns[1].text: suggested: replace 'face' by 'endure' "
            "(tracked change by Tibet Partner, 2026-11-20)") in out, out


def test_an_edit_without_tracking_and_a_lost_bookmark_are_said(letter, cli, tmp_path):
    path, made = letter
    document = docx.Document(str(made))
    address = paragraph_marked(document, "dr_recipients_0_6")
    assert address.text == "Belgium"
    address.runs[0].text = "Belgique"
    heading = paragraph_marked(document, "dr_concerns_2_title")
    for mark in list(heading._p.iter(qn("w:bookmarkStart"))):
        mark.getparent().remove(mark)
    document.add_comment(heading.runs, text="Add Macau?", author="Partner C")
    returned = tmp_path / "untracked.docx"
    document.save(str(returned))
    status, out, err = cli("feedback", path, returned)
    assert status == 0, err
    line, column = at(path, "Belgium")
    assert (f"{path}:{line}:{column}: recipients[0]: edited without tracking: 'Belgium' -> "
            "'Belgique'") in out, out
    line, column = at(path, "Hong Kong", after="concerns:")
    assert re.search(rf"{re.escape(str(path))}:{line}:{column}: concerns\[2\]\.title: comment "
                     r"by Partner C.*\"Add Macau\?\" \(matched by text: its bookmark is gone\)",
                     out), out


def test_a_copy_nobody_touched_has_no_feedback(letter, cli):
    path, made = letter
    status, out, _ = cli("feedback", path, made)
    assert status == 0
    assert out == f"{path}: no comments or changes in 1 returned copy\n"


@pytest.mark.parametrize("content", [b"not a zip at all", "odt"])
def test_a_file_that_is_not_a_word_document_is_an_error_not_silence(letter, cli, tmp_path,
                                                                   content):
    import zipfile
    path, _ = letter
    returned = tmp_path / "returned.docx"
    if content == "odt":
        with zipfile.ZipFile(returned, "w") as z:
            z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
            z.writestr("content.xml", "<office:document-content/>")
    else:
        returned.write_bytes(content)
    status, out, err = cli("feedback", path, returned)
    assert status == 1 and out == ""
    assert err.startswith(f"{returned}:1:1: cannot read it as a DOCX"), err


def test_feedback_is_recorded_open_until_resolved_and_final_refuses_it_meanwhile(letter, cli,
                                                                                 office,
                                                                                 tmp_path):
    path, made = letter
    yaml_before = path.read_bytes()
    returned = office.edit_and_save(made, tmp_path / "partner.docx", "Tibetans face severe",
                                    "Tibetans endure severe", record=True)
    status, out, _ = cli("feedback", path, returned)
    ident = re.search(r"\((fb-[0-9a-f]{8})\)$", out.strip()).group(1)
    record = tmp_path / "letter.feedback.yaml"
    assert f"id: {ident}" in record.read_text("utf-8")
    again = record.read_bytes()
    cli("feedback", path, returned)  # the same copy read again: the same item, not a second
    assert record.read_bytes() == again
    status, _, err = cli("render", path, "--final", "--out", tmp_path / "out")
    assert status == 1
    assert f"letter.feedback.yaml:1:1: feedback {ident}: still open: change by " in err
    status, out, _ = cli("feedback", path, "--list")
    assert status == 0 and f"[open {ident}] suggested: replace 'Tibetans face severe'" in out
    assert cli("feedback", path, "--resolve", ident)[0] == 0
    assert f"[resolved {ident}]" in cli("feedback", path, "--list")[1]
    status, _, err = cli("render", path, "--final", "--format", "txt", "--out", tmp_path / "out")
    assert status == 0, err
    assert path.read_bytes() == yaml_before  # the letter partners share is not touched
    status, _, err = cli("feedback", path, "--reject", "fb-00000000")
    assert status == 1 and "no feedback item 'fb-00000000'" in err


def test_a_comment_without_a_range_is_placed_at_its_reference(letter, cli, tmp_path):
    path, made = letter
    document = docx.Document(str(made))
    heading = paragraph_marked(document, "dr_concerns_0_title")
    document.add_comment(heading.runs, text="Name the camps", author="Partner D")
    for tag in ("w:commentRangeStart", "w:commentRangeEnd"):  # as some editors write it
        for mark in list(document.element.body.iter(qn(tag))):
            mark.getparent().remove(mark)
    returned = tmp_path / "no-range.docx"
    document.save(str(returned))
    status, out, err = cli("feedback", path, returned)
    assert status == 0, err
    line, _ = at(path, "Xinjiang", after="concerns:")
    assert re.search(rf":{line}:\d+: concerns\[0\]\.title: comment by Partner D.*\"Name the "
                     r"camps\"", out), out
