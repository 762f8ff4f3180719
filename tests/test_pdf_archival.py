"""Archival PDF (--pdf-variant pdf/a-3b): the rules of ISO 19005-3 that veraPDF would check,
asserted with pikepdf and qpdf on every example, a letter with logos, notes and links,
attachments allowed and dropped, and the combined PDF. veraPDF itself is not installed."""

from __future__ import annotations

import datetime
import io
import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageChops

from conftest import REPO, run_drafter
from pdfa_rules import (annotation_problems, archival_problems, file_problems, font_problems,
                        graphics_problems, image_problems, intent_problems, xmp_problems)
from readback import read_pdf

from drafter.formats.base import Rendition
from drafter.formats.pdf import render_pdf
from drafter.output.combine import combine_pdfs

EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
NAMES = [p.stem for p in EXAMPLES] + ["test-letter"]
TEST_LETTER = """\
template: joint-letter
language: en
date: 2024-05-02
subject: An archival letter with logos, notes and links
recipients:
  - name: Kaja Kallas
    title: High Representative
opening: |
  We write about our report [*Closing Doors*](https://example.org/reports/closing-doors)
  and the answer we received.[^a]

  The second paragraph cites the register at <https://example.org/register>.[^b]
closing: Yours sincerely,
signatories:
  - organisation: Alpha Rights Watch
    logo: logo.png
  - organisation: Beta Coalition
    logo: print-logo.jpg
  - organisation: Gamma Network
notes:
  a: The answer is kept on file.
  b: A second note, with [a link](https://example.org/note).
"""


def write_logos(folder: Path) -> None:
    """A half-transparent PNG (a soft mask) and a CMYK JPEG, as print shops send logos."""
    Image.new("RGBA", (120, 60), (200, 30, 30, 140)).save(folder / "logo.png")
    Image.new("CMYK", (120, 60), (0, 180, 200, 10)).save(folder / "print-logo.jpg")


@pytest.fixture(scope="module")
def letters(tmp_path_factory) -> dict[str, Path]:
    """Every example and the test letter as pdf/a-3b, in one drafter process; the test
    letter also as a default PDF (default/test-letter.pdf)."""
    folder = tmp_path_factory.mktemp("archival")
    (folder / "test-letter.yaml").write_text(TEST_LETTER, encoding="utf-8")
    write_logos(folder)
    done = run_drafter("render", *EXAMPLES, folder / "test-letter.yaml", "--format", "pdf",
                       "--pdf-variant", "pdf/a-3b", "--out", folder / "out", timeout=300)
    assert done.returncode == 0, done.stderr
    done = run_drafter("render", folder / "test-letter.yaml", "--format", "pdf",
                       "--out", folder / "default")
    assert done.returncode == 0, done.stderr
    found = {path.stem: path for path in (folder / "out").glob("*.pdf")}
    assert set(found) == set(NAMES)
    found["default"] = folder / "default" / "test-letter.pdf"
    return found


@pytest.fixture(params=NAMES)
def letter(request, letters) -> Path:
    return letters[request.param]


def read_pdf_pages(data: bytes) -> int:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return len(pdf.pages)


def _opened(path: Path, check) -> list[str]:
    with pikepdf.open(path) as pdf:
        return check(pdf)


# --- every example and the test letter --------------------------------------------------


def test_an_output_intent_with_a_matching_icc_profile(letter):
    assert _opened(letter, intent_problems) == []


def test_xmp_declares_pdf_a_3b_and_agrees_with_the_info_dictionary(letter):
    assert _opened(letter, xmp_problems) == []
    with pikepdf.open(letter) as pdf:
        assert str(pdf.docinfo.Title) and str(pdf.docinfo.Author)  # the letter's own


def test_every_font_is_embedded_and_every_subset_tag_is_its_own(letter):
    assert _opened(letter, font_problems) == []


def test_images_and_colours_are_ones_the_output_intent_can_show(letter):
    assert _opened(letter, image_problems) == []


def test_graphics_states_and_transparency_are_allowed(letter):
    assert _opened(letter, graphics_problems) == []


def test_annotations_print_as_shown_with_the_appearances_required(letter):
    assert _opened(letter, annotation_problems) == []


def test_the_file_structure_and_qpdf_check(letter):
    data = letter.read_bytes()
    assert _opened(letter, lambda pdf: file_problems(data, pdf)) == []
    done = subprocess.run(["qpdf", "--check", letter], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_the_file_is_dated_by_the_letter(example, letters):
    date = re.search(r"^date: (\d{4}-\d\d-\d\d)$", example.read_text("utf-8"), re.M).group(1)
    with pikepdf.open(letters[example.stem]) as pdf:
        meta = pdf.open_metadata()
        assert meta["xmp:CreateDate"].startswith(date + "T")
        assert str(pdf.docinfo.CreationDate).startswith("D:" + date.replace("-", ""))


# --- the test letter: logos, notes, links ----------------------------------------------------


def test_the_test_letter_has_what_the_rules_are_about(letters):
    with pikepdf.open(letters["test-letter"]) as pdf:
        images = [o for o in pdf.objects if isinstance(o, pikepdf.Stream)
                  and o.get("/Subtype") == "/Image"]
        assert len(images) == 3 and any("/SMask" in o for o in images)  # two logos, a mask
        links = [a for a in pdf.pages[0].get("/Annots", ()) if a.Subtype == "/Link"]
        assert len(links) >= 3
    assert len(read_pdf(letters["test-letter"]).notes) == 2


def test_the_archival_letter_looks_like_the_default_one(letters, tmp_path):
    # The CMYK logo becomes RGB as viewers show it; nothing else may change.
    pages = []
    for name in ("test-letter", "default"):
        subprocess.run(["pdftoppm", "-r", "60", "-png", letters[name], tmp_path / name],
                       check=True)
        pages.append(Image.open(tmp_path / f"{name}-1.png").convert("RGB"))
    difference = ImageChops.difference(*pages)
    assert max(high for _, high in difference.getextrema()) <= 24
    with pikepdf.open(letters["default"]) as pdf:  # the default keeps what it had
        spaces = {str(o.ColorSpace) for o in pdf.objects if isinstance(o, pikepdf.Stream)
                  and o.get("/Subtype") == "/Image"}
        assert "/DeviceCMYK" in spaces and "/OutputIntents" not in pdf.Root


def test_the_checks_see_what_a_default_pdf_lacks(letters):
    problems = "\n".join(archival_problems(letters["default"].read_bytes()))
    for expected in ("no /OutputIntents", "no XMP metadata", "/Interpolate true",
                     "/DeviceCMYK"):
        assert expected in problems, problems


def test_links_carry_the_print_flag_in_every_variant(letters, tmp_path):
    import outloud
    for variant in (None, "pdf/ua-1"):
        data = render_pdf(_rendition(tmp_path, _html('<p><a href="https://example.org">'
                                                     'a link</a></p>'), pdf_variant=variant))
        with pikepdf.open(io.BytesIO(data)) as pdf:
            flags = [int(a.get("/F", 0)) for a in pdf.pages[0].Annots]
        assert flags and all(f & 4 for f in flags), (variant, flags)
        (tmp_path / "x.pdf").write_bytes(data)
        assert "LNK-004" not in {f.rule for f in outloud.check(str(tmp_path / "x.pdf")).findings}


# --- letters written as HTML: attachments, decorative images ---------------------------------


def _html(body: str, head: str = "") -> str:
    return ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Annexes</title>'
            f'<meta name="author" content="Collectif Alpha">{head}</head><body>'
            f"<h1>Re: annexes</h1>{body}</body></html>")


def _rendition(folder: Path, html: str, **options) -> Rendition:
    return Rendition(html=html, stylesheet="@page { size: A4; margin: 2cm }",
                     letter_dir=folder, template_dir=folder, date=datetime.date(2022, 3, 18),
                     options=options)


ANNEXED = _html('<p>See <a rel="attachment" href="annex.txt">the annex</a>.</p>'
                '<p><img src="logo.png" alt="Logo of Alpha" height="30"></p>',
                head='<link rel="attachment" href="data.csv">')


@pytest.fixture
def annexed(tmp_path) -> Path:
    (tmp_path / "annex.txt").write_text("Public annex")
    (tmp_path / "data.csv").write_text("name,count\nAlpha,3\n")
    write_logos(tmp_path)
    return tmp_path


def test_allowed_attachments_are_embedded_as_pdf_a_3_requires(annexed):
    data = render_pdf(_rendition(annexed, ANNEXED, pdf_variant="pdf/a-3b",
                                 pdf_attachments=True))
    assert archival_problems(data) == []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        files = {name: spec.obj.EF.F for name, spec in pdf.attachments.items()}
        specs = [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary)
                 and o.get("/Type") == "/Filespec"]
        attached = [a for a in pdf.pages[0].Annots if a.Subtype == "/FileAttachment"]
        assert files["data.csv"].read_bytes() == b"name,count\nAlpha,3\n"
        assert {str(s.UF) for s in specs} == {"data.csv", "annex.txt"}
        assert len(pdf.Root.AF) == 2 and attached and "/AP" in attached[0]
        # Every file stamped with the letter's date, not the time of rendering.
        assert {str(s.EF.F.Params.ModDate) for s in specs} == {"D:20220318000000Z"}


def test_dropped_attachments_leave_a_pdf_a_without_files(annexed):
    data = render_pdf(_rendition(annexed, ANNEXED, pdf_variant="pdf/a-3b"))
    assert archival_problems(data) == []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert not pdf.attachments and "/AF" not in pdf.Root
        assert all(a.Subtype == "/Link" for a in pdf.pages[0].get("/Annots", ()))
    assert any("data.csv" in w for w in data.warnings)
    assert any("annex.txt" in w for w in data.warnings)


def test_no_image_is_interpolated_however_the_template_draws_it(annexed):
    # A CSS background and an image inside an SVG are not <img>: a style on img missed them.
    (annexed / "badge.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="60" height="30">'
        '<image href="print-logo.jpg" width="60" height="30"/></svg>')
    data = render_pdf(_rendition(annexed, _html(
        '<div style="background: url(logo.png); width: 60px; height: 30px"></div>'
        '<p><img src="badge.svg" alt="Badge of Beta" height="30"></p>'), pdf_variant="pdf/a-3b"))
    assert archival_problems(data) == []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len([o for o in pdf.objects if isinstance(o, pikepdf.Stream)
                    and o.get("/Subtype") == "/Image"]) == 3  # the PNG, its mask, the JPEG


def test_a_decorative_image_gives_no_missing_alt_warning(annexed):
    def warnings(markup):
        return render_pdf(_rendition(annexed, _html(markup), pdf_variant="pdf/a-3b")).warnings
    # alt="" is a decision (the image is an artifact in the tags), not a mistake...
    assert not [w for w in warnings('<p><img src="logo.png" alt="" height="30"></p>')
                if "alt" in w]
    # ...but an image with no alt at all is still reported, even beside a decorative one.
    for markup in ('<p><img src="logo.png" height="30"></p>',
                   '<p><img src="logo.png" alt=""><img src="logo.png"></p>'):
        assert [w for w in warnings(markup) if 'Image "logo.png"' in w and "alt" in w], markup


# --- the combined PDF ---------------------------------------------------------------------


def test_a_combined_pdf_of_archival_letters_is_archival(tmp_path):
    csv_file = tmp_path / "recipients.csv"
    csv_file.write_text("name,title\nJane Doe,Minister\nJohn Roe,Ambassador\n", "utf-8")
    done = run_drafter("render", REPO / "examples" / "footnotes-and-links.yaml",
                       "--recipients", csv_file, "--combined", "--format", "pdf",
                       "--pdf-variant", "pdf/a-3b", "--out", tmp_path / "out", timeout=120)
    assert done.returncode == 0, done.stderr
    combined = (tmp_path / "out" / "footnotes-and-links-combined.pdf").read_bytes()
    assert archival_problems(combined) == []
    singles = sorted((tmp_path / "out").glob("footnotes-and-links-0*.pdf"))
    assert read_pdf_pages(combined) == sum(read_pdf_pages(p.read_bytes()) for p in singles)
    # A default letter among them: the combined file claims no PDF/A it is not.
    mixed = combine_pdfs([singles[0].read_bytes(), render_pdf(_rendition(
        tmp_path, _html("<p>Plain.</p>")))])
    with pikepdf.open(io.BytesIO(mixed)) as pdf:
        assert not pdf.open_metadata().pdfa_status
