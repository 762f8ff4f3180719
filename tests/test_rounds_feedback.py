"""`drafter feedback LETTER RETURNED.docx...`: partners' comments, tracked changes and untracked
edits from returned copies, each at the YAML line and column of the first word it touches.
The copies are made as partners make them: edited in LibreOffice with changes recorded (through
its UNO bridge), and written the way Word writes comments and revisions (python-docx comments,
w:ins/w:del by hand)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from returned_copies import drafted, at, comment_in_odt, paragraph_marked, track

REPO = Path(__file__).resolve().parent.parent
MAIN = REPO / "examples" / "eu-china-summit.yaml"


@pytest.fixture
def letter(tmp_path, cli) -> tuple[Path, Path]:
    """A copy of the main example and the DOCX drafter makes of it."""
    return drafted(tmp_path, cli)


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


@pytest.mark.parametrize("content", [b"not a zip at all", "xlsx"])
def test_a_file_that_is_not_a_word_document_is_an_error_not_silence(letter, cli, tmp_path,
                                                                   content):
    import zipfile
    path, _ = letter
    returned = tmp_path / "returned.docx"
    if content == "xlsx":  # a zip, but a spreadsheet
        with zipfile.ZipFile(returned, "w") as z:
            z.writestr("xl/workbook.xml", "<workbook/>")
    else:
        returned.write_bytes(content)
    status, out, err = cli("feedback", path, returned)
    assert status == 1 and out == ""
    assert err.startswith(f"{returned}:1:1: cannot read it as a DOCX or ODT"), err


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


def test_a_copy_saved_as_odt_by_libreoffice_gives_its_changes_and_comments(letter, office, cli,
                                                                           tmp_path):
    path, made = letter
    odt = office.edit_and_save(made, tmp_path / "partner.odt", "extremely difficult",
                               "very hard", record=True)
    commented = comment_in_odt(odt, tmp_path / "commented.odt", "Suspend the bilateral",
                               "Too strong for us", "LO Partner", resolved=True)
    status, out, err = cli("feedback", path, commented)
    assert status == 0, err
    line, column = at(path, "extremely difficult")
    assert (f"{path}:{line}:{column}: concerns[1].text: suggested: replace 'extremely "
            "difficult' by 'very hard' (tracked change by ") in out, out
    line, column = at(path, "Suspend the bilateral")
    assert (f"{path}:{line}:{column}: demands.items[0]: comment by LO Partner, 2026-11-21 "
            "(resolved) on \"Suspend the bilateral\": \"Too strong for us\"") in out, out
    assert out.count("\n") == 2, out
    before = path.read_text("utf-8")
    status, out, err = cli("feedback", path, commented, "--apply")
    assert status == 0, err
    assert path.read_text("utf-8") == before.replace("extremely difficult.", "very hard.", 1)


def test_a_comment_libreoffice_wrote_into_a_docx_is_read_at_its_words(letter, office, cli,
                                                                      tmp_path):
    path, made = letter
    odt = office.edit_and_save(made, tmp_path / "plain.odt")
    commented = comment_in_odt(odt, tmp_path / "commented.odt", "face severe restrictions",
                               "Say which restrictions", "LO Partner")
    # LibreOffice saves it as DOCX: its own process (saving a comment through UNO crashes it).
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                    "--headless", "--convert-to", "docx", "--outdir", str(tmp_path / "lo"),
                    str(commented)], check=True, capture_output=True, timeout=180)
    returned = tmp_path / "lo" / "commented.docx"
    import zipfile
    assert b"Say which restrictions" in zipfile.ZipFile(returned).read("word/comments.xml")
    status, out, err = cli("feedback", path, returned)
    assert status == 0, err
    line, column = at(path, "face severe restrictions")
    assert (f"{path}:{line}:{column}: concerns[1].text: comment by LO Partner, 2026-11-21 on "
            "\"face severe restrictions\": \"Say which restrictions\"") in out, out
    assert out.count("\n") == 1, out


def test_a_reply_and_words_resolved_state_are_read(letter, cli, tmp_path):
    """As Word writes them: each comment's paragraph has a w14:paraId, and
    commentsExtended.xml names a reply's parent and marks a resolved thread done."""
    import zipfile
    path, made = letter
    document = docx.Document(str(made))
    demand = paragraph_marked(document, "dr_demands_items_1")
    document.add_comment(demand.runs, text="Should we name genocide?", author="Partner E")
    document.add_comment(demand.runs, text="No: keep the agreed wording", author="Partner F")
    saved = tmp_path / "saved.docx"
    document.save(str(saved))
    w14 = "http://schemas.microsoft.com/office/word/2010/wordml"
    w15 = "http://schemas.microsoft.com/office/word/2012/wordml"
    with zipfile.ZipFile(saved) as z:
        members = {n: z.read(n) for n in z.namelist()}
    comments = members["word/comments.xml"].decode()
    for n, para_id in enumerate(("1A2B3C4D", "5E6F7A8B")):
        at_p = [m.start() for m in re.finditer(r"<w:p[ >]", comments)][n]
        comments = (comments[:at_p] + f'<w:p xmlns:w14="{w14}" w14:paraId="{para_id}"' +
                    comments[at_p + 4:])
    members["word/comments.xml"] = comments.encode()
    members["word/commentsExtended.xml"] = (
        f'<w15:commentsEx xmlns:w15="{w15}"><w15:commentEx w15:paraId="1A2B3C4D" w15:done="1"/>'
        '<w15:commentEx w15:paraId="5E6F7A8B" w15:paraIdParent="1A2B3C4D" w15:done="1"/>'
        '</w15:commentsEx>').encode()
    returned = tmp_path / "replied.docx"
    with zipfile.ZipFile(returned, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    status, out, err = cli("feedback", path, returned)
    assert status == 0, err
    line, column = at(path, "Call for an international")
    assert re.search(rf"{re.escape(str(path))}:{line}:{column}: demands\.items\[1\]: comment "
                     r"by Partner E, [\d-]{10} \(resolved\) on \"Call for an international", out)
    assert re.search(r"demands\.items\[1\]: comment by Partner F, [\d-]{10} in reply to \"Should "
                     r"we name genocide\?…\" \(resolved\) on .*\"No: keep the agreed wording\"",
                     out), out


def test_positions_are_those_of_the_touched_words_in_folded_and_literal_scalars(letter, cli,
                                                                               tmp_path):
    """The words touched occur earlier in the same field, and in the folded item they
    straddle a line break of the YAML: the line and column are still theirs."""
    path, made = letter
    document = docx.Document(str(made))
    demand = paragraph_marked(document, "dr_demands_items_0")
    track(demand, "human rights dialogue with", "dialogue with", "A", after="structured”")
    tibet = paragraph_marked(document, "dr_concerns_1_text_1")
    tibet.runs[0].text = tibet.runs[0].text.replace("and responding", "or responding")
    returned = tmp_path / "positions.docx"
    document.save(str(returned))
    status, out, err = cli("feedback", path, returned)
    assert status == 0, err
    line, column = at(path, "human\n      rights dialogue with")
    assert (f"{path}:{line}:{column}: demands.items[0]: suggested: replace 'human rights "
            "dialogue with' by 'dialogue with'") in out, out
    line, column = at(path, "and responding")  # "and" is in the field's first paragraph too
    assert (f"{path}:{line}:{column}: concerns[1].text: edited without tracking: "
            "'and' -> 'or'") in out, out


def test_a_comment_spanning_two_runs_and_a_footnote_call_is_read_whole(letter, cli, tmp_path):
    """As Word writes a comment on a sentence ending in a footnote call: the range starts in
    the text's run and ends after the footnote reference's run."""
    path, made = letter
    document = docx.Document(str(made))
    opening = paragraph_marked(document, "dr_opening_1")
    runs = opening.runs
    assert len(runs) >= 2 and runs[-1]._r.find(qn("w:footnoteReference")) is not None
    document.add_comment(runs, text="Cite the speech itself", author="Partner G")
    returned = tmp_path / "footnote.docx"
    document.save(str(returned))
    status, out, err = cli("feedback", path, returned)
    assert status == 0, err
    line, column = at(path, "Our concerns are consistent")
    assert re.search(rf"{re.escape(str(path))}:{line}:{column}: opening: comment by Partner G, "
                     r"[\d-]{10} on \"Our concerns are consistent .* against human rights and "
                     r"international institutions\.\": \"Cite the speech itself\"", out), out
