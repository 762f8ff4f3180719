"""The styles of a Word document: found as Word finds them (by name, case-insensitively, or by
id), and created from Normal where a letter needs one the reference document lacks."""

from __future__ import annotations

from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Pt, RGBColor
from docx.styles.style import BaseStyle, StyleFactory

WORD_BUILTIN_STYLES = frozenset(
    ["normal", "footer", "header", "hyperlink", "footnote text", "footnote reference",
     "list number", "list bullet", "list continue"] + [f"heading {n}" for n in range(1, 10)]
)


def find_style(document, name: str, style_type: WD_STYLE_TYPE) -> BaseStyle | None:
    """The style called `name` (case-insensitively, as Word stores "footnote text") or None."""
    # Looked up in an index of the styles part, built once per document: this runs for every
    # style a letter uses, over every style of the reference document (0.2 ms a query with
    # XPath, 8 ms a letter).
    index = _style_index(document.styles.element)
    kind = _STYLE_TYPE_XML[style_type]
    hits = [index[key] for key in ((kind, "name", name.strip().lower()),
                                   (kind, "id", name.replace(" ", "").lower())) if key in index]
    return StyleFactory(min(hits, key=lambda hit: hit[0])[1]) if hits else None


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_INDEX: list = [None]  # (styles element, its number of children, index): the document in hand


def _style_index(styles) -> dict:
    """{(type, "name" or "id", lower-case value): (position, w:style)}, the first style in
    document order for each key (what Word finds first)."""
    cached = _INDEX[0]
    if cached is not None and cached[0] is styles and cached[1] == len(styles):
        return cached[2]
    index: dict = {}
    for position, style in enumerate(styles):
        _index_style(index, position, style)
    _INDEX[0] = (styles, len(styles), index)
    return index


def _index_style(index: dict, position: int, style) -> None:
    if style.tag != f"{_W}style":
        return
    kind = style.get(f"{_W}type") or "paragraph"  # none: a paragraph style (17.7.4.17)
    name = style.find(f"{_W}name")
    if name is not None:
        index.setdefault((kind, "name", (name.get(f"{_W}val") or "").lower()), (position, style))
    index.setdefault((kind, "id", (style.get(f"{_W}styleId") or "").lower()), (position, style))


def _indexed_new_style(styles, style) -> None:
    """The index kept for a style just appended (a rebuild per new style cost 1 ms)."""
    cached = _INDEX[0]
    if cached is not None and cached[0] is styles and cached[1] == len(styles) - 1 \
            and styles[-1] is style:
        _index_style(cached[2], len(styles) - 1, style)
        _INDEX[0] = (styles, len(styles), cached[2])
    else:
        _INDEX[0] = None


_STYLE_TYPE_XML = {WD_STYLE_TYPE.PARAGRAPH: "paragraph", WD_STYLE_TYPE.CHARACTER: "character",
                   WD_STYLE_TYPE.TABLE: "table", WD_STYLE_TYPE.LIST: "numbering"}


def ensure_style(document, name: str, style_type: WD_STYLE_TYPE) -> tuple[BaseStyle, bool]:
    """Return (style, created): the existing style or a new one based on Normal/default font."""
    style = find_style(document, name, style_type)
    if style is not None:
        return style, False
    builtin = name.lower() in WORD_BUILTIN_STYLES  # no customStyle flag: Word knows these names
    style = document.styles.add_style(name, style_type, builtin=builtin)
    style.style_id = "".join(w[:1].upper() + w[1:] for w in name.split())  # Word's id spelling
    _indexed_new_style(document.styles.element, style.element)
    if style_type == WD_STYLE_TYPE.PARAGRAPH:
        normal = find_style(document, "Normal", WD_STYLE_TYPE.PARAGRAPH)
        if normal is not None and normal.style_id != style.style_id:
            style.base_style = normal
    return style, True


def ensure_note_and_link_styles(document) -> dict[str, str]:
    """Create "footnote text", "footnote reference" and "Hyperlink" if missing; return their ids."""
    text, created = ensure_style(document, "footnote text", WD_STYLE_TYPE.PARAGRAPH)
    if created:
        text.font.size = Pt(9)
        text.paragraph_format.space_after = Pt(0)
        text.paragraph_format.space_before = Pt(0)
    ref, created = ensure_style(document, "footnote reference", WD_STYLE_TYPE.CHARACTER)
    if created:
        ref.font.superscript = True
    link, created = ensure_style(document, "Hyperlink", WD_STYLE_TYPE.CHARACTER)
    if created:
        link.font.color.rgb = RGBColor(0x05, 0x63, 0xC1)
        link.font.underline = True
    return {"note_text": text.style_id, "note_ref": ref.style_id, "link": link.style_id}


_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"


def drop_styles_with_effects(document) -> None:
    """Remove Word 2010's second copy of the styles (stylesWithEffects.xml). drafter sets its
    fonts, sizes and spacing in styles.xml only, so the copy would contradict the letter's
    styles; Word rebuilds it from styles.xml when it needs it."""
    part = document.part
    for r_id, rel in list(part.rels.items()):
        if rel.reltype == _STYLES_WITH_EFFECTS:
            part.drop_rel(r_id)
