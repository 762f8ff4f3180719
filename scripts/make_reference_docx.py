"""Build the joint-letter template's reference.docx: page set-up and the named paragraph styles
its HTML asks for (data-docx-style), matching style.css. Run it after changing either:

    python3 scripts/make_reference_docx.py

An organisation's own letterhead replaces this file with a Word document of its own: the DOCX
renderer takes styles, page set-up, header and footer from whatever reference.docx it finds.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from drafter.formats.docx_scripts import mirror_complex_emphasis  # noqa: E402
from drafter.formats.docx_styles import drop_styles_with_effects  # noqa: E402
from drafter.formats.docx_ooxml import (document_timestamp, save_reproducible,  # noqa: E402
                                       set_core_properties)

TARGET = ROOT / "letter_templates" / "joint-letter" / "reference.docx"
SERIF = "Noto Serif"
GREY = RGBColor(0x33, 0x33, 0x33)

# name: (base, size pt, bold, align, space before, space after, keep with next, colour)
STYLES = {
    "Dateline": ("Normal", None, False, WD_ALIGN_PARAGRAPH.RIGHT, 0, 14, False, None),
    "Block Label": ("Normal", None, True, None, 8, 3, True, None),
    "Address": ("Normal", None, False, None, 0, 0, False, None),
    "Address First": ("Address", None, True, None, 6, 0, True, None),
    "Subject": ("Normal", None, False, None, 14, 12, False, None),
    "Salutation": ("Normal", None, False, None, 0, 9, False, None),
    "Demands Intro": ("Normal", None, False, None, 0, 4, True, None),
    "Closing": ("Normal", None, False, None, 12, 12, True, None),
    "Signatory Group": ("Normal", 10, True, None, 10, 4, True, None),
    "Signature": ("Normal", None, True, None, 9, 0, False, None),
    "Signature Detail": ("Normal", None, False, None, 0, 0, False, GREY),
    "Signatory Compact": ("Normal", 9.5, False, None, 0, 4, False, None),
    "Signatory Tier": ("Normal", None, True, None, 14, 2, True, None),
    "Signatory Note": ("Normal", 9.5, False, None, 0, 6, False, GREY),
    "Signatory Summary": ("Normal", None, True, None, 6, 7, False, None),
    "Logo Strip": ("Normal", None, False, WD_ALIGN_PARAGRAPH.CENTER, 0, 14, False, None),
    "Annex Title": ("Normal", 11, True, None, 0, 6, True, None),
    "Annex Entry": ("Normal", 8.5, False, None, 0, 1.5, False, None),
    "Annex Country": ("Annex Entry", None, True, None, 5, 1.5, True, None),
    "Contact": ("Normal", 9.5, False, None, 14, 0, False, None),
}


def _drop_table_styles(doc) -> None:
    """python-docx's template defines 100 table styles (424 KB of its 438 KB of styles.xml):
    letters have no tables, and Word offers its built-in table styles without them. Every
    letter's DOCX carried them, and parsing, writing and compressing them cost a tenth of
    its render. The default table style ("Normal Table") stays: Word's tables rest on it."""
    styles = doc.styles.element
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:type")) == "table" and style.get(qn("w:default")) != "1":
            styles.remove(style)


def main() -> None:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(25), Mm(26)
    section.left_margin = section.right_margin = Mm(24)
    section.footer_distance = Mm(12)

    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = SERIF, Pt(10.5)
    normal.paragraph_format.space_after = Pt(7)
    normal.paragraph_format.line_spacing = 1.15
    for level, before in ((1, 14), (2, 11), (3, 10)):
        heading = doc.styles[f"Heading {level}"]
        heading.font.name, heading.font.size = SERIF, Pt(10.5 if level > 1 else 12)
        fonts = heading.element.rPr.rFonts
        for slot in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(slot), None)  # a theme font would win over the name
        heading.font.bold, heading.font.italic = True, False
        heading.font.color.rgb = RGBColor(0x11, 0x11, 0x11)
        heading.paragraph_format.space_before = Pt(before)
        heading.paragraph_format.space_after = Pt(4)
        heading.paragraph_format.keep_with_next = True

    for name, (base, size, bold, align, before, after, keep, colour) in STYLES.items():
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = doc.styles[base]
        style.quick_style = True
        if size:
            style.font.size = Pt(size)
        style.font.bold = bold
        if colour is not None:
            style.font.color.rgb = colour
        fmt = style.paragraph_format
        if align is not None:
            fmt.alignment = align
        fmt.space_before, fmt.space_after, fmt.keep_with_next = Pt(before), Pt(after), keep
        if name == "Annex Title":
            fmt.page_break_before = True  # the annex starts on a new page, as in style.css
        if name == "Annex Entry":
            fmt.line_spacing = 1.0  # style.css sets the annex at line-height 1.3, tighter

    _drop_table_styles(doc)
    drop_styles_with_effects(doc)  # a copy of the styles above that nothing updates
    mirror_complex_emphasis(doc)  # bold and italic for Arabic, Hebrew and Tibetan text too
    body = doc.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):
            body.remove(child)
    set_core_properties(doc, title="drafter joint-letter reference", author="drafter",
                        description="", keywords="", language="en-GB",
                        when=document_timestamp(None))
    TARGET.write_bytes(save_reproducible(doc))
    print(TARGET.relative_to(ROOT))


if __name__ == "__main__":
    main()
