"""Injection through the letter's text: template syntax, format strings, HTML, CSS and
Markdown that try to run, fetch or break out of where they are printed.

Each payload is written into *every* text field of one letter; all letters render in one
`drafter render` run (all four formats). For each: the run names no problem for it, the PDF and
the DOCX hold the same text, the payload is printed literally in the plain fields of the PDF,
DOCX and text outputs, the HTML output stays inert (no script, handler, frame, fetchable
element or foreign link), the PDF and DOCX link only to http(s)/mailto, nothing is fetched
(the loopback server is never contacted) and the secret planted beside the letter's folder
appears nowhere.
"""

from __future__ import annotations

import pytest
from readback import read_docx, read_pdf

from .helpers import (SAFE_SCHEMES, assert_inert_html, assert_no_leak, docx_external_targets,
                      loopback_server, pdf_link_targets, run_cli, squeeze, yaml_value)
from .test_hostile_yaml import every_field

# name -> payload; {http} is the loopback server, {secret} the planted file's path.
PAYLOADS = {
    "jinja-expression": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "jinja-statement": "{% include '{secret}' %}{% import 'os' as os %}{{ os }}",
    "jinja-globals": "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "format-attribute": "{0.__class__.__mro__} {signatory_count.__class__.__init__} {1}",
    "format-spec": "{individual_count!r:>999999999} {signatory_count:{signatory_count}}",
    "percent-format": "%s %(signatory_count)s %n %99999999d",
    "html-element-breakout": "</p></div><script>fetch('{http}/s')</script><p>",
    "html-attribute-breakout": "\" onmouseover=\"fetch('{http}/a')\" x=\"'><img src={http}/i>",
    "raw-html-in-markdown": "<img src=\"{http}/m.png\"> <iframe src=\"file://{secret}\">"
                            "</iframe> <!-- hidden --> <b>bold?</b>",
    "inline-svg": "<svg onload=\"fetch('{http}/v')\"><image href=\"file://{secret}\"/></svg>"
                  "<math><mi xlink:href=\"javascript:x\">m</mi></math>",
    "css-breakout": "</style><style>@import url({http}/x.css);</style>\\\"; } body "
                    "{ background: url({http}/b.png) } /*",
    "dangerous-link-schemes": "[a](javascript:fetch('{http}')) [b](data:text/html,<script>x"
                              "</script>) [c](file://{secret}) [d](vbscript:x) "
                              "[e](JaVaScRiPt:alert(1)) [f](  javascript:x)",
    "markdown-images": "![logo]({http}/i.png) ![s](file://{secret}) ![r](../outside/secret.png)"
                       " ![d](data:image/png;base64,iVBORw0KGgo=)",
    "reference-links-and-autolinks": "[x][r] <file://{secret}> <{http}/auto> [r]: "
                                     "file://{secret}",
    "entity-encoded-markup": "&lt;script&gt;x&lt;/script&gt; &#60;img src=x&#62; "
                             "&#x6A;avascript:alert(1) &#0; &#xD800;",
    "placeholder-lookalikes": "{ signatory_count } {{signatory_count}} {signatory_count[0]} "
                              "{signatory_count.real} {{ signatory_count }}",
}
# Fields whose text is printed as written (not Markdown): the payload must appear literally.
PLAIN_MIN = 10


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Every payload in every field of its own letter, rendered in one run."""
    root = tmp_path_factory.mktemp("markup")
    letters, outside, out = root / "letters", root / "outside", root / "out"
    letters.mkdir()
    outside.mkdir()
    secret = "SECRET-markup-7f3a9c"
    (outside / "secret.txt").write_text(secret)
    with loopback_server() as (http, contacted):
        files = []
        for name, payload in PAYLOADS.items():
            text = payload.replace("{http}", http).replace("{secret}", str(outside / "secret.txt"))
            path = letters / f"{name}.yaml"
            path.write_text(every_field(yaml_value(text)), encoding="utf-8")
            files.append(path)
        result = run_cli("render", *files, "--out", out, "--format", "pdf,docx,html,txt")
        connections = contacted()
    return result, out, secret, connections, http, outside


def test_nothing_was_fetched_and_no_letter_failed(rendered):
    result, out, secret, connections, _, _ = rendered
    assert connections == []
    assert result.returncode == 0, result
    assert_no_leak(secret, out, result.stdout, result.stderr)


@pytest.mark.parametrize("name", PAYLOADS)
def test_payload_is_printed_literally_and_stays_inert(rendered, name):
    result, out, _, _, http, outside = rendered
    payload = PAYLOADS[name].replace("{http}", http).replace("{secret}",
                                                             str(outside / "secret.txt"))
    pdf, docx = read_pdf(out / f"{name}.pdf"), read_docx(out / f"{name}.docx")
    assert squeeze(pdf.words) == squeeze(docx.words)
    assert {n: squeeze([t]) for n, t in pdf.notes.items()} == \
        {n: squeeze([t]) for n, t in docx.notes.items()}
    literal = squeeze([payload])
    assert squeeze(pdf.words).count(literal) >= PLAIN_MIN
    assert squeeze([(out / f"{name}.txt").read_text("utf-8")]).count(literal) >= PLAIN_MIN
    html = out / f"{name}.html"
    assert_inert_html(html)
    assert html.read_text("utf-8").count(payload) == 0 or "<" not in payload
    assert all(uri.startswith(SAFE_SCHEMES) for uri in pdf_link_targets(out / f"{name}.pdf"))
    for kind, target in docx_external_targets(out / f"{name}.docx"):
        assert kind == "hyperlink" and target.startswith(SAFE_SCHEMES), (kind, target)
