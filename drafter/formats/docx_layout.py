"""Each DOCX paragraph's spacing, line height, indents and breaks, as the PDF lays it out.

The PDF is WeasyPrint's layout of the template's HTML with its stylesheet; Word and LibreOffice
lay the DOCX out themselves. For both to fill pages alike, every flow paragraph takes from the
stylesheet's computed values (template/style.py, matched on the one parsed tree) what decides
where lines and pages end:

- line height in points as CSS sets it for the fonts on the line, "exact" where Word would
  grow an "at least" line past it (a pitch below the font's own height, an Arabic or Tibetan
  name), else "at least" (a logo still fits);
- the gap to the next paragraph as CSS collapses margins: the largest of the bottom margins of
  the elements that end and the top margins of those that begin, written as the first
  paragraph's space after (Word and LibreOffice add before and after; CSS drops the margins at
  a page break it makes itself, as Word drops a space after at the foot of a page);
- the start and end indents (margins and paddings of the ancestors, a list number ending
  where the PDF's marker does), `break-before/after: page` as a page break before,
  `break-after: avoid`, `break-before: avoid` and `break-inside: avoid` as keep-with-next and
  keep-lines;
- the column gap of a `data-columns` group.

Why direct values and not the reference document's styles: those have their own spacing (1.15
lines, 7 pt after) and Word measures a line from the font's own height, not the CSS's; written
in points with exact or at-least rules, the lines are the PDF's whatever the font's line gap.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import takewhile

import cssselect2
from docx.oxml.ns import qn
from docx.shared import Pt

from . import docx_ooxml as ox
from . import docx_props as props
from ..template.style import Computed

_COMMON_SERIF = (1.07, 0.29)  # ascent and descent per em when no font file can be read
_SPACE = 0.26  # the width of a space per em (Noto Serif's), after a list marker


@dataclass(frozen=True)
class Layout:
    """What one Word paragraph needs to break lines and pages where the PDF does."""

    size: float  # font size in points
    line: float | None  # line pitch in points; None: CSS `normal` (the font's own)
    exact: bool  # an exact line pitch, else "at least"
    before: float = 0.0  # space before and after in points
    after: float = 0.0
    start: float = 0.0  # indents from the text block's start and end edges, in points
    end: float = 0.0
    hanging: float = 0.0  # a list marker's room before the text start
    first_line: float = 0.0  # CSS text-indent
    keep_next: bool = False
    keep_lines: bool = False
    page_break: bool = False
    column_gap: float | None = None  # points, for a paragraph of a column group


def format_style(style, layout: Layout, size: bool) -> None:
    """Write the values of the first paragraph of a style into the style itself, so a partner
    who types a new paragraph in it gets the PDF's spacing; `size` too for a style drafter
    made (a reference document's own sizes are its look)."""
    ppr = style.element.get_or_add_pPr()
    _line(ppr, layout)
    props.set_space(ppr, _BEFORE, Pt(layout.before))
    props.set_space(ppr, _AFTER, Pt(layout.after))
    props.set_on_off(ppr, _KEEP_NEXT, layout.keep_next)
    props.set_on_off(ppr, _KEEP_LINES, layout.keep_lines)
    props.set_on_off(ppr, _PAGE_BREAK, layout.page_break)
    _indent(ppr, layout)
    # "No space between paragraphs of the same style" would drop the gaps between list items.
    ox.set_contextual_spacing(ppr, False)
    if size:
        style.font.size = Pt(layout.size)


def format_paragraph(ppr, layout: Layout, style: Layout, numbered: bool) -> None:
    """Direct formatting (in the paragraph's `w:pPr`) where a paragraph's values differ from
    its style's; a numbered one always gets its indents (the numbering level's would win over
    the style's), one kept with the next its keep."""
    if _twips(layout.before) != _twips(style.before):
        props.set_space(ppr, _BEFORE, Pt(layout.before))
    if _twips(layout.after) != _twips(style.after):
        props.set_space(ppr, _AFTER, Pt(layout.after))
    if (layout.line is None) != (style.line is None) or layout.exact != style.exact or (
            layout.line is not None and _twips(layout.line) != _twips(style.line)):
        _line(ppr, layout)
    if layout.keep_next or layout.keep_next != style.keep_next:
        # Kept with the next paragraph in its own right too (the template asks it of this
        # paragraph), so it holds when a partner gives it another style.
        props.set_on_off(ppr, _KEEP_NEXT, layout.keep_next)
    if layout.keep_lines != style.keep_lines:
        props.set_on_off(ppr, _KEEP_LINES, layout.keep_lines)
    if layout.page_break != style.page_break:
        props.set_on_off(ppr, _PAGE_BREAK, layout.page_break)
    indents = (layout.start, layout.end, layout.hanging, layout.first_line)
    if numbered or [_twips(v) for v in indents] != [_twips(v) for v in (
            style.start, style.end, style.hanging, style.first_line)]:
        _indent(ppr, layout)


_BEFORE, _AFTER = qn("w:before"), qn("w:after")
_KEEP_NEXT, _KEEP_LINES = qn("w:keepNext"), qn("w:keepLines")
_PAGE_BREAK = qn("w:pageBreakBefore")


def _twips(points: float) -> int:
    return round(points * 20)


def _line(ppr, layout: Layout) -> None:
    """Single lines (CSS `normal`: the font's own height), else the CSS pitch, exact or at
    least."""
    props.set_line(ppr, None if layout.line is None else Pt(layout.line),
                   "exact" if layout.exact else "at_least")


def _indent(ppr, layout: Layout) -> None:
    props.set_indents(ppr, Pt(layout.start), Pt(layout.end),
                      Pt(-layout.hanging if layout.hanging else layout.first_line))


def computed_styles(tree, sheet) -> dict:
    """The computed values of every element of the parsed template HTML, by element."""
    out: dict = {}
    wrapper = cssselect2.ElementWrapper.from_html_root(tree)
    stack = [(wrapper, None)]
    while stack:  # iteratively: forty nested lists are deeper than Python's recursion likes
        element, parent = stack.pop()
        values = sheet.computed(element, parent)
        out[element.etree_element] = values
        stack.extend((child, values) for child in element.iter_children())
    return out


def layouts(tree, sheet, paragraphs, fonts, styles: dict | None = None) -> list[Layout]:
    """One Layout per flow paragraph; `fonts(text)` gives the (ascent, descent) per em of the
    fonts that draw a text, the body font first."""
    styles = styles if styles is not None else computed_styles(tree, sheet)
    paths = [_path(p.source) for p in paragraphs]
    out, inner_before = [], 0.0
    for i, para in enumerate(paragraphs):
        here = paths[i]
        c = styles.get(para.source) or Computed()
        previous = paths[i - 1] if i else []
        opened = [e for e in here if e not in set(previous)] if i else here
        following = paths[i + 1] if i + 1 < len(paragraphs) else None
        closed, next_opened = ([], []) if following is None else _boundary(here, following)
        forced_after = following is not None and _forced(closed, next_opened, styles)
        page_break = i > 0 and _forced(_boundary(previous, here)[0], opened, styles)
        before = _collapse(styles[e].margin_top for e in opened if e in styles) \
            if i == 0 or page_break else inner_before
        after, inner_before = (0.0, 0.0) if following is None or forced_after else _gap(
            closed, next_opened, styles)
        line, exact = _pitch(c, fonts(para.text), any(r.image is not None for r in para.runs))
        start = sum(styles[e].start for e in here if e in styles)
        hanging = _hanging(para, here, styles) if para.list is not None and para.list.marker \
            else 0.0
        shared = set(here) & set(following or [])
        keep_next = following is not None and not forced_after and (
            para.keep_with_next
            or any(styles[e].break_after == "avoid" for e in closed if e in styles)
            or any(styles[e].break_before == "avoid" for e in next_opened if e in styles)
            or any(styles[e].break_inside == "avoid" for e in shared if e in styles))
        out.append(Layout(
            size=c.font_size, line=line, exact=exact, before=before, after=after, start=start,
            end=sum(styles[e].end for e in here if e in styles), hanging=hanging,
            first_line=c.text_indent if not para.list else 0.0, keep_next=keep_next,
            keep_lines=any(styles[e].break_inside == "avoid" for e in here if e in styles),
            page_break=page_break, column_gap=_column_gap(here, styles)))
    return _loose_before_long_groups(out, paragraphs, sheet.page)


def _loose_before_long_groups(out: list[Layout], paragraphs, page) -> list[Layout]:
    """No keep-with-next into a column group taller than a page: LibreOffice keeps the
    heading with the whole group and moves both to a new page, leaving the rest of the page
    empty, where the PDF starts the group under its heading and carries it on."""
    room = page.height - page.margins[0] - page.margins[2]
    for i in range(len(paragraphs) - 1):
        group = _group(paragraphs[i + 1])
        if group is None or group == _group(paragraphs[i]) or not out[i].keep_next:
            continue
        members = list(takewhile(lambda j: _group(paragraphs[j]) == group,
                                 range(i + 1, len(paragraphs))))
        height = sum((out[j].line or out[j].size * 1.2) + out[j].before + out[j].after
                     for j in members) / max(paragraphs[i + 1].columns.count, 1)
        if height > room:  # at least this tall: each of its paragraphs is one line or more
            out[i] = replace(out[i], keep_next=False)
    return out


def note_layout(c: Computed, fonts: list) -> Layout:
    """The footnotes' layout: their own size and line height, no spacing."""
    line, exact = _pitch(c, fonts, False)
    return Layout(size=c.font_size, line=line, exact=exact)


def _pitch(c: Computed, fonts: list, has_image: bool) -> tuple[float | None, bool]:
    """The line pitch of a paragraph as the PDF sets it, and whether Word must hold it exactly.

    CSS centres each font's ascent and descent in the line height (the half-leading) and a
    line is as tall as the highest top and lowest bottom of the fonts on it: a Tibetan name
    adds 3.5 points to a 10.5-point line. Word and LibreOffice grow an "at least" line to the
    largest ascent plus the largest descent (a Tibetan line twice its height), so where that
    exceeds the PDF's pitch the pitch is exact; a picture keeps "at least" (it would be cut)."""
    if c.line_height is None:
        return None, False  # `normal`: the fonts' own height, as Word's single spacing
    size, height = c.font_size, c.line_height.at(c.font_size)
    fonts = fonts or [(0.8, 0.2)]
    leading = [(height - (a + d) * size) / 2 for a, d in fonts]
    pitch = max(a * size + half for (a, _), half in zip(fonts, leading)) + max(
        d * size + half for (_, d), half in zip(fonts, leading))
    grown = (max(a for a, _ in fonts) + max(d for _, d in fonts)) * size
    return pitch, grown > pitch + 0.05 and not has_image


def _group(para) -> int | None:
    return para.columns.group_id if para.columns else None


def _path(element) -> list:
    """The element and its ancestors below `html`, outermost first."""
    if element is None:
        return []
    chain = [element, *element.iterancestors()]
    return [e for e in reversed(chain) if e.tag != "html"]


def _boundary(a: list, b: list) -> tuple[list, list]:
    """Between the content of paragraph paths `a` and `b`: the elements that end (innermost
    first) and those that begin (outermost first)."""
    common = 0
    while common < min(len(a), len(b)) and a[common] is b[common]:
        common += 1
    return list(reversed(a[common:])), b[common:]


def _gap(closed: list, opened: list, styles: dict) -> tuple[float, float]:
    """The space between two paragraphs, as (after the first, before the second).

    The margins that adjoin collapse into one, but not across the edge of a multi-column box
    (it holds its own margins, as CSS's block formatting contexts do): the last signatory's
    margin adds to the next heading's, and the top margin of a column group's first
    paragraph stays inside the group, above its first column only, so it is that
    paragraph's space before."""
    total, adjoining, inside = 0.0, [], False
    for element, side in [(e, "bottom") for e in closed] + [(e, "top") for e in opened]:
        c = styles[element]
        if (c.column_count or 1) > 1 and side == "bottom":
            total, adjoining = total + _collapse(adjoining), []  # its content's margins stay in
        adjoining.append(c.margin_bottom if side == "bottom" else c.margin_top)
        if (c.column_count or 1) > 1 and side == "top":
            total, adjoining, inside = total + _collapse(adjoining), [], True
    if inside:
        return total, _collapse(adjoining)
    return total + _collapse(adjoining), 0.0


def _collapse(margins) -> float:
    """Adjoining margins as CSS collapses them: the largest positive plus the most negative."""
    margins = list(margins)
    return max([m for m in margins if m > 0], default=0.0) + min(
        [m for m in margins if m < 0], default=0.0)


def _forced(closed: list, opened: list, styles: dict) -> bool:
    """A page break the stylesheet forces between two paragraphs."""
    return any(styles[e].break_after == "page" for e in closed if e in styles) or any(
        styles[e].break_before == "page" for e in opened if e in styles)


def _hanging(para, path: list, styles: dict) -> float:
    """Where a list marker ends before the text: the PDF draws it outside the item's box,
    its "1. " ending at the item's padding, so Word right-aligns the number that far (the
    item's padding and a space) before the text."""
    item = next((e for e in reversed(path) if e.tag == "li"), None)
    c = styles.get(item) if item is not None else None
    return (c.start + _SPACE * c.font_size) if c is not None else _SPACE * 10


def _column_gap(path: list, styles: dict) -> float | None:
    """The gap between the columns of the group holding the paragraph, if any."""
    for element in reversed(path):
        if (element.get("data-columns") or "").strip().isdigit() and element in styles:
            c = styles[element]
            return c.column_gap if c.column_gap is not None else c.font_size
    return None


def fonts_of(chain):
    """`fonts(text)`: the (ascent, descent) per em of the body font, then of each font the PDF
    draws the text's other scripts with (the letter's font chain, resolved as for the PDF)."""
    base = chain.face_for("x") if chain is not None else None
    base_file = base.file if base is not None else None

    faces: dict[str, object] = {}  # char -> its face's file: each looked up once a letter

    def face_file(char: str):
        if char not in faces:
            face = chain.face_for(char)
            faces[char] = face.file if face is not None else None
        return faces[char]

    def fonts(text: str) -> list[tuple[float, float]]:
        if chain is None:
            return [font_metrics(None)]
        files = set(map(face_file, set(text) - {" ", "\n"})) - {None}
        return [font_metrics(base_file)] + [font_metrics(f) for f in sorted(files - {base_file})]
    return fonts


@lru_cache(maxsize=64)
def font_metrics(font_file: str | None) -> tuple[float, float]:
    """A font's ascent and descent per em (its hhea metrics, which Pango and LibreOffice lay
    lines out with; a line gap goes to the ascent)."""
    if not font_file:
        return _COMMON_SERIF
    try:
        from fontTools.ttLib import TTFont
        with TTFont(font_file, lazy=True, fontNumber=0) as font:
            units, hhea = font["head"].unitsPerEm, font["hhea"]
            return (hhea.ascent + hhea.lineGap) / units, -hhea.descent / units
    except Exception:  # noqa: BLE001 - an unreadable font: a common serif's metrics
        return _COMMON_SERIF
