"""A returned copy saved as OpenDocument (.odt), read as the Word XML the feedback reader knows.

LibreOffice keeps drafter's bookmarks when it saves a DOCX as ODT, and writes comments as
`office:annotation` (to an `office:annotation-end` of the same name) and tracked changes as
regions listed once in `text:tracked-changes`: an insertion is marked in the text by
`text:change-start`/`text:change-end`, a deletion by a `text:change` point where its words
(kept in the list) stood. Each ODT paragraph becomes a `w:p` with the same words, bookmarks,
comment ranges and `w:ins`/`w:del`, so one reader maps both kinds of copy to the letter.
"""

from __future__ import annotations

import zipfile

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
W15 = "{http://schemas.microsoft.com/office/word/2012/wordml}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
DC = "{http://purl.org/dc/elements/1.1/}"
LOEXT = "{urn:org:documentfoundation:names:experimental:office:xmlns:loext:1.0}"
_SKIPPED = (f"{TEXT}note", f"{OFFICE}annotation", f"{TEXT}tracked-changes",
            f"{TEXT}note-citation")


def is_odt(z: zipfile.ZipFile) -> bool:
    """Whether the zip is an OpenDocument text (its first member says so)."""
    try:
        return z.read("mimetype").strip() == b"application/vnd.oasis.opendocument.text"
    except KeyError:
        return False


def wordml_parts(z: zipfile.ZipFile) -> dict:
    """"word/document.xml", "word/comments.xml" and "word/commentsExtended.xml" of the ODT's
    content, as the DOCX reader reads them."""
    root = etree.fromstring(z.read("content.xml"))
    changes = _changes(root)
    ended = {el.get(f"{OFFICE}name") for el in root.iter(f"{OFFICE}annotation-end")}
    document = etree.Element(f"{W}document")
    comments = etree.Element(f"{W}comments")
    extended = etree.Element(f"{W15}commentsEx")
    for p in root.iter(f"{TEXT}p", f"{TEXT}h"):
        if any(a.tag in _SKIPPED[1:3] for a in p.iterancestors()):
            continue  # a comment's own words, or the words of a deletion: not the letter's
        out = etree.SubElement(document, f"{W}p")
        _Paragraph(out, changes, ended, comments, extended).walk(p)
    return {"word/document.xml": document, "word/comments.xml": comments,
            "word/commentsExtended.xml": extended}


def _changes(root) -> dict:
    """Each changed region's id -> (kind, author, date, deleted words)."""
    out = {}
    for region in root.iter(f"{TEXT}changed-region"):
        ident = region.get(f"{TEXT}id") or region.get("{http://www.w3.org/XML/1998/namespace}id")
        for kind in ("insertion", "deletion", "format-change"):
            change = region.find(f"{TEXT}{kind}")
            if change is None:
                continue
            info = change.find(f"{OFFICE}change-info")
            author = info.findtext(f"{DC}creator", "") if info is not None else ""
            date = info.findtext(f"{DC}date", "") if info is not None else ""
            words = " ".join(_words(p) for p in change.iter(f"{TEXT}p"))
            out[ident] = (kind, author, date, words)
    return out


def _words(el) -> str:
    """The text of an ODT element as it reads (spaces and tabs spelled out; notes and
    comments left out)."""
    parts = [el.text or ""]
    for child in el:
        if child.tag == f"{TEXT}s":
            parts.append(" " * int(child.get(f"{TEXT}c") or 1))
        elif child.tag == f"{TEXT}tab":
            parts.append("\t")
        elif child.tag not in _SKIPPED:
            parts.append(_words(child))
        parts.append(child.tail or "")
    return "".join(parts)


class _Paragraph:
    """One ODT paragraph written out as a w:p, in document order."""

    def __init__(self, out, changes: dict, ended: set, comments, extended) -> None:
        self.out, self.changes, self.ended = out, changes, ended
        self.comments, self.extended = comments, extended
        self.inserting = None  # the w:ins that text goes into, inside an insertion

    def walk(self, el) -> None:
        self.text(el.text)
        for child in el:
            tag = child.tag
            if tag == f"{TEXT}s":
                self.text(" " * int(child.get(f"{TEXT}c") or 1))
            elif tag == f"{TEXT}tab":
                self.text("\t")
            elif tag in (f"{TEXT}bookmark-start", f"{TEXT}bookmark"):
                etree.SubElement(self.out, f"{W}bookmarkStart", {f"{W}name":
                                                                  child.get(f"{TEXT}name", "")})
            elif tag == f"{OFFICE}annotation":
                self.comment(child)
            elif tag == f"{OFFICE}annotation-end":
                etree.SubElement(self.out, f"{W}commentRangeEnd",
                                 {f"{W}id": child.get(f"{OFFICE}name", "")})
            elif tag == f"{TEXT}change":
                self.deletion(child.get(f"{TEXT}change-id"))
            elif tag == f"{TEXT}change-start":
                kind, author, date, _ = self.changes.get(child.get(f"{TEXT}change-id"),
                                                         ("", "", "", ""))
                if kind == "insertion":
                    self.inserting = etree.SubElement(self.out, f"{W}ins", {
                        f"{W}author": author, f"{W}date": date})
            elif tag == f"{TEXT}change-end":
                self.inserting = None
            elif tag not in _SKIPPED:
                self.walk(child)  # a span, a link: its words
            self.text(child.tail)

    def text(self, words: str | None) -> None:
        if not words:
            return
        parent = self.inserting if self.inserting is not None else self.out
        run = etree.SubElement(parent, f"{W}r")
        etree.SubElement(run, f"{W}t").text = words

    def deletion(self, ident: str | None) -> None:
        kind, author, date, words = self.changes.get(ident, ("", "", "", ""))
        if kind != "deletion":
            return
        mark = etree.SubElement(self.out, f"{W}del", {f"{W}author": author, f"{W}date": date})
        etree.SubElement(etree.SubElement(mark, f"{W}r"), f"{W}delText").text = words

    def comment(self, note) -> None:
        """A comment: its range start here (or, without an end, its place), its words in
        comments.xml, and, as LibreOffice writes them, a reply's parent and "resolved"."""
        name = note.get(f"{OFFICE}name") or f"odt-{id(note)}"
        tag = "commentRangeStart" if name in self.ended else "commentReference"
        etree.SubElement(self.out, f"{W}{tag}", {f"{W}id": name})
        comment = etree.SubElement(self.comments, f"{W}comment", {
            f"{W}id": name, f"{W}author": note.findtext(f"{DC}creator", ""),
            f"{W}date": note.findtext(f"{DC}date", "")})
        para = etree.SubElement(comment, f"{W}p", {f"{W14}paraId": name})
        etree.SubElement(etree.SubElement(para, f"{W}r"), f"{W}t").text = \
            " ".join(_words(p) for p in note.iter(f"{TEXT}p"))
        etree.SubElement(self.extended, f"{W15}commentEx", {
            f"{W15}paraId": name, f"{W15}paraIdParent": note.get(f"{LOEXT}parent-name", ""),
            f"{W15}done": "1" if note.get(f"{LOEXT}resolved") == "true" else "0"})
