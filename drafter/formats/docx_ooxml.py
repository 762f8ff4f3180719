"""Low-level OOXML helpers that python-docx 1.2 lacks (see /work/shared/notes/pitfalls.md).

Footnotes, restartable list numbering, external hyperlinks, PAGE/NUMPAGES fields, fonts in every
script slot, right-to-left marks, column sections, complete core properties and reproducible
zip output. Text must pass through `xml_safe` first: XML 1.0 cannot hold some characters and
python-docx raises on them, so drafter removes them (letter validation warns about them earlier).
"""

from __future__ import annotations

import copy
import datetime
import io
import os
import zipfile

from docx.enum.section import WD_SECTION_START
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.parts.numbering import NumberingPart
from docx.parts.story import StoryPart
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from .docx_zip import write_zip
from .flow import remove_xml_invalid

xml_safe = remove_xml_invalid  # one definition, shared with the HTML walker

_FALLBACK_EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
# Schema order tails (ECMA-376): python-docx only knows some of these children.
_PPR_AFTER_BIDI = (
    "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
    "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
    "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)
_RPR_AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath")
_SECT_AFTER_COLS = (
    "w:formProt", "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection", "w:bidi",
    "w:rtlGutter", "w:docGrid", "w:printerSettings", "w:sectPrChange",
)
_SECT_AFTER_BIDI = _SECT_AFTER_COLS[6:]


# --- fonts, language, direction -----------------------------------------------------------------

def set_fonts(rpr, latin: str, east_asia: str | None = None, complex_script: str | None = None) -> None:
    """Set the typeface in all four slots (python-docx's Font.name sets only ascii/hAnsi)."""
    rfonts = rpr.get_or_add_rFonts()
    for attr in _THEME_ATTRS:  # theme fonts win over named ones, so drop them
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia or latin)
    rfonts.set(qn("w:cs"), complex_script or latin)


def set_lang(rpr, lang: str, east_asia: str, bidi: str) -> None:
    """Set `w:lang` (spell-checking and hyphenation language for each script slot)."""
    el = rpr.find(qn("w:lang"))
    if el is None:
        el = OxmlElement("w:lang")
        rpr.insert_element_before(el, *_RPR_AFTER_LANG)
    el.set(qn("w:val"), lang)
    el.set(qn("w:eastAsia"), east_asia)
    el.set(qn("w:bidi"), bidi)


def set_run_rtl(run: Run) -> None:
    """Mark a run right-to-left (`w:rtl`), so Word orders and shapes it as Arabic/Hebrew."""
    run._r.get_or_add_rPr().get_or_add_rtl()


def set_paragraph_bidi(ppr) -> None:
    """Mark a paragraph (or paragraph style's pPr) right-to-left with `w:bidi`."""
    if ppr.find(qn("w:bidi")) is None:
        ppr.insert_element_before(OxmlElement("w:bidi"), *_PPR_AFTER_BIDI)


def set_contextual_spacing(ppr, on: bool) -> None:
    """Set `w:contextualSpacing` (Word's "no space between paragraphs of the same style")."""
    el = ppr.find(qn("w:contextualSpacing"))
    if el is None:
        el = OxmlElement("w:contextualSpacing")
        ppr.insert_element_before(el, *_PPR_AFTER_BIDI[_PPR_AFTER_BIDI.index("w:mirrorIndents"):])
    el.set(qn("w:val"), "1" if on else "0")


# --- footnotes ----------------------------------------------------------------------------------

_SEPARATORS = f"""
<w:footnote {nsdecls('w')} w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0"
 w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>|
<w:footnote {nsdecls('w')} w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing
 w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p>
</w:footnote>"""


def prepare_footnotes(document) -> StoryPart:
    """Get or create `/word/footnotes.xml` holding only the two separators (ids -1 and 0)."""
    doc_part = document.part
    rel = next((r for r in doc_part.rels.values() if r.reltype == RT.FOOTNOTES), None)
    if rel is None:
        part = StoryPart(
            PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES,
            parse_xml(f"<w:footnotes {nsdecls('w', 'r')}/>"), doc_part.package,
        )
        doc_part.relate_to(part, RT.FOOTNOTES)
    else:
        part = rel.target_part
        if not isinstance(part, StoryPart):
            # python-docx loads an existing footnotes part as opaque bytes: swap in an XML one.
            part = StoryPart.load(part.partname, part.content_type, part.blob, part.package)
            rel._target = part
    root = part.element
    for note in list(root):  # notes of the reference document are never referenced by us
        root.remove(note)
    for xml in _SEPARATORS.split("|"):
        root.append(parse_xml(xml.strip()))
    return part


def add_footnote(part: StoryPart, note_id: int, style_ids: dict[str, str]) -> Paragraph:
    """Append footnote `note_id` with its number mark; return its paragraph for the text runs."""
    note = parse_xml(
        f'<w:footnote {nsdecls("w")} w:id="{note_id}"><w:p><w:pPr>'
        f'<w:pStyle w:val="{style_ids["note_text"]}"/></w:pPr>'
        f'<w:r><w:rPr><w:rStyle w:val="{style_ids["note_ref"]}"/></w:rPr><w:footnoteRef/></w:r>'
        f'<w:r><w:t xml:space="preserve"> </w:t></w:r></w:p></w:footnote>'
    )
    part.element.append(note)
    return Paragraph(note[0], part)


def make_footnote_reference(run: Run, note_id: int, ref_style_id: str) -> None:
    """Turn an empty run into the call of footnote `note_id` (Word computes the shown number)."""
    run._r.get_or_add_rPr().style = ref_style_id
    ref = OxmlElement("w:footnoteReference")
    ref.set(qn("w:id"), str(note_id))
    run._r.append(ref)


# --- lists --------------------------------------------------------------------------------------

# Decimal at every level, as the PDF (CSS's default for nested `ol`) numbers them: one list
# then reads "2." in both formats, and a list starting at 2030 never becomes letters.
_BULLETS = ("\u2022", "\u25e6", "\u25aa")


class Numbering:
    """Drafter's own list definitions: one abstract numbering per kind, one instance per list."""

    def __init__(self, document) -> None:
        self._root = _numbering_part(document).element
        ids = [int(a.get(qn("w:abstractNumId"))) for a in self._root.findall(qn("w:abstractNum"))]
        base = max(ids, default=-1) + 1
        self._abstract = {True: base, False: base + 1}
        first_num = self._root.find(qn("w:num"))
        for ordered, abstract_id in self._abstract.items():
            el = parse_xml(_abstract_xml(abstract_id, ordered))
            # abstractNum elements must all precede the num elements.
            if first_num is not None:
                first_num.addprevious(el)
            else:
                self._root.append(el)

    def new_list(self, ordered: bool, level: int = 0, start: int = 1) -> int:
        """A fresh numbering instance restarting at `start` on `level`; returns its numId."""
        num = self._root.add_num(self._abstract[ordered])
        num.add_lvlOverride(ilvl=level).add_startOverride(start)
        return num.numId


def _abstract_xml(abstract_id: int, ordered: bool) -> str:
    """Nine indented levels: decimal numbers for ordered lists, bullets otherwise, each
    ending a little before the item's text as the PDF's markers do (a long number reaches
    left into the margin there too, instead of pushing the text right)."""
    levels = []
    for lvl in range(9):
        if ordered:
            fmt, text = "decimal", f"%{lvl + 1}."
        else:
            fmt, text = "bullet", _BULLETS[lvl % 3]
        levels.append(
            f'<w:lvl w:ilvl="{lvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="right"/>'
            f'<w:pPr><w:ind w:left="{360 * (lvl + 1) + 360}" w:hanging="90"/></w:pPr></w:lvl>'
        )
    name = "drafter numbered list" if ordered else "drafter bulleted list"
    return (
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
        f'<w:multiLevelType w:val="hybridMultilevel"/><w:name w:val="{name}"/>{"".join(levels)}'
        "</w:abstractNum>"
    )


def _numbering_part(document) -> NumberingPart:
    """The numbering part, created when the reference document has none."""
    try:
        return document.part.part_related_by(RT.NUMBERING)
    except KeyError:
        part = NumberingPart(
            PackURI("/word/numbering.xml"), CT.WML_NUMBERING,
            parse_xml(f"<w:numbering {nsdecls('w')}/>"), document.part.package,
        )
        document.part.relate_to(part, RT.NUMBERING)
        return part


def set_list(paragraph: Paragraph, num_id: int, level: int) -> None:
    """Attach a paragraph to a numbering instance at `level`."""
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = level
    num_pr.get_or_add_numId().val = num_id


# --- hyperlinks and fields ----------------------------------------------------------------------

def add_hyperlink(paragraph: Paragraph, url: str, part=None):
    """Append an empty external `w:hyperlink` to the paragraph; runs go inside it."""
    r_id = (part or paragraph.part).relate_to(xml_safe(url), RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    link.set(qn("w:history"), "1")
    paragraph._p.append(link)
    return link


def add_run_in(container, paragraph: Paragraph) -> Run:
    """Append a new empty run to a `w:hyperlink` (or other run container) of the paragraph."""
    r = OxmlElement("w:r")
    container.append(r)
    return Run(r, paragraph)


def add_field(paragraph: Paragraph, instruction: str, placeholder: str = "1") -> None:
    """Append a complex field (e.g. PAGE, NUMPAGES) with a placeholder result."""
    for xml in (
        '<w:r {ns}><w:fldChar w:fldCharType="begin"/></w:r>',
        f'<w:r {{ns}}><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>',
        '<w:r {ns}><w:fldChar w:fldCharType="separate"/></w:r>',
        f'<w:r {{ns}}><w:t>{placeholder}</w:t></w:r>',
        '<w:r {ns}><w:fldChar w:fldCharType="end"/></w:r>',
    ):
        paragraph._p.append(parse_xml(xml.format(ns=nsdecls("w"))))


# --- sections -----------------------------------------------------------------------------------

def set_columns(sect_pr, count: int, space_twips: int = 425) -> None:
    """Set the number of text columns of a section."""
    cols = sect_pr.find(qn("w:cols"))
    if cols is None:
        cols = OxmlElement("w:cols")
        sect_pr.insert_element_before(cols, *_SECT_AFTER_COLS)
    cols.set(qn("w:num"), str(count))
    cols.set(qn("w:space"), str(space_twips))


def set_section_bidi(sect_pr) -> None:
    """Right-to-left section: columns run from the right."""
    if sect_pr.find(qn("w:bidi")) is None:
        sect_pr.insert_element_before(OxmlElement("w:bidi"), *_SECT_AFTER_BIDI)


def end_section_at(paragraph_el, body_sect_pr, columns: int, continuous: bool,
                   space_twips: int = 425) -> None:
    """Make `paragraph_el` the last paragraph of a section (a copy of the body's page setup)."""
    sect_pr = copy.deepcopy(body_sect_pr)
    set_columns(sect_pr, columns, space_twips)
    if continuous:
        sect_pr.start_type = WD_SECTION_START.CONTINUOUS
    paragraph_el.get_or_add_pPr()._insert_sectPr(sect_pr)


# --- metadata and reproducible output -----------------------------------------------------------

def document_timestamp(letter_date: datetime.date | None) -> datetime.datetime:
    """Created/modified time: the letter's date, else SOURCE_DATE_EPOCH, else 2000-01-01."""
    if letter_date is not None:
        return datetime.datetime(letter_date.year, letter_date.month, letter_date.day,
                                 tzinfo=datetime.timezone.utc)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.timezone.utc)
    return _FALLBACK_EPOCH


def set_core_properties(document, *, title: str, author: str, description: str, keywords: str,
                        language: str, when: datetime.datetime, version: str = "",
                        status: str = "") -> None:
    """Set every core property, so nothing of python-docx's template (creator, 2013) leaks."""
    cp = document.core_properties
    cp.title = fit_property(title)
    cp.author = fit_property(author)
    cp.last_modified_by = fit_property(author)
    cp.subject = fit_property(description)
    cp.comments = ""
    cp.keywords = fit_property(keywords)
    cp.language = fit_property(language)
    cp.category = cp.identifier = ""
    cp.version, cp.content_status = fit_property(version), fit_property(status)  # a draft's
    cp.created = cp.modified = when.replace(tzinfo=None)
    cp.revision = 1
    remove_thumbnail(document)


PROPERTY_LIMIT = 255  # characters python-docx (and Word's dialog) take in a core property


def fit_property(text: str) -> str:
    """A core property within its limit: cut at the last space that leaves room for "…".
    Only the file's metadata is shortened; the letter itself keeps every word."""
    text = xml_safe(text)
    if len(text) <= PROPERTY_LIMIT:
        return text
    cut = text[:PROPERTY_LIMIT - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > PROPERTY_LIMIT // 2 else cut).rstrip(" ,;") + "…"


def remove_thumbnail(document) -> None:
    """Drop the package thumbnail (python-docx's template ships one of a blank page)."""
    rels = document.part.package.rels
    for r_id in [k for k, rel in rels.items() if rel.reltype == RT.THUMBNAIL]:
        rels.pop(r_id)


def _zip_order(name: str) -> tuple[int, str]:
    """Content types first, package rels next, then everything by name."""
    return ({"[Content_Types].xml": 0, "_rels/.rels": 1}.get(name, 2), name)


def save_reproducible(document) -> bytes:
    """Save to bytes with fixed zip timestamps and entry order: equal input, equal bytes."""
    entries = _package_entries(document)
    return write_zip([(name, entries[name]) for name in sorted(entries, key=_zip_order)])


class _Entries:
    """Stands in for python-docx's zip writer and keeps each member's bytes."""

    def __init__(self) -> None:
        self.members: dict[str, bytes] = {}

    def write(self, pack_uri, blob: bytes) -> None:
        self.members[pack_uri.membername] = blob

    def close(self) -> None:
        pass


def _package_entries(document) -> dict[str, bytes]:
    """The package's members, serialised once (python-docx's own save would compress them
    only for us to unpack them again to fix the timestamps)."""
    try:
        from docx.opc.pkgwriter import PackageWriter
        package = document.part.package
        for part in package.parts:
            part.before_marshal()
        sink = _Entries()
        PackageWriter._write_content_types_stream(sink, package.parts)  # noqa: SLF001
        PackageWriter._write_pkg_rels(sink, package.rels)  # noqa: SLF001
        PackageWriter._write_parts(sink, package.parts)  # noqa: SLF001
        return sink.members
    except AttributeError:  # python-docx changed its internals: take the slow, public road
        raw = io.BytesIO()
        document.save(raw)
        with zipfile.ZipFile(raw) as src:
            return {name: src.read(name) for name in src.namelist()}
