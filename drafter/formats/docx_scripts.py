"""Which font and flags each stretch of text needs in Word, from the template's CSS font chain.

Word picks one of four font slots per character (ascii, hAnsi, eastAsia, cs) and shapes right-
to-left and complex scripts only in runs marked for them. So text is cut into script runs: a
run the style's own font cannot draw names the font the PDF draws it with (the same chain,
resolved by fontconfig) in all four slots, with `w:rtl` for Arabic and Hebrew, `w:cs` for
complex scripts (Arabic, Hebrew, Indic, Tibetan, Thai...) and the east-Asian hint for CJK.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..template.fonts import GENERIC, FontconfigMissing, css_font_chain, font_chain

# Code point ranges Word treats as east Asian (Han, kana, Hangul, CJK punctuation, full width).
_EAST_ASIAN = ((0x1100, 0x11FF), (0x2E80, 0x2FDF), (0x2FF0, 0x31FF), (0x3200, 0x4DBF),
               (0x4E00, 0x9FFF), (0xA960, 0xA97F), (0xAC00, 0xD7FF), (0xF900, 0xFAFF),
               (0xFE30, 0xFE4F), (0xFF00, 0xFFEF), (0x20000, 0x3FFFF))
# Complex scripts: Hebrew to NKo, Indic, Thai, Lao, Tibetan, Myanmar, Khmer, presentation forms.
_COMPLEX = ((0x0590, 0x08FF), (0x0900, 0x0DFF), (0x0E00, 0x0EFF), (0x0F00, 0x0FFF),
            (0x1000, 0x109F), (0x1780, 0x17FF), (0xFB1D, 0xFDFF), (0xFE70, 0xFEFF))
# What a language's own text looks like, to pick the east-Asian and complex-script fonts.
_SAMPLE_EAST_ASIAN = {"ja": "\u3042", "ko": "\ud55c"}
_SAMPLE_COMPLEX = {"he": "\u05d0", "yi": "\u05d0", "bo": "\u0f40", "dz": "\u0f40",
                   "hi": "\u0915", "th": "\u0e01"}


def _within(code: int, ranges) -> bool:
    return any(first <= code <= last for first, last in ranges)


def wholly_rtl(text: str) -> bool:
    """True when `text` has letters and every one is of a right-to-left script (Arabic,
    Hebrew, Syriac, Thaana, N'Ko...); digits, punctuation, spaces and marks do not count.

    The one rule of paragraph direction in every format: a paragraph reads in the letter's
    direction, and turns right to left only when it is wholly in such a script (the HTML
    says so with dir="rtl", which the PDF lays out and the DOCX follows). A first word alone
    does not turn an English paragraph that starts with a Uyghur name."""
    letters = [c for c in text if unicodedata.category(c)[0] == "L"]
    return bool(letters) and all(unicodedata.bidirectional(c) in ("R", "AL") for c in letters)


@dataclass(frozen=True)
class Segment:
    """A stretch of text and how Word must set it (font None: the paragraph style's)."""

    text: str
    font: str | None = None
    rtl: bool = False
    east_asia: bool = False
    complex: bool = False


_BASE = (None, False, False, False)


class ScriptFonts:
    """Script runs and slot fonts for one letter (its stylesheet, language and template)."""

    def __init__(self, css: str, lang: str, template_dir: Path | None) -> None:
        families = css_font_chain(css, lang)
        named = [f for f in families if f.lower() not in GENERIC]
        self.base = named[0] if named else None
        try:
            self.chain = font_chain(families, css, template_dir, lang) if families else None
        except FontconfigMissing:
            self.chain = None  # no fontconfig: slots from the names in the chain alone
        self.lang = lang.split("-")[0].lower()
        self._keys: dict[str, tuple] = {}

    def slot_font(self, sample: str) -> str | None:
        """The chain's own family (not a fallback) drawing `sample`, if fontconfig answers."""
        face = self.chain.face_for(sample) if self.chain else None
        return face.family if face is not None and face.in_chain else None

    def east_asian_font(self) -> str | None:
        return self.slot_font(_SAMPLE_EAST_ASIAN.get(self.lang, "\u4e2d"))

    def complex_font(self) -> str | None:
        return self.slot_font(_SAMPLE_COMPLEX.get(self.lang, "\u0627"))

    def _key(self, char: str) -> tuple | None:
        """(font, rtl, east_asia, complex) for a letter or mark; None for neutral characters
        (spaces, punctuation, digits), which join the run around them."""
        if char in self._keys:
            return self._keys[char]
        code, category = ord(char), unicodedata.category(char)
        east_asia = _within(code, _EAST_ASIAN)
        if not east_asia and category[0] not in "LM":
            key = None
        else:
            family = self.chain.family_for(char) if self.chain else None
            rtl = unicodedata.bidirectional(char) in ("R", "AL")
            complex_ = _within(code, _COMPLEX)
            font = family if family and family != self.base else None
            key = (font, rtl, east_asia, complex_)
            if key[1:] == (False, False, False) and font is None:
                key = _BASE
        self._keys[char] = key
        return key

    def segments(self, text: str) -> list[Segment]:
        """Cut text into runs of one script; neutrals between two letters of one run stay in
        it (spaces between Arabic words), others go with the surrounding Latin text."""
        if text and all(self._key(char) in (None, _BASE) for char in set(text)):
            return [Segment(text, *_BASE)]  # most text: one run, as the walk below finds
        pieces: list[list] = []  # [key, text]
        pending = ""
        for char in text:
            key = self._key(char)
            if key is None:
                pending += char
                continue
            if pieces and pieces[-1][0] == key:
                pieces[-1][1] += pending + char
            else:
                if pending:
                    if pieces and pieces[-1][0] == _BASE:
                        pieces[-1][1] += pending
                    else:
                        pieces.append([_BASE, pending])
                pieces.append([key, char])
            pending = ""
        if pending:
            if pieces and pieces[-1][0] == _BASE:
                pieces[-1][1] += pending
            else:
                pieces.append([_BASE, pending])
        merged: list[list] = []
        for key, piece in pieces:  # a base neutral run between base runs is one run
            if merged and merged[-1][0] == key:
                merged[-1][1] += piece
            else:
                merged.append([key, piece])
        return [Segment(piece, *key) for key, piece in merged]


def mark_run(run, segment: Segment) -> None:
    """Give a python-docx run its segment's font (all four slots) and script flags."""
    from docx.oxml.ns import qn
    from . import docx_props as props
    if not (segment.font or segment.complex or segment.rtl):
        return
    rpr = props.run_properties(run._r)
    if segment.font:
        rfonts = props.child(rpr, qn("w:rFonts"), props.RPR)
        for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
            rfonts.set(qn(f"w:{slot}"), segment.font)
        if segment.east_asia:
            rfonts.set(qn("w:hint"), "eastAsia")
        elif segment.complex:
            rfonts.set(qn("w:hint"), "cs")
    if segment.complex:
        props.child(rpr, qn("w:cs"), props.RPR)
    if segment.rtl:
        props.child(rpr, qn("w:rtl"), props.RPR)


def fill_script_slots(rpr, east_asia: str | None, complex_script: str | None) -> None:
    """Name the east-Asian and complex-script fonts where a reference document leaves them to
    its theme (Word's theme fonts rarely cover Uyghur or Tibetan); its own choices stay."""
    from docx.oxml.ns import qn
    rfonts = rpr.get_or_add_rFonts()
    for slot, theme, font in (("eastAsia", "eastAsiaTheme", east_asia),
                              ("cs", "cstheme", complex_script)):
        if font and rfonts.get(qn(f"w:{slot}")) is None:
            rfonts.attrib.pop(qn(f"w:{theme}"), None)
            rfonts.set(qn(f"w:{slot}"), font)


def mirror_complex_emphasis(document) -> None:
    """Bold and italic styles also embolden and slant complex-script text (Word reads w:bCs
    and w:iCs for Arabic, Hebrew and Tibetan runs, not w:b and w:i)."""
    from docx.oxml.ns import qn
    # Only the few run properties that lack one are visited (an XPath query, in C): walking
    # every style of the reference document in Python cost 5 ms a letter.
    for rpr in _WITHOUT_COMPLEX_EMPHASIS(document.styles.element):
        for latin, complex_ in (("b", "bCs"), ("i", "iCs")):
            source = rpr.find(qn(f"w:{latin}"))
            if source is not None and rpr.find(qn(f"w:{complex_}")) is None:
                added = getattr(rpr, f"get_or_add_{complex_}")()
                if source.get(qn("w:val")) is not None:
                    added.set(qn("w:val"), source.get(qn("w:val")))


def _without_complex_emphasis():
    from lxml import etree
    return etree.XPath(
        "//w:rPr[(w:b and not(w:bCs)) or (w:i and not(w:iCs))]",
        namespaces={"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"})


_WITHOUT_COMPLEX_EMPHASIS = _without_complex_emphasis()
