"""Read rendered letters back with independent readers (pdfplumber, docx2python), reduced to
what a reader sees: the body's words in order and the set of footnote texts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber
from docx2python import docx2python

PAGE_LABEL = re.compile(r"^(Page|Seite) \d+ (of|von|sur) \d+$")
NOTE_START = re.compile(r"^(\d+)\.$")
LIST_MARKER = re.compile(r"^(\d+\.|\u2022)$")


@dataclass
class Reading:
    """The words of a document's body, its footnotes, and where notes are called and printed."""

    words: list[str] = field(default_factory=list)
    notes: dict[int, str] = field(default_factory=dict)
    call_pages: dict[int, int] = field(default_factory=dict)
    note_pages: dict[int, int] = field(default_factory=dict)
    pages: int = 0


def _words_in_stream_order(page) -> list[dict]:
    """Words from the characters in content-stream order (WeasyPrint draws in document order,
    so two-column lists read column by column, as in the DOCX)."""
    words, current = [], None
    for ch in page.chars:
        text = ch["text"]
        new_line = current is not None and abs(ch["top"] - current["top"]) > 2.5
        gap = current is not None and ch["x0"] - current["x1"] > 1.5
        size_change = current is not None and abs(ch["size"] - current["size"]) > 0.4
        if text.isspace() or current is None or new_line or gap or size_change:
            if current is not None:
                words.append(current)
            current = None if text.isspace() else {
                "text": text, "top": ch["top"], "x0": ch["x0"], "x1": ch["x1"],
                "size": ch["size"],
                "line_start": current is None or new_line}
            continue
        current["text"] += text
        current["x1"] = ch["x1"]
    if current is not None:
        words.append(current)
    return words


def read_pdf(path: Path) -> Reading:
    """Body words (no page footers, no footnote calls), footnotes by number, their pages."""
    out = Reading()
    with pdfplumber.open(path) as pdf:
        out.pages = len(pdf.pages)
        for number, page in enumerate(pdf.pages, start=1):
            wide = [e["top"] for e in page.edges if e["orientation"] == "h" and
                    e["x1"] - e["x0"] > page.width * 0.5]
            separator = min(wide) if wide else page.height
            words = _words_in_stream_order(page)
            body_size = max((w["size"] for w in words), default=10)
            note = None
            for w in words:
                if w["top"] >= separator:
                    match = NOTE_START.match(w["text"]) if w["line_start"] else None
                    if match and int(match.group(1)) == len(out.notes) + 1:
                        note = int(match.group(1))
                        out.note_pages[note] = number
                        out.notes[note] = ""
                    elif note is not None and not PAGE_LABEL.match(_line_of(w, words)):
                        out.notes[note] = _join(out.notes[note], w["text"])
                elif w["size"] < body_size * 0.75 and w["text"].isdigit():
                    out.call_pages.setdefault(int(w["text"]), number)
                elif w["line_start"] and LIST_MARKER.match(w["text"]):
                    continue
                elif not PAGE_LABEL.match(_line_of(w, words)):
                    if out.words and out.words[-1].endswith("-") and len(out.words[-1]) > 1 \
                            and w["line_start"]:
                        out.words[-1] += w["text"]  # a word broken at its hyphen
                    else:
                        out.words.append(w["text"])
    return out


def _line_of(word: dict, words: list[dict]) -> str:
    return " ".join(w["text"] for w in words if abs(w["top"] - word["top"]) < 2.5)


def _join(text: str, word: str) -> str:
    if text.endswith("-") and len(text) > 1 and text[-2].isalpha():
        return text + word
    return f"{text} {word}".strip()


_DOCX_MARKERS = [
    (re.compile(r"----footnote\d+----"), ""),
    (re.compile(r"<sup>\d+</sup>"), ""),           # a note cited again: its number
    (re.compile(r"<[^>]+>"), ""),                    # docx2python's markup of styles/links
    (re.compile(r"^(\d+|[a-z]|[ivx]+)\)\t"), ""),   # list numbers
    (re.compile(r"^(--|\u2022|-|\*)\t"), ""),        # bullets
]


def read_docx(path: Path) -> Reading:
    """Body words (list numbers and footnote references dropped) and footnotes by number."""
    out = Reading()
    with docx2python(path, html=True) as doc:
        for paragraph in _flatten(doc.body):
            for pattern, repl in _DOCX_MARKERS:
                paragraph = pattern.sub(repl, paragraph)
            out.words.extend(paragraph.split())
        for text in _flatten(doc.footnotes):
            match = re.match(r"footnote(\d+)\)\t\s*(.*)", text, re.S)
            if match:
                note = re.sub(r"<[^>]+>", "", match.group(2))
                out.notes[int(match.group(1))] = " ".join(note.split())
    return out


def _flatten(tree) -> list[str]:
    if isinstance(tree, str):
        return [tree] if tree.strip() else []
    return [s for item in tree for s in _flatten(item)]
