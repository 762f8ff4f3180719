"""Walk the template's semantic HTML into a flat list of paragraphs (docs/template-contract.md).

The DOCX and text renderers both read this flow, never the HTML itself, so the two formats cannot
drift apart: a change of template structure shows up in every format at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import lxml.html

# XML 1.0 forbids these; lxml would also stop reading a string at a lone surrogate.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")

CONTAINERS = frozenset(
    "div section header footer main article address nav aside blockquote figure "
    "table thead tbody tfoot tr td th dl body".split()
)
PARAGRAPHS = frozenset("p h1 h2 h3 h4 h5 h6 li dt dd figcaption pre".split())
LISTS = frozenset(("ol", "ul"))
NEVER_WALKED = frozenset(("script", "style", "template", "hr", "head", "noscript"))
HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
LIST_STYLES = ("List Number", "List Bullet")
HEADING_STYLES = {"h1": "Heading 1", "h2": "Heading 2", "h3": "Heading 3"}
LINK_SCHEMES = ("http:", "https:", "mailto:")


def remove_xml_invalid(text: str) -> str:
    """Drop characters XML 1.0 cannot hold (C0 controls but tab/LF/CR, U+FFFE/U+FFFF, surrogates).

    Drafter removes them silently at render time; letter validation warns about them earlier.
    """
    return _XML_INVALID.sub("", text)


def same_block(a: Paragraph, b: Paragraph) -> bool:
    """True when `a` and `b` are lines of one block (an address, a signature): no gap between.

    The template says so by `data-keep-with-next` on all but the last line of one container.
    """
    return (a.keep_with_next and a.container == b.container and a.list is None and b.list is None
            and a.tag not in HEADINGS and b.tag not in HEADINGS)


@dataclass(frozen=True)
class Image:
    """An inline image as the HTML gives it; the renderer checks where it may read it from.

    `description` is its alternative text (`alt`), given to the picture; `alt` is what text
    prints in its place: the same, unless `data-text-alt` says otherwise (a logo printed beside
    the name it shows stands for no words of its own)."""

    src: str
    alt: str = ""
    height_px: float | None = None
    description: str = ""


@dataclass
class Footnote:
    """A footnote: its number (1, 2, ... in order of appearance) and its inline runs."""

    number: int
    runs: list[Run] = field(default_factory=list)
    origin: str = ""  # where in the YAML it was written (its span's data-source)


@dataclass
class Run:
    """One piece of inline content with uniform formatting; at most one of the specials is set."""

    text: str = ""
    bold: bool = False
    italic: bool = False
    underline: bool = False
    vert: str | None = None  # "superscript" or "subscript"
    href: str | None = None
    line_break: bool = False
    plain_link: bool = False  # a link that prints as its text (`data-plain-link`)
    footnote: Footnote | None = None
    note_ref: int | None = None  # a further call of an already given footnote
    image: Image | None = None
    lang: str | None = None  # an element's `lang` (None: the letter's language)
    change: str | None = None  # in a redline: "ins" or "del" (rounds/redline.py)

    @property
    def is_text(self) -> bool:
        """True for ordinary text (not a break, note, back-reference or image)."""
        return not self.line_break and self.footnote is None and self.note_ref is None and self.image is None


@dataclass(frozen=True)
class ListInfo:
    """List membership: `list_id` is unique per `ol`/`ul`, so each one restarts its numbering."""

    ordered: bool
    list_id: int
    level: int = 0
    start: int = 1
    marker: bool = True  # False for a second paragraph inside the same `li`


@dataclass(frozen=True)
class Columns:
    """A `data-columns` group: `group_id` tells two adjacent groups apart."""

    count: int
    group_id: int


@dataclass
class Paragraph:
    """One paragraph of the flow, with everything the renderers need to lay it out."""

    style: str
    runs: list[Run]
    tag: str = "p"
    keep_with_next: bool = False
    list: ListInfo | None = None
    columns: Columns | None = None
    align: str | None = None  # left, right, center, justify, start, end
    direction: str | None = None  # "ltr"/"rtl" when an element gave `dir`
    preformatted: bool = False
    container: int = 0  # the innermost container element holding it (see `same_block`)
    origin: str = ""  # where in the YAML: the nearest data-source ("concerns[1].text#0")
    change: str | None = None  # in a redline: the paragraph inserted ("ins") or deleted ("del")
    # The HTML element it comes from (a container for its loose text): the DOCX reads its
    # spacing and breaks from the stylesheet's values for it (docx_layout.py).
    source: object = field(default=None, compare=False, repr=False)

    @property
    def text(self) -> str:
        """The paragraph's plain text (breaks as newlines, notes and images left out)."""
        return "".join("\n" if r.line_break else r.text for r in self.runs if r.is_text or r.line_break)


@dataclass
class Metadata:
    """What the HTML head says about the letter."""

    title: str = ""
    author: str = ""
    description: str = ""
    keywords: str = ""
    lang: str = ""
    dir: str = ""
    page_label: str = ""
    notes_label: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    # Page furniture at the top of every page (docs/template-contract.md): a draft's mark and
    # notice, an embargo's line; and the letter's version (the DOCX's version property).
    draft_mark: str = ""
    draft_notice: str = ""
    embargo: str = ""
    version: str = ""

    @property
    def furniture(self) -> list[str]:
        """The lines of the page head, in reading order ([] for a final, unembargoed letter)."""
        return [line for line in (self.draft_mark, self.draft_notice, self.embargo) if line]


@dataclass
class Flow:
    """The whole letter: head metadata, body paragraphs and the footnotes in order."""

    metadata: Metadata
    paragraphs: list[Paragraph]
    footnotes: list[Footnote]


@dataclass(frozen=True)
class _Ctx:
    """Inherited state while walking: block settings from containers plus inline formatting."""

    block: Paragraph = field(default_factory=lambda: Paragraph("Normal", []))  # settings template
    style: str | None = None  # a container's data-docx-style
    lists: tuple[ListInfo, ...] = ()
    pre: bool = False
    bold: bool = False
    italic: bool = False
    underline: bool = False
    vert: str | None = None
    href: str | None = None
    plain_link: bool = False
    lang: str | None = None


def parse_html(html: str):
    """The template's HTML as an lxml tree (characters XML cannot hold removed)."""
    return lxml.html.document_fromstring(remove_xml_invalid(html))


def parse_flow(root) -> Flow:
    """Walk the parsed template HTML (not changed) into a Flow."""
    walker = _Walker()
    body = root.find("body")
    if body is not None:
        walker.walk_block(body, _Ctx())
    return Flow(head_metadata(root), walker.paragraphs, walker.footnotes)


def head_metadata(root) -> Metadata:
    """Read title, meta names, lang and dir from the document."""
    title = root.find(".//head/title")
    meta = {
        (m.get("name") or "").strip().lower(): m.get("content") or ""
        for m in root.iterfind(".//head/meta") if (m.get("name") or "").strip()
    }
    return Metadata(
        title=_HTML_SPACE.sub(" ", title.text_content()).strip() if title is not None else "",
        author=meta.get("author", ""), description=meta.get("description", ""),
        keywords=meta.get("keywords", ""), lang=root.get("lang", "").strip(),
        dir=root.get("dir", "").strip().lower(), page_label=meta.get("drafter:page-label", ""),
        notes_label=meta.get("drafter:notes-label", ""), meta=meta,
        draft_mark=meta.get("drafter:draft-mark", "").strip(),
        draft_notice=meta.get("drafter:draft-notice", "").strip(),
        embargo=meta.get("drafter:embargo", "").strip(),
        version=meta.get("drafter:version", "").strip(),
    )


def _skipped(el) -> bool:
    """Comments, never-walked tags and hidden elements produce nothing (their tail still counts)."""
    if not isinstance(el.tag, str):
        return True
    classes = (el.get("class") or "").split()
    return el.tag in NEVER_WALKED or el.get("hidden") is not None or "visually-hidden" in classes


def _is_block(el) -> bool:
    """Blocks end the current paragraph; everything else is inline."""
    return el.tag in CONTAINERS or el.tag in PARAGRAPHS or el.tag in LISTS


def _align(el) -> str | None:
    """Alignment from the `align` attribute or an inline `text-align` style."""
    m = re.search(r"text-align\s*:\s*([a-z]+)", el.get("style") or "", re.I)
    value = (m.group(1) if m else el.get("align") or "").strip().lower()
    return value if value in ("left", "right", "center", "justify", "start", "end") else None


def _height(el) -> float | None:
    """Image height in CSS px from the `height` attribute or an inline `height:` style."""
    m = re.search(r"(?:^|;)\s*height\s*:\s*([\d.]+)(?:px)?\s*(?:;|$)", el.get("style", ""), re.I)
    raw = m.group(1) if m else el.get("height", "").strip().removesuffix("px")
    return float(raw) if re.fullmatch(r"\d+(\.\d+)?", raw) and float(raw) > 0 else None


class _Walker:
    """Turns a body element tree into paragraphs; one instance per document."""

    def __init__(self) -> None:
        self.paragraphs: list[Paragraph] = []
        self.footnotes: list[Footnote] = []
        self._next_id = 0  # list, column-group and container ids (only uniqueness matters)

    def block_ctx(self, el, ctx: _Ctx) -> _Ctx:
        """Apply the block-level attributes every element may carry."""
        block, style = ctx.block, el.get("data-docx-style", "").strip() or ctx.style
        if el.get("data-keep-with-next", "false") != "false":
            block = replace(block, keep_with_next=True)
        if el.get("dir", "").lower() in ("ltr", "rtl"):
            block = replace(block, direction=el.get("dir").lower())
        if _align(el):
            block = replace(block, align=_align(el))
        if el.get("data-source", "").strip():
            block = replace(block, origin=el.get("data-source").strip())
        ctx = _lang_ctx(el, ctx)
        cols = el.get("data-columns", "").strip()
        if cols.isdigit() and int(cols) > 1:
            self._next_id += 1
            block = replace(block, columns=Columns(min(int(cols), 4), self._next_id))
        return replace(ctx, block=block, style=style)

    def walk_mixed(self, el, ctx: _Ctx, para: Paragraph | None) -> None:
        """Walk an element whose children mix inline content and blocks.

        Inline content gathers into a paragraph (`para`'s settings for a paragraph element, an
        anonymous one inside a container); each block child closes it first.
        """
        template = para or replace(ctx.block, style=ctx.style or "Normal", tag="div", source=el)
        current, first_done = [replace(template, runs=[])], [False]

        def flush() -> None:
            p = current[0]
            _collapse(p)
            if p.runs:
                if first_done[0] and p.list is not None:  # a later paragraph of one `li`
                    p.list = replace(p.list, marker=False)
                    p.style = "List Continue" if p.style in LIST_STYLES else p.style
                self.paragraphs.append(p)
                first_done[0] = True
            current[0] = replace(template, runs=[])

        self._text(el.text, ctx, current[0].runs)
        for child in el:
            if not _skipped(child) and not _is_block(child):
                self.walk_inline(child, ctx, current[0].runs)
            elif not _skipped(child):
                flush()
                if para is not None and para.list is not None and child.tag in LISTS \
                        and not first_done[0]:
                    # An item that starts with a sub-list: its own number takes a line of its
                    # own (the PDF prints it beside the sub-list's first marker), or Word
                    # would give the item no number and the next items other numbers.
                    self.paragraphs.append(replace(template, runs=[]))
                    first_done[0] = True
                if para is not None and para.list is not None and child.tag not in LISTS:
                    # A block inside an `li`: the first paragraph it yields carries the marker.
                    before = len(self.paragraphs)
                    self.walk_block(child, ctx, replace(para.list, marker=not first_done[0]))
                    first_done[0] = first_done[0] or len(self.paragraphs) > before
                else:
                    self.walk_block(child, ctx)
            self._text(child.tail, ctx, current[0].runs)
        flush()

    def walk_block(self, el, ctx: _Ctx, marker_list: ListInfo | None = None) -> None:
        """Walk a container, list or paragraph element."""
        ctx = self.block_ctx(el, ctx)
        if el.tag in LISTS:
            self._next_id += 1
            start = el.get("start", "").strip()
            start = int(start) if start.lstrip("-").isdigit() else 1
            info = ListInfo(el.tag == "ol", self._next_id, len(ctx.lists), start)
            inner = replace(ctx, lists=ctx.lists + (info,))
            for child in el:  # text loose in a list is dropped, as its items are what counts
                if not _skipped(child) and _is_block(child):
                    self.walk_block(child, inner)
        elif el.tag in PARAGRAPHS:
            lst = ctx.lists[-1] if el.tag == "li" and ctx.lists else marker_list
            style = el.get("data-docx-style", "").strip() or ctx.style or self._tag_style(el.tag, lst)
            para = replace(ctx.block, style=style, runs=[], tag=el.tag, list=lst, source=el,
                           preformatted=el.tag == "pre")
            self.walk_mixed(el, replace(ctx, pre=ctx.pre or el.tag == "pre"), para)
        else:
            self._next_id += 1
            self.walk_mixed(el, replace(ctx, block=replace(ctx.block, container=self._next_id)), None)

    @staticmethod
    def _tag_style(tag: str, lst: ListInfo | None) -> str:
        """The contract's default Word style for an element."""
        if lst is not None:
            return "List Continue" if not lst.marker else LIST_STYLES[0 if lst.ordered else 1]
        return HEADING_STYLES.get(tag, "Normal")

    def _text(self, text: str | None, ctx: _Ctx, runs: list[Run]) -> None:
        """Append text with the current formatting; `pre` newlines become line breaks."""
        if not text:
            return
        for i, line in enumerate(text.split("\n") if ctx.pre else [text]):
            if i:
                runs.append(Run(line_break=True))
            if line:
                runs.append(Run(line, ctx.bold, ctx.italic, ctx.underline, ctx.vert, ctx.href,
                                plain_link=ctx.plain_link, lang=ctx.lang))

    def walk_inline(self, el, ctx: _Ctx, runs: list[Run]) -> None:
        """Walk an inline element (and any blocks wrongly nested in it, read as inline)."""
        tag, classes = el.tag, (el.get("class") or "").split()
        if tag == "br":
            runs.append(Run(line_break=True))
            return
        if tag == "img":
            alt = (el.get("alt") or "").strip()
            text = el.get("data-text-alt")
            image = Image((el.get("src") or "").strip(), alt if text is None else text.strip(),
                          _height(el), alt)
            runs.append(Run(image=image, href=ctx.href))
            return
        if tag == "span" and "footnote" in classes:
            note = Footnote(len(self.footnotes) + 1, origin=el.get("data-source", "").strip())
            self.footnotes.append(note)  # numbered before walking, so nested order stays natural
            self._children_inline(el, replace(_Ctx(), pre=ctx.pre), note.runs)
            _collapse_runs(note.runs)
            runs.append(Run(footnote=note))
            return
        if tag == "span" and "footnote-ref" in classes:
            raw = (el.get("data-note") or el.text_content()).strip()
            if raw.isdigit():
                runs.append(Run(note_ref=int(raw)))
            return
        ctx = self._inline_ctx(el, ctx)
        self._children_inline(el, ctx, runs)

    def _children_inline(self, el, ctx: _Ctx, runs: list[Run]) -> None:
        """Walk an element's text and children as inline content."""
        self._text(el.text, ctx, runs)
        for child in el:
            if not _skipped(child):
                self.walk_inline(child, ctx, runs)
            self._text(child.tail, ctx, runs)

    @staticmethod
    def _inline_ctx(el, ctx: _Ctx) -> _Ctx:
        """Formatting an inline element adds to its content."""
        ctx, tag = _lang_ctx(el, ctx), el.tag
        if tag in ("strong", "b"):
            return replace(ctx, bold=True)
        if tag in ("em", "i"):
            return replace(ctx, italic=True)
        if tag == "u":
            return replace(ctx, underline=True)
        if tag in ("sup", "sub"):
            return replace(ctx, vert="superscript" if tag == "sup" else "subscript")
        if tag == "a":
            href = (el.get("href") or "").strip()
            if href.lower().startswith(LINK_SCHEMES):
                return replace(ctx, href=href, plain_link=el.get("data-plain-link") is not None)
        return ctx


def _lang_ctx(el, ctx: _Ctx) -> _Ctx:
    """An element's `lang` holds for its content (`lang=""`, no language given, is `und`)."""
    lang = el.get("lang")
    return ctx if lang is None else replace(ctx, lang=lang.strip() or "und")


def _collapse(p: Paragraph) -> None:
    """Collapse a paragraph's whitespace as a browser would (not inside `pre`)."""
    if p.preformatted:
        p.runs = [r for r in p.runs if not (r.is_text and not r.text)]
    else:
        _collapse_runs(p.runs)
    # A paragraph holding only breaks is empty to a reader.
    if all(r.line_break for r in p.runs):
        p.runs = []


def _collapse_runs(runs: list[Run]) -> None:
    """Whitespace runs become one space, trimmed at the edges and around line breaks."""
    space_before = True  # at a paragraph start, leading spaces vanish
    for r in runs:
        if r.line_break:
            space_before = True
        elif r.is_text:
            text = _HTML_SPACE.sub(" ", r.text)
            if space_before:
                text = text.lstrip(" ")
            r.text = text
            if text:
                space_before = text.endswith(" ")
        else:
            space_before = False
    # Trailing spaces vanish before a break and at the end.
    trim = True
    for r in reversed(runs):
        if r.line_break:
            trim = True
        elif r.is_text and trim:
            r.text = r.text.rstrip(" ")
            if r.text:
                trim = False
        elif not r.is_text:
            trim = False
    runs[:] = [r for r in runs if not (r.is_text and not r.text)]
