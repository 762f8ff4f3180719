"""Style facts of a template's stylesheet, read once with a real CSS parser.

The PDF is laid out by WeasyPrint from the stylesheet itself; the DOCX writer and the no-tofu
check need a few of the same facts (the font chain, sizes, line height, page size and margins).
They are read here, and only here, with tinycss2 and matched with cssselect2 as a browser would
(comments, specificity, `!important`, `:lang()`), so a comment before the `html` rule or a
`body` rule that overrides `html` gives the DOCX what the PDF has. Nothing here imports WeasyPrint.
"""

from __future__ import annotations

import importlib.util
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import cssselect2
import tinycss2

# The properties drafter reads, and whether a child inherits them. Beyond fonts, the DOCX
# takes each paragraph's spacing, indents and page-break rules from them (docx_layout.py).
_INHERITED = {"font-family": True, "font-size": True, "line-height": True, "font-weight": True,
              "text-align": True, "direction": True, "text-indent": True,
              "margin-top": False, "margin-bottom": False, "margin-left": False,
              "margin-right": False, "padding-left": False, "padding-right": False,
              "break-before": False, "break-after": False, "break-inside": False,
              "column-gap": False, "column-count": False}
_LENGTHS = frozenset(("margin-top", "margin-bottom", "margin-left", "margin-right",
                      "padding-left", "padding-right", "text-indent"))
_ZERO = {name: 0.0 for name in _LENGTHS - {"text-indent"}}
_IDENTS = frozenset(("font-weight", "text-align", "direction", "break-before", "break-after",
                     "break-inside"))
_LEGACY_BREAKS = {"page-break-before": "break-before", "page-break-after": "break-after",
                  "page-break-inside": "break-inside"}
_MEDIUM_PT = 12.0  # CSS `medium`, WeasyPrint's initial font size (16 px)
_PT_PER_UNIT = {"pt": 1.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0, "px": 0.75, "pc": 12.0,
                "q": 72 / 101.6}
_SIZE_KEYWORDS = {"xx-small": 3 / 5, "x-small": 3 / 4, "small": 8 / 9, "medium": 1.0,
                  "large": 6 / 5, "x-large": 3 / 2, "xx-large": 2.0, "xxx-large": 3.0}
PAGE_SIZES_MM = {"a3": (297, 420), "a4": (210, 297), "a5": (148, 210), "b4": (250, 353),
                 "b5": (176, 250), "letter": (215.9, 279.4), "legal": (215.9, 355.6),
                 "ledger": (279.4, 431.8)}
_MARGINS = ("margin-top", "margin-right", "margin-bottom", "margin-left")
_PADDINGS = ("padding-top", "padding-right", "padding-bottom", "padding-left")


@dataclass(frozen=True)
class LineHeight:
    """A CSS line height: a multiple of the font size (`1.42`) or a fixed length in points."""

    ratio: float | None = None
    points: float | None = None

    def at(self, size_pt: float) -> float:
        """The line height in points for text of `size_pt`."""
        return self.points if self.points is not None else (self.ratio or 1.2) * size_pt


@dataclass(frozen=True)
class Computed:
    """The values drafter reads for one element, after the cascade and inheritance."""

    font_family: tuple[str, ...] = ()
    font_size: float = _MEDIUM_PT  # points
    line_height: LineHeight | None = None  # None: `normal`
    font_weight: str = "normal"
    text_align: str = "start"
    direction: str = "ltr"
    text_indent: float = 0.0
    margin_top: float = 0.0  # points, as are the other lengths
    margin_bottom: float = 0.0
    margin_left: float = 0.0
    margin_right: float = 0.0
    padding_left: float = 0.0
    padding_right: float = 0.0
    break_before: str = "auto"
    break_after: str = "auto"
    break_inside: str = "auto"
    column_gap: float | None = None  # None: `normal` (1em)
    column_count: int | None = None  # None: `auto` (no columns)

    @property
    def start(self) -> float:
        """Margin plus padding on the side lines start from (right in a right-to-left box)."""
        if self.direction == "rtl":
            return self.margin_right + self.padding_right
        return self.margin_left + self.padding_left

    @property
    def end(self) -> float:
        """Margin plus padding on the side lines end at."""
        if self.direction == "rtl":
            return self.margin_left + self.padding_left
        return self.margin_right + self.padding_right


# Where the stylesheet is silent, the PDF has WeasyPrint's defaults: A4, 75 px margins.
_A4 = tuple(v * 72 / 25.4 for v in PAGE_SIZES_MM["a4"])
_UA_MARGIN = 75 * 0.75


@dataclass(frozen=True)
class Page:
    """The page box of the plain `@page` rule in points, as the PDF has it."""

    width: float = _A4[0]
    height: float = _A4[1]
    margins: tuple[float, float, float, float] = (_UA_MARGIN,) * 4  # top, right, bottom, left


@dataclass
class StyleSheet:
    """One parsed stylesheet: its rules in a cssselect2 matcher, its @page and @font-face."""

    matcher: cssselect2.Matcher
    page: Page
    font_faces: dict[str, tuple[str, ...]] = field(default_factory=dict)  # family -> url refs
    unread: list[str] = field(default_factory=list)  # what the DOCX cannot follow, for warnings

    def computed(self, element, parent: Computed | None = None) -> Computed:
        """The values of `element` (a cssselect2 ElementWrapper), inheriting from `parent`."""
        values = self._cascade(element)
        base = parent or Computed()
        out = {name: getattr(base, name.replace("-", "_")) if inherited else None
               for name, inherited in _INHERITED.items()}
        out.update(_ZERO, **{"break-before": "auto", "break-after": "auto",
                             "break-inside": "auto"})
        # The font size first: the element's own `em` lengths are of it.
        for name, tokens in sorted(values.items(), key=lambda item: item[0] != "font-size"):
            value = _value(name, tokens, base.font_size, out)
            if value is not None:
                out[name] = value
        return Computed(**{name.replace("-", "_"): value for name, value in out.items()})

    def _cascade(self, wrapper) -> dict[str, list]:
        declared: dict[str, tuple] = {}
        # Author rules win over the user agent's (WeasyPrint's own sheet) whatever their
        # specificity; within one origin, specificity then order.
        matches = sorted(self.matcher.match(wrapper), key=lambda m: (m[3][0], m[0], m[1]))
        for _specificity, _order, pseudo, (_origin, declarations) in matches:
            if pseudo:
                continue
            for name, tokens, important in declarations:
                if important or not declared.get(name, (None, False))[1]:
                    declared[name] = (tokens, important)
        return {name: tokens for name, (tokens, _) in declared.items()}


@dataclass(frozen=True)
class StyleFacts:
    """What the formats other than PDF need to know of a letter's stylesheet."""

    root: Computed  # the `body` of a letter in its language and direction
    page: Page
    font_faces: dict[str, tuple[str, ...]]
    sheet: StyleSheet

    @property
    def font_chain(self) -> tuple[str, ...]:
        """The font-family list the letter's body text is set in."""
        return self.root.font_family


def style_facts(css: str, lang: str = "", direction: str = "ltr") -> StyleFacts:
    """The facts of `css` for a letter in `lang` (a `html:lang(ja)` rule is matched as in the PDF)."""
    sheet = parse_stylesheet(css)
    html = ET.Element("html", {"lang": lang or "", "dir": direction or "ltr"})
    ET.SubElement(html, "body")
    wrapped = cssselect2.ElementWrapper.from_html_root(html)
    body = next(e for e in wrapped.iter_children() if e.local_name == "body")
    root = sheet.computed(body, sheet.computed(wrapped))
    return StyleFacts(root, sheet.page, sheet.font_faces, sheet)


@lru_cache(maxsize=32)
def parse_stylesheet(css: str) -> StyleSheet:
    """Parse a stylesheet once (cached per text: a batch renders one template many times)."""
    matcher, faces, page, unread = cssselect2.Matcher(), {}, {}, []
    for selector, declarations in _user_agent_rules():
        matcher.add_selector(selector, (0, declarations))
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    for rule in _applicable(rules):
        if rule.type == "qualified-rule":
            for selector, declarations in _compiled(rule, unread):
                matcher.add_selector(selector, (1, declarations))
        elif rule.lower_at_keyword == "page" and not tinycss2.serialize(rule.prelude).strip():
            for name, tokens, _ in _declarations(rule.content or [], unread):
                page[name] = tokens
        elif rule.lower_at_keyword == "font-face":
            _font_face(rule, faces)
    return StyleSheet(matcher, _page(page), faces, unread)


def _compiled(rule, unread: list[str]) -> list[tuple]:
    """(selector, declarations) of one style rule; none for a selector cssselect2 refuses."""
    notes: list[str] = []
    declarations = _declarations(rule.content, notes)
    if not declarations and not notes:  # nothing drafter reads (most of WeasyPrint's sheet):
        return []  # its selectors, the costly part, are not compiled
    try:
        selectors = cssselect2.compile_selector_list(rule.prelude)
    except cssselect2.SelectorError:
        return []  # WeasyPrint drops such a rule too
    unread += notes
    return [(selector, declarations) for selector in selectors]


@lru_cache(maxsize=1)
def _user_agent_rules() -> tuple:
    """WeasyPrint's own HTML stylesheet, under the template's: the margins of `p`, `ol` and
    the headings and `h2 { break-after: avoid }` hold in the PDF where the template is silent.
    Found without importing WeasyPrint (a DOCX-only render never loads it); none if absent."""
    spec = importlib.util.find_spec("weasyprint")
    folders = list(spec.submodule_search_locations or []) if spec else []
    path = next((Path(f) / "css" / "html5_ua.css" for f in folders
                 if (Path(f) / "css" / "html5_ua.css").is_file()), None)
    if path is None:
        return ()
    rules = tinycss2.parse_stylesheet(path.read_text("utf-8"), skip_comments=True,
                                      skip_whitespace=True)
    return tuple(pair for rule in rules if rule.type == "qualified-rule"
                 for pair in _compiled(rule, []))


def _applicable(rules):
    """Style rules as a printer applies them: those inside `@media print` or `all` too."""
    for rule in rules:
        if rule.type == "at-rule" and rule.lower_at_keyword == "media":
            media = {t.lower_value for t in rule.prelude if t.type == "ident"}
            if media & {"print", "all"} and rule.content:
                yield from _applicable(tinycss2.parse_rule_list(
                    rule.content, skip_comments=True, skip_whitespace=True))
        elif rule.type in ("qualified-rule", "at-rule"):
            yield rule


def _declarations(content, unread: list[str]) -> tuple:
    """(name, tokens, important) for each declaration drafter reads; shorthands expanded."""
    out = []
    for decl in tinycss2.parse_declaration_list(content, skip_comments=True,
                                                skip_whitespace=True):
        if decl.type != "declaration":
            continue
        tokens = [t for t in decl.value if t.type not in ("whitespace", "comment")]
        name = _LEGACY_BREAKS.get(decl.lower_name, decl.lower_name)
        if name == "columns":  # the shorthand's count (its width drafter does not read)
            counts = [t for t in tokens if t.type == "number" and t.is_integer]
            out.append(("column-count", counts[:1], decl.important))
        elif name in ("margin", "padding"):
            for side, value in zip(_MARGINS if name == "margin" else _PADDINGS, _four(tokens)):
                out.append((side, [value], decl.important))
        elif name in _INHERITED or name in ("size", *_MARGINS):
            out.append((name, tokens, decl.important))
        elif name == "font":
            unread.append("the `font` shorthand (give font-family, font-size and line-height "
                          "one by one: the DOCX reads only those)")
    return tuple(out)


def _four(tokens: list) -> list:
    """A 1-4 value box shorthand as top, right, bottom, left."""
    n = len(tokens)
    order = {1: (0, 0, 0, 0), 2: (0, 1, 0, 1), 3: (0, 1, 2, 1), 4: (0, 1, 2, 3)}.get(n)
    return [tokens[i] for i in order] if order else []


def _font_face(rule, faces: dict) -> None:
    family, urls = None, []
    for decl in tinycss2.parse_declaration_list(rule.content or [], skip_comments=True,
                                                skip_whitespace=True):
        if decl.type != "declaration":
            continue
        if decl.lower_name == "font-family":
            names = _families(decl.value)
            family = names[0] if names else None
        elif decl.lower_name == "src":
            urls += [t.value for t in decl.value if t.type == "url"]
            urls += [_string(t) for t in decl.value
                     if t.type == "function" and t.lower_name == "url" and _string(t)]
    if family and urls:
        faces[family.lower()] = faces.get(family.lower(), ()) + tuple(urls)


def _string(function) -> str | None:
    return next((t.value for t in function.arguments if t.type == "string"), None)


def _families(tokens) -> tuple[str, ...]:
    """A `font-family` value as names (quoted strings, or identifiers joined by spaces)."""
    names, words = [], []
    for token in list(tokens) + [None]:
        if token is None or (token.type == "literal" and token.value == ","):
            if words:
                names.append(" ".join(words))
            words = []
        elif token.type == "string":
            words.append(token.value)
        elif token.type == "ident":
            words.append(token.value)
    return tuple(n.strip() for n in names if n.strip())


def _length(token, font_size: float, percent_of: float | None = None) -> float | None:
    """A length token in points (em and % against the given sizes), else None."""
    if token.type == "dimension":
        unit = token.lower_unit
        if unit in _PT_PER_UNIT:
            return token.value * _PT_PER_UNIT[unit]
        if unit == "em":
            return token.value * font_size
        if unit == "rem":
            return token.value * _MEDIUM_PT
    elif token.type == "number" and token.value == 0:
        return 0.0
    elif token.type == "percentage" and percent_of is not None:
        return token.value / 100 * percent_of
    return None


def _value(name: str, tokens: list, parent_size: float, out: dict):
    """One declaration's computed value (None: not understood, the inherited one stays)."""
    if name == "font-family":
        return _families(tokens) or None
    if not tokens:
        return None
    token = tokens[0]
    if name == "font-size":
        if token.type == "ident" and token.lower_value in _SIZE_KEYWORDS:
            return _MEDIUM_PT * _SIZE_KEYWORDS[token.lower_value]
        return _length(token, parent_size, parent_size)
    size = out["font-size"] or parent_size
    if name == "line-height":
        if token.type == "ident" and token.lower_value == "normal":
            return None
        if token.type == "number":
            return LineHeight(ratio=token.value)
        points = _length(token, size, size)
        return LineHeight(points=points) if points is not None else None
    if name in _LENGTHS:
        return _length(token, size)
    if name == "column-count":
        return int(token.value) if token.type == "number" and token.is_integer else None
    if name == "column-gap":
        normal = token.type == "ident" and token.lower_value == "normal"
        return size if normal else _length(token, size)
    if name in _IDENTS:
        value = str(getattr(token, "lower_value", None) or getattr(token, "value", "")) or None
        # `always` and `left`/`right` are page breaks too (the legacy page-break-* values).
        return "page" if name.startswith("break") and value in ("always", "left", "right",
                                                                 "recto", "verso") else value
    return None


def _page(declared: dict) -> Page:
    width = height = None  # (a size drafter cannot read leaves the default)
    size = [t for t in declared.get("size", [])]
    idents = [t.lower_value for t in size if t.type == "ident"]
    named = next((PAGE_SIZES_MM[i] for i in idents if i in PAGE_SIZES_MM), None)
    lengths = [_length(t, _MEDIUM_PT) for t in size if t.type == "dimension"]
    if named:
        width, height = (v * 72 / 25.4 for v in named)
    elif lengths and None not in lengths:
        width, height = lengths[0], lengths[-1]
    if width is not None and "landscape" in idents:
        width, height = max(width, height), min(width, height)
    elif width is not None and "portrait" in idents:
        width, height = min(width, height), max(width, height)
    if width is None:
        width, height = _A4
    sides = [declared.get(side) for side in _MARGINS]
    margins = [(_length(s[0], _MEDIUM_PT, None) if s else _UA_MARGIN) for s in sides]
    return Page(width, height, tuple(m if m is not None else _UA_MARGIN for m in margins))
