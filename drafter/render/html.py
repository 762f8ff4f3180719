"""A standalone web page of the letter: the template's HTML with its stylesheet inlined and
footnotes turned into numbered notes at the end (a browser has no page foot)."""

from __future__ import annotations

from lxml import html as lxml_html
from lxml.html import builder as E

from .base import Rendition


def render_html(r: Rendition) -> bytes:
    """The letter as one self-contained HTML file (no external requests)."""
    root = lxml_html.document_fromstring(r.html)
    head, body = root.find("head"), root.find("body")
    style = E.STYLE(r.stylesheet)
    head.append(style)
    _endnotes(root, body)
    return lxml_html.tostring(root, doctype="<!DOCTYPE html>", encoding="utf-8", method="html")


def _endnotes(root, body) -> None:
    """Replace footnote bodies by numbered calls linking to a list of notes after the letter."""
    label = root.xpath("string(//meta[@name='drafter:notes-label']/@content)") or "Notes"
    notes = E.OL()
    for span in root.xpath("//span[contains(concat(' ', @class, ' '), ' footnote ') or "
                           "contains(concat(' ', @class, ' '), ' footnote-ref ')]"):
        classes = span.get("class", "").split()
        if "footnote" in classes:
            n = len(notes) + 1
            item = E.LI(id=f"note-{n}")
            item.text = span.text
            item.extend(span)
            notes.append(item)
        else:
            n = int(span.get("data-note", "0") or 0)
        call = E.SUP(E.A(str(n), href=f"#note-{n}"), E.CLASS("note-call"))
        call.tail = span.tail
        span.getparent().replace(span, call)
    if len(notes):
        body.append(E.SECTION(E.H2(label), notes, E.CLASS("notes")))
