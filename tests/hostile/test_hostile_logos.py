"""Logos: the one place where letter data names a file. Paths that walk out of the letter's
folder (directly, by URL, through links, devices or encodings), files that are not images,
images built to exhaust memory, and SVG files that try to read or fetch something else.

Every case is a letter of its own in one folder; they all render in one run. Each must be
refused with a message naming the letter (located at the logo line when the path itself is
wrong), nothing of that letter written, nothing fetched and the secret nowhere.
"""

from __future__ import annotations

import os
import struct
import zipfile
import zlib

import pikepdf
import pytest

from .helpers import assert_no_leak, loopback_server, run_cli


def _png(width: int, height: int, rows: int) -> bytes:
    """A PNG claiming width x height whose first `rows` rows are zeros, deflated (a
    decompression bomb when `rows` is large: 400 million pixels in some 400 kB)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    packer = zlib.compressobj(9)
    line = b"\0" * (width + 1)
    body = b"".join(packer.compress(line) for _ in range(rows)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + \
        chunk(b"IEND", b"")


SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" ' \
      'width="40" height="40">{}</svg>'
LAUGHS = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 9))

# name -> (logo as written in the YAML, files to create in the letter folder, expected words)
# In paths and contents: {secret} is the planted file, {http} the loopback server.
PATH_CASES = {
    "dot-dot": ("../outside/secret.png", {}, "lies outside the letter's folder"),
    "absolute": ("{secret}", {}, "must be a path relative to the letter's folder"),
    "file-url": ("file://{secret}", {}, "not a URL"),
    "loopback-url": ("{http}/logo.png", {}, "not a URL"),
    "huge-data-url": ("data:image/png;base64," + "A" * (3 << 20), {}, "not a URL"),
    "dev-urandom": ("/dev/urandom", {}, "must be a path relative"),
    "proc-environ": ("/proc/self/environ", {}, "must be a path relative"),
    "symlink-out": ("link-out.png", {"link-out.png": ("link", "{secret}")},
                    "lies outside the letter's folder"),
    "symlink-urandom": ("rand.png", {"rand.png": ("link", "/dev/urandom")}, "lies outside"),
    "symlink-environ": ("env.png", {"env.png": ("link", "/proc/self/environ")}, "lies outside"),
    "symlink-loop": ("loop.png", {"loop.png": ("link", "loop.png")}, "not a usable file name"),
    "directory": ("logos", {"logos/a.png": ("file", b"x")}, "is not a file"),
    "fifo": ("pipe.png", {"pipe.png": ("fifo", None)}, "is not a file"),
    "traversal-after-folder": ("logos/../../outside/secret.png", {}, "lies outside"),
}
# name -> (logo file name, its bytes or text, expected words in the error)
CONTENT_CASES = {
    # Read as the URL the template makes of it, as in the PDF: validate refuses it at its line.
    "percent-encoded-traversal": ("%2e%2e/outside/secret.png", None, "lies outside the letter"),
    "corrupt-png": ("corrupt.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDRgarbage", "could not be read"),
    "text-as-png": ("text.png", "{secret}", "could not be read"),
    "huge-dimensions": ("huge.png", _png(20000, 20000, 1), "could not be read"),
    "decompression-bomb": ("bomb.png", _png(20000, 20000, 20000), "decompression bomb"),
}
# name -> (SVG text, expected words in the error, or None: rendered with the reference dropped)
SVG_CASES = {
    "svg-file-image": (SVG.format('<image xlink:href="file://{secret}" width="9" height="9"/>'),
                       "refused"),
    "svg-outside-image": (SVG.format('<image href="../outside/secret.png" width="9" '
                                     'height="9"/>'), "refused"),
    "svg-loopback-image": (SVG.format('<image href="{http}/i.png" width="9" height="9"/>'),
                           "refused"),
    "svg-external-entity": ('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM '
                            '"file://{secret}">]>' + SVG.format("<text y='9'>&x;</text>"),
                            "could not be read"),
    "svg-billion-laughs": ('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY l0 "lol">' + LAUGHS +
                           ']>' + SVG.format("<text>&l8;</text>"), "could not be read"),
    "svg-css-import": (SVG.format("<style>@import url({http}/x.css);</style><rect width='9' "
                                  "height='9'/>"), "could not be read"),
    "svg-fe-image": (SVG.format('<filter id="f"><feImage href="file://{secret}"/></filter>'
                                '<rect filter="url(#f)" width="9" height="9"/>'), None),
}


def _letter(logo: str) -> str:
    quoted = logo.replace("\\", "\\\\").replace('"', '\\"')
    return ("recipients: [{name: Jane Doe}]\nsignatories:\n  - organisation: Amnesty "
            f'International\n    logo: "{quoted}"\n')


def _make(folder, name: str, kind: str, content, fill) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "link":
        os.symlink(fill(content), path)
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        path.write_bytes(content if isinstance(content, bytes) else fill(content).encode())


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    """Every case as its own letter; two runs: all formats, and PDF only for the SVG logos
    (the DOCX refuses SVG anyway, which would hide what the PDF does)."""
    root = tmp_path_factory.mktemp("logos")
    letters, outside, out = root / "letter", root / "outside", root / "out"
    letters.mkdir()
    outside.mkdir()
    secret = "SECRET-logo-5be1d0"
    for name in ("secret.png", "secret.svg"):
        (outside / name).write_text(secret)
    with loopback_server() as (http, contacted):
        def fill(text: str) -> str:
            return text.replace("{secret}", str(outside / "secret.png")).replace("{http}", http)

        files, svgs = [], []
        for name, (logo, extra, _) in PATH_CASES.items():
            for rel, (kind, content) in extra.items():
                if not (letters / rel).exists() and not (letters / rel).is_symlink():
                    _make(letters, rel, kind, content, fill)
            (letters / f"{name}.yaml").write_text(_letter(fill(logo)), "utf-8")
            files.append(letters / f"{name}.yaml")
        for name, (logo, content, _) in CONTENT_CASES.items():
            if content is None:  # a real file whose name decodes to a path out of the folder
                (letters / logo).parent.mkdir(parents=True)
                (letters / logo).write_bytes((outside / "secret.png").read_bytes())
            else:
                _make(letters, logo, "file", content, fill)
            (letters / f"{name}.yaml").write_text(_letter(logo), "utf-8")
            files.append(letters / f"{name}.yaml")
        for name, (svg, _) in SVG_CASES.items():
            (letters / f"{name}.svg").write_text(fill(svg), "utf-8")
            (letters / f"{name}.yaml").write_text(_letter(f"{name}.svg"), "utf-8")
            svgs.append(letters / f"{name}.yaml")
        everything = run_cli("render", *files, "--out", out, "--format", "pdf,docx,html,txt")
        pdf_only = run_cli("render", *svgs, "--out", out, "--format", "pdf")
        connections = contacted()
    return everything, pdf_only, out, secret, connections


def test_no_logo_was_fetched_leaked_or_written(outcome):
    everything, pdf_only, out, secret, connections = outcome
    assert connections == []
    assert everything.returncode == 1 and pdf_only.returncode == 1
    dropped = {f"{name}.pdf" for name, (_, expected) in SVG_CASES.items() if expected is None}
    assert {p.name for p in out.iterdir()} == dropped
    assert_no_leak(secret, out, everything.stdout, everything.stderr, pdf_only.stderr)


def _lines(result, name: str) -> list[str]:
    return [line for line in result.stderr.splitlines() if f"/{name}.yaml:" in line]


@pytest.mark.parametrize("name", PATH_CASES)
def test_a_logo_path_out_of_the_folder_is_refused_at_its_line(outcome, name):
    lines = _lines(outcome[0], name)
    assert len(lines) == 1, lines
    assert f"/{name}.yaml:4:11: signatories[0].logo: " in lines[0]
    assert PATH_CASES[name][2] in lines[0] and len(lines[0]) < 400


@pytest.mark.parametrize("name", CONTENT_CASES)
def test_a_logo_that_is_no_usable_image_is_refused(outcome, name):
    lines = _lines(outcome[0], name)
    assert lines and CONTENT_CASES[name][2] in " ".join(lines), lines


@pytest.mark.parametrize("name", SVG_CASES)
def test_an_svg_logo_cannot_read_or_fetch_anything_else(outcome, name):
    lines = [line for line in _lines(outcome[1], name) if ": warning: " not in line]
    if SVG_CASES[name][1] is None:  # WeasyPrint ignores the reference: the logo is drawn
        assert lines == [] and (outcome[2] / f"{name}.pdf").is_file()
        return
    assert lines and "PDF not written" in lines[0] and SVG_CASES[name][1] in lines[0], lines


def test_a_valid_logo_still_renders_in_both_formats(tmp_path):
    """The checks above refuse hostile logos, not logos."""
    from PIL import Image
    Image.new("RGB", (120, 40), (10, 60, 120)).save(tmp_path / "logo.png")
    (tmp_path / "ok.yaml").write_text(_letter("logo.png"), "utf-8")
    result = run_cli("render", tmp_path / "ok.yaml", "--out", tmp_path / "out")
    assert result.returncode == 0, result
    with zipfile.ZipFile(tmp_path / "out" / "ok.docx") as docx:
        assert [n for n in docx.namelist() if n.startswith("word/media/")]
    with pikepdf.open(tmp_path / "out" / "ok.pdf") as pdf:
        assert [x for x in pdf.objects if isinstance(x, pikepdf.Stream)
                and x.get("/Subtype") == "/Image" and int(x.Width) == 120]
