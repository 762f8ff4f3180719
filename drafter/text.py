"""Characters that make text print or compare unlike how it reads: the one list of them."""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

# Bidi overrides force every following character into one direction, so "Civic \u202ekrowteN"
# prints as "Civic Network": what a reader sees is not what was written, in any field. Refused
# everywhere.
OVERRIDES = frozenset("\u202d\u202e")  # LEFT-TO-RIGHT OVERRIDE, RIGHT-TO-LEFT OVERRIDE

# Characters that print as nothing (or only at a line break) yet make two names differ: the
# bidi embeddings and their POP (U+202A-U+202C), the bidi isolates (U+2066-U+2069), SOFT HYPHEN,
# ZERO WIDTH SPACE, WORD JOINER and ZERO WIDTH NO-BREAK SPACE (a BOM inside text). A name
# carrying one looks like another name and escapes the duplicate check, so names refuse them.
# Prose keeps them: U+200B marks word breaks in Thai, Khmer and Burmese, soft hyphens are
# hyphenation hints, and isolates keep a quoted right-to-left title from reordering a sentence.
NAME_INVISIBLES = frozenset("\u202a\u202b\u202c\u2066\u2067\u2068\u2069\u00ad\u200b\u2060\ufeff")

# Allowed everywhere, names included: ZERO WIDTH NON-JOINER and ZERO WIDTH JOINER choose letter
# forms in Persian, Uyghur, Kurdish and Indic scripts ("می‌خواهیم" is misspelt without its ZWNJ),
# and LEFT-TO-RIGHT MARK, RIGHT-TO-LEFT MARK and ARABIC LETTER MARK place neutral characters
# (a full stop, a bracket) correctly in mixed-direction text. They are dropped only when names
# are compared (`reader_form`).
ALLOWED_INVISIBLES = frozenset("\u200c\u200d\u200e\u200f\u061c")

# A character reference as HTML decodes it: numeric (decimal or hex) or named, with or without
# the closing semicolon (browsers and `html.unescape` accept `&shy` and `&#8238` too, Markdown
# needs the semicolon). Names are looked up in html.entities.html5 through `html.unescape`, so
# `&shy;`, `&ZeroWidthSpace;`, `&NoBreak;` and `&NegativeThinSpace;` are caught without a list
# of our own. Refused as written too: Markdown prose turns `&#x202E;` into the character itself,
# and a name pasted into an HTML page or an e-mail does the same.
_REFERENCE = r"&(?:#[xX][0-9a-fA-F]{1,8};?|#[0-9]{1,9};?|[A-Za-z][A-Za-z0-9]{1,31};?)"
_IN_NAME = re.compile("[" + "".join(sorted(OVERRIDES | NAME_INVISIBLES)) + "]|" + _REFERENCE)
_IN_PROSE = re.compile("[" + "".join(sorted(OVERRIDES)) + "]|" + _REFERENCE)


def _found(text: str, in_name: bool):
    """(char, start, end) of every refused character in `text`, raw or as a reference."""
    refused = OVERRIDES | NAME_INVISIBLES if in_name else OVERRIDES
    for match in (_IN_NAME if in_name else _IN_PROSE).finditer(text):
        written = match.group()
        if len(written) == 1:
            yield written, match.start(), match.end()
            continue
        decoded = html.unescape(written)
        # A named reference without ";" decodes its longest known prefix ("&shyness" is a soft
        # hyphen then "ness"); only the reference itself is the refused part.
        if decoded != written and decoded[:1] in refused:
            length = len(written) - (len(decoded) - 1)
            yield decoded[0], match.start(), match.start() + length


def refused(text: str, in_name: bool) -> list[tuple[str, int, str]]:
    """Every refused character of `text` as (character, index from 0, as written): the
    character itself, or the reference that stands for it ("&#x202E;", "&shy;")."""
    return [(char, start, text[start:end]) for char, start, end in _found(text, in_name)]


def deceptive(text: str, in_name: bool) -> tuple[str, int] | None:
    """The first refused character of `text` and its index (from 0) in `text` as written, or
    None. Everywhere the bidi overrides are refused; in a name (`in_name`) also the
    NAME_INVISIBLES. A character written as an HTML/Markdown reference (`&#x202E;`, `&#8238;`,
    `&shy;`) counts as the character, at the index of its "&"."""
    for char, start, _ in _found(text, in_name):
        return char, start
    return None


def clean_name(text: str, in_name: bool = True) -> tuple[str, list[tuple[str, int]]]:
    """A name (or, with `in_name` false, any text) without the characters `deceptive` refuses
    there, raw or written as references, and what was removed: a list of (character, index
    in `text` as given, from 0).

    For imports, where a form entry cannot be sent back to be fixed: the caller keeps the cleaned
    name and reports each removed character (see `describe`). Nothing else changes (no
    whitespace trimming, no normalisation), so indexes refer to the caller's own text.
    """
    removed, parts, last = [], [], 0
    for char, start, end in _found(text, in_name):
        removed.append((char, start))
        parts.append(text[last:start])
        last = end
    if not removed:
        return text, []
    parts.append(text[last:])
    return "".join(parts), removed


def describe(char: str) -> str:
    """A character as messages name it: "U+202E (RIGHT-TO-LEFT OVERRIDE)"."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} ({name})" if name else f"U+{ord(char):04X}"


_ESCAPES = {ord(c): f"<U+{ord(c):04X}>" for c in OVERRIDES | NAME_INVISIBLES}


def visible(text: str) -> str:
    """`text` for a message: the refused characters shown as "<U+202E>", so that quoting a name
    can neither reorder the message around it nor hide why two names differ."""
    return text.translate(_ESCAPES)


# Variation selectors and the combining grapheme joiner are marks that print as nothing on
# letters; with the format characters (Unicode category Cf, which holds every character above)
# they are dropped when names are compared.
_SILENT_MARKS = re.compile("[\u034f\u180b-\u180f\ufe00-\ufe0f\U000e0100-\U000e01ef]")


def reader_form(text: str) -> str:
    """A name as a reader sees it, for comparing names: compatibility forms folded (NFKC: "ﬁ"
    is "fi", full-width "Ｈ" is "H"), references to refused characters and every invisible
    format character gone, ZWJ, ZWNJ, LRM, RLM and ALM included (they change no letter a
    reader could tell apart in a list of names). Not for printing: ZWNJ is gone."""
    if text.isascii() and "&" not in text:
        return text  # the common case: nothing to fold or drop
    text = unicodedata.normalize("NFKC", clean_name(text)[0])
    text = _SILENT_MARKS.sub("", text)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


# -- scripts ------------------------------------------------------------------------------------

# Scripts that one writing system mixes: Japanese writes Han with kana, Korean Han with Hangul,
# Chinese phonetic notes Han with Bopomofo (ISO 15924 Jpan, Kore, Hanb). Such a stretch is one.
_MIXED = ((frozenset(("Hani", "Hira", "Kana")), "Jpan"), (frozenset(("Hani", "Hang")), "Kore"),
          (frozenset(("Hani", "Bopo")), "Hanb"))
_KANA = {frozenset(("Hira", "Kana")): "Hrkt"}


# Unicode's codes for characters of no one script: common (spaces, digits, punctuation),
# inherited (combining marks, joiners) and unassigned.
NO_SCRIPT = frozenset(("Zyyy", "Zinh", "Zzzz"))


@lru_cache(maxsize=4096)
def script_of(char: str) -> str:
    """The Unicode Script property of `char` as an ISO 15924 code (Latn, Arab, Hani, Zyyy...)."""
    from fontTools.unicodedata import script
    return script(char)


def _mixed_code(scripts: frozenset) -> str | None:
    """The ISO 15924 code of a stretch mixing `scripts`, or None if no writing system does."""
    if len(scripts) == 1:
        return next(iter(scripts))
    if scripts in _KANA:
        return _KANA[scripts]
    return next((code for allowed, code in _MIXED if scripts <= allowed), None)


def script_runs(text: str) -> list[tuple[str, str | None]]:
    """`text` cut where its script changes: (piece, ISO 15924 code such as Latn, Arab, Hani,
    Tibt), or (piece, None) for characters every script shares (spaces, digits, punctuation).

    The Unicode Script property decides (a fact, read from the Unicode data fontTools ships):
    shared characters between two letters of one script stay in its piece (the spaces between
    Uyghur words, the "·" of a Chinese transliteration); combining marks and joiners go with the
    letter before them; Han with kana is one Japanese piece (Jpan), Han with Hangul one Korean
    (Kore)."""
    pieces: list[list] = []  # [text, code or None, set of scripts]
    pending = ""
    for char in text:
        code = script_of(char)
        if code == "Zinh" and pieces and not pending and pieces[-1][1] is not None:
            pieces[-1][0] += char  # a mark or joiner belongs to its letter
            continue
        if code in NO_SCRIPT:
            pending += char
            continue
        last = pieces[-1] if pieces and pieces[-1][1] is not None else None
        joined = last[2] | {code} if last is not None else None
        if last is not None and _mixed_code(joined) is not None:
            last[0] += pending + char
            last[1], last[2] = _mixed_code(joined), joined
        else:
            if pending:
                pieces.append([pending, None, frozenset()])
            pieces.append([char, code, frozenset((code,))])
        pending = ""
    if pending:
        pieces.append([pending, None, frozenset()])
    return [(piece, code) for piece, code, _ in pieces]
