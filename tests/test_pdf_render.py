"""PDF rendering: layout, metadata, PDF variants, reproducibility and the confined URL fetcher."""

from __future__ import annotations

import base64
import contextlib
import datetime
import io
import os
import shutil
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pikepdf
import pypdf
import pytest
from PIL import Image

from hostile.helpers import loopback_server

from drafter.formats.base import Rendition, RenderError
from drafter.formats.pdf import render_pdf

ROOT = Path(__file__).resolve().parents[1]
SECRET = "TOPSECRET-7f3a9c-do-not-print"

PAGE_CSS = """
@page { size: A4; margin: 2cm;
        @bottom-center { content: "Page " counter(page) " of " counter(pages) } }
.footnote { float: footnote }
body { font-family: "Noto Serif", serif }
"""


def letter_html(body: str = "", head: str = "", paragraphs: int = 14) -> str:
    """A small French letter, long enough for two pages."""
    filler = "".join(
        f"<p>Paragraphe {i}. " + "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 8
        + "</p>" for i in range(paragraphs))
    return (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        '<title>Lettre ouverte au Conseil</title><meta name="author" content="Collectif Alpha">'
        f"{head}</head><body><h1>Objet : droits humains</h1>"
        '<p>Voir <a href="https://example.org">example.org</a>.'
        '<span class="footnote">Note de bas de page unique.</span></p>'
        f"{body}{filler}</body></html>")


@pytest.fixture
def dirs(tmp_path):
    """A letter folder with a logo, a template folder, and secrets outside both."""
    letter, template, outside = tmp_path / "letter", tmp_path / "template", tmp_path / "outside"
    for folder in (letter, template, outside):
        folder.mkdir()
    Image.new("RGB", (60, 30), (200, 30, 30)).save(letter / "logo.png")
    Image.new("RGB", (61, 31), (0, 0, 0)).save(outside / "secret.png")
    (outside / "secret.txt").write_text(SECRET)
    (outside / "evil.css").write_text("body { color: red }")
    (letter / "link.png").symlink_to(outside / "secret.png")
    return letter, template, outside


def rendition(dirs, html: str, css: str = PAGE_CSS, **options) -> Rendition:
    letter, template, _ = dirs
    return Rendition(html=html, stylesheet=css, letter_dir=letter, template_dir=template,
                     date=datetime.date(2022, 3, 18), options=options)


def decoded_streams(data: bytes) -> bytes:
    """Every stream of the PDF, decompressed, so a test can search for leaked bytes."""
    out = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                try:
                    out.append(obj.read_bytes())
                except pikepdf.PdfError:
                    out.append(obj.read_raw_bytes())
    return b"\n".join(out)


def embedded_files(data: bytes) -> dict:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return {name: spec.obj.EF.F.read_bytes() for name, spec in pdf.attachments.items()}


def xmp(data: bytes) -> str:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return pdf.Root.Metadata.read_bytes().decode()


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """One default render shared by the read-only checks below."""
    base = tmp_path_factory.mktemp("sample")
    (base / "letter").mkdir()
    (base / "template").mkdir()
    Image.new("RGB", (60, 30), (200, 30, 30)).save(base / "letter" / "logo.png")
    r = Rendition(html=letter_html('<img src="logo.png" alt="Logo" height="40">'),
                  stylesheet=PAGE_CSS, letter_dir=base / "letter",
                  template_dir=base / "template", date=datetime.date(2022, 3, 18))
    data = render_pdf(r)
    return data, list(data.warnings)


# --- What a reader of the PDF sees ---------------------------------------------------------


def test_text_pages_and_running_footer(sample):
    data, warnings = sample
    reader = pypdf.PdfReader(io.BytesIO(data))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= 2
    assert "Objet : droits humains" in pages[0]
    for number, text in enumerate(pages, 1):
        assert f"Page {number} of {len(pages)}" in text
    assert warnings == []


def test_footnote_is_at_the_foot_of_its_page(sample):
    reader = pypdf.PdfReader(io.BytesIO(sample[0]))
    first = reader.pages[0].extract_text()
    assert "Note de bas de page unique." in first
    # The note sits below the body text, not inline after "example.org".
    assert first.index("Note de bas de page") > first.index("Paragraphe 1.")


def test_fonts_are_embedded(sample):
    with pikepdf.open(io.BytesIO(sample[0])) as pdf:
        fonts = {font.BaseFont: font for page in pdf.pages
                 for font in page.Resources.Font.values()}
        assert fonts
        for name, font in fonts.items():
            descriptor = font.DescendantFonts[0].FontDescriptor if "/DescendantFonts" in font \
                else font.FontDescriptor
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), name


def test_link_annotation_carries_the_uri(sample):
    with pikepdf.open(io.BytesIO(sample[0])) as pdf:
        uris = [str(annot.A.URI) for page in pdf.pages for annot in page.get("/Annots", [])
                if annot.Subtype == "/Link" and "/A" in annot]
    assert "https://example.org" in uris


def test_metadata_language_and_tags(sample):
    reader = pypdf.PdfReader(io.BytesIO(sample[0]))
    assert reader.metadata.title == "Lettre ouverte au Conseil"
    assert reader.metadata.author == "Collectif Alpha"
    with pikepdf.open(io.BytesIO(sample[0])) as pdf:
        assert str(pdf.Root.Lang) == "fr"
        assert "/StructTreeRoot" in pdf.Root  # tagged by default, for screen readers


def test_logo_inside_letter_folder_is_drawn(sample):
    with pikepdf.open(io.BytesIO(sample[0])) as pdf:
        images = [(int(x.Width), int(x.Height)) for page in pdf.pages
                  for x in page.Resources.get("/XObject", {}).values()
                  if x.get("/Subtype") == "/Image"]
    assert (60, 30) in images


def test_rendition_fills_metadata_missing_from_head(dirs):
    html = "<html><body><p>Bonjour</p></body></html>"
    r = Rendition(html=html, stylesheet="", letter_dir=dirs[0], template_dir=dirs[1],
                  title="Titre de secours", author="Signataires", language="de")
    with pikepdf.open(io.BytesIO(render_pdf(r))) as pdf:
        assert str(pdf.docinfo.Title) == "Titre de secours"
        assert str(pdf.docinfo.Author) == "Signataires"
        assert str(pdf.Root.Lang) == "de"


def test_tags_can_be_switched_off(dirs):
    data = render_pdf(rendition(dirs, letter_html(paragraphs=1), pdf_tags=False))
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert "/StructTreeRoot" not in pdf.Root


def test_pdf_a_3b(dirs):
    data = render_pdf(rendition(dirs, letter_html(paragraphs=1), pdf_variant="pdf/a-3b"))
    meta = xmp(data)
    assert 'pdfaid:part="3"' in meta and 'pdfaid:conformance="B"' in meta
    with pikepdf.open(io.BytesIO(data)) as pdf:
        intents = pdf.Root.OutputIntents
        assert len(intents) == 1 and intents[0].S == "/GTS_PDFA1"
        assert "/DestOutputProfile" in intents[0]
        assert "/ID" in pdf.trailer


def _interpolated_images(data: bytes) -> list[bool]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return [bool(obj.get("/Interpolate", False)) for obj in pdf.objects
                if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image"]


def test_pdf_a_3b_images_are_not_interpolated(dirs):
    # ISO 19005-3, 6.2.8: an image's /Interpolate must not be true (a logo broke it).
    logo = letter_html('<img src="logo.png" alt="Logo">')
    archival = render_pdf(rendition(dirs, logo, pdf_variant="pdf/a-3b"))
    assert _interpolated_images(archival) and not any(_interpolated_images(archival))
    assert any(_interpolated_images(render_pdf(rendition(dirs, logo))))


def test_pdf_ua_1(dirs):
    data = render_pdf(rendition(dirs, letter_html(paragraphs=1), pdf_variant="pdf/ua-1"))
    assert 'pdfuaid:part="1"' in xmp(data)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert "/StructTreeRoot" in pdf.Root
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle)


def test_unknown_variant_is_a_clear_error(dirs):
    with pytest.raises(RenderError, match="pdf/x-4"):
        render_pdf(rendition(dirs, letter_html(paragraphs=1), pdf_variant="pdf/x-4"))


# --- Reproducible bytes ---------------------------------------------------------------------


def test_two_renders_seconds_apart_are_identical(dirs):
    (dirs[0] / "annex.txt").write_text("Annexe publique")
    plain = rendition(dirs, letter_html('<img src="logo.png" alt="Logo">'), pdf_variant="pdf/a-3b")
    annexed = rendition(dirs, letter_html(head='<link rel="attachment" href="annex.txt">'),
                        pdf_attachments=True)
    before = dict(os.environ)
    first = [render_pdf(r) for r in (plain, annexed)]
    time.sleep(2.1)
    assert [render_pdf(r) for r in (plain, annexed)] == first
    assert embedded_files(first[1])  # the annex really is in the second PDF
    assert dict(os.environ) == before  # SOURCE_DATE_EPOCH was restored


def test_identical_across_processes_and_hash_seeds(tmp_path):
    script = textwrap.dedent(f"""
        import datetime, sys
        from pathlib import Path
        from drafter.formats.base import Rendition
        from drafter.formats.pdf import render_pdf
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_pdf_render import PAGE_CSS, letter_html
        d = Path({str(tmp_path)!r})
        r = Rendition(html=letter_html(), stylesheet=PAGE_CSS, letter_dir=d, template_dir=d,
                      date=datetime.date(2022, 3, 18))
        sys.stdout.buffer.write(render_pdf(r))
    """)
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                              check=True, cwd=ROOT)
        assert done.stderr == b""
        outputs.append(done.stdout)
    assert outputs[0][:5] == b"%PDF-" and outputs[0] == outputs[1]


# --- Warnings are collected, not printed ----------------------------------------------------


def test_missing_glyph_warning_is_collected_not_printed(dirs, capfd):
    r = rendition(dirs, letter_html("<p>\U0010FFFD</p>", paragraphs=1))
    rendered = render_pdf(r)
    assert rendered.startswith(b"%PDF-")
    assert any(".notdef" in w and "U+10FFFD" in w for w in rendered.warnings)
    assert render_pdf(r).warnings == rendered.warnings  # the same again: nothing kept between
    assert capfd.readouterr().err == ""


def test_weasyprint_is_imported_lazily():
    code = "import sys, drafter.formats.pdf; print('weasyprint' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
    assert done.stdout.strip() == "False"


# --- The confined fetcher -------------------------------------------------------------------


@pytest.fixture
def loopback():
    """A TCP server on 127.0.0.1; `contacted()` lists every connection it ever received."""
    with loopback_server() as probe:
        yield probe


def test_loopback_probe_notices_a_contact(loopback):
    url, contacted = loopback
    with contextlib.suppress(OSError):
        socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])), timeout=1).close()
    assert len(contacted()) == 1


BIG_DATA_URL = "data:image/png;base64," + base64.b64encode(b"\x89PNG" + b"\0" * (3 << 20)).decode()

# (HTML body, template CSS, URL expected in the error); "{http}" is the loopback server.
REFUSED = {
    "img /etc/passwd": ('<img src="file:///etc/passwd">', "", "file:///etc/passwd"),
    "img ../outside": ('<img src="../outside/secret.png">', "", "outside/secret.png"),
    "img symlink out": ('<img src="link.png">', "", "link.png"),
    "img /dev/urandom": ('<img src="file:///dev/urandom">', "", "file:///dev/urandom"),
    "img /proc environ": ('<img src="file:///proc/self/environ">', "", "/proc/self/environ"),
    "img remote host": ('<img src="file://127.0.0.1/etc/passwd">', "", "127.0.0.1/etc/passwd"),
    "img loopback": ('<img src="{http}/logo.png">', "", "{http}/logo.png"),
    "img big data:": (f'<img src="{BIG_DATA_URL}">', "", "data:image/png;base64,… (4.0 MB URL)"),
    "css url()": ("", "body { background: url(file:///etc/passwd) }", "file:///etc/passwd"),
    "inline style url()": ("<div style=\"background: url('../outside/secret.png')\">x</div>",
                           "", "outside/secret.png"),
    "css @import": ("", "@import url(../outside/evil.css);", "outside/evil.css"),
    "css @import http": ("", '@import url("{http}/a.css");', "{http}/a.css"),
    "@font-face file": ("", "@font-face { font-family: X; src: url(file:///etc/passwd) }"
                        " body { font-family: X }", "file:///etc/passwd"),
    "@font-face http": ("", '@font-face { font-family: X; src: url("{http}/f.woff2") }'
                        " body { font-family: X }", "{http}/f.woff2"),
    "link stylesheet": ('<link rel="stylesheet" href="../outside/evil.css">', "",
                        "outside/evil.css"),
    "link stylesheet http": ('<link rel="stylesheet" href="{http}/s.css">', "", "{http}/s.css"),
    "svg image": ('<svg width="20" height="20"><image href="file:///etc/passwd" width="20" '
                  'height="20"/></svg>', "", "file:///etc/passwd"),
    "object data": ('<object data="../outside/secret.png" type="image/png"></object>', "",
                    "outside/secret.png"),
    "hidden file": ('<img src=".env">', "", ".env"),
    "directory": ('<img src="./">', "", "letter/"),
}


@pytest.mark.parametrize("case", REFUSED, ids=list(REFUSED))
def test_refused_resources_stop_the_render(case, dirs, loopback):
    http, contacted = loopback
    body, css, expected = (part.replace("{http}", http) for part in REFUSED[case])
    (dirs[0] / ".env").write_text(SECRET)
    with pytest.raises(RenderError) as caught:
        render_pdf(rendition(dirs, letter_html(body, paragraphs=1), css + PAGE_CSS))
    message = str(caught.value)
    assert "refused" in message and expected in message
    assert SECRET not in message
    assert contacted() == []  # the loopback server was never contacted


def test_svg_file_in_letter_folder_cannot_reach_outside(dirs):
    (dirs[0] / "badge.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20">'
        '<image href="../outside/secret.png" width="20" height="20"/></svg>')
    with pytest.raises(RenderError, match="outside/secret.png"):
        render_pdf(rendition(dirs, letter_html('<img src="badge.svg">', paragraphs=1)))


def test_fifo_is_refused_without_hanging(dirs):
    os.mkfifo(dirs[0] / "pipe.png")
    started = time.monotonic()
    with pytest.raises(RenderError, match="pipe.png .not a regular file"):
        render_pdf(rendition(dirs, letter_html('<img src="pipe.png">', paragraphs=1)))
    assert time.monotonic() - started < 10


def test_every_refusal_is_listed_at_once(dirs):
    body = '<img src="file:///etc/passwd"><img src="../outside/secret.png">'
    with pytest.raises(RenderError, match="2 resources refused") as caught:
        render_pdf(rendition(dirs, letter_html(body, paragraphs=1)))
    assert "file:///etc/passwd" in str(caught.value)


@pytest.mark.parametrize("markup", [
    '<link rel="attachment" href="../outside/secret.txt">',
    '<a rel="attachment" href="../outside/secret.txt">annexe</a>',
    '<link rel="attachment" href="file:///etc/passwd">',
    '<a rel="attachment" href="{http}/annex.txt">annexe</a>',
])
def test_attachments_are_dropped_by_default(markup, dirs, loopback):
    http, contacted = loopback
    markup = markup.replace("{http}", http)
    head, body = (markup, "") if markup.startswith("<link") else ("", markup)
    data = render_pdf(rendition(dirs, letter_html(body, head, paragraphs=1)))
    warnings = data.warnings
    assert embedded_files(data) == {}
    assert SECRET.encode() not in decoded_streams(data)
    assert b"root:x:0:0" not in decoded_streams(data)
    assert any("attachment" in w and "dropped" in w for w in warnings)
    assert contacted() == []


def test_allowed_attachments_stay_confined(dirs):
    (dirs[0] / "annex.txt").write_text("Annexe publique")
    inside = '<link rel="attachment" href="annex.txt">'
    data = render_pdf(rendition(dirs, letter_html(head=inside, paragraphs=1),
                                pdf_attachments=True))
    assert list(embedded_files(data).values()) == [b"Annexe publique"]
    outside = '<link rel="attachment" href="../outside/secret.txt">'
    with pytest.raises(RenderError, match="outside/secret.txt"):
        render_pdf(rendition(dirs, letter_html(head=outside, paragraphs=1),
                             pdf_attachments=True))


def test_template_assets_resolve_relative_to_the_template(dirs):
    letter, template, _ = dirs
    shutil.copy("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", template / "mono.ttf")
    Image.new("RGB", (8, 8), (0, 90, 200)).save(template / "rule.png")
    css = PAGE_CSS + ("@font-face { font-family: Tpl; src: url(mono.ttf) }"
                      " h1 { font-family: Tpl; background: url(rule.png) }")
    data = render_pdf(rendition(dirs, letter_html(paragraphs=1), css))
    with pikepdf.open(io.BytesIO(data)) as pdf:
        fonts = [str(f.BaseFont) for page in pdf.pages for f in page.Resources.Font.values()]
        images = [(int(x.Width), int(x.Height)) for x in pdf.objects
                  if isinstance(x, pikepdf.Stream) and x.get("/Subtype") == "/Image"]
    # WeasyPrint names an @font-face font after its family: "Tpl" means mono.ttf was read.
    assert any(name.endswith("+Tpl-Bold") for name in fonts)
    assert (8, 8) in images


def test_a_batch_worker_parses_a_stylesheet_once_and_each_letter_keeps_its_fonts_and_warnings(
        dirs, monkeypatch):
    # What a batch worker does (reuse_stylesheets): the second letter of a template gets the
    # first one's parsed stylesheet, with its @font-face fonts and its parsing's warnings.
    from drafter.formats import pdf
    monkeypatch.setattr(pdf._Stylesheets, "reuse", True)
    monkeypatch.setattr(pdf._Stylesheets, "last", None)
    letter, template, _ = dirs
    shutil.copy("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", template / "mono.ttf")
    css = PAGE_CSS + ("@font-face { font-family: Tpl; src: url(mono.ttf) }"
                      " h1 { font-family: Tpl; colour: red }")
    parsed = []
    monkeypatch.setattr("weasyprint.CSS", lambda *a, CSS=__import__("weasyprint").CSS, **k:
                        parsed.append(1) or CSS(*a, **k))
    for words in ("First letter.", "Second letter."):
        out = render_pdf(rendition(dirs, letter_html(words, paragraphs=1), css))
        with pikepdf.open(io.BytesIO(out)) as doc:
            fonts = [str(f.BaseFont) for page in doc.pages for f in page.Resources.Font.values()]
        assert any(name.endswith("+Tpl-Bold") for name in fonts)
        assert any("colour" in w for w in out.warnings), out.warnings
    assert len(parsed) == 1  # the second letter reused the first one's
    # A refused font fails every letter, not only the first.
    refused = PAGE_CSS + "@font-face { font-family: X; src: url(file:///etc/passwd) } h1 { font-family: X }"
    for _ in range(2):
        with pytest.raises(RenderError, match="refused"):
            render_pdf(rendition(dirs, letter_html(paragraphs=1), refused))


def test_system_fonts_by_local_name_are_allowed(dirs):
    css = PAGE_CSS + ('@font-face { font-family: Loc; src: local("DejaVu Sans") }'
                      " h1 { font-family: Loc }")
    data = render_pdf(rendition(dirs, letter_html(paragraphs=1), css))
    with pikepdf.open(io.BytesIO(data)) as pdf:
        fonts = [str(f.BaseFont) for f in pdf.pages[0].Resources.Font.values()]
    assert any(name.endswith("+Loc-Bold") for name in fonts)


def test_small_data_url_works(dirs):
    png = io.BytesIO()
    Image.new("RGB", (7, 5), (0, 0, 0)).save(png, "PNG")
    src = "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()
    data = render_pdf(rendition(dirs, letter_html(f'<img src="{src}">', paragraphs=1)))
    with pikepdf.open(io.BytesIO(data)) as pdf:
        sizes = [(int(x.Width), int(x.Height)) for x in pdf.pages[0].Resources.XObject.values()
                 if x.get("/Subtype") == "/Image"]
    assert (7, 5) in sizes
