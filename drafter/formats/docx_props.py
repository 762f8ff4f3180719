"""Paragraph and run properties written straight into their XML, where ECMA-376 orders them.

python-docx's setters find a property's place by looking up, one by one, every tag that may
follow it (35 in a paragraph's properties): a quarter of the time drafter spent writing a
letter's paragraphs. Here each property's rank in the schema's sequence is looked up once and
compared with the few children already there. The values are python-docx's own conversions
(`Length.twips`), so the XML is the one its setters write, attribute for attribute.
"""

from __future__ import annotations

from docx.oxml.ns import qn
from docx.shared import Length

# CT_PPrBase + CT_PPr (ECMA-376 Part 1, 17.3.1.26) and CT_RPr (17.3.2.28), in schema order.
_PPR_SEQUENCE = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers "
    "pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE "
    "autoSpaceDN bidi adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents "
    "suppressOverlap jc textDirection textAlignment textboxTightWrap outlineLvl divId cnfStyle "
    "rPr sectPr pPrChange").split()
_RPR_SEQUENCE = (
    "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint "
    "noProof snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u "
    "effect bdr shd fitText vertAlign rtl cs em lang eastAsianLayout specVanish oMath").split()
PPR = {qn(f"w:{tag}"): rank for rank, tag in enumerate(_PPR_SEQUENCE)}
RPR = {qn(f"w:{tag}"): rank for rank, tag in enumerate(_RPR_SEQUENCE)}

_VAL = qn("w:val")
_PPR_TAG, _RPR_TAG = qn("w:pPr"), qn("w:rPr")
_SPACING, _IND = qn("w:spacing"), qn("w:ind")
_LINE, _LINE_RULE = qn("w:line"), qn("w:lineRule")
_FIRST_LINE, _HANGING = qn("w:firstLine"), qn("w:hanging")
_RULES = {"exact": "exact", "at_least": "atLeast", "multiple": "auto"}


def child(parent, tag: str, ranks: dict):
    """The child `tag` (Clark notation) of a properties element, added at its place in the
    schema's sequence if missing. Children the sequence does not know are stepped over."""
    rank = ranks[tag]
    for existing in parent:
        if existing.tag == tag:
            return existing
        later = ranks.get(existing.tag)
        if later is not None and later > rank:
            new = parent.makeelement(tag)
            existing.addprevious(new)
            return new
    new = parent.makeelement(tag)
    parent.append(new)
    return new


def paragraph_properties(p):
    """The `w:pPr` of a `w:p`, its first child, added if missing."""
    if len(p) and p[0].tag == _PPR_TAG:
        return p[0]
    ppr = p.makeelement(_PPR_TAG)
    p.insert(0, ppr)
    return ppr


def run_properties(r):
    """The `w:rPr` of a run, its first child, added if missing."""
    first = r[0] if len(r) else None
    if first is not None and first.tag == _RPR_TAG:
        return first
    rpr = r.makeelement(_RPR_TAG)
    r.insert(0, rpr)
    return rpr


def set_on_off(props, tag: str, on: bool, ranks: dict = PPR) -> None:
    """A toggle such as `w:keepNext`: bare when on, `w:val="0"` when off (python-docx's form)."""
    el = child(props, tag, ranks)
    if on:
        el.attrib.pop(_VAL, None)
    else:
        el.set(_VAL, "0")


def twips(length: Length) -> str:
    return str(Length(length).twips)


def set_space(ppr, attr: str, length: Length) -> None:
    """`w:spacing/@w:before` or `@w:after`."""
    child(ppr, _SPACING, PPR).set(attr, twips(length))


def set_line(ppr, length: Length | None, rule: str) -> None:
    """The line pitch: `length` with rule "exact" or "at_least", or None for single lines."""
    spacing = child(ppr, _SPACING, PPR)
    spacing.set(_LINE, "240" if length is None else twips(length))
    spacing.set(_LINE_RULE, _RULES["multiple" if length is None else rule])


def set_indents(ppr, start: Length, end: Length, first: Length) -> None:
    """Start and end indents and the first line's (negative: hanging), as python-docx writes
    them: the first-line attribute always last."""
    ind = child(ppr, _IND, PPR)
    ind.set(qn("w:left"), twips(start))
    ind.set(qn("w:right"), twips(end))
    ind.attrib.pop(_FIRST_LINE, None)
    ind.attrib.pop(_HANGING, None)
    if first < 0:
        ind.set(_HANGING, twips(-first))
    else:
        ind.set(_FIRST_LINE, twips(first))



_T = qn("w:t")
_SPACE = qn("xml:space")


def add_text(r, text: str) -> bool:
    """Append `text` to a run as one `w:t` (space-preserving where it has outer spaces);
    False, and nothing written, when it holds a tab or line break, which python-docx's run
    text setter turns into `w:tab` and `w:br`."""
    if "\t" in text or "\n" in text or "\r" in text:
        return False
    if text:
        t = r.makeelement(_T)
        t.text = text
        if len(text.strip()) < len(text):
            t.set(_SPACE, "preserve")
        r.append(t)
    return True


def set_run_value(rpr, tag: str, value: str | None = None) -> None:
    """A run property such as `w:rStyle` or `w:u` with its `w:val` (bare when None)."""
    el = child(rpr, tag, RPR)
    if value is not None:
        el.set(_VAL, value)
