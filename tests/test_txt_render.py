"""Plain-text renderer: the e-mail body a user pastes."""

from __future__ import annotations

from pathlib import Path

from drafter.formats.base import Rendition
from drafter.formats.txt import render_txt


def page(body: str, head: str = "", lang: str = "en", direction: str = "ltr") -> str:
    """A contract-following HTML document."""
    return (
        f'<!doctype html><html lang="{lang}" dir="{direction}"><head><title>Letter</title>{head}</head>'
        f"<body>{body}</body></html>"
    )


def txt(html: str) -> str:
    """Render and decode."""
    r = Rendition(html=html, stylesheet="", letter_dir=Path("/nonexistent"), template_dir=Path("/nonexistent"))
    data = render_txt(r)
    assert isinstance(data, bytes)
    return data.decode("utf-8")


FULL = """
<header><img src="logo.png" alt="Coalition logo"><img src="deco.png" alt=""></header>
<h1>Joint   letter</h1>
<p>We, the <strong>undersigned</strong>, write <em>urgently</em> about
   <a href="https://example.org/report">the report</a>.<span class="footnote">See
   <a href="https://example.org/notes">https://example.org/notes</a>.</span>
   We ask you to act.<span class="footnote">Second <i>note</i>.</span>
   As said before<span class="footnote-ref" data-note="1">1</span>, it matters.</p>
<ol><li>First A</li><li>Second A</li></ol>
<p>Between.</p>
<ol><li>First B</li><li>Second B<ul><li>Nested</li></ul></li></ol>
<ul><li>Bullet</li></ul>
<p hidden>Hidden text</p><script>var x = 1;</script>
<div data-columns="2"><p>Org A</p><p>Org B</p></div>
<p>Uyghur ئۇيغۇر, Chinese 维吾尔, control a\x0bb.<br>
   Write to <a href="mailto:info@example.org">info@example.org</a> or <a href="mailto:info@example.org">us</a>.</p>
"""

EXPECTED = """\
Coalition logo

Joint letter

We, the undersigned, write urgently about the report
(https://example.org/report).[1] We ask you to act.[2] As said before[1], it
matters.

1. First A
2. Second A

Between.

1. First B
2. Second B
   - Nested

- Bullet

Org A

Org B

Uyghur ئۇيغۇر, Chinese 维吾尔, control ab.
Write to info@example.org or us (info@example.org).

Notes

[1] See https://example.org/notes.
[2] Second note.
"""


def test_full_letter_as_plain_text():
    assert txt(page(FULL)) == EXPECTED


def test_lines_wrap_at_78_columns_without_breaking_urls():
    url = "https://example.org/" + "a-very-long-path-" * 6
    words = "word " * 40
    out = txt(page(f"<p>{words}<a href='{url}'>{url}</a> {words}</p>"))
    lines = out.splitlines()
    assert url in lines  # the URL stands whole on its own line
    assert all(len(line) <= 78 for line in lines if url not in line)
    assert len(lines) > 5
    assert " ".join(out.split()) == " ".join(f"{words}{url} {words}".split())


def test_wrapped_list_items_hang_under_their_text():
    out = txt(page("<ol start='9'><li>" + "alpha " * 20 + "</li><li>beta</li></ol>"))
    lines = out.splitlines()
    assert lines[0].startswith("9. alpha")
    assert lines[1].startswith("   alpha")
    assert lines[-1] == "10. beta"


def test_notes_label_comes_from_the_template():
    head = '<meta name="drafter:notes-label" content="Anmerkungen">'
    out = txt(page('<p>Text<span class="footnote">Quelle.</span></p>', head=head))
    assert out == "Text[1]\n\nAnmerkungen\n\n[1] Quelle.\n"


def test_preformatted_text_is_kept():
    out = txt(page("<p>Before</p><pre>  a   b\n    c</pre>"))
    assert out == "Before\n\n  a   b\n    c\n"


def test_containers_text_and_inline_markup_flatten():
    out = txt(page("<div>Loose <b>text</b> <section><p>Inner</p></section>tail</div>"))
    assert out == "Loose text\n\nInner\n\ntail\n"


def test_empty_letter_gives_empty_text():
    assert txt(page("<p>   </p><hr>")) == ""


def test_lines_of_one_block_stay_together():
    # An address or a signature: the template keeps all but its last line with the next one.
    body = """<p data-keep-with-next>To:</p>
    <div class="party"><p data-keep-with-next>Ministry</p><p data-keep-with-next>Street 1</p><p>City</p></div>
    <div class="party"><p data-keep-with-next>Office</p><p>Town</p></div>
    <h2 data-keep-with-next>Heading</h2><p>Body.</p>"""
    assert txt(page(body)) == "To:\n\nMinistry\nStreet 1\nCity\n\nOffice\nTown\n\nHeading\n\nBody.\n"
