"""What the fuzzer runs on each input, without atheris (tests replay findings through it).

One input exercises three paths, with no exception handler but for LetterError, the one
exception hostile input may raise: any other exception is a finding.
1. the bytes as a letter file: decode, parse, validate, cross-check; a valid letter is then
   composed and run through the built-in template (Markdown, placeholders, footnotes, HTML);
2. the text as Markdown prose with footnote calls and count placeholders, to HTML;
3. the text as the value of every kind of field of a small letter (names, prose, notes,
   dates, languages, logos, URLs), through the same path as 1.
"""

from __future__ import annotations

import json
from pathlib import Path

from drafter.compose.composer import compose
from drafter.errors import LetterError
from drafter.template.filters import NoteBook
from drafter.compose.markdown import Converter
from drafter.pipeline import template_html
from drafter.compose.placeholders import fill
from drafter.template.folder import find_template
from drafter.letter.validate import NOTE_REF, letter_from_text
from drafter.letter.source import decode

FOLDER = Path(__file__).resolve().parent.parent / "examples"  # where seeds' logos resolve
TEMPLATE = find_template(None)
# The text in every free-text field (so that composing and the template see it), and in the
# fields with rules of their own (dates, languages, logos, URLs, flags, numbers).
FREE_FIELDS = """\
subject: {v}
place: {v}
recipients:
  - name: {v}
    address: {v}
    salutation: {v}
cc: [{title: {v}}]
signatories:
  - organisation: {v}
    name: {v}
    role: {v}
    country: {v}
    group: {v}
  - organisation: Another organisation of a different name
opening: {v}
concerns: [{title: {v}, text: {v}}]
demands: {intro: {v}, items: [{v}]}
conclusion: "{note_call}"
closing: {v}
contact: {v}
notes:
  {note}: {v}
"""
RULED_FIELDS = """\
language: {v}
date: {v}
signatories_as_of: {v}
signatory_order: {v}
recipients: [{name: Jane}]
signatories:
  - organisation: X
    logo: {v}
    url: {v}
    anonymous: {v}
    status: {v}
signatory_layout: {blocks_up_to: {v}, columns: {v}, logo_strip: {v}}
demands: {numbered: {v}, items: [a]}
"""


def letter_path(raw: bytes, name: str = "fuzz.yaml") -> None:
    """A letter file's bytes: a LetterError, or a letter that composes and renders to HTML."""
    try:
        letter = letter_from_text(decode(raw, name), name, FOLDER)
    except LetterError as error:
        assert error.problems and all(p.line >= 1 and p.column >= 1 for p in error.problems)
        return
    html = template_html(compose(letter), TEMPLATE)
    assert html.startswith("<!DOCTYPE html>")


def markdown_path(text: str) -> None:
    """Prose with its notes (every cited id gets a note made of the same text)."""
    notes = {note_id: text[:200] for note_id in NOTE_REF.findall(text)}
    values = {"signatory_count": "12", "individual_count": "3"}
    blocks = Converter(notes).blocks(fill(text, values))
    NoteBook().blocks(blocks)


def field_path(text: str) -> None:
    """The text as the value of every field, free and ruled."""
    value = json.dumps(text, ensure_ascii=False)
    note = json.dumps(text[:40] or "x", ensure_ascii=False)
    call = json.dumps(f"[^{text[:40] or 'x'}]", ensure_ascii=False)[1:-1]
    for fields in (FREE_FIELDS, RULED_FIELDS):
        letter = fields.replace("{v}", value).replace("{note}", note)
        letter = letter.replace("{note_call}", call)
        letter_path(letter.encode("utf-8", "surrogatepass"), "field.yaml")


def one_input(data: bytes) -> None:
    """Everything the fuzzer checks for one input."""
    letter_path(data)
    text = data.decode("utf-8", "replace")
    markdown_path(text)
    field_path(text)
