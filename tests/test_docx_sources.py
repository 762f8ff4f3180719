"""Every paragraph of the DOCX knows where in the YAML it was written: a bookmark named from
the field's path (recomputed from the letter alone), valid for Word, kept by LibreOffice when a
partner edits and saves the file again, around the words that field holds. Read with lxml
(the package as written and as LibreOffice saves it) and ruamel.yaml (the letter)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from drafter import load_letter
from drafter.formats.docx_sources import bookmark_name, named_origins
from drafter.letter.source import decode, parse
from drafter.pipeline import write_letter

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
MAIN = REPO / "examples" / "eu-china-summit.yaml"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
WORD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")


def bookmarked(docx: Path) -> dict[str, str]:
    """{bookmark name: the text between its start and its end} over the body and the notes."""
    found: dict[str, str] = {}
    with zipfile.ZipFile(docx) as z:
        parts = [n for n in ("word/document.xml", "word/footnotes.xml") if n in z.namelist()]
        roots = [etree.fromstring(z.read(n)) for n in parts]
    for root in roots:
        open_marks: dict[str, str] = {}
        names: dict[str, str] = {}
        for el in root.iter(f"{W}bookmarkStart", f"{W}bookmarkEnd", f"{W}t", f"{W}p"):
            if el.tag == f"{W}bookmarkStart":
                names[el.get(f"{W}id")] = el.get(f"{W}name")
                open_marks[el.get(f"{W}id")] = ""
            elif el.tag == f"{W}bookmarkEnd" and el.get(f"{W}id") in open_marks:
                found[names[el.get(f"{W}id")]] = " ".join(
                    open_marks.pop(el.get(f"{W}id")).split())
            elif el.tag == f"{W}t":
                for key in open_marks:
                    open_marks[key] += el.text or ""
            else:
                for key in open_marks:
                    open_marks[key] += " "
    return {name: text for name, text in found.items() if name.startswith("dr_")}


def yaml_value(source, origin: str) -> str:
    """The text at a bookmark's origin ("concerns[1].text#0": the field, whatever block)."""
    path: list = []
    for key, index in re.findall(r"([A-Za-z_][\w-]*)|\[(\d+)\]", origin.split("#")[0]):
        path.append(int(index) if index else key)
    if path[:1] == ["notes"]:
        path = ["notes", origin.split("#")[0][len("notes."):]]
    value = source.data
    for part in path:
        value = value[part]
    return value if isinstance(value, str) else " ".join(_strings(value))


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    return [s for v in (value or []) for s in _strings(v)]


def _words(text: str) -> set[str]:
    return {w.casefold() for w in re.findall(r"\w+", text)}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sources")
    for example in EXAMPLES:
        write_letter(load_letter(example), out, ("docx",))
    return out


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_each_bookmark_holds_words_of_the_yaml_field_its_name_says(rendered, example):
    source = parse(decode(example.read_bytes(), str(example)), str(example))
    marks = bookmarked(rendered / f"{example.stem}.docx")
    assert len(marks) >= 10
    # The names come from the letter's own paths, as the template marks them.
    with zipfile.ZipFile(rendered / f"{example.stem}.docx") as z:
        xml = z.read("word/document.xml").decode() + z.read("word/footnotes.xml").decode()
    flow = _flow(example)  # what drafter reads of the letter: each paragraph's origin
    expected = {name: origin for origin, name in named_origins(
        [p.origin for p in flow.paragraphs if p.origin])}
    expected.update({name: origin for origin, name in named_origins(
        [n.origin for n in flow.footnotes if n.origin])})
    assert set(marks) <= set(expected), set(marks) - set(expected)
    assert len(marks) == xml.count('w:name="dr_')
    for name, text in marks.items():
        assert WORD_NAME.fullmatch(name), name
        if expected[name] == "date":  # the place, and the date written out in words
            assert str(source.data["date"])[:4] in text, text
            continue
        value = _words(yaml_value(source, expected[name]))
        printed = _words(text) - _words("( )")
        # The paragraph's words are the field's (typography and counts aside).
        assert len(printed & value) >= 0.8 * len(printed), (name, text, value)


def _flow(example: Path):
    from drafter.template.run import rendition
    return rendition(load_letter(example)).flow


def test_the_main_examples_fields_are_where_their_names_say(rendered):
    marks = bookmarked(rendered / "eu-china-summit.docx")
    assert marks["dr_concerns_1_text_0"].startswith("Tibetans face severe restrictions")
    assert marks["dr_concerns_1_title"] == "Tibet"
    assert marks["dr_demands_items_2"].startswith("Press for unfettered")
    assert marks["dr_signatories_4"] == "World Uyghur Congress"
    assert marks["dr_recipients_1"] == "Charles Michel"
    assert marks["dr_recipients_1_2"] == "President of the European Council"
    assert marks["dr_notes_borrell"].startswith("Josep Borrell")
    assert marks["dr_subject"].endswith("ahead of the EU-China summit")
    # Only drafter's own words are outside every bookmark: labels and the derived greeting.
    with zipfile.ZipFile(rendered / "eu-china-summit.docx") as z:
        body = etree.fromstring(z.read("word/document.xml")).find(f"{W}body")
    loose = [" ".join("".join(t.text or "" for t in p.iter(f"{W}t")).split())
             for p in body.iter(f"{W}p") if p.find(f".//{W}bookmarkStart") is None
             and _inside_none(p)]
    assert [t for t in loose if t] == ["To:", "CC:", "Dear President von der Leyen, Dear "
                                       "President Michel,"]


def _inside_none(p) -> bool:
    """No bookmark opened before this paragraph is still open at it."""
    open_ids: set[str] = set()
    for el in p.getparent().iter(f"{W}bookmarkStart", f"{W}bookmarkEnd", f"{W}p"):
        if el is p:
            return not open_ids
        if el.tag == f"{W}bookmarkStart":
            open_ids.add(el.get(f"{W}id"))
        elif el.tag == f"{W}bookmarkEnd":
            open_ids.discard(el.get(f"{W}id"))
    return True


def test_libreoffice_keeps_every_bookmark_when_a_partner_edits_and_saves(rendered, office,
                                                                          tmp_path):
    original = rendered / "eu-china-summit.docx"
    saved = office.edit_and_save(original, tmp_path / "returned.docx",
                                 "Tibetans face severe", "Tibetans endure severe")
    before, after = bookmarked(original), bookmarked(saved)
    assert set(after) == set(before)
    assert after["dr_concerns_1_text_0"].startswith("Tibetans endure severe restrictions")
    for name, text in before.items():
        if name != "dr_concerns_1_text_0":
            assert " ".join(after[name].split()) == text, name


@pytest.mark.parametrize("origin", [
    "notes.a-very-long-note-identifier-that-goes-on-and-on#0", "notes.note_1", "notes.note.1",
    "notes.ünïcode", "demands[12].items[104]#3", "concerns[0].text#0"])
def test_every_path_gets_a_name_word_accepts_and_no_two_share_one(origin):
    name = bookmark_name(origin)
    assert WORD_NAME.fullmatch(name), name
    assert name == bookmark_name(origin)  # recomputed from the path alone
    others = ["notes.note_1", "notes.note.1", "notes.note-1", "notes.note1"]
    assert len({bookmark_name(o) for o in others}) == len(others)
