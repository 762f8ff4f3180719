"""Properties over generated letters (hypothesis): any valid letter, whatever its recipients,
prose, Markdown, notes and signatories (in Latin, Greek, Cyrillic, Chinese or Arabic script),
renders to a PDF and a DOCX that read back with the same words, the same footnotes, and no
stray markup. Examples are few (each renders two formats), so the suite stays fast.

The mutated-YAML property (any edit gives a Letter or a LetterError) lives in
tests/test_format_properties.py, extended there with hostile tokens and a composition step.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from readback import read_docx, read_pdf

from drafter.letter.matching import signatory_key
from drafter.pipeline import render_all
from drafter.letter.validate import letter_from_text

from .helpers import squeeze, yaml_value

# Scripts with a font on every machine set up by setup.sh (Noto core and CJK).
SCRIPTS = {
    "latin": "abcdefghijklmnopqrstuvwxyzàéîõüßçñ",
    "greek": "αβγδεζηθικλμνξοπρστυφχψω",
    "cyrillic": "абвгдежзийклмнопрстуфхцчшщыэюя",
    "chinese": "人权组织国家政府自由公民社会法律",
    "arabic": "ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
}


@st.composite
def words(draw, script: str, low: int = 1, high: int = 6) -> list[str]:
    letters = SCRIPTS[script]
    return draw(st.lists(st.text(letters, min_size=2, max_size=9), min_size=low,
                         max_size=high))


@st.composite
def phrase(draw, low: int = 1, high: int = 5) -> str:
    """A short plain text in one script (a name, a title, a heading)."""
    script = draw(st.sampled_from(sorted(SCRIPTS)))
    return " ".join(draw(words(script, low, high))).capitalize()


@st.composite
def prose(draw, notes: dict) -> str:
    """Markdown: paragraphs of words with bold, italic, links, a list, footnote calls. (Not in
    Arabic: reading a PDF back cannot put bold words of a right-to-left line in logical order,
    so Arabic is in the names, titles and headings.)"""
    script = draw(st.sampled_from(sorted(set(SCRIPTS) - {"arabic"})))
    paragraphs = []
    for _ in range(draw(st.integers(1, 3))):
        pieces = []
        for word in draw(words(script, 1, 12)):
            kind = draw(st.sampled_from(["plain"] * 6 + ["bold", "italic", "link", "note"]))
            if kind == "bold":
                pieces.append(f"**{word}**")
            elif kind == "italic":
                pieces.append(f"*{word}*")
            elif kind == "link":
                pieces.append(f"[{word}](https://example.org/{len(pieces)})")
            elif kind == "note":
                note_id = f"n{len(notes) + 1}"
                notes[note_id] = " ".join(draw(words(script, 1, 6)))
                pieces.append(f"{word}[^{note_id}]")
            else:
                pieces.append(word)
        paragraphs.append(" ".join(pieces) + ".")
    if draw(st.booleans()):
        paragraphs.append("\n".join(f"- {' '.join(draw(words(script, 1, 4)))}"
                                    for _ in range(draw(st.integers(1, 3)))))
    return "\n\n".join(paragraphs)


def _block(text: str, indent: str) -> str:
    """A Markdown text as a YAML literal block."""
    return "|\n" + "\n".join(indent + line if line else "" for line in text.split("\n"))


@st.composite
def letters(draw) -> str:
    notes: dict[str, str] = {}
    lines = []
    lines.append("recipients:")
    for _ in range(draw(st.integers(1, 3))):
        lines.append(f"  - name: {yaml_value(draw(phrase(1, 3)))}")
        if draw(st.booleans()):
            lines.append(f"    title: {yaml_value(draw(phrase()))}")
        if draw(st.booleans()):
            lines.append(f"    organisation: {yaml_value(draw(phrase()))}")
    if draw(st.booleans()):
        lines.append(f"cc: [{{name: {yaml_value(draw(phrase(1, 3)))}}}]")
    if draw(st.booleans()):
        lines.append(f"subject: {yaml_value(draw(phrase(2, 8)))}")
    lines.append(f"opening: {_block(draw(prose(notes)), '  ')}")
    concerns = draw(st.integers(0, 2))
    if concerns:
        lines.append("concerns:")
        for _ in range(concerns):
            lines.append(f"  - title: {yaml_value(draw(phrase()))}")
            lines.append(f"    text: {_block(draw(prose(notes)), '      ')}")
    items = draw(st.lists(phrase(2, 8), min_size=1, max_size=3))
    lines.append("demands:")
    lines += [f"  - {yaml_value(item + '.')}" for item in items]
    if draw(st.booleans()):
        lines.append(f"conclusion: {_block(draw(prose(notes)), '  ')}")
    lines.append("signatories:")
    # Distinct by drafter's own matching rules (a name listed twice is an error).
    organisations = draw(st.lists(phrase(1, 4), min_size=1, max_size=8,
                                  unique_by=lambda name: signatory_key(name, "")))
    for organisation in organisations:
        lines.append(f"  - organisation: {yaml_value(organisation)}")
        if draw(st.booleans()):
            lines.append(f"    name: {yaml_value(draw(phrase(2, 3)))}")
            lines.append(f"    role: {yaml_value(draw(phrase(1, 3)))}")
        if draw(st.booleans()):
            lines.append(f"    country: {yaml_value(draw(phrase(1, 2)))}")
    if notes:
        lines.append("notes:")
        lines += [f"  {key}: {yaml_value(text)}" for key, text in notes.items()]
    return "\n".join(lines) + "\n"


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=letters())
def test_any_valid_letter_renders_to_pdf_and_docx_with_the_same_text(text):
    letter = letter_from_text(text, "generated.yaml", Path.cwd())
    data = render_all(letter, ["pdf", "docx"]).formats
    with tempfile.TemporaryDirectory() as folder:
        pdf_path, docx_path = Path(folder) / "l.pdf", Path(folder) / "l.docx"
        pdf_path.write_bytes(data["pdf"])
        docx_path.write_bytes(data["docx"])
        pdf, docx = read_pdf(pdf_path), read_docx(docx_path)
    assert squeeze(pdf.words) == squeeze(docx.words)
    assert {n: squeeze([t]) for n, t in pdf.notes.items()} == \
        {n: squeeze([t]) for n, t in docx.notes.items()}
    assert len(pdf.notes) == len(letter.notes)
    body = squeeze(pdf.words)
    assert "**" not in body and "](" not in body and "[^" not in body
    for signatory in letter.signatories:
        assert squeeze([signatory.organisation]) in body
