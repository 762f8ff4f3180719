"""Typographic quotes and apostrophes by language in prose: “quoted” and don’t in every format,
« … » with narrow no-break spaces in French, „…“ in German; code, URLs and names as written;
`typography: plain` keeps what was typed. Only quote characters ever change."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from readback import read_docx, read_pdf

from drafter.compose.document import Run
from drafter.compose.typography import NNBSP, QUOTES, STYLES, typeset, typeset_runs

LANGUAGES = sorted(STYLES) + ["en-GB", "pt", "ja"]  # pt, ja: no style, quotes stay as typed
_SPACES = " \u00a0\u202f"


def without_quotes(text: str, language: str) -> str:
    """The text with every quote character removed (in French also the spaces beside them,
    which typography turns into the no-break spaces « » need)."""
    if language.startswith("fr"):
        return re.sub(f"[{_SPACES}]*[{QUOTES}][{_SPACES}]*", "", text)
    return re.sub(f"[{QUOTES}]", "", text)


PROSE = st.text(st.one_of(st.sampled_from(list("'\"“”‘’«» \u00a0\u202f.,;:!?()-–—/@\n")),
                          st.characters(categories=("L", "N", "M"))), max_size=60)


@settings(max_examples=400, deadline=None)
@given(PROSE, st.sampled_from(LANGUAGES))
@example("\"quoted\" and don't, 'single', the dogs' bowls, '90s", "en")
@example("Il a dit \" bonjour \" à l'homme", "fr")
@example("See https://example.org/it's\"x or me@example.org", "de")
def test_typography_changes_only_quote_characters(text, language):
    assert without_quotes(typeset(text, language), language) == without_quotes(text, language)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(PROSE, st.booleans()), min_size=1, max_size=5),
       st.sampled_from(LANGUAGES))
def test_code_runs_keep_their_straight_quotes(pieces, language):
    runs = tuple(Run(text, code=code) for text, code in pieces)
    style = STYLES.get(language.split("-")[0])
    out = typeset_runs(runs, style) if style else runs
    assert [r.text for r in out if r.code] == [r.text for r in runs if r.code]
    assert all(without_quotes(a.text, language) == without_quotes(b.text, language)
               for a, b in zip(out, runs))


@pytest.mark.parametrize("language,typed,printed", [
    ("en", "\"quoted\" and don't", "\u201cquoted\u201d and don\u2019t"),
    ("en", "'single' and the dogs' bowls in the '90s", "\u2018single\u2019 and the dogs\u2019 "
                                                       "bowls in the \u201990s"),
    ("en", "(\"**x**\")", "(\u201c**x**\u201d)"),
    ("fr", "Il a dit \"bonjour\" à l'homme", f"Il a dit \u00ab{NNBSP}bonjour{NNBSP}\u00bb à "
                                             "l\u2019homme"),
    ("fr", "un \" mot \" espacé", f"un \u00ab{NNBSP}mot{NNBSP}\u00bb espacé"),
    ("de", "Er sagte \"Hallo\" und 'klein' in Hans' Buch", "Er sagte \u201eHallo\u201c und "
                                                          "\u201aklein\u2018 in Hans\u2019 Buch"),
    ("nl", "In 's-Hertogenbosch \"ja\"", "In \u2019s-Hertogenbosch \u201cja\u201d"),
    ("it", "l'uomo \"giusto\"", "l\u2019uomo \u00abgiusto\u00bb"),
    ("en", "at https://example.org/it's\"x and a@b.org", "at https://example.org/it's\"x and "
                                                          "a@b.org"),
    ("pt", "\"aspas\" d'água", "\"aspas\" d'água"),  # not a language drafter is sure of
])
def test_each_language_gets_its_own_marks(language, typed, printed):
    assert typeset(typed, language) == printed


LETTER = """\
language: {language}
{plain}subject: The "Closing Doors" report
recipients:
  - name: Jane O'Brien
opening: |
  We call this "quoted" and we don't stop: see `say "hi" don't` and https://example.org/it's"x.[^n]
notes:
  n: The note's "text".
signatories:
  - O'Reilly "Foundation"
"""


def _render(tmp_path, drafter_cli, language="en", plain=False):
    path = tmp_path / "letter.yaml"
    path.write_text(LETTER.format(language=language, plain="typography: plain\n" if plain
                                  else ""), "utf-8")
    result = drafter_cli("render", path, "-o", tmp_path, "-f", "pdf,docx,html,txt")
    assert result.returncode == 0, result.stderr
    pdf, docx = read_pdf(tmp_path / "letter.pdf"), read_docx(tmp_path / "letter.docx")
    page = lxml_html.fromstring((tmp_path / "letter.html").read_bytes())
    return {"pdf": " ".join(pdf.words + list(pdf.notes.values())),
            "docx": " ".join(docx.words + list(docx.notes.values())),
            "html": " ".join(page.find("body").text_content().split()),
            "txt": " ".join((tmp_path / "letter.txt").read_text("utf-8").split())}


def test_an_english_letter_prints_typographic_quotes_in_every_format(tmp_path, drafter_cli):
    for fmt, text in _render(tmp_path, drafter_cli).items():
        assert "\u201cquoted\u201d and we don\u2019t stop" in text, fmt
        assert "The \u201cClosing Doors\u201d report" in text, fmt
        assert "The note\u2019s \u201ctext\u201d." in text, fmt
        assert "say \"hi\" don't" in text, fmt                  # a code span, as typed
        assert "https://example.org/it's\"x" in text.replace(" ", ""), fmt  # a URL (it may
        # break at the end of a line), as typed
        assert "Jane O'Brien" in text and "O'Reilly \"Foundation\"" in text, fmt  # names


def test_typography_plain_keeps_the_quotes_as_typed(tmp_path, drafter_cli):
    for fmt, text in _render(tmp_path, drafter_cli, plain=True).items():
        assert "\"quoted\" and we don't stop" in text, fmt
        assert "The \"Closing Doors\" report" in text and "The note's \"text\"." in text, fmt
        assert not set("\u201c\u201d\u2019") & set(text), fmt


def test_a_french_letter_prints_guillemets_with_narrow_no_break_spaces(tmp_path, drafter_cli):
    texts = _render(tmp_path, drafter_cli, language="fr")
    for fmt, text in texts.items():
        assert "« quoted » and we don’t stop" in text, fmt
    import pdfplumber
    with pdfplumber.open(tmp_path / "letter.pdf") as pdf:
        drawn = "".join(c["text"] for c in pdf.pages[0].chars)
    written = {"pdf": drawn, "txt": (tmp_path / "letter.txt").read_text("utf-8"),
               "html": (tmp_path / "letter.html").read_text("utf-8")}
    for fmt, text in written.items():
        assert f"\u00ab{NNBSP}quoted{NNBSP}\u00bb" in text, fmt
    import zipfile
    with zipfile.ZipFile(tmp_path / "letter.docx") as z:
        body = re.sub(r"<[^>]+>", "", z.read("word/document.xml").decode())
    assert f"\u00ab{NNBSP}quoted{NNBSP}\u00bb" in body
