"""`drafter feedback LETTER RETURNED... --apply`: partners' tracked changes written into the
letter's YAML as a text edit of exactly the words they touch (every other byte as it was),
shown by the next render; conflicting edits and edits drafter cannot place are refused, named,
with nothing written."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from returned_copies import drafted, paragraph_marked, track

REPO = Path(__file__).resolve().parent.parent
MAIN = REPO / "examples" / "eu-china-summit.yaml"


@pytest.fixture
def letter(tmp_path, cli) -> tuple[Path, Path]:
    """A copy of the main example and the DOCX drafter makes of it."""
    return drafted(tmp_path, cli)


def returned(made: Path, out: Path, edits: list[tuple]) -> Path:
    """A copy of `made` with tracked changes (bookmark, old, new, author[, after])."""
    document = docx.Document(str(made))
    for mark, old, new, author, *after in edits:
        track(paragraph_marked(document, mark), old, new, author, after=after[0] if after else "")
    document.save(str(out))
    return out


def rendered_text(cli, path: Path, out: Path) -> str:
    assert cli("render", path, "--format", "txt", "--out", out)[0] == 0
    return " ".join((out / f"{path.stem}.txt").read_text("utf-8").split())


def ids(out: str) -> list[str]:
    return re.findall(r"\((fb-[0-9a-f]{8})\)$", out, re.MULTILINE)


def test_a_tracked_replacement_changes_exactly_that_value_and_the_next_render_shows_it(
        letter, cli, tmp_path):
    path, made = letter
    before = path.read_text("utf-8")
    copy = returned(made, tmp_path / "tibet.docx",
                    [("dr_concerns_1_text_0", "face", "endure", "Tibet Partner")])
    status, out, err = cli("feedback", path, copy, "--apply")
    assert status == 0, err
    expected = before.replace("Tibetans face severe", "Tibetans endure severe", 1)
    assert path.read_text("utf-8") == expected  # every other byte as it was, comments too
    assert re.search(r"letter\.yaml:\d+:\d+: concerns\[1\]\.text: applied: replace 'face' by "
                     r"'endure' \(tracked change by Tibet Partner", out), out
    text = rendered_text(cli, path, tmp_path / "out")
    assert "Tibetans endure severe restrictions" in text and "Tibetans face" not in text
    status, out, _ = cli("feedback", path, "--list")
    assert "[applied fb-" in out
    # Read again: the change is recorded as applied, and the copy is not an untracked edit.
    status, out, err = cli("feedback", path, copy, "--apply")
    assert status == 0 and "no open tracked changes to apply" in out, err
    assert path.read_text("utf-8") == expected
    assert "untracked" not in cli("feedback", path, copy)[1]


def test_a_replacement_recorded_in_libreoffice_is_applied(letter, cli, office, tmp_path):
    path, made = letter
    before = path.read_text("utf-8")
    copy = office.edit_and_save(made, tmp_path / "partner.docx", "extremely difficult",
                                "very hard", record=True)
    status, out, err = cli("feedback", path, copy, "--apply")
    assert status == 0, err
    assert path.read_text("utf-8") == before.replace("extremely difficult.", "very hard.", 1)
    assert "reach, which makes documenting violations, and responding to them, very hard." in \
        rendered_text(cli, path, tmp_path / "out")


def test_quoted_folded_and_inserted_words_are_written_in_the_scalars_own_spelling(
        letter, cli, tmp_path):
    path, made = letter
    before = path.read_text("utf-8")
    copy = returned(made, tmp_path / "partner.docx", [
        # demands.intro is double-quoted: the insertion goes inside the quotes.
        ("dr_demands_intro_0", "", " strongly", "A", "We therefore"),
        # demands.items[0] is folded (>-): the words straddle a line break, and typography
        # curled the quotes that the YAML writes straight.
        ("dr_demands_items_0", "“structured” human rights", "“structured” \"rights\"", "A"),
    ])
    status, out, err = cli("feedback", path, copy, "--apply")
    assert status == 0, err
    # The folded item is plain text inside >-: its new quote needs no escape.
    expected = before.replace('"We therefore urge', '"We therefore strongly urge', 1).replace(
        '"structured" human\n      rights dialogue', '“structured” "rights" dialogue', 1)
    assert path.read_text("utf-8") == expected
    text = rendered_text(cli, path, tmp_path / "out")
    assert "We therefore strongly urge you" in text
    assert "“shadow” or “structured” “rights” dialogue with civil society" in text


def test_a_double_quoted_value_gets_its_quotes_escaped(letter, cli, tmp_path):
    path, made = letter
    before = path.read_text("utf-8")
    copy = returned(made, tmp_path / "partner.docx", [
        ("dr_demands_intro_0", "urge", "call on \"you\", and urge", "A")])
    status, out, err = cli("feedback", path, copy, "--apply")
    assert status == 0, err
    assert path.read_text("utf-8") == before.replace(
        '"We therefore urge', '"We therefore call on \\"you\\", and urge', 1)


def test_conflicting_edits_to_the_same_words_are_refused_naming_both_authors(letter, cli,
                                                                             tmp_path):
    path, made = letter
    before = path.read_bytes()
    first = returned(made, tmp_path / "one.docx",
                     [("dr_concerns_1_text_0", "face", "endure", "Tibet Partner")])
    second = returned(made, tmp_path / "two.docx",
                      [("dr_concerns_1_text_0", "face severe", "suffer", "Rights Partner")])
    status, out, err = cli("feedback", path, first, second, "--apply")
    assert status == 1
    assert path.read_bytes() == before  # nothing written
    assert "not applied: replace 'face' by 'endure' (tracked change by Tibet Partner" in err
    assert "conflicts with Rights Partner [two.docx]" in err
    assert "conflicts with Tibet Partner [one.docx]" in err
    assert "nothing was written: 2 of 2 changes cannot be applied" in err
    # The coordinator chooses one.
    chosen = ids(cli("feedback", path, first)[1])
    status, out, err = cli("feedback", path, first, second, "--apply", "--only", chosen[0])
    assert status == 0, err
    assert path.read_text("utf-8") == before.decode().replace("Tibetans face", "Tibetans endure")


def test_the_same_edit_from_two_partners_is_applied_once(letter, cli, tmp_path):
    path, made = letter
    before = path.read_text("utf-8")
    copies = [returned(made, tmp_path / f"{who}.docx",
                       [("dr_concerns_1_text_0", "face", "endure", who)]) for who in "AB"]
    status, out, err = cli("feedback", path, *copies, "--apply")
    assert status == 0, err
    assert path.read_text("utf-8") == before.replace("Tibetans face", "Tibetans endure")
    assert out.count(": applied: ") == 2


def test_an_edit_across_markup_is_listed_for_a_human_and_nothing_is_written(letter, cli,
                                                                            tmp_path):
    path, made = letter
    path.write_text(path.read_text("utf-8").replace("Tibetans face severe",
                                                    "Tibetans face **severe**"), "utf-8")
    assert cli("render", path, "--format", "docx", "--out", tmp_path)[0] == 0
    before = path.read_bytes()
    document = docx.Document(str(made))
    paragraph = paragraph_marked(document, "dr_concerns_1_text_0")
    assert [r.text for r in paragraph.runs][:2] == ["Tibetans face ", "severe"]
    track(paragraph, "face ", "", "A")
    track(paragraph, "severe", "harsh", "A")
    # As Word writes one deletion across a plain and a bold run: one w:del holding both.
    first, second = paragraph._p.findall(qn("w:del"))
    first.append(second[0])
    paragraph._p.remove(second)
    track(paragraph_marked(document, "dr_concerns_1_text_1"), "extremely", "very", "A")
    copy = tmp_path / "bold.docx"
    document.save(str(copy))
    status, out, err = cli("feedback", path, copy)
    assert "replace 'face severe' by 'harsh'" in out, out
    status, out, err = cli("feedback", path, copy, "--apply")
    assert status == 1 and path.read_bytes() == before
    assert re.search(r"concerns\[1\]\.text: not applied: replace 'face severe' by 'harsh' "
                     r"\(tracked change by A, fb-\w+\): its words are not written as such in "
                     r"concerns\[1\]\.text \(Markdown markup", err), err
    assert re.search(r"nothing was written: 1 of 2 changes cannot be applied as they are; apply "
                     r"the others with --only fb-\w+$", err.strip()), err
    other = err.strip().rsplit(" ", 1)[1]
    status, out, err = cli("feedback", path, copy, "--apply", "--only", other)
    assert status == 0, err
    assert path.read_text("utf-8") == before.decode().replace("extremely difficult.",
                                                              "very difficult.")


def test_only_names_changes_and_json_gives_the_same_for_tools(letter, cli, tmp_path):
    path, made = letter
    document = docx.Document(str(made))
    document.add_comment(paragraph_marked(document, "dr_demands_items_0").runs,
                         text="Too strong", author="B")
    track(paragraph_marked(document, "dr_concerns_1_text_0"), "face", "endure", "A")
    copy = tmp_path / "mixed.docx"
    document.save(str(copy))
    status, out, _ = cli("feedback", path, copy, "--format", "json")
    assert status == 0
    data = json.loads(out)
    kinds = {i["kind"]: i for i in data["items"]}
    assert set(kinds) == {"comment", "change"}
    assert kinds["change"]["path"] == "concerns[1].text" and kinds["change"]["author"] == "A"
    assert kinds["comment"]["line"] == path.read_text().count("\n", 0, path.read_text().index(
        "Suspend the bilateral")) + 1
    status, _, err = cli("feedback", path, copy, "--apply", "--only", kinds["comment"]["id"])
    assert status == 1 and "a comment is never applied" in err
    status, out, err = cli("feedback", path, copy, "--apply", "--from", "a", "--format", "json")
    assert status == 0, err
    assert json.loads(out)["applied"] == [kinds["change"]["id"]]
    status, out, _ = cli("feedback", path, "--list", "--from", "B")
    assert out.count("\n") == 1 and "[open " in out and "Too strong" in out
