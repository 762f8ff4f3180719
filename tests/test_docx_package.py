"""The DOCX package around the letter, as Word, LibreOffice and fontTools read it: fonts declared
and embedded (so a reader without Noto sees the PDF's fonts and pages), a note cited twice as a
cross-reference to the note, and honest metadata (application, counts, compatibility mode)."""

from __future__ import annotations

import datetime
import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pdfplumber
import pytest
from fontTools.ttLib import TTFont
from lxml import etree

import drafter
from drafter.formats.base import Rendition
from drafter.formats.docx import render_docx
from drafter.pipeline import render_all
from readback import read_docx

REPO = Path(__file__).resolve().parent.parent
MAIN = REPO / "examples" / "eu-china-summit.yaml"
MULTISCRIPT = REPO / "examples" / "multiscript-detained-scholars.yaml"
NOTES = REPO / "examples" / "footnotes-and-links.yaml"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
EP = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
NS = {"w": W, "r": R, "ep": EP}
FONT_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/font"
OBFUSCATED = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
STYLES = {"embedRegular": (False, False), "embedBold": (True, False),
          "embedItalic": (False, True), "embedBoldItalic": (True, True)}

needs_office = pytest.mark.skipif(shutil.which("soffice") is None,
                                  reason="LibreOffice is installed by setup.sh")


def rendered(letter: Path, *formats: str):
    """The letter's formats from one run (the pipeline the CLI uses)."""
    return render_all(drafter.load_letter(str(letter)), formats)


def part(data: bytes, name: str):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return etree.fromstring(z.read(name))


def embedded_fonts(data: bytes) -> list[tuple[str, tuple[bool, bool], TTFont, bool]]:
    """(w:font name, (bold, italic), the font, subsetted) of every embedded font, read as
    ECMA-376 Part 1 17.8.1 says: the part the relationship names, its first 32 bytes XORed
    with the fontKey GUID's bytes in reverse order."""
    table = part(data, "word/fontTable.xml")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        rels = etree.fromstring(z.read("word/_rels/fontTable.xml.rels")) \
            if "word/_rels/fontTable.xml.rels" in names else []
        types = etree.fromstring(z.read("[Content_Types].xml"))
        targets = {rel.get("Id"): rel.get("Target") for rel in rels if rel.get("Type") == FONT_RT}
        overrides = {o.get("PartName"): o.get("ContentType") for o in types}
        out = []
        for font in table.findall("w:font", NS):
            for embed in font:
                tag = etree.QName(embed).localname
                if tag not in STYLES:
                    continue
                target = targets[embed.get(f"{{{R}}}id")]
                assert overrides["/word/" + target] == OBFUSCATED
                key = embed.get(f"{{{W}}}fontKey")
                assert re.fullmatch(r"\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", key)
                raw = z.read("word/" + target)
                mask = bytes.fromhex(key.strip("{}").replace("-", ""))[::-1] * 2
                plain = bytes(b ^ m for b, m in zip(raw[:32], mask)) + raw[32:]
                out.append((font.get(f"{{{W}}}name"), STYLES[tag], TTFont(io.BytesIO(plain)),
                            embed.get(f"{{{W}}}subsetted") in ("1", "true")))
    return out


def font_names(pdf: Path) -> set[str]:
    """The fonts a PDF draws its characters with, spelled alike whoever wrote the PDF
    ("ABCDEF+Noto-Serif" and "BAAAAA+NotoSerif-Regular" are both "notoserif")."""
    with pdfplumber.open(pdf) as doc:
        names = {ch["fontname"] for page in doc.pages for ch in page.chars}
    return {re.sub(r"regular$", "", re.sub(r"[^a-z0-9]", "", n.split("+")[-1].lower()))
            for n in names}


def office_pdf(docx: Path, out: Path, fonts_conf: Path | None = None) -> Path:
    """LibreOffice's PDF of the DOCX (its own process: each gets the fontconfig it is given)."""
    env = {"FONTCONFIG_FILE": str(fonts_conf)} if fonts_conf else {}
    subprocess.run(["soffice", f"-env:UserInstallation={(out / 'profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(out), str(docx)],
                   env={**os.environ, **env}, capture_output=True, timeout=240, check=True)
    return out / (docx.stem + ".pdf")


@pytest.fixture
def dejavu_only(dejavu_fonts_conf) -> Path:
    """A fontconfig set-up with the DejaVu fonts only: a machine without the Noto packages."""
    return dejavu_fonts_conf


# --- fonts ----------------------------------------------------------------------------------------

@needs_office
@pytest.mark.parametrize("letter", [MAIN, MULTISCRIPT], ids=["main", "multiscript"])
def test_without_noto_libreoffice_draws_the_docx_in_the_pdfs_fonts_on_as_many_pages(
        letter, tmp_path, dejavu_only):
    result = rendered(letter, "pdf", "docx")
    (tmp_path / "letter.pdf").write_bytes(result["pdf"])
    docx = tmp_path / "letter.docx"
    docx.write_bytes(result["docx"])
    office = office_pdf(docx, tmp_path / "office", dejavu_only)
    # Every character LibreOffice draws, it draws with a font of the PDF: none with DejaVu,
    # the only fonts this machine would have.
    assert font_names(office) == font_names(tmp_path / "letter.pdf")
    pages = len(pdfplumber.open(office).pages)
    assert pages == result.stats["pages"]
    app = part(result["docx"], "docProps/app.xml")
    assert app.findtext("ep:Pages", namespaces=NS) == str(pages)


def test_fonts_are_declared_and_embedded_as_subsets_of_what_the_letter_prints():
    data = rendered(MAIN, "docx")["docx"]
    declared = {f.get(f"{{{W}}}name") for f in part(data, "word/fontTable.xml").findall("w:font", NS)}
    assert {"Noto Serif", "Noto Serif CJK SC", "Noto Naskh Arabic"} <= declared
    fonts = embedded_fonts(data)
    assert {(name, style) for name, style, _, _ in fonts} == {
        ("Noto Serif", (False, False)), ("Noto Serif", (True, False))}  # no italic in the letter
    text = read_docx_text(data)
    for name, (bold, italic), font, subsetted in fonts:
        assert font["name"].getDebugName(1) == name and "glyf" in font
        assert (font["OS/2"].usWeightClass >= 600, bool(font["OS/2"].fsSelection & 1)) == (bold, italic)
        assert font["OS/2"].fsType & 0x0302 == 0  # installable: embedding allowed
        assert subsetted and len(font.getGlyphOrder()) < 600  # Noto Serif has 3,000 and more
    regular = next(f for name, style, f, _ in fonts if style == (False, False))
    assert set(text) - {" ", "\n", "\t"} <= {chr(c) for c in regular.getBestCmap()}
    assert len(data) < 120_000


def read_docx_text(data: bytes) -> str:
    """The letter's words and notes as docx2python reads them from the DOCX."""
    import tempfile
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "letter.docx"
        path.write_bytes(data)
        reading = read_docx(path)
    return " ".join([*reading.words, *reading.notes.values()])


def test_a_cff_font_such_as_noto_cjk_is_embedded_with_truetype_outlines():
    fonts = embedded_fonts(rendered(MULTISCRIPT, "docx")["docx"])
    cjk = [font for name, _, font, _ in fonts if name == "Noto Serif CJK SC"]
    assert cjk and all("glyf" in f and "CFF " not in f for f in cjk)
    cmap = {chr(c) for font in cjk for c in font.getBestCmap()}
    assert set("伊力哈木习近平") <= cmap  # the letter's names in Chinese (some of them bold)
    assert {"Noto Naskh Arabic", "Noto Serif Tibetan"} <= {name for name, _, _, _ in fonts}


def test_equal_input_gives_equal_bytes_with_the_fonts():
    first, second = (rendered(MULTISCRIPT, "pdf", "docx")["docx"] for _ in range(2))
    assert first == second and embedded_fonts(first)


def _template_font(tmp_path: Path, fs_type: int) -> Rendition:
    """A letter whose template brings its own font (a copy of DejaVu Serif) with this
    licence (OS/2 fsType)."""
    template, letter = tmp_path / "template", tmp_path / "letter"
    template.mkdir()
    letter.mkdir()
    font = TTFont("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
    font["OS/2"].fsType = fs_type
    font.save(template / "own.ttf")
    html = ('<!doctype html><html lang="en"><head><title>T</title></head><body>'
            "<p>Words in the template's own font.</p></body></html>")
    return Rendition(html=html, letter_dir=letter, template_dir=template,
                     date=datetime.date(2026, 1, 5),
                     stylesheet="@font-face { font-family: Own; src: url(own.ttf) } "
                                "body { font-family: Own, serif; }")


def test_a_templates_own_font_is_embedded_when_its_licence_allows(tmp_path):
    rendered_docx = render_docx(_template_font(tmp_path, 0))
    fonts = embedded_fonts(rendered_docx)
    assert [(name, style) for name, style, _, _ in fonts] == [("Own", (False, False))]
    assert not any("embed" in w for w in rendered_docx.warnings)


def test_a_font_whose_licence_forbids_embedding_is_declared_only_with_a_warning(tmp_path):
    rendered_docx = render_docx(_template_font(tmp_path, 0x0002))  # restricted licence
    assert embedded_fonts(rendered_docx) == []
    declared = {f.get(f"{{{W}}}name")
                for f in part(rendered_docx, "word/fontTable.xml").findall("w:font", NS)}
    assert "Own" in declared
    assert any("does not embed the font 'Own'" in w and "licence forbids" in w
               and "Word without it" in w for w in rendered_docx.warnings)


# --- settings and metadata ------------------------------------------------------------------------

def test_the_package_is_a_current_word_document_that_keeps_its_fonts_embedded():
    settings = part(rendered(MAIN, "docx")["docx"], "word/settings.xml")
    modes = [c.get(f"{{{W}}}val") for c in settings.findall("w:compat/w:compatSetting", NS)
             if c.get(f"{{{W}}}name") == "compatibilityMode"]
    assert modes == ["15"]  # below 15 Word opens it in "Compatibility Mode"
    children = [etree.QName(c).localname for c in settings]
    # ECMA-376 order: embedTrueTypeFonts, saveSubsetFonts, then the rest.
    assert children.index("embedTrueTypeFonts") < children.index("saveSubsetFonts") \
        < children.index("compat")


def test_the_package_holds_one_set_of_styles_the_ones_drafter_wrote(tmp_path):
    """No stale second copy of the styles (Word 2010's stylesWithEffects.xml, python-docx's
    template's, which drafter never updates) in the built-in template's DOCX nor in one made
    without a reference document; and no unused table styles (a letter has no tables)."""
    builtin = rendered(MAIN, "docx")["docx"]
    sober = render_docx(Rendition(
        html="<!doctype html><html lang=en><head><title>T</title></head><body><p>Hi</p></body>"
             "</html>", stylesheet="body { font-family: 'Noto Serif'; font-size: 13pt }",
        letter_dir=tmp_path, template_dir=tmp_path, date=datetime.date(2026, 11, 3)))
    for data in (builtin, sober):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = z.namelist()
            rels = z.read("word/_rels/document.xml.rels").decode()
            types = z.read("[Content_Types].xml").decode()
        assert not [n for n in names if "stylesWithEffects" in n]
        assert "stylesWithEffects" not in rels + types
    styles = part(builtin, "word/styles.xml")
    tables = styles.findall("w:style[@w:type='table']", NS)
    assert [t.get(f"{{{W}}}default") for t in tables] == ["1"]  # Word's "Normal Table" only
    sizes = part(sober, "word/styles.xml").xpath(
        "w:style[@w:styleId='Normal']/w:rPr/w:sz/@w:val", namespaces=NS)
    assert sizes == ["26"]  # the stylesheet's 13 pt, in the one styles part Word reads


def test_the_zip_is_the_one_pythons_zipfile_writes_and_reads_back_whole():
    """drafter writes the DOCX's zip records itself (to reuse each member's compressed form
    across a batch): the bytes must be zipfile's own for the same members, dates and modes."""
    from drafter.formats.docx_zip import write_zip
    members = [("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"x" * 70_000),
               ("word/fonts/font1.odttf", os.urandom(5_000)), ("word/m\u00e9dia/a.png", b""),
               ("word/document2.xml", b"x" * 70_000)]
    expected = io.BytesIO()
    with zipfile.ZipFile(expected, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type, info.create_system = zipfile.ZIP_DEFLATED, 3
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    for _ in range(2):  # the second time from compressed members kept in memory
        data = write_zip(members)
        assert data == expected.getvalue()
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            assert z.testzip() is None
            assert [(i.filename, z.read(i)) for i in z.infolist()] == members


def test_app_properties_name_drafter_and_count_the_letter():
    result = rendered(NOTES, "pdf", "docx")
    app = part(result["docx"], "docProps/app.xml")
    assert app.findtext("ep:Application", namespaces=NS) == f"drafter/{drafter.__version__}"
    assert b"Microsoft" not in etree.tostring(app)
    assert app.findtext("ep:Pages", namespaces=NS) == str(result.stats["pages"])
    words = read_docx_text(result["docx"]).split()
    assert app.findtext("ep:Words", namespaces=NS) == str(len(words))
    assert int(app.findtext("ep:Characters", namespaces=NS)) == sum(map(len, words))
    # The DOCX alone: no PDF was laid out, so the page count is left for Word to make.
    alone = part(rendered(NOTES, "docx")["docx"], "docProps/app.xml")
    assert alone.find("ep:Pages", NS) is None
    assert alone.findtext("ep:Words", namespaces=NS) == str(len(words))


# --- a note cited twice ---------------------------------------------------------------------------

def _add_note_before_everything(docx: Path, out: Path) -> None:
    """What a partner does: a new footnote in the first paragraph, before every other note."""
    with zipfile.ZipFile(docx) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                text = data.decode()
                first_run_end = text.index("</w:r>", text.index("<w:t", text.index("<w:body>")))
                call = ('<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr>'
                        '<w:footnoteReference w:id="99"/></w:r>')
                data = (text[:first_run_end + 6] + call + text[first_run_end + 6:]).encode()
            elif item.filename == "word/footnotes.xml":
                data = data.decode().replace("</w:footnotes>", (
                    '<w:footnote w:id="99"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t '
                    'xml:space="preserve"> A partner\'s note.</w:t></w:r></w:p></w:footnote>'
                    "</w:footnotes>")).encode()
            dst.writestr(item, data)


@needs_office
def test_a_note_cited_again_is_a_noteref_field_to_the_notes_first_call(tmp_path, office):
    docx = tmp_path / "letter.docx"
    docx.write_bytes(rendered(NOTES, "docx")["docx"])
    texts = [text for _, text in office.paragraphs(docx)]
    again = next(t for t in texts if "refer expressly to the Guidelines" in t)
    assert "the Guidelines1 in the Parliament" in again  # the note's number, superscript
    bookmarks, fields = office.cross_references(docx)
    noterefs = [code for code, _ in fields if code.startswith("NOTEREF")]
    assert noterefs == ["NOTEREF _RefNote1 \\f \\h"]
    # The first call of note 1, as LibreOffice numbers it (the dr_ bookmarks are where each
    # paragraph was written: tests/test_docx_sources.py).
    assert {k: v for k, v in bookmarks.items() if not k.startswith("dr_")} == {"_RefNote1": "1"}

    # A partner adds a note before it: the call the field points at becomes note 2. (Word
    # recomputes the field from it, with F9 or on printing. LibreOffice's DOCX import has no
    # NOTEREF conversion, in 7.4 as in its current source: any form of the field becomes an
    # unhandled field mark that keeps its last result, even after refreshing or updating all
    # fields, so its own shown number is not what this checks.)
    edited = tmp_path / "edited.docx"
    _add_note_before_everything(docx, edited)
    bookmarks, fields = office.cross_references(edited)
    assert {k: v for k, v in bookmarks.items() if not k.startswith("dr_")} == {"_RefNote1": "2"}
    assert [code for code, _ in fields if code.startswith("NOTEREF")] == noterefs


def test_a_note_cited_once_has_no_bookmark_nor_field():
    document = part(rendered(MAIN, "docx")["docx"], "word/document.xml")
    names = [b.get(f"{{{W}}}name") for b in document.iterfind(".//w:bookmarkStart", NS)]
    assert names and not [n for n in names if not n.startswith("dr_")]  # where written only
    assert not [t for t in document.iterfind(".//w:instrText", NS) if "NOTEREF" in t.text]


@needs_office
def test_a_logo_keeps_its_alternative_text_in_word_and_libreoffice(tmp_path, office):
    from PIL import Image
    letter = tmp_path / "letter"
    letter.mkdir()
    Image.new("RGB", (40, 20), (0, 90, 200)).save(letter / "logo.png")
    html = ('<!doctype html><html lang="en"><head><title>T</title></head><body>'
            '<p><img src="logo.png" alt="Logo of Example Rights Organisation"> Example Rights '
            "Organisation</p></body></html>")
    docx = tmp_path / "letter.docx"
    docx.write_bytes(render_docx(Rendition(html=html, stylesheet="", letter_dir=letter,
                                           template_dir=tmp_path / "template")))
    assert office.pictures(docx) == [("", "Logo of Example Rights Organisation")]
