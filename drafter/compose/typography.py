"""Typographic quotes and apostrophes in prose, by the letter's language (pure code).

A formal letter prints “quotes” and don’t, not "quotes" and don't. Only quote characters
change (and, in French, the no-break spaces inside « »): never text in code spans, never a
URL or an e-mail address written in the text, never a link's target, never a name (names
are not prose: recipients and signatories print as written). `typography: plain` in a
letter turns it off. A language drafter is unsure of keeps its straight quotes.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass

from .document import Demands, ListBlock, NoteCall, Paragraph, Run

NNBSP = "\u202f"  # narrow no-break space: French « », drawn by Noto Serif and DejaVu Serif
STRAIGHT = "'\""
# Every quote character, straight or typographic (what the property tests strip).
QUOTES = STRAIGHT + "\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u00ab\u00bb\u2039\u203a"


@dataclass(frozen=True)
class Style:
    """A language's marks: double and single quotes (open, close; None: left straight), the
    apostrophe (None: left straight), the space inside double quotes, and the elisions that
    begin a word with an apostrophe ('tis, 's-Hertogenbosch)."""

    double: tuple[str, str] | None
    single: tuple[str, str] | None
    apostrophe: str | None = "\u2019"
    inside: str = ""
    elisions: tuple[str, ...] = ()


STYLES = {
    "en": Style(("\u201c", "\u201d"), ("\u2018", "\u2019"),
                elisions=("em", "tis", "twas", "til", "cause", "n")),
    "fr": Style(("\u00ab", "\u00bb"), None, inside=NNBSP),
    "de": Style(("\u201e", "\u201c"), ("\u201a", "\u2018")),
    "es": Style(("\u00ab", "\u00bb"), None),
    "it": Style(("\u00ab", "\u00bb"), None),
    "nl": Style(("\u201c", "\u201d"), ("\u2018", "\u2019"), elisions=("s", "t", "n", "k")),
    "zh": Style(("\u201c", "\u201d"), ("\u2018", "\u2019")),
    # Uyghur prints « » (mirrored by the right-to-left layout); its apostrophe is unsure.
    "ug": Style(("\u00ab", "\u00bb"), None, apostrophe=None),
}

# Written in the text, not typed as a link: left exactly as written.
_VERBATIM = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.|mailto:)[^\s<>]*"
                       r"|[^\s<>@\"']+@[^\s<>@\"']+\.[^\s<>@\"']+", re.IGNORECASE)
_SPACES = " \u00a0\u202f"
_OPENERS = "([{\u2014\u2013-/\u00ab\u2039\u201c\u2018\u201e\u201a"
_CLOSERS = ".,;:!?)]}\u2026\u2014\u2013-/\u00bb\u203a\u201d\u2019\u201c\u2018"
_NEUTRAL = "\ufffc"  # a footnote call or a line break: a boundary, as a space would be


def style_for(language: str) -> Style | None:
    """The quote style of a language tag (en-GB: en), or None: quotes stay as written."""
    return STYLES.get(language.split("-")[0].lower())


def typeset(text: str, language: str) -> str:
    """`text` with typographic quotes and apostrophes for `language` (a plain string)."""
    style = style_for(language)
    return typeset_runs((Run(text),), style)[0].text if style and text else text


def _kind(char: str | None) -> str:
    """'space', 'open', 'close', 'word' or 'other' for the character beside a quote."""
    if char is None or char.isspace() or char == _NEUTRAL:
        return "space"
    if char in _OPENERS:
        return "open"
    if char in _CLOSERS:
        return "close"
    return "word" if unicodedata.category(char)[0] in "LNM" else "other"


def _marks(text: str, fixed: list[bool], style: Style) -> list[str]:
    """One output piece per character of `text`; `fixed` characters stay as they are (they
    still count as the neighbours of a quote)."""
    out = list(text)
    open_double = open_single = 0
    for i, char in enumerate(text):
        if char not in STRAIGHT or fixed[i]:
            continue
        before = _kind(text[i - 1] if i else None)
        after = _kind(text[i + 1] if i + 1 < len(text) else None)
        if char == "'":
            if style.apostrophe and (before == "word" and after == "word" or
                                     before in ("space", "open") and _elided(text, i, style)):
                out[i] = style.apostrophe
            elif style.single and before in ("space", "open") and after == "word":
                out[i], open_single = style.single[0], open_single + 1
            elif before in ("word", "close") and after in ("space", "close", "other"):
                if style.single and open_single:
                    out[i], open_single = style.single[1], open_single - 1
                elif style.apostrophe:
                    out[i] = style.apostrophe  # the dogs' bowls
            continue
        if style.double is None:
            continue
        opening = before in ("space", "open") and after not in ("space",)
        closing = before not in ("space", "open") and after in ("space", "close", "other")
        if not opening and not closing:  # a"b, or " spaced ": by what is open
            opening, closing = not open_double, bool(open_double)
        if opening:
            out[i], open_double = style.double[0], open_double + 1
            if style.inside:
                _space_after(out, text, fixed, i, style.inside)
        elif closing:
            out[i], open_double = style.double[1], max(open_double - 1, 0)
            if style.inside:
                _space_before(out, text, fixed, i, style.inside)
    return out


def _elided(text: str, i: int, style: Style) -> bool:
    """An apostrophe that begins a word: before digits ('90s) or a known elision ('tis)."""
    rest = text[i + 1:]
    if rest[:1].isdigit():
        return True
    return any(rest.lower().startswith(e) and _kind(rest[len(e):len(e) + 1] or None) != "word"
               for e in style.elisions)


def _space_after(out: list[str], text: str, fixed: list[bool], i: int, space: str) -> None:
    """The no-break space after an opening mark, in place of any spaces typed there."""
    j = i + 1
    while j < len(text) and text[j] in _SPACES and not fixed[j]:
        out[j] = ""
        j += 1
    out[i] += space


def _space_before(out: list[str], text: str, fixed: list[bool], i: int, space: str) -> None:
    """The no-break space before a closing mark, in place of any spaces typed there."""
    j = i - 1
    while j >= 0 and text[j] in _SPACES and not fixed[j]:
        out[j] = ""
        j -= 1
    out[i] = space + out[i]


# -- the composed letter's runs ------------------------------------------------------------------

def typeset_runs(runs: tuple, style: Style) -> tuple:
    """One paragraph's runs with typographic quotes; the marks are decided on the paragraph's
    whole text, so a quote in one run sees its neighbours in the next (“**bold**”)."""
    text, fixed, spans = [], [], []
    for run in runs:
        if isinstance(run, Run):
            start = len(text)
            text += run.text
            keep = run.code or _VERBATIM.fullmatch(run.text.strip()) is not None
            fixed += [keep] * len(run.text)
            for found in _VERBATIM.finditer(run.text):
                fixed[start + found.start():start + found.end()] = \
                    [True] * (found.end() - found.start())
            spans.append((start, len(text)))
        else:
            text.append(_NEUTRAL)
            fixed.append(True)
            spans.append(None)
    pieces = _marks("".join(text), fixed, style)
    out = []
    for run, span in zip(runs, spans):
        if isinstance(run, Run):
            new = "".join(pieces[span[0]:span[1]])
            out.append(run if new == run.text else dataclasses.replace(run, text=new))
        elif isinstance(run, NoteCall):
            out.append(dataclasses.replace(run, runs=typeset_runs(run.runs, style)))
        else:
            out.append(run)
    return tuple(out)


def typeset_blocks(blocks: tuple, style: Style) -> tuple:
    """Paragraphs and lists (nested to any depth) with typographic quotes."""
    out = []
    for block in blocks:
        if isinstance(block, Paragraph):
            out.append(dataclasses.replace(block, runs=typeset_runs(block.runs, style)))
        elif isinstance(block, ListBlock):
            items = tuple(typeset_blocks(item, style) for item in block.items)
            out.append(dataclasses.replace(block, items=items))
        else:
            out.append(block)
    return tuple(out)


def typeset_document(doc, enabled: bool = True):
    """The Document with typographic quotes in its prose: subject, opening, concerns (titles
    and text), demands, conclusion, closing, contact and footnotes. The salutation (it holds
    names), names, titles, addresses and the template's fixed words print as written."""
    style = style_for(doc.language) if enabled else None
    if style is None:
        return doc
    def text(value: str | None) -> str | None:  # a one-line field
        return typeset(value, doc.language) if value else value

    return dataclasses.replace(
        doc,
        subject=text(doc.subject),
        title=text(doc.title) if doc.subject and doc.title == doc.subject else doc.title,
        opening=typeset_blocks(doc.opening, style),
        concerns=tuple(dataclasses.replace(c, title=text(c.title),
                                           blocks=typeset_blocks(c.blocks, style))
                       for c in doc.concerns),
        demands=tuple(Demands(typeset_blocks(d.intro, style),
                              typeset_blocks((d.items,), style)[0]) for d in doc.demands),
        conclusion=typeset_blocks(doc.conclusion, style),
        closing=text(doc.closing),
        contact=typeset_blocks(doc.contact, style),
    )


__all__ = ["QUOTES", "STYLES", "Style", "style_for", "typeset", "typeset_blocks",
           "typeset_document", "typeset_runs"]
