"""Read rendered letters back with independent readers (pdfplumber, docx2python), reduced to
what a reader sees: the body's words in order and the set of footnote texts."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber
from docx2python import docx2python

PAGE_HEAD = 70.0  # points: the top margin (25 mm) holds page furniture, never the letter
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
    words, current, last_top = [], None, None
    for ch in page.chars:
        text = ch["text"]
        # A word starts a line when it is lower than the last character drawn (spaces included:
        # a word after a space is not a line start, or German dates "3. Juni" would read as a
        # list number).
        base = _baseline(ch)
        line_start = last_top is None or abs(base - last_top) > 2.5
        last_top = base
        new_line = current is not None and abs(base - current["base"]) > 2.5
        # Tibetan vowel signs and subjoined letters sit above and below their base letter, and
        # Arabic glyphs and the punctuation beside them are placed by the shaper: their boxes
        # leave gaps that are not spaces, so such words end only at a space.
        gap = current is not None and ch["x0"] - current["x1"] > 1.5 and not (
            _TIBETAN.match(text) and _TIBETAN.match(current["glyphs"][-1])) and not (
            _RTL.search(text) or _RTL.search(current["glyphs"][-1]))
        size_change = current is not None and abs(ch["size"] - current["size"]) > 0.4
        if text.isspace() or current is None or new_line or gap or size_change:
            if current is not None:
                words.append(current)
            current = None if text.isspace() else {
                "text": text, "glyphs": [text], "top": ch["top"], "base": base, "x0": ch["x0"],
                "x1": ch["x1"], "size": ch["size"], "line_start": line_start}
            continue
        current["text"] += text
        current["glyphs"].append(text)
        current["x1"] = max(current["x1"], ch["x1"])
    if current is not None:
        words.append(current)
    return _logical_order(words)


_TIBETAN = re.compile("[\u0f00-\u0fff]")


def _baseline(ch: dict) -> float:
    """The character's baseline (fonts of other scripts have other ascents, so their tops
    differ on one line)."""
    matrix = ch.get("matrix")
    return -matrix[5] if matrix else ch["top"]
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
_LTR_STRONG = re.compile(r"[^\W_]")  # letters and digits (RTL ones are checked first)


def _logical_order(words: list[dict]) -> list[dict]:
    """Put right-to-left text back in reading order. The PDF draws Arabic and Hebrew glyphs left
    to right as they appear on the page, so each right-to-left stretch of a line (from its first
    to its last Arabic/Hebrew glyph, spaces and punctuation between included) is reversed glyph by
    glyph; the words keep their positions and sizes, only their texts change."""
    out, line = [], []
    for word in words + [None]:
        if line and (word is None or abs(word["base"] - line[0]["base"]) > 2.5):
            out += _reorder_line(line)
            line = []
        if word is not None:
            line.append(word)
    return out


def _reorder_line(line: list[dict]) -> list[dict]:
    tokens = []
    for word in line:
        tokens += word["glyphs"] + [" "]
    if not any(_RTL.search(t) for t in tokens):
        return line
    i = 0
    while i < len(tokens):
        if not _RTL.search(tokens[i]):
            i += 1
            continue
        j = end = i
        while j < len(tokens) and not (_LTR_STRONG.search(tokens[j]) and not _RTL.search(tokens[j])):
            if _RTL.search(tokens[j]):
                end = j
            j += 1
        tokens[i:end + 1] = reversed(tokens[i:end + 1])
        i = end + 1
    texts = "".join(tokens).split(" ")
    return [{**word, "text": text} for word, text in zip(line, texts)]


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
                if w["top"] + w["size"] < PAGE_HEAD:
                    continue  # a draft's mark and notice, an embargo's line: not the letter
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
                    elif out.words and out.words[-1].endswith("\u0f0b") and w["line_start"] \
                            and _TIBETAN.match(w["text"]):
                        # Tibetan has no spaces: lines break after a syllable mark (tsheg).
                        out.words[-1] += w["text"]
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
            # docx2python's html mode escapes the text itself: "<b>" typed in a letter is text.
            out.words.extend(html.unescape(paragraph).split())
        for text in _flatten(doc.footnotes):
            match = re.match(r"footnote(\d+)\)\t\s*(.*)", text, re.S)
            if match:
                note = html.unescape(re.sub(r"<[^>]+>", "", match.group(2)))
                out.notes[int(match.group(1))] = " ".join(note.split())
    return out


def _flatten(tree) -> list[str]:
    if isinstance(tree, str):
        return [tree] if tree.strip() else []
    return [s for item in tree for s in _flatten(item)]
