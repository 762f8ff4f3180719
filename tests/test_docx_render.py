"""DOCX renderer: what a user opening the file in Word or LibreOffice would see."""

from __future__ import annotations

import datetime
import html
import io
import os
import re
import shutil
import subprocess
import zipfile

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from docx2python import docx2python
from lxml import etree
from PIL import Image as PILImage

from drafter.formats.base import RenderError, Rendition
from drafter.formats.docx import render_docx
from drafter.formats.flow import remove_xml_invalid

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
NS = {"w": W, "r": R, "pr": PR}
UTC = datetime.timezone.utc
HYPERLINK_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"

BODY = """
<h1>Joint letter</h1>
<p>We, the <strong>undersigned</strong>, write <em>urgently</em> about
   <a href="https://example.org/report">the report</a>.<span class="footnote">See
   <a href="https://example.org/notes">the notes</a>, p.&#160;4.</span>
   We ask you to act.<span class="footnote">Second <i>note</i>.</span>
   As said before<span class="footnote-ref" data-note="1">1</span>, it matters.</p>
<p>Not a link: <a href="javascript:alert(1)">click</a>.</p>
<ol><li>First A</li><li>Second A</li></ol>
<p>Between the lists.</p>
<ol><li>First B</li><li>Second B</li></ol>
<ul><li>Bullet one</li><li>Bullet two</li></ul>
<p>Uyghur: ئۇيغۇر and Chinese: 维吾尔.</p>
<p dir="rtl">ئۇيغۇر تىلى</p>
<p>Control a\x0bb character.</p>
<h2 data-keep-with-next>Signatories</h2>
<div data-columns="2" data-docx-style="Signatory"><p>Org A</p><p>Org B</p><p>Org C</p></div>
<p>Closing words.</p>
"""


def page(body: str, lang: str = "en", direction: str = "ltr", head: str = "") -> str:
    """A contract-following HTML document."""
    return (
        f'<!doctype html><html lang="{lang}" dir="{direction}"><head><title>Joint letter</title>'
        '<meta name="author" content="The Coalition"><meta name="description" content="About rights">'
        '<meta name="keywords" content="uyghur, rights">'
        f'<meta name="drafter:page-label" content="Page {{page}} of {{pages}}">{head}</head>'
        f"<body>{body}</body></html>"
    )


def rendition(tmp_path, html: str, **kw) -> Rendition:
    """A rendition whose letter folder is tmp_path/letter."""
    letter = tmp_path / "letter"
    letter.mkdir(exist_ok=True)
    kw.setdefault("date", datetime.date(2026, 11, 3))
    return Rendition(html=html, stylesheet="body { font-family: 'Noto Serif', serif; }",
                     letter_dir=letter, template_dir=tmp_path / "template", **kw)


def part(data: bytes, name: str):
    """One XML part of the package, parsed."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return etree.fromstring(z.read(name))


def rels(data: bytes, name: str) -> dict[str, etree._Element]:
    """A part's relationships by id."""
    return {r.get("Id"): r for r in part(data, name).findall("pr:Relationship", NS)}


def paragraph_with(doc_xml, text: str):
    """The body paragraph whose text contains `text`."""
    for p in doc_xml.iterfind(".//w:body/w:p", NS):
        if text in "".join(p.itertext()):
            return p
    raise AssertionError(f"no paragraph with {text!r}")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> bytes:
    return render_docx(rendition(tmp_path_factory.mktemp("full"), page(BODY)))


@pytest.fixture(scope="module")
def document_xml(rendered):
    return part(rendered, "word/document.xml")


def test_text_formatting_and_footnotes_read_back(rendered):
    with docx2python(io.BytesIO(rendered), html=True) as result:
        text = result.text
        notes = "\n".join(str(x) for x in _flatten(result.footnotes))
    assert "<h1>Joint letter</h1>" in text
    assert "<b>undersigned</b>" in text and "<i>urgently</i>" in text
    assert '<a href="https://example.org/report">the report</a>' in text
    assert "----footnote1----" in text and "----footnote2----" in text
    assert "footnote1)\t See <a href=\"https://example.org/notes\">the notes</a>, p.\u00a04." in notes
    assert "footnote2)\t Second <i>note</i>." in notes
    assert "footnote3" not in text + notes  # the back-reference is no new note
    assert "Not a link: click." in text  # javascript: is printed as plain text
    assert "Page 1 of 1" in "".join(_flatten(result.footer))


def _flatten(nested):
    if isinstance(nested, str):
        yield nested
    else:
        for item in nested:
            yield from _flatten(item)


def test_footnotes_part_has_separators_and_numbered_notes(rendered, document_xml):
    notes = part(rendered, "word/footnotes.xml")
    ids = [n.get(f"{{{W}}}id") for n in notes.findall("w:footnote", NS)]
    assert ids == ["-1", "0", "1", "2"]
    types = [n.get(f"{{{W}}}type") for n in notes.findall("w:footnote", NS)[:2]]
    assert types == ["separator", "continuationSeparator"]
    refs = [r.get(f"{{{W}}}id") for r in document_xml.iterfind(".//w:footnoteReference", NS)]
    assert refs == ["1", "2"]
    # The second call of note 1 is a superscript "1" in the footnote reference style.
    again = paragraph_with(document_xml, "As said before")
    styled = [r for r in again.iterfind("w:r", NS)
              if r.find("w:rPr/w:rStyle", NS) is not None and "".join(r.itertext()) == "1"]
    assert styled and styled[0].find("w:rPr/w:rStyle", NS).get(f"{{{W}}}val") == "FootnoteReference"
    doc_rels = rels(rendered, "word/_rels/document.xml.rels")
    assert any(r.get("Target") == "footnotes.xml" for r in doc_rels.values())


def test_each_ordered_list_restarts_at_one(rendered, document_xml):
    numbering = part(rendered, "word/numbering.xml")

    def num_id(text):
        return paragraph_with(document_xml, text).find("w:pPr/w:numPr/w:numId", NS).get(f"{{{W}}}val")

    first, second = num_id("First A"), num_id("First B")
    assert num_id("Second A") == first and num_id("Second B") == second
    assert first != second
    for nid in (first, second):
        num = numbering.find(f"w:num[@w:numId='{nid}']", NS)
        assert num.find("w:lvlOverride/w:startOverride", NS).get(f"{{{W}}}val") == "1"
        abstract = numbering.find(
            f"w:abstractNum[@w:abstractNumId='{num.find('w:abstractNumId', NS).get(f'{{{W}}}val')}']", NS)
        assert abstract.find("w:lvl/w:numFmt", NS).get(f"{{{W}}}val") == "decimal"
    bullet = numbering.find(f"w:num[@w:numId='{num_id('Bullet one')}']", NS)
    abstract_id = bullet.find("w:abstractNumId", NS).get(f"{{{W}}}val")
    fmt = numbering.find(f"w:abstractNum[@w:abstractNumId='{abstract_id}']/w:lvl/w:numFmt", NS)
    assert fmt.get(f"{{{W}}}val") == "bullet"
    with docx2python(io.BytesIO(rendered)) as result:
        text = result.text
    assert "1)\tFirst A" in text and "2)\tSecond A" in text
    assert "1)\tFirst B" in text and "2)\tSecond B" in text


def test_hyperlinks_point_to_their_urls(rendered, document_xml):
    doc_rels = rels(rendered, "word/_rels/document.xml.rels")
    link = paragraph_with(document_xml, "the report").find("w:hyperlink", NS)
    rel = doc_rels[link.get(f"{{{R}}}id")]
    assert rel.get("Target") == "https://example.org/report" and rel.get("TargetMode") == "External"
    assert link.find("w:r/w:rPr/w:rStyle", NS).get(f"{{{W}}}val") == "Hyperlink"
    assert paragraph_with(document_xml, "Not a link").find("w:hyperlink", NS) is None
    # The link inside the footnote is related from the footnotes part, where Word looks for it.
    note_link = part(rendered, "word/footnotes.xml").find(".//w:hyperlink", NS)
    note_rel = rels(rendered, "word/_rels/footnotes.xml.rels")[note_link.get(f"{{{R}}}id")]
    assert note_rel.get("Target") == "https://example.org/notes"
    assert note_rel.get("Type") == HYPERLINK_RT


def test_right_to_left_and_chinese_text(rendered, document_xml):
    mixed = paragraph_with(document_xml, "Uyghur:")
    rtl_runs = ["".join(r.itertext()) for r in mixed.iterfind(".//w:r", NS) if r.find("w:rPr/w:rtl", NS) is not None]
    assert rtl_runs == ["ئۇيغۇر"]  # only the Arabic-script stretch is right to left
    assert mixed.find("w:pPr/w:bidi", NS) is None  # an English paragraph stays left to right
    assert "维吾尔" in "".join(mixed.itertext())
    rtl_para = paragraph_with(document_xml, "ئۇيغۇر تىلى")
    assert rtl_para.find("w:pPr/w:bidi", NS) is not None
    styles = part(rendered, "word/styles.xml")
    normal_fonts = styles.find("w:style[@w:styleId='Normal']/w:rPr/w:rFonts", NS)
    assert normal_fonts.get(f"{{{W}}}eastAsia") == "Noto Serif CJK SC"
    assert normal_fonts.get(f"{{{W}}}cs") == "Noto Naskh Arabic"
    assert normal_fonts.get(f"{{{W}}}ascii") == "Noto Serif"
    assert normal_fonts.get(f"{{{W}}}asciiTheme") is None
    lang = styles.find("w:style[@w:styleId='Normal']/w:rPr/w:lang", NS)
    assert lang.get(f"{{{W}}}val") == "en"


def test_xml_invalid_character_is_removed(document_xml):
    assert "Control ab character." in "".join(paragraph_with(document_xml, "Control").itertext())


def test_styles_used_and_created(rendered, document_xml):
    def style_of(text):
        return paragraph_with(document_xml, text).find("w:pPr/w:pStyle", NS).get(f"{{{W}}}val")

    assert style_of("Joint letter") == "Heading1"
    assert style_of("Signatories") == "Heading2"
    assert style_of("First A") == "ListNumber" and style_of("Bullet one") == "ListBullet"
    assert style_of("Org A") == "Signatory"
    styles = part(rendered, "word/styles.xml")
    signatory = styles.find("w:style[@w:styleId='Signatory']", NS)
    assert signatory.find("w:basedOn", NS).get(f"{{{W}}}val") == "Normal"
    h1 = styles.find("w:style[@w:styleId='Heading1']", NS)
    assert h1.find("w:pPr/w:keepNext", NS) is not None and h1.find("w:rPr/w:b", NS) is not None
    names = {s.find("w:name", NS).get(f"{{{W}}}val") for s in styles.findall("w:style", NS)}
    assert {"footnote text", "footnote reference", "Hyperlink"} <= names
    assert paragraph_with(document_xml, "Signatories").find("w:pPr/w:keepNext", NS) is not None
    assert paragraph_with(document_xml, "Closing").find("w:pPr/w:keepNext", NS) is None


def test_column_group_is_a_continuous_two_column_section(document_xml):
    before = paragraph_with(document_xml, "Signatories").find("w:pPr/w:sectPr", NS)
    assert before.find("w:cols", NS).get(f"{{{W}}}num") == "1"
    group_end = paragraph_with(document_xml, "Org C").find("w:pPr/w:sectPr", NS)
    assert group_end.find("w:cols", NS).get(f"{{{W}}}num") == "2"
    assert group_end.find("w:type", NS).get(f"{{{W}}}val") == "continuous"
    assert paragraph_with(document_xml, "Org A").find("w:pPr/w:sectPr", NS) is None
    final = document_xml.find("w:body/w:sectPr", NS)
    assert final.find("w:cols", NS).get(f"{{{W}}}num") == "1"
    assert final.find("w:type", NS).get(f"{{{W}}}val") == "continuous"


def test_footer_has_page_fields(rendered):
    with zipfile.ZipFile(io.BytesIO(rendered)) as z:
        footer_name = next(n for n in z.namelist() if n.startswith("word/footer"))
    footer = part(rendered, footer_name)
    instructions = [t.text.strip() for t in footer.iterfind(".//w:instrText", NS)]
    assert instructions == ["PAGE", "NUMPAGES"]
    texts = [t.text for t in footer.iterfind(".//w:t", NS)]
    assert texts == ["Page ", "1", " of ", "1"]


def test_core_properties_are_the_letters(rendered):
    document = docx.Document(io.BytesIO(rendered))
    cp = document.core_properties
    assert (cp.title, cp.author, cp.subject, cp.keywords, cp.language) == (
        "Joint letter", "The Coalition", "About rights", "uyghur, rights", "en")
    assert cp.created == cp.modified == datetime.datetime(2026, 11, 3, tzinfo=UTC)
    assert cp.revision == 1 and cp.comments == "" and cp.last_modified_by == "The Coalition"
    with zipfile.ZipFile(io.BytesIO(rendered)) as z:
        assert b"python-docx" not in z.read("docProps/core.xml")
        assert not any("thumbnail" in n for n in z.namelist())
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert z.namelist()[0] == "[Content_Types].xml"


def test_two_renders_are_byte_identical(tmp_path, rendered):
    again = render_docx(rendition(tmp_path, page(BODY)))
    assert again == rendered


def test_without_date_uses_source_date_epoch(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    data = render_docx(rendition(tmp_path, page("<p>x</p>"), date=None))
    assert docx.Document(io.BytesIO(data)).core_properties.created == datetime.datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    data = render_docx(rendition(tmp_path, page("<p>x</p>"), date=None))
    assert docx.Document(io.BytesIO(data)).core_properties.created == datetime.datetime(2000, 1, 1, tzinfo=UTC)


def test_rtl_letter_is_bidi_throughout(tmp_path):
    data = render_docx(rendition(tmp_path, page("<p>ئۇيغۇر</p><p>Latin line</p>", lang="ug", direction="rtl")))
    doc = part(data, "word/document.xml")
    assert paragraph_with(doc, "Latin line").find("w:pPr/w:bidi", NS) is not None
    assert doc.find("w:body/w:sectPr/w:bidi", NS) is not None
    styles = part(data, "word/styles.xml")
    assert styles.find("w:style[@w:styleId='Normal']/w:pPr/w:bidi", NS) is not None
    assert styles.find("w:style[@w:styleId='Normal']/w:rPr/w:lang", NS).get(f"{{{W}}}bidi") == "ug"


def tiny_png(path) -> None:
    PILImage.new("RGB", (30, 10), (200, 0, 0)).save(path)


def test_image_inside_letter_folder_is_embedded(tmp_path):
    r = rendition(tmp_path, page('<header><img src="logo.png" alt="Our logo" height="48"></header><p>x</p>'))
    tiny_png(r.letter_dir / "logo.png")
    data = render_docx(r)
    doc = part(data, "word/document.xml")
    extent = doc.find(".//{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}extent")
    assert int(extent.get("cy")) == 48 * 914400 // 96  # 48 CSS px = half an inch
    assert int(extent.get("cx")) == 3 * int(extent.get("cy"))  # aspect ratio kept
    docpr = doc.find(".//{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr")
    assert docpr.get("descr") == "Our logo"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert any(n.startswith("word/media/") for n in z.namelist())


@pytest.mark.parametrize("src", ["../secret.png", "/etc/passwd", "escape.png", "https://example.org/x.png",
                                 "file:///etc/passwd", "missing.png"])
def test_image_outside_letter_folder_is_refused(tmp_path, src):
    r = rendition(tmp_path, page(f'<p><img src="{src}" alt="x"></p>'))
    tiny_png(tmp_path / "secret.png")  # exists, but outside the letter folder
    os.symlink(tmp_path / "secret.png", r.letter_dir / "escape.png")
    with pytest.raises(RenderError) as err:
        render_docx(r)
    assert src in str(err.value)


def test_reference_document_without_numbering_still_numbers_lists(tmp_path):
    ref = docx.Document()
    numbering_rel = next(k for k, v in ref.part.rels.items() if v.reltype.endswith("/numbering"))
    ref.part.drop_rel(numbering_rel)
    ref.sections[0].footer.paragraphs[0].text = "Reference footer"
    ref.add_paragraph("Old body text")
    ref_path = tmp_path / "reference.docx"
    ref.save(ref_path)
    data = render_docx(rendition(tmp_path, page("<ol><li>one</li><li>two</li></ol>"), reference_docx=ref_path))
    with docx2python(io.BytesIO(data)) as result:
        assert "1)\tone" in result.text and "2)\ttwo" in result.text
        assert "Old body text" not in result.text
        footer = "".join(_flatten(result.footer))
    assert "Reference footer" in footer and "Page" not in footer  # the reference's footer is kept
    assert part(data, "word/numbering.xml").find("w:abstractNum", NS) is not None


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_converts_the_docx_to_pdf(tmp_path, rendered):
    source = tmp_path / "letter.docx"
    source.write_bytes(rendered)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "letter.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    pypdf = pytest.importorskip("pypdf")
    text = "".join(p.extract_text() for p in pypdf.PdfReader(pdf).pages)
    assert "Joint letter" in text and "Page 1 of 1" in text and "Second note" in text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(st.one_of(st.characters(exclude_categories=()), st.sampled_from(
    ["\x00", "\x0b", "\x0c", "\x1b", "\ufffe", "\uffff", "\ud800", "\udfff", "\t", "\n"])),
    min_size=1, max_size=40))
def test_any_text_survives_the_round_trip(tmp_path, text):
    # Whatever a signatory's name contains, the DOCX opens and shows it (minus XML-invalid chars).
    data = render_docx(rendition(tmp_path, page(f"<p>x {html.escape(text)} y</p>")))
    expected = re.sub(r"[ \t\n\r\f]+", " ", remove_xml_invalid(f"x {text} y"))
    with docx2python(io.BytesIO(data)) as result:
        shown = [p for p in result.text.split("\n\n") if p.startswith("x ")]
    assert shown == [expected]


def test_page_and_type_follow_the_stylesheet_without_reference(tmp_path):
    r = rendition(tmp_path, page("<p>x</p>"))
    css = "@page { size: A4; margin: 25mm 20mm; @bottom-center { content: 'x' } } html { font-size: 10.5pt; }"
    data = render_docx(Rendition(**{**r.__dict__, "stylesheet": css}))
    section = docx.Document(io.BytesIO(data)).sections[-1]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert (round(section.top_margin.mm), round(section.left_margin.mm)) == (25, 20)
    normal = part(data, "word/styles.xml").find("w:style[@w:styleId='Normal']/w:rPr/w:sz", NS)
    assert normal.get(f"{{{W}}}val") == "21"  # half-points


def test_address_lines_have_no_gap_but_paragraphs_do(tmp_path):
    body = ('<div data-docx-style="Address"><p data-keep-with-next>Ministry</p><p>City</p></div>'
            "<p>First.</p><p>Second.</p>")
    document = docx.Document(io.BytesIO(render_docx(rendition(tmp_path, page(body)))))
    after = {p.text: p.paragraph_format.space_after for p in document.paragraphs}
    assert after["Ministry"] == 0
    assert after["City"] is None and after["First."] is None  # the style's spacing applies
    assert document.styles["Normal"].paragraph_format.space_after > 0


def test_missing_reference_style_is_created_and_reported(tmp_path):
    ref_path = tmp_path / "reference.docx"
    docx.Document().save(ref_path)
    r = rendition(tmp_path, page('<p data-docx-style="Dateline">1 May</p>'), reference_docx=ref_path)
    data = render_docx(r)
    assert docx.Document(io.BytesIO(data)).paragraphs[0].style.name == "Dateline"
    assert any("Dateline" in str(w) for w in data.warnings)


def test_loose_text_in_a_column_group_is_set_in_columns(tmp_path):
    data = render_docx(rendition(tmp_path, page('<p>Intro</p><div data-columns="3">Loose text</div>')))
    doc = part(data, "word/document.xml")
    assert paragraph_with(doc, "Loose text").find("w:pPr/w:sectPr/w:cols", NS).get(f"{{{W}}}num") == "3"


LONG_NAMES = [
    "International Federation for Human Rights and the Defence of Civil Liberties (FIDH)",
    "World Organisation Against Torture and for the Protection of Human Rights Defenders",
    "Association for the Promotion of Democratic Freedoms in Central and Eastern Asia",
    "Network of Independent Human Rights Lawyers of the Southern Mediterranean Region",
    "Coalition of Non-Governmental Organisations for the Rights of Migrant Workers Abroad"]
LONG_SUBJECT = ("A subject line that goes on and on about the human rights situation in a long "
                "list of regions, covering detention, surveillance, forced labour, "
                "transnational repression, the treatment of human rights defenders and lawyers, "
                "and the obligations of companies and of states under international law")


def test_long_names_and_a_long_subject_render_with_metadata_shortened(tmp_path, drafter_cli):
    letter = tmp_path / "long.yaml"
    letter.write_text("recipients:\n  - name: Jane Doe\n"
                      f"subject: \"{LONG_SUBJECT}\"\nopening: We write.\nsignatories:\n" +
                      "".join(f"  - {name}\n" for name in LONG_NAMES), "utf-8")
    result = drafter_cli("render", letter, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    document = docx.Document(str(tmp_path / "out" / "long.docx"))
    props = document.core_properties
    assert len(LONG_SUBJECT) > 255 and len(props.title) <= 255
    assert props.title.endswith("…") and LONG_SUBJECT.startswith(props.title[:-1].rstrip())
    assert len(props.author) <= 255 and props.author.startswith(LONG_NAMES[0][:40])
    # Only the metadata is shortened: the letter prints the whole subject and every name.
    with docx2python(tmp_path / "out" / "long.docx") as read:
        body = " ".join(read.text.split())
    assert LONG_SUBJECT in body and all(name in body for name in LONG_NAMES)
