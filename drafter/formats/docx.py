"""DOCX renderer: writes the paragraph flow walked from the template's HTML into Word."""

from __future__ import annotations

import io
import math
import re
import struct

import docx
from docx.enum.section import WD_SECTION_START
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.image.exceptions import (InvalidImageStreamError, UnexpectedEndOfFileError,
                                   UnrecognizedImageError)
from docx.image.image import Image as DocxImage
from docx.oxml.ns import qn
from docx.shared import Emu, Pt, RGBColor, Twips
from docx.text.paragraph import Paragraph

from . import docx_ooxml as ox
from . import docx_props as props
from . import docx_styles
from . import docx_noteref, docx_package, docx_sources
from ..assets import AssetRefused, short_ref
from .base import Rendered, RenderError, Rendition
from .flow import Flow, Image, Paragraph as FlowParagraph, Run as FlowRun
from .docx_layout import (Layout, computed_styles, fonts_of, format_paragraph, format_style,
                          layouts, note_layout)
from .docx_scripts import (ScriptFonts, fill_script_slots, mark_run, mirror_complex_emphasis,
                           wholly_rtl)
from .flow import same_block

DEFAULT_LATIN, DEFAULT_EAST_ASIA, DEFAULT_CS = "Noto Serif", "Noto Serif CJK SC", "Noto Naskh Arabic"
# Pixels past which Pillow, and so the PDF, refuses an image as a decompression bomb.
IMAGE_PIXEL_CAP = 178_956_970
RTL_LANGUAGES = frozenset("ar arc ckb dv fa he ks ku ps sd ug ur yi".split())
CJK_LANGUAGES = frozenset(("zh", "ja", "ko"))
WORD_LIST_LEVELS = 9
# h1-h6 are headings in Word by their outline level (its navigation pane, accessibility
# checker and tagged PDF read it), also when data-docx-style gives them a style of their own.
_OUTLINE_LEVELS = {f"h{n}": n - 1 for n in range(1, 7)}
_PSTYLE, _VAL, _R = qn("w:pStyle"), qn("w:val"), qn("w:r")
_FURNITURE_COLOUR = RGBColor(0xAA, 0x00, 0x00)  # a draft's mark, as the template's CSS has it
_GENERIC = frozenset("serif sans-serif monospace cursive fantasy system-ui ui-serif".split())
_ALIGN = {
    "center": WD_ALIGN_PARAGRAPH.CENTER, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    "start": WD_ALIGN_PARAGRAPH.LEFT, "end": WD_ALIGN_PARAGRAPH.RIGHT,
}


def render_docx(r: Rendition, pages: int | None = None) -> Rendered:
    """Render the letter as DOCX bytes (identical bytes for identical input); `pages` is the
    PDF's page count when it was laid out in the same run (for docProps/app.xml)."""
    return write_flow(r, r.flow, pages=pages)


def write_flow(r: Rendition, flow: Flow, tracker=None, pages: int | None = None) -> Rendered:
    """The DOCX of a flow in `r`'s styles and page; with a docx_changes.Tracker, the flow's
    changed runs and paragraphs (a redline's) as Word tracked changes."""
    document = _open_document(r)
    writer = _Writer(document, r, flow, tracker)
    writer.write()
    warnings = writer.warnings + docx_package.finish(document, flow, writer.scripts, pages)
    return Rendered(ox.save_reproducible(document), tuple(warnings))


def _open_document(r: Rendition):
    """The reference document (or python-docx's default) with an empty body."""
    if r.reference_docx is not None:
        try:
            document = docx.Document(str(r.reference_docx))
        except Exception as exc:  # python-docx raises assorted errors for a bad file
            raise RenderError(f"cannot read reference document {r.reference_docx}: {exc}") from exc
    else:
        document = docx.Document()
    docx_styles.drop_styles_with_effects(document)
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    return document


# -- what the stylesheet tells a sober default (used only without a reference document) -----------

def _fonts(families: tuple[str, ...], scripts: ScriptFonts | None = None) -> tuple[str, str, str]:
    """Latin, east-Asian and complex-script typefaces from the stylesheet's chain: the families
    fontconfig draws the language's text with, else picked by name."""
    chain = [f for f in families if f.lower() not in _GENERIC]
    latin = next((f for f in chain if not re.search(r"CJK|Arabic|Naskh|Hebrew|Kufi", f)), DEFAULT_LATIN)
    east_asia = (scripts and scripts.east_asian_font()) or next(
        (f for f in chain if "CJK" in f), DEFAULT_EAST_ASIA)
    cs = (scripts and scripts.complex_font()) or next(
        (f for f in chain if re.search(r"Arabic|Naskh|Hebrew|Kufi", f)), DEFAULT_CS)
    return latin, east_asia, cs


def _body_size(style) -> float:
    """The body font size in points, as the PDF has it (11 when it is out of a letter's range)."""
    size = style.root.font_size
    return size if 6 <= size <= 30 else 11.0


def _page_setup(page, section) -> None:
    """Page size and margins from the stylesheet's `@page` rule, as the PDF has them."""
    section.page_width, section.page_height = Pt(page.width), Pt(page.height)
    # Margins in whole twips, rounded down: the text block is never narrower or shorter than
    # the PDF's, or a line that just fits there would wrap in Word.
    top, right, bottom, left = (Twips(math.floor(m * 20)) for m in page.margins)
    section.top_margin, section.right_margin = top, right
    section.bottom_margin, section.left_margin = bottom, left


class _Writer:
    """Writes one flow into one document."""

    def __init__(self, document, r: Rendition, flow: Flow, tracker=None) -> None:
        self.doc, self.r, self.flow, self.tracker = document, r, flow, tracker
        md = flow.metadata
        self.lang = md.lang or r.language or "en"
        self.rtl = (md.dir or r.direction or "ltr").lower() == "rtl"
        self.sober = r.reference_docx is None
        # Styles drafter makes take the stylesheet's sizes too (docx_layout.format_style).
        self._created = {"footnote text"} if docx_styles.find_style(
            document, "footnote text", WD_STYLE_TYPE.PARAGRAPH) is None else set()
        self.style_ids = docx_styles.ensure_note_and_link_styles(document)
        self._styles: dict[str, object] = {}
        self._style_layouts: dict[str, Layout] = {}  # each style's first paragraph's
        self._gaps: dict[int, float | None] = {}  # column gap of each column group
        self.numbering = ox.Numbering(document)
        self._list_nums: dict[int, int] = {}
        self.notes_part = ox.prepare_footnotes(document)
        self.segments: list[tuple[int | None, list]] = []  # (column group, paragraph elements)
        self.warnings: list[str] = []
        self.scripts = ScriptFonts(r.stylesheet, self.lang, r.template_dir)
        self.repeated = docx_noteref.repeated_notes(flow)  # notes cited again: NOTEREF fields
        self.origins: list[tuple[str, object]] = []  # (YAML path, w:p): docx_sources
        self.note_origins: list[tuple[str, object]] = []

    # -- document level -------------------------------------------------------------------------

    def write(self) -> None:
        """Styles, body, footer, sections, metadata."""
        self._document_styles()
        paragraphs = self.flow.paragraphs
        for i, (para, layout) in enumerate(zip(paragraphs, self._layouts(paragraphs))):
            p = self._paragraph(para, layout)
            if self.sober and i + 1 < len(paragraphs) and same_block(para, paragraphs[i + 1]):
                p.paragraph_format.space_after = Pt(0)  # address and signature lines sit together
        # Where each paragraph was written; ids after the notes' (NOTEREF bookmarks use those).
        after = docx_sources.bookmark_paragraphs(self.origins, len(self.flow.footnotes) + 1)
        docx_sources.bookmark_paragraphs(self.note_origins, after)
        self._footer()
        self._header()  # before _sections: each section's page setup copies its references
        self._sections()
        md = self.r.metadata  # one record, one precedence, as in the PDF
        ox.set_core_properties(
            self.doc, title=md.title, author=md.author,
            description=md.description, keywords=md.keywords, language=self.lang,
            when=ox.document_timestamp(self.r.date), version=self.flow.metadata.version,
            status=self.flow.metadata.draft_mark,
        )

    def _document_styles(self) -> None:
        """Language for every script slot, and sober defaults when there is no reference."""
        primary = self.lang.split("-")[0].lower()
        east_asia = self.lang if primary in CJK_LANGUAGES else "zh-CN"
        bidi = self.lang if primary in RTL_LANGUAGES else "ar-SA"
        defaults = self.doc.styles.element.find(qn("w:docDefaults"))
        default_rpr = None if defaults is None else defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
        normal, _ = docx_styles.ensure_style(self.doc, "Normal", WD_STYLE_TYPE.PARAGRAPH)
        for rpr in (default_rpr, normal.element.get_or_add_rPr()):
            if rpr is not None:
                ox.set_lang(rpr, self.lang, east_asia, bidi)
                if self.sober:
                    ox.set_fonts(rpr, *_fonts(self.r.style.font_chain, self.scripts))
                else:
                    fill_script_slots(rpr, *_fonts(self.r.style.font_chain, self.scripts)[1:])
        if self.sober:
            _sober_styles(self.doc, normal, _body_size(self.r.style))
        # The page is a style fact: a reference document's own page gives way to @page.
        _page_setup(self.r.style.page, self.doc.sections[-1])
        if self.rtl:
            ox.set_paragraph_bidi(normal.element.get_or_add_pPr())
            ox.set_section_bidi(self.doc.sections[-1]._sectPr)
        mirror_complex_emphasis(self.doc)

    def _style(self, name: str):
        """The paragraph style `name`, created (based on Normal) if the document lacks it."""
        if name not in self._styles:
            existing = docx_styles.find_style(self.doc, name, WD_STYLE_TYPE.PARAGRAPH)
            if existing is None and any(
                docx_styles.find_style(self.doc, name, t) for t in (WD_STYLE_TYPE.CHARACTER, WD_STYLE_TYPE.TABLE)
            ):
                raise RenderError(f"style {name!r} of the reference document is not a paragraph style")
            style, created = docx_styles.ensure_style(self.doc, name, WD_STYLE_TYPE.PARAGRAPH)
            if created:
                self._created.add(name)
            if created and not self.sober:
                self.warnings.append(f"{self.r.reference_docx} has no paragraph style {name!r}: "
                                     "drafter created it from Normal")
            self._styles[name] = style
        return self._styles[name]

    def _layouts(self, paragraphs: list[FlowParagraph]) -> list[Layout]:
        """Each paragraph's line height, spacing, indents and breaks from the stylesheet; each
        style takes its first paragraph's, so only the paragraphs that differ carry their own."""
        styles = computed_styles(self.r.tree, self.r.style.sheet)
        fonts = fonts_of(self.scripts.chain)
        found = layouts(self.r.tree, self.r.style.sheet, paragraphs, fonts, styles)
        for para, layout in zip(paragraphs, found):
            if para.style not in self._style_layouts:
                self._style_layouts[para.style] = layout
                format_style(self._style(para.style), layout,
                             size=self.sober or para.style in self._created)
        note = next(iter(self.r.tree.find_class("footnote")), None)
        if note is not None and note in styles:
            notes_style = docx_styles.find_style(self.doc, "footnote text", WD_STYLE_TYPE.PARAGRAPH)
            format_style(notes_style, note_layout(styles[note], fonts("")),
                         size=self.sober or "footnote text" in self._created)
        return found

    # -- paragraphs -----------------------------------------------------------------------------

    def _paragraph(self, para: FlowParagraph, layout: Layout) -> Paragraph:
        """One flow paragraph as one Word paragraph."""
        p = self.doc.add_paragraph()
        # By id: python-docx's style= argument rescans every style of the document per paragraph.
        ppr = props.paragraph_properties(p._p)
        props.child(ppr, _PSTYLE, props.PPR).set(_VAL, self._style(para.style).style_id)
        group = para.columns.group_id if para.columns else None
        if not self.segments or self.segments[-1][0] != group:
            self.segments.append((group, []))
        self.segments[-1][1].append((p._p, para.columns.count if para.columns else 1))
        if group is not None:
            self._gaps.setdefault(group, layout.column_gap)
        format_paragraph(ppr, layout, self._style_layouts[para.style],
                         numbered=para.list is not None and para.list.marker)
        if para.list is not None:
            self._list_item(p, para)
        rtl = self._is_rtl(para)
        if rtl:
            ox.set_paragraph_bidi(p._p.get_or_add_pPr())
        if para.align:
            p.paragraph_format.alignment = _alignment(para.align, rtl)
        if para.tag in _OUTLINE_LEVELS:  # a heading for Word too, whatever its style's look
            p._p.get_or_add_pPr().get_or_add_outlineLvl().val = _OUTLINE_LEVELS[para.tag]
        self._runs(p, para.runs, self.doc.part)
        self.origins.append((para.origin, p._p))
        if para.change and self.tracker is not None:
            self.tracker.paragraph_mark(p._p, para.change)
        return p

    def _is_rtl(self, para: FlowParagraph) -> bool:
        """Right-to-left by `dir` (the HTML marks paragraphs wholly in a right-to-left script),
        else by the letter's direction: the PDF's rule (docx_scripts.wholly_rtl)."""
        if para.direction is not None:
            return para.direction == "rtl"
        return self.rtl

    def _list_item(self, p: Paragraph, para: FlowParagraph) -> None:
        """Number or bullet the paragraph; each `ol`/`ul` gets its own restarting instance."""
        info = para.list
        # Word numbers nine levels (0-8): deeper items take the ninth level's numbering and
        # indent (as the PDF caps its indent), so forty levels stay inside the page.
        level = min(info.level, WORD_LIST_LEVELS - 1)
        if not info.marker:
            return  # a later paragraph of an item: indented as the stylesheet says (_layouts)
        if info.list_id not in self._list_nums:
            self._list_nums[info.list_id] = self.numbering.new_list(info.ordered, level, info.start)
        ox.set_list(p, self._list_nums[info.list_id], level)

    def _runs(self, p: Paragraph, runs: list[FlowRun], part, in_note: bool = False) -> None:
        """Write inline runs; consecutive runs with one href share one `w:hyperlink`."""
        link, href = None, None
        for fr in runs:
            if fr.href != href:
                href = fr.href
                link = ox.add_hyperlink(p, href, part) if href else None
            holder = link if link is not None else p._p
            written = len(holder)
            self._run(p, fr, link, in_note)
            if fr.change and self.tracker is not None:  # a redline's insertion or deletion
                self.tracker.runs([el for el in holder[written:] if el.tag == _R], fr.change)

    def _run(self, p: Paragraph, fr: FlowRun, link, in_note: bool) -> None:
        """One flow run: text (split by script), a break, a note and its call, a picture."""
        run = ox.add_run_in(link, p) if link is not None else p.add_run()
        if fr.line_break:
            run.add_break()
        elif fr.footnote is not None:
            self._footnote(run, fr)
        elif fr.note_ref is not None:
            run.text = str(fr.note_ref)
            run._r.get_or_add_rPr().style = self.style_ids["note_ref"]
            run.font.superscript = True  # explicit, so it survives a stripped style
            if fr.note_ref in self.repeated:  # the note's number as Word keeps it current
                docx_noteref.note_reference_field(run, fr.note_ref)
        elif fr.image is not None:
            if in_note:
                run.text = fr.image.alt
            else:
                self._image(run, fr.image)
        else:
            self._text(p, run, fr, link)

    def _text(self, p: Paragraph, run, fr: FlowRun, link) -> None:
        """A text run, split by script: each Arabic/Hebrew stretch is its own `w:rtl` run, and
        a stretch the style's font cannot draw names the font the PDF draws it with."""
        first = True
        for segment in self.scripts.segments(fr.text):
            if not first:
                run = ox.add_run_in(link, p) if link is not None else p.add_run()
            first = False
            if not props.add_text(run._r, segment.text):
                run.text = segment.text
            _format(run, fr, self.style_ids["link"] if link is not None and not fr.plain_link
                    else None)
            mark_run(run, segment)
            if fr.lang:  # the HTML's `lang` (one script's text, so one tag for every slot)
                ox.set_lang(run._r.get_or_add_rPr(), fr.lang, fr.lang, fr.lang)

    def _footnote(self, run, fr: FlowRun) -> None:
        """The call in the text plus the note itself in the footnotes part."""
        note = fr.footnote
        ox.make_footnote_reference(run, note.number, self.style_ids["note_ref"])
        if note.number in self.repeated:
            docx_noteref.bookmark_call(run, note.number)
        note_p = ox.add_footnote(self.notes_part, note.number, self.style_ids)
        self.note_origins.append((note.origin, note_p._p))
        if self.rtl or wholly_rtl("".join(r.text for r in note.runs)):
            ox.set_paragraph_bidi(note_p._p.get_or_add_pPr())
        self._runs(note_p, note.runs, self.notes_part, in_note=True)

    def _image(self, run, image: Image) -> None:
        """An inline picture, read only from the letter's or the template's folder."""
        source = resolve_image(image.src, self.r)
        height = Emu(round(image.height_px * 914400 / 96)) if image.height_px else None
        try:
            header = DocxImage.from_blob(source.getvalue())
            if header.px_width * header.px_height > IMAGE_PIXEL_CAP:
                raise RenderError(f"image {image.src!r} has {header.px_width}×{header.px_height} "
                                  "pixels, too many for a letter (a decompression bomb?)")
            shape = run.add_picture(source, height=height)
        except (UnrecognizedImageError, InvalidImageStreamError, UnexpectedEndOfFileError,
                OSError, ValueError, struct.error) as exc:
            raise RenderError(f"image {image.src!r} is not a readable PNG/JPEG/GIF/BMP/TIFF: "
                              f"{str(exc) or type(exc).__name__}") from exc
        section = self.doc.sections[-1]
        room = section.page_width - section.left_margin - section.right_margin
        if shape.width > room:  # a logo wider than the text block is scaled down to fit
            shape.height, shape.width = int(shape.height * room / shape.width), room
        shape._inline.docPr.set("descr", ox.xml_safe(image.description or image.alt))

    # -- footer and sections --------------------------------------------------------------------

    def _footer(self) -> None:
        """"Page {page} of {pages}" as text and PAGE/NUMPAGES fields, unless the reference has a footer."""
        label = self.flow.metadata.page_label
        footer = self.doc.sections[-1].footer
        if not label or not (footer.is_linked_to_previous or _footer_is_empty(footer)):
            return
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        for child in list(p._p):
            p._p.remove(child)
        p.style = self._style("Footer")
        p.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if self.rtl:
            ox.set_paragraph_bidi(p._p.get_or_add_pPr())
        for piece in re.split(r"(\{page\}|\{pages\})", ox.xml_safe(label)):
            if piece in ("{page}", "{pages}"):
                ox.add_field(p, "PAGE" if piece == "{page}" else "NUMPAGES")
            elif piece:
                p.add_run(piece)

    def _header(self) -> None:
        """A draft's mark and notice and an embargo's line at the top of every page, as the
        PDF has them: the mark at the start, the rest at the end of the line (a right tab at
        the text's edge). Above a reference document's own header (a letterhead stays), on
        its first page's and even pages' headers too."""
        md = self.flow.metadata
        if not md.furniture:
            return
        lines = [(md.draft_mark, md.draft_notice)] if md.draft_mark else []
        lines += [("", md.embargo)] if md.embargo else []
        section = self.doc.sections[-1]
        headers = [section.header]
        if section.different_first_page_header_footer:
            headers.append(section.first_page_header)
        if self.doc.settings.odd_and_even_pages_header_footer:
            headers.append(section.even_page_header)
        edge = section.page_width - section.left_margin - section.right_margin
        for header in headers:
            header.is_linked_to_previous = False
            for old in header.paragraphs:  # a new header's one empty paragraph would push
                if not old._p.xpath("./w:r | ./w:hyperlink | .//w:drawing | .//w:fldSimple"):
                    old._p.getparent().remove(old._p)  # the body down a line in Word
            for position, (mark, words) in enumerate(lines):
                p = header.add_paragraph()
                header._element.insert(position, p._p)  # before the header's own content
                p.style = self._style("Header")
                if self.rtl:
                    ox.set_paragraph_bidi(p._p.get_or_add_pPr())
                if mark:
                    run = p.add_run(ox.xml_safe(mark))
                    run.bold = True
                    run.font.color.rgb = _FURNITURE_COLOUR
                if words:
                    stops = p.paragraph_format.tab_stops
                    for inherited in _style_tab_stops(p.style):  # Header's own: centre, right
                        if inherited != edge:
                            stops.add_tab_stop(inherited, WD_TAB_ALIGNMENT.CLEAR)
                    stops.add_tab_stop(edge, WD_TAB_ALIGNMENT.RIGHT)
                    run = p.add_run("\t" + ox.xml_safe(words))
                    run.font.color.rgb = _FURNITURE_COLOUR

    def _sections(self) -> None:
        """Column groups become continuous sections with `w:cols`."""
        body_sect = self.doc.sections[-1]._sectPr
        if self.segments and self.segments[-1][0] is not None:
            # Word balances columns only before a section break: close the last group.
            trailing = self.doc.add_paragraph(style=self._style("Normal"))
            fmt = trailing.paragraph_format
            # One point high: the PDF has no line there.
            fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(0), Pt(1)
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            self.segments.append((None, [(trailing._p, 1)]))
        for i, (group, members) in enumerate(self.segments[:-1]):
            last_p, count = members[-1]
            gap = self._gaps.get(group) if group is not None else None
            ox.end_section_at(last_p, body_sect, count, continuous=i > 0,
                              space_twips=round(gap * 20) if gap is not None else 425)
        if len(self.segments) > 1:
            ox.set_columns(body_sect, 1)
            body_sect.start_type = WD_SECTION_START.CONTINUOUS


def _alignment(align: str, rtl: bool) -> WD_ALIGN_PARAGRAPH:
    """Word alignment; in a bidi paragraph Word reads left/right as start/end, so swap them."""
    if align in _ALIGN:
        return _ALIGN[align]
    physical_left = align == "left"
    return WD_ALIGN_PARAGRAPH.LEFT if physical_left != rtl else WD_ALIGN_PARAGRAPH.RIGHT


def _format(run, fr: FlowRun, link_style: str | None) -> None:
    """Bold, italic, underline, super/subscript and the hyperlink character style."""
    if not (link_style or fr.bold or fr.italic or fr.underline or fr.vert):
        return
    rpr = props.run_properties(run._r)
    if link_style:
        props.set_run_value(rpr, _RSTYLE, link_style)
    if fr.bold:
        props.set_run_value(rpr, _B)
        props.set_run_value(rpr, _B_CS)
    if fr.italic:
        props.set_run_value(rpr, _I)
        props.set_run_value(rpr, _I_CS)
    if fr.underline:
        props.set_run_value(rpr, _U, "single")
    if fr.vert in ("superscript", "subscript"):
        props.set_run_value(rpr, _VERT_ALIGN, fr.vert)


_RSTYLE, _B, _B_CS, _I, _I_CS = (qn(f"w:{tag}") for tag in ("rStyle", "b", "bCs", "i", "iCs"))
_U, _VERT_ALIGN = qn("w:u"), qn("w:vertAlign")


def _style_tab_stops(style) -> list:
    """The tab stop positions a paragraph style sets, itself or through its base styles."""
    positions = []
    while style is not None:
        positions += [t.position for t in style.paragraph_format.tab_stops]
        style = style.base_style
    return list(dict.fromkeys(positions))


def _footer_is_empty(footer) -> bool:
    """No text, field or picture in the reference document's footer."""
    xml = footer._element.xml
    marks = ("w:instrText", "w:fldSimple", "w:drawing", "w:pict")
    return not any(p.text.strip() for p in footer.paragraphs) and not any(m in xml for m in marks)


def _sober_styles(document, normal, size: float) -> None:
    """Body text at the stylesheet's size; headings bold, black, kept with the next paragraph."""
    normal.font.size = Pt(size)
    fmt = normal.paragraph_format
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(8), 1.15
    for level, scale in ((1, 1.45), (2, 1.18), (3, 1.05)):
        style, _ = docx_styles.ensure_style(document, f"Heading {level}", WD_STYLE_TYPE.PARAGRAPH)
        for el in style.element.findall(qn("w:rPr")) + style.element.findall(qn("w:pPr")):
            style.element.remove(el)  # python-docx's template has blue theme-font headings
        style.base_style = normal
        style.font.bold, style.font.size = True, Pt(round(size * scale * 2) / 2)
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.space_before, style.paragraph_format.space_after = Pt(11), Pt(4)


def resolve_image(src: str, r: Rendition) -> io.BytesIO:
    """The image bytes for `src`, through the letter's one confined asset reader."""
    try:
        return io.BytesIO(r.assets.read(src).data)
    except AssetRefused as refusal:
        raise RenderError(f"image {short_ref(src)!r} not read: {refusal}") from None
