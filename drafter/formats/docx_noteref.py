"""A footnote cited again, in Word: a NOTEREF field to a bookmark on the note's first call.

The template prints a later call of a note as `span.footnote-ref` with the note's number. Typed
into the DOCX, that number goes stale as soon as a partner adds a note before it; a NOTEREF
field (ECMA-376 Part 1, 17.16.5, NOTEREF) keeps the number as its cached result and asks Word to
recompute it from the bookmarked footnote reference (F9, or when printing). LibreOffice (7.4,
and its current source) has no import for NOTEREF: it shows the number written here and does
not renumber it (drafter's own tests found no form of the field it would recompute).
"""

from __future__ import annotations

import copy

from docx.oxml import OxmlElement
from docx.oxml.ns import qn


def repeated_notes(flow) -> set[int]:
    """Numbers of the footnotes the letter cites again (span.footnote-ref)."""
    runs = [r for p in flow.paragraphs for r in p.runs]
    runs += [r for note in flow.footnotes for r in note.runs]
    given = {note.number for note in flow.footnotes}
    return {r.note_ref for r in runs if r.note_ref is not None and r.note_ref in given}


def bookmark_name(number: int) -> str:
    """The hidden bookmark (a leading underscore hides it in Word) on note `number`'s call."""
    return f"_RefNote{number}"


def bookmark_call(run, number: int) -> None:
    """Put a bookmark around the run that calls footnote `number` (the target of NOTEREF)."""
    start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
    start.set(qn("w:id"), str(number))
    start.set(qn("w:name"), bookmark_name(number))
    end.set(qn("w:id"), str(number))
    run._r.addprevious(start)  # noqa: SLF001 - python-docx has no bookmarks
    run._r.addnext(end)  # noqa: SLF001


def note_reference_field(run, number: int) -> None:
    """Make `run` (already styled as a note reference) the result of a NOTEREF field to note
    `number`'s bookmark: Word recomputes it (F9, printing), so adding a note before it
    renumbers this call too; LibreOffice keeps the number written here. `\\f` formats it as a note mark, `\\h` links it."""
    r = run._r  # noqa: SLF001
    rpr = r.find(qn("w:rPr"))
    run.text = str(number)
    for kind, instruction in (("begin", None), (None, f" NOTEREF {bookmark_name(number)} \\f \\h "),
                              ("separate", None)):
        el = OxmlElement("w:r")
        if rpr is not None:
            el.append(_copy(rpr))
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            el.append(char)
        else:
            text = OxmlElement("w:instrText")
            text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            text.text = instruction
            el.append(text)
        r.addprevious(el)
    end = OxmlElement("w:r")
    if rpr is not None:
        end.append(_copy(rpr))
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), "end")
    end.append(char)
    r.addnext(end)


def _copy(el):
    return copy.deepcopy(el)
