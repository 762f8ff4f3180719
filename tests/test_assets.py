"""One confined asset reader: validate, PDF, DOCX and HTML accept and refuse the same files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from drafter import LetterError, load_letter
from drafter.formats import RenderError, Rendition, renderer
from drafter.pipeline import render
from pictures import write_png

FORMATS = ("pdf", "docx", "html")


def _letter(folder: Path, logo: str) -> Path:
    path = folder / "letter.yaml"
    path.write_text(
        "subject: Logos\nrecipients:\n  - name: Ursula von der Leyen\nopening: Dear all.\n"
        "signatories:\n  - name: Uyghur Human Rights Project\n"
        f"    logo: {logo}\n", encoding="utf-8")
    return path


def _rendition(folder: Path, src: str) -> Rendition:
    html = (f'<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>'
            f'<p>Before <img src="{src}" alt="Logo of A" height="20"> after</p></body></html>')
    return Rendition(html=html, stylesheet="", letter_dir=folder, template_dir=folder / "tpl")


@pytest.mark.parametrize("src,reason", [
    (".logos/a.png", "hidden file"),
    ("logos/.a.png", "hidden file"),
    ("../outside.png", "outside the letter and template folders"),
    ("link.png", "outside the letter and template folders"),
    ("missing.png", "no such file"),
    ("https://example.org/a.png", "https URLs are not allowed"),
])
def test_every_format_refuses_the_same_images_for_the_same_reason(tmp_path, src, reason):
    folder = tmp_path / "letter"
    (folder / ".logos").mkdir(parents=True)
    (folder / "logos").mkdir()
    (folder / "tpl").mkdir()
    for name in (".logos/a.png", "logos/.a.png"):
        write_png(folder / name)
    write_png(tmp_path / "outside.png")
    os.symlink(tmp_path / "outside.png", folder / "link.png")
    r = _rendition(folder, src)
    for fmt in FORMATS:
        with pytest.raises(RenderError) as err:
            renderer(fmt)(r)
        assert reason in str(err.value), (fmt, str(err.value))
    if "://" not in src:  # validate judges logo paths; URLs it refuses with its own words
        with pytest.raises(LetterError) as err:
            load_letter(_letter(folder, src))
        assert "signatories[0].logo" in str(err.value)
        said = {"hidden file": "is a hidden file", "no such file": "does not exist",
                "outside the letter and template folders": "lies outside the letter's folder"}
        assert said[reason] in str(err.value), str(err.value)


def test_a_logo_inside_the_folder_shows_in_every_format(tmp_path):
    (tmp_path / "logos").mkdir()
    write_png(tmp_path / "logos" / "a.png")
    letter = load_letter(_letter(tmp_path, "logos/a.png"))
    page = render(letter, "html").decode()
    assert 'src="data:image/png;base64,' in page  # carried in the page: shown wherever it is put
    import io
    import zipfile
    with zipfile.ZipFile(io.BytesIO(render(letter, "docx"))) as z:
        assert any(n.startswith("word/media/") for n in z.namelist())
    import pikepdf
    with pikepdf.open(io.BytesIO(render(letter, "pdf"))) as pdf:
        images = [k for page in pdf.pages for k in page.get_images()]
    assert images
