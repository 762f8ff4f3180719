"""A template folder from an untrusted source (passed between organisations, unpacked from an
archive, cloned): it may read only its own files, fetch nothing, escape no sandbox, and a
broken or booby-trapped template is the user's problem to fix (exit 1 naming the template
file and line), never drafter's crash (exit 70) nor a hang.

Each case is a copy of the built-in template with one change, used by a letter of its own;
all letters render in one run (all four formats).
"""

from __future__ import annotations

import io
import os
import zipfile

import pytest

from .helpers import (BASE, TEMPLATE, assert_inert_html, assert_no_leak, loopback_server,
                      run_cli)

# The line of the template's <body>, where a case's "body" goes ({body} in what it expects).
BODY = str((TEMPLATE / "letter.html.j2").read_text("utf-8").splitlines().index("<body>") + 1)
# name -> spec: body/head (inserted in letter.html.j2), css (put first in style.css), links
# ({name: target} symbolic links in the folder), files ({name: bytes}), subject (the letter's),
# expect (words of the error) or None (renders; the secret in no output, nothing fetched).
# In every string {secret} is the planted file, {outside} its folder, {http} the loopback.
CASES = {
    # -- fetches: every way the PDF renderer reads a URL, from the template ------------------
    "img-file-url": {"body": '<img src="file://{secret}">', "expect": ["refused"]},
    "img-loopback": {"body": '<img src="{http}/t.png">', "expect": ["refused", "http URLs"]},
    "css-url-file": {"css": "body { background: url(file://{secret}) }",
                     "expect": ["refused"]},
    "css-import-loopback": {"css": '@import url("{http}/x.css");',
                            "expect": ["refused", "{http}/x.css"]},
    "font-face-outside": {"css": "@font-face { font-family: X; src: url(../../outside/"
                                 "secret.txt) } body { font-family: X }",
                          "expect": ["refused", "outside the letter and template folders"]},
    "link-stylesheet-loopback": {"head": '<link rel="stylesheet" href="{http}/s.css">',
                                 "expect": ["refused"]},
    "link-attachment": {"head": '<link rel="attachment" href="file://{secret}">',
                        "expect": None},
    "a-attachment": {"body": '<a rel="attachment" href="../../outside/secret.txt">annex</a>',
                     "expect": None},
    "inline-svg-image": {"body": '<svg width="9" height="9"><image href="file://{secret}" '
                                 'width="9" height="9"/></svg>', "expect": ["refused"]},
    "object-and-iframe": {"body": '<object data="{http}/o"></object><iframe src="file://'
                                  '{secret}"></iframe><embed src="{http}/e">',
                          "expect": ["refused"]},
    "data-in-style-attribute": {"body": '<p style="color: {{ doc.subject }}">x</p>',
                                "subject": "red; background: url({http}/leak.png)",
                                "expect": ["refused"]},
    # -- the template's own files, through symbolic links ------------------------------------
    "style-css-link": {"links": {"style.css": "{secret}"},
                       "expect": ["style.css: not a file inside the template folder"]},
    "include-link": {"body": "{% include 'part.html' %}", "links": {"part.html": "{secret}"},
                     "expect": ["'part.html' is not a file inside the template folder"]},
    "letter-template-link": {"links": {"letter.html.j2": "{outside}/secret.j2"},
                             "expect": ["letter.html.j2: not a file inside the template"]},
    "reference-docx-link": {"links": {"reference.docx": "{outside}/secret.txt"},
                            "expect": ["reference.docx: not a file inside the template"]},
    "template-yaml-link": {"links": {"template.yaml": "{outside}/secret.txt"},
                           "expect": ["template.yaml: not a file inside the template"]},
    "include-dev-zero": {"body": "{% include 'zero.html' %}", "links": {"zero.html": "/dev/zero"},
                         "expect": ["'zero.html' is not a file inside the template folder"]},
    # -- reading by name ---------------------------------------------------------------------
    "include-absolute": {"body": "{% include '{secret}' %}", "expect": ["not found"]},
    "include-dot-dot": {"body": "{% include '../../outside/secret.j2' %}",
                        "expect": ["../../outside/secret.j2"]},
    "extends-dot-dot": {"body": "{% extends '../outside/secret.j2' %}",
                        "expect": ["../outside/secret.j2"]},
    "import-passwd": {"body": "{% import '/etc/passwd' as p %}", "expect": ["not found"]},
    # -- sandbox escapes -----------------------------------------------------------------------
    "cycler-globals": {"body": "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
                       "expect": ["is unsafe"]},
    "template-reference-context": {"body": "{{ self._TemplateReference__context }}",
                                   "expect": ["is unsafe"]},
    "mro-subclasses": {"body": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
                       "expect": ["is unsafe"]},
    "lipsum-globals": {"body": "{{ lipsum.__globals__['os'] }}", "expect": ["is unsafe"]},
    "attr-filter": {"body": "{{ doc|attr('__class__')|attr('__init__') }}",
                    "expect": ["is unsafe"]},
    "str-format-method": {"body": "{{ '{0.__class__.__init__.__globals__}'.format(doc) }}",
                          "expect": ["is unsafe"]},
    "format-filter": {"body": "{{ '%s'|format(doc.__class__) }}", "expect": ["is unsafe"]},
    # -- runtime errors of the template's own expressions: exit 1 with the line, not 70 ------
    "range-over-sandbox-limit": {"body": "{{ range(10**9)|list|length }}",
                                 "expect": ["letter.html.j2:{body}:1: OverflowError"]},
    "pop-empty-list": {"body": "{{ [].pop() }}",
                       "expect": ["letter.html.j2:{body}:1: IndexError"]},
    "division-by-zero": {"body": "{{ 1 / (doc.recipients|length - 1) }}",
                         "expect": ["letter.html.j2:{body}:1: ZeroDivisionError"]},
    "endless-recursion": {"body": "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
                          "expect": ["letter.html.j2:{body}:1: RecursionError"]},
    "not-utf8": {"raw_body": b"<p>caf\xe9</p>", "expect": ["not UTF-8"]},
    "css-not-utf8": {"files": {"style.css": b"body { font-family: caf\xe9 }"},
                     "expect": ["style.css:1:24: not UTF-8 text (byte 0xe9)"]},
    "include-not-utf8": {"body": "{% include 'part.html' %}", "files": {"part.html": b"caf\xe9"},
                         "expect": ["part.html:1:4: not UTF-8 text (byte 0xe9)"]},
    "include-syntax-error": {"body": "{% include 'part.html' %}",
                             "files": {"part.html": b"line 1\n{% if %}\n"},
                             "expect": ["part.html:2:1: Expected an expression"]},
    "import-missing": {"body": "{% import 'missing.html' as m %}",
                       "expect": ["letter.html.j2:{body}:1: 'missing.html' not found"]},
    "undefined-attribute": {"body": "{{ doc.title.nosuch }}",
                            "expect": ["letter.html.j2:{body}:1: 'str object' has no attribute"]},
    # -- drafter's filters given what they do not take, HTML the renderers cannot take ------
    "inline-filter-given-a-number": {"body": "{{ 5 | inline }}",
                                     "expect": [
                                         "letter.html.j2:{body}:1: the inline filter takes"]},
    "blocks-filter-given-a-number": {"body": "{{ 5 | blocks }}",
                                     "expect": [
                                         "letter.html.j2:{body}:1: the blocks filter takes"]},
    "html-empty": {"files": {"letter.html.j2": b""}, "expect": ["its HTML cannot be read"]},
    "html-without-head": {"files": {"letter.html.j2": b"<p>{{ doc.title }}</p>"},
                          "expect": ["letter.html.j2: its HTML has no <head>"]},
    "html-too-deep": {"body": "<div>" * 200 + "x" + "</div>" * 200,
                      "expect": ["letter.html.j2: its HTML nests elements 202 deep"]},
    "ol-start-beyond-word": {"body": "<ol start='99999999999'><li>x</li></ol>",
                             "expect": ['the start "99999999999" of an <ol> is not a number']},
    "footnote-ref-not-a-number": {"body": "<span class='footnote-ref' data-note='x'>1</span>",
                                  "expect": ['the data-note "x" of a footnote-ref']},
    "img-too-high": {"body": "<img src='data:,' height='" + "9" * 400 + "'>",
                     "expect": ["an <img> is inf px high"]},
    # -- reference.docx ----------------------------------------------------------------------
    "reference-garbage": {"files": {"reference.docx": b"PK\x03\x04 not really a zip"},
                          "expect": ["cannot read reference document"]},
    "reference-without-document": {"files": {"reference.docx": "empty-zip"},
                                   "expect": ["cannot read reference document"]},
    "reference-zip-bomb": {"files": {"reference.docx": "zip-bomb"},
                           "expect": ["cannot read reference document"]},
    "reference-external-entity": {"files": {"reference.docx": "xxe"},
                                  "expect": ["cannot read reference document", "entity"]},
    "template-yaml-alias-bomb": {"files": {"template.yaml": b"a: &a [x, x]\nb: [*a, *a]\n"},
                                 "expect": ["anchors (&a) are not allowed"]},
    "template-yaml-broken": {"files": {"template.yaml": b"name: [never closed\n"},
                             "expect": ["template.yaml:1:7: YAML syntax"]},
}


def _reference(kind: str, secret) -> bytes:
    """Booby-trapped reference documents, made from the built-in one."""
    original = zipfile.ZipFile(TEMPLATE / "reference.docx")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        if kind == "empty-zip":
            package.writestr("[Content_Types].xml", "<Types/>")
            return out.getvalue()
        for info in original.infolist():
            data = original.read(info.filename)
            if info.filename == "word/styles.xml" and kind == "zip-bomb":
                # 2 GiB of spaces inside the styles part: some 2 MB compressed.
                with package.open("word/styles.xml", "w", force_zip64=True) as part:
                    part.write(data[: -len(b"</w:styles>")])
                    for _ in range(128):
                        part.write(b" " * (1 << 24))
                    part.write(b"</w:styles>")
                continue
            if info.filename == "word/styles.xml" and kind == "xxe":
                data = data.replace(b"?>", b'?><!DOCTYPE w:styles [<!ENTITY x SYSTEM "file://'
                                    + str(secret).encode() + b'">]>', 1)
                data = data.replace(b'w:val="Normal"', b'w:val="Normal&x;"', 1)
            package.writestr(info, data)
    return out.getvalue()


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    root = tmp_path_factory.mktemp("templates")
    letters, outside, out = root / "letter", root / "outside", root / "out"
    letters.mkdir()
    outside.mkdir()
    secret = "SECRET-template-92c4e1"
    for name in ("secret.txt", "secret.j2"):
        (outside / name).write_text(secret)
    with loopback_server() as (http, contacted):
        def fill(text: str) -> str:
            return (text.replace("{secret}", str(outside / "secret.txt"))
                    .replace("{outside}", str(outside)).replace("{http}", http))

        files = []
        for name, spec in CASES.items():
            folder = letters / f"tpl-{name}"
            _copy_template(folder)
            page = folder / "letter.html.j2"
            html = page.read_bytes()
            if "body" in spec:
                html = html.replace(b"<body>", b"<body>" + fill(spec["body"]).encode(), 1)
            if "raw_body" in spec:
                html = html.replace(b"<body>", b"<body>" + spec["raw_body"], 1)
            if "head" in spec:
                html = html.replace(b"</head>", fill(spec["head"]).encode() + b"</head>", 1)
            page.write_bytes(html)
            if "css" in spec:  # first, where @import must stand
                css = folder / "style.css"
                css.write_text(fill(spec["css"]) + "\n" + css.read_text("utf-8"), "utf-8")
            for rel, content in spec.get("files", {}).items():
                data = _reference(content, outside / "secret.txt") if isinstance(content, str) \
                    else content
                (folder / rel).write_bytes(data)
            for rel, target in spec.get("links", {}).items():
                (folder / rel).unlink(missing_ok=True)
                os.symlink(fill(target), folder / rel)
            subject = fill(spec.get("subject", "A letter"))
            (letters / f"{name}.yaml").write_text(
                f"template: ./tpl-{name}\nsubject: \"{subject}\"\n"
                "recipients: [{name: Jane Doe}]\nsignatories: [Amnesty International]\n",
                "utf-8")
            files.append(letters / f"{name}.yaml")
        result = run_cli("render", *files, "--out", out, "--format", "pdf,docx,html,txt")
        connections = contacted()
    return result, out, secret, connections, http


def _copy_template(folder) -> None:
    folder.mkdir()
    for item in TEMPLATE.iterdir():
        (folder / item.name).write_bytes(item.read_bytes())


def test_no_template_fetched_or_leaked_anything(outcome):
    result, out, secret, connections, _ = outcome
    assert connections == []
    assert result.returncode == 1, result
    assert_no_leak(secret, out, result.stdout, result.stderr)


@pytest.mark.parametrize("name", CASES)
def test_a_hostile_template_is_refused_or_confined(outcome, name):
    result, out, _, _, http = outcome
    lines = [line for line in result.stderr.splitlines()
             if f"/{name}.yaml" in line and ": warning: " not in line]
    expect = CASES[name]["expect"]
    written = sorted(p.name for p in out.glob(f"{name}.*"))
    if expect is None:  # the reference is dropped, the letter is written
        assert lines == [] and written == [f"{name}.{ext}" for ext in
                                           ("docx", "html", "pdf", "txt")], (lines, written)
        warnings = [line for line in result.stderr.splitlines() if f"/{name}.yaml" in line]
        assert any("attachment" in w and "dropped" in w for w in warnings), warnings
        return
    assert written == [], f"{name}: a refused letter wrote {written}"
    assert len(lines) == 1, lines
    for word in expect:
        assert word.replace("{http}", http).replace("{body}", BODY) in lines[0], lines[0]


def test_the_html_output_of_a_hostile_template_runs_and_fetches_nothing(place, loopback):
    """`--format html` alone never meets the PDF renderer's refusals: the published page
    itself must stay inert whatever the template's markup and stylesheet."""
    http, contacted = loopback
    folder = place.template()
    page = folder / "letter.html.j2"
    page.write_text(page.read_text("utf-8").replace("</head>", (
        f'<script src="{http}/a.js"></script><base href="{http}/">'
        f'<meta http-equiv="refresh" content="0;url={http}/r">'
        f'<link rel="stylesheet" href="{http}/s.css"></head>')).replace("<body>", (
            f'<body onload="fetch(\'{http}\')">'
            f'<iframe src="{http}/f"></iframe><a href="javascript:alert(1)">x</a>'
            f'<p style="background: url({http}/bg.png)">styled</p>'
            f'<svg><script>alert(1)</script></svg><form action="{http}/f"></form>'), 1), "utf-8")
    css = folder / "style.css"
    css.write_text(f"@import url({http}/i.css);\n@import '{http}/j.css';\n"
                   f"body {{ background: url(//127.0.0.1:1/p.png) }}\n"
                   "</style><script>alert(2)</script><style>\n" + css.read_text("utf-8"),
                   "utf-8")
    letter = place.write("template: ./tpl\n" + BASE)
    result = run_cli("render", letter, "--out", place.out, "--format", "html")
    assert result.returncode == 0, result
    html = (place.out / "letter.html").read_text("utf-8")
    # The template's own inline SVG stays without its script. (An image from the network is
    # refused in every format alike: tests/test_assets.py.)
    assert_inert_html(place.out / "letter.html", allowed=frozenset({"svg"}))
    assert http not in html.replace(f'href="{http}', "") and "//127.0.0.1:1" not in html
    assert "</style><script" not in html and "javascript:" not in html and "onload" not in html
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert contacted() == []
