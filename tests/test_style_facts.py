"""The DOCX takes its fonts, size and page from the stylesheet as the PDF does (one CSS reader)."""

from __future__ import annotations

import io
import zipfile

import pikepdf
import pytest
from lxml import etree

from drafter.formats import Rendition, renderer

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
HTML = ('<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>'
        '<p>Dear Presidents, we write to you.</p></body></html>')


def _render(tmp_path, css: str):
    (tmp_path / "tpl").mkdir(exist_ok=True)
    r = Rendition(html=HTML, stylesheet=css, letter_dir=tmp_path, template_dir=tmp_path / "tpl")
    return renderer("pdf")(r), renderer("docx")(r)


def _pdf_facts(data: bytes) -> tuple[set[str], tuple[float, float]]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        fonts = {str(f.get("/BaseFont")).split("+")[-1] for f in page.Resources.Font.values()}
        box = [float(v) for v in page.MediaBox]
    return fonts, (round(box[2] - box[0]), round(box[3] - box[1]))


def _docx_facts(data: bytes):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        styles = etree.fromstring(z.read("word/styles.xml"))
        document = etree.fromstring(z.read("word/document.xml"))
    normal = styles.find(f"{W}style[@{W}styleId='Normal']/{W}rPr")
    font = normal.find(f"{W}rFonts").get(f"{W}ascii")
    size = int(normal.find(f"{W}sz").get(f"{W}val")) / 2
    page = document.find(f".//{W}sectPr/{W}pgSz")
    width, height = (round(int(page.get(f"{W}{k}")) / 20) for k in ("w", "h"))
    return font, size, (width, height)


CASES = {
    "a comment before the html rule": (
        "/* house style */ html { font-family: 'DejaVu Sans'; font-size: 9pt } "
        "@page { size: A5 }", "DejaVu-Sans", 9.0, (420, 595)),
    "body overrides html": (
        "html { font-family: 'Noto Serif'; font-size: 10pt } body { font-family: 'DejaVu Sans'; "
        "font-size: 1.2em } @page { size: letter landscape }", "DejaVu-Sans", 12.0, (792, 612)),
    "important wins over a later rule": (
        "html { font-family: 'DejaVu Sans' !important; font-size: 11pt } "
        "html { font-family: 'Noto Serif' }", "DejaVu-Sans", 11.0, (595, 842)),
    "print media rules apply, screen ones do not": (
        "@media print { html { font-family: 'DejaVu Sans'; font-size: 8pt } } "
        "@media screen { html { font-size: 20pt } }", "DejaVu-Sans", 8.0, (595, 842)),
}


@pytest.mark.parametrize("name", CASES)
def test_docx_and_pdf_read_the_same_font_size_and_page(tmp_path, name):
    css, pdf_font, size, page = CASES[name]
    pdf, docx = _render(tmp_path, css)
    fonts, pdf_page = _pdf_facts(pdf)
    assert fonts == {pdf_font}, fonts
    assert pdf_page == page
    font, docx_size, docx_page = _docx_facts(docx)
    assert font.replace(" ", "-") == pdf_font
    assert docx_size == size
    assert docx_page == page
