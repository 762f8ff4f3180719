"""What the template's HTML says so that every format can be accessible (issue 12, items 2, 4, 5):
the subject as the first-level heading and headings in order, logos with alternative text, and
the language of text in another script. Read back from the HTML (lxml), the DOCX package (its
XML with lxml) and the text and PDF words; the words every format prints do not change."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree, html as lxml_html

from drafter import load_letter
from drafter.pipeline import write_letter
from pictures import write_png
from readback import read_docx, read_pdf

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


@pytest.fixture(scope="module")
def examples(tmp_path_factory) -> Path:
    """Every example rendered once to HTML, DOCX and text."""
    out = tmp_path_factory.mktemp("examples")
    for example in EXAMPLES:
        write_letter(load_letter(example), out, ("html", "docx", "txt"))
    return out


def render(folder: Path, text: str, formats=("html", "docx", "txt"), name="letter") -> Path:
    """Write the letter (with two logos beside it) and render it into `folder`."""
    (folder / "logos").mkdir(exist_ok=True)
    write_png(folder / "logos" / "a.png", 90, 30)
    write_png(folder / "logos" / "b.png", 60, 30)
    path = folder / f"{name}.yaml"
    path.write_text(text, "utf-8")
    write_letter(load_letter(path), folder, formats)
    return path


def html_body(path: Path):
    return lxml_html.document_fromstring(path.read_bytes()).find("body")


def html_headings(path: Path, letter_only: bool = False) -> list[tuple[int, str]]:
    """(level, text) of every heading of the HTML body, in document order; `letter_only`
    leaves out the page's list of notes (a heading of the HTML writer, not of the letter)."""
    return [(int(el.tag[1]), " ".join(el.text_content().split()))
            for el in html_body(path).iter(*HEADINGS)
            if not (letter_only and el.xpath("ancestor::section[@class='notes']"))]


def docx_xml(path: Path, part: str = "word/document.xml"):
    return etree.fromstring(zipfile.ZipFile(path).read(part))


def docx_headings(path: Path) -> list[tuple[int, str, str]]:
    """(level from 1, style id, text) of every paragraph Word takes for a heading: an outline
    level of its own or of its style (and the styles it is based on)."""
    styles = docx_xml(path, "word/styles.xml")
    by_id = {s.get(f"{W}styleId"): s for s in styles.iter(f"{W}style")}

    def style_level(style_id, seen=()):
        style = by_id.get(style_id)
        if style is None or style_id in seen:
            return None
        level = style.find(f"{W}pPr/{W}outlineLvl")
        if level is not None:
            return int(level.get(f"{W}val"))
        based = style.find(f"{W}basedOn")
        return style_level(based.get(f"{W}val"), seen + (style_id,)) if based is not None else None

    found = []
    for p in docx_xml(path).iter(f"{W}p"):
        style = p.find(f"{W}pPr/{W}pStyle")
        style_id = style.get(f"{W}val") if style is not None else "Normal"
        own = p.find(f"{W}pPr/{W}outlineLvl")
        level = int(own.get(f"{W}val")) if own is not None else style_level(style_id)
        if level is not None and level < 9:  # 9 is Word's "body text"
            found.append((level + 1, style_id, "".join(t.text or "" for t in p.iter(f"{W}t"))))
    return found


def in_order(levels: list[int]) -> bool:
    """One first-level heading, first; no level skipped on the way down."""
    return bool(levels) and levels[0] == 1 and levels.count(1) == 1 and all(
        b <= a + 1 for a, b in zip(levels, levels[1:]))


def descriptions(path: Path) -> list[str]:
    """The alternative text (`descr`) of every picture in the DOCX body, in order."""
    return [d.get("descr") for d in docx_xml(path).iter(f"{WP}docPr")]


def run_languages(path: Path) -> list[tuple[str, str]]:
    """(w:lang value, text) of every DOCX run that states its own language."""
    out = []
    for r in docx_xml(path).iter(f"{W}r"):
        lang = r.find(f"{W}rPr/{W}lang")
        text = "".join(t.text or "" for t in r.iter(f"{W}t"))
        if lang is not None and text.strip():
            out.append((lang.get(f"{W}val"), text))
    return out


def span_languages(path: Path) -> list[tuple[str, str]]:
    """(lang, text) of every element of the HTML body that states its language."""
    return [(el.get("lang"), el.text_content()) for el in html_body(path).iter()
            if isinstance(el.tag, str) and el.get("lang") is not None]


# 1. the first-level heading ------------------------------------------------------------------

@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_the_subject_is_the_one_first_heading_and_levels_follow_in_html_and_docx(examples,
                                                                                example):
    letter = load_letter(example)
    html = html_headings(examples / f"{example.stem}.html")
    assert html[0][1].endswith(" ".join(letter.subject.split()[-3:]).replace("'", "’")), html
    assert in_order([level for level, _ in html]), html
    docx = docx_headings(examples / f"{example.stem}.docx")
    assert docx[0][:2] == (1, "Subject") and docx[0][2] == html[0][1], docx
    letter_headings = html_headings(examples / f"{example.stem}.html", letter_only=True)
    assert [(level, text) for level, _, text in docx] == letter_headings
    assert in_order([level for level, *_ in docx])


def test_signatory_groups_are_second_level_when_no_concern_has_a_title(tmp_path):
    render(tmp_path, """\
subject: Groups only
recipients: [{name: Jane Doe}]
concerns: [{text: A concern without a title.}]
signatories:
  - {organisation: Alpha, group: Coordinating organisations}
  - {organisation: Beta, group: Supporting organisations}
  - {name: Carla Person}
""")
    headings = html_headings(tmp_path / "letter.html", letter_only=True)
    assert headings == [(1, "Re: Groups only"), (2, "Coordinating organisations"),
                        (2, "Supporting organisations"), (2, "Individuals")]
    assert [(level, text) for level, _, text in docx_headings(tmp_path / "letter.docx")] == \
        headings


def test_with_concern_titles_the_groups_are_third_level(tmp_path):
    render(tmp_path, """\
subject: Titled
recipients: [{name: Jane Doe}]
concerns: [{title: The concern, text: Text.}]
signatories: [{organisation: Alpha, group: Coordinating organisations}]
""")
    assert html_headings(tmp_path / "letter.html", letter_only=True) == [
        (1, "Re: Titled"), (2, "The concern"), (3, "Coordinating organisations")]


def test_a_letter_without_subject_has_its_title_as_a_heading_no_format_prints(tmp_path):
    """The h1 is for screen readers: the page hides it, and the PDF, DOCX and text print
    exactly the words they printed before (the title is in none of them)."""
    render(tmp_path, """\
recipients: [{name: Jane Doe}]
concerns: [{title: First concern, text: We write.}]
signatories: [Alpha Rights]
""", ("html", "docx", "txt", "pdf"))
    body = html_body(tmp_path / "letter.html")
    h1 = body.find(".//h1")
    assert h1 is not None and h1.text == "Joint letter" and h1.get("class") == "visually-hidden"
    assert [el.tag for el in body.iter(*HEADINGS)] == ["h1", "h2"]
    style = (tmp_path / "letter.html").read_text("utf-8")
    assert re.search(r"@media screen\s*\{\s*\.visually-hidden\s*\{[^}]*clip", style)
    txt = (tmp_path / "letter.txt").read_text("utf-8")
    pdf, docx = read_pdf(tmp_path / "letter.pdf"), read_docx(tmp_path / "letter.docx")
    assert "Joint" not in txt and "Joint" not in pdf.words and "Joint" not in docx.words
    assert pdf.words == docx.words == txt.split()
    assert [level for level, *_ in docx_headings(tmp_path / "letter.docx")] == [2]


# 2. logos with alternative text ---------------------------------------------------------------

LOGOS = """\
subject: Logos
recipients: [{name: Jane Doe}]
opening: We write.
signatories:
  - organisation: Alpha Rights
    logo: logos/a.png
  - organisation: Beta Watch
    logo: logos/b.png
    logo_alt: Beta Watch, an open eye in blue
  - organisation: Gamma Network
"""


def test_logos_say_whose_they_are_or_what_the_letter_says_in_html_and_docx(tmp_path):
    render(tmp_path, LOGOS)
    images = html_body(tmp_path / "letter.html").findall(".//img")
    assert [img.get("alt") for img in images] == ["Logo of Alpha Rights",
                                                  "Beta Watch, an open eye in blue"]
    assert descriptions(tmp_path / "letter.docx") == ["Logo of Alpha Rights",
                                                       "Beta Watch, an open eye in blue"]
    # The text output prints the names once, as before: no alternative text in its place.
    txt = (tmp_path / "letter.txt").read_text("utf-8")
    assert "Logo of" not in txt and "eye" not in txt and txt.count("Alpha Rights") == 1


def test_the_logo_strip_carries_each_logos_text_and_the_default_is_in_the_letters_language(
        tmp_path):
    render(tmp_path, LOGOS.replace("subject: Logos", "language: fr\nsubject: Logos")
           + "signatory_layout: {logo_strip: end}\n")
    strip = html_body(tmp_path / "letter.html").find(".//div[@class='logo-strip']")
    assert [img.get("alt") for img in strip.iter("img")] == [
        "Logo : Alpha Rights", "Beta Watch, an open eye in blue"]
    assert descriptions(tmp_path / "letter.docx") == [
        "Logo : Alpha Rights", "Beta Watch, an open eye in blue"]


def test_a_logo_alt_without_a_logo_is_a_located_warning(tmp_path, drafter_cli):
    text = LOGOS + "    logo_alt: Gamma's emblem\n"
    path = render(tmp_path, text, ())
    result = drafter_cli("validate", path)
    assert result.returncode == 0, result.stderr
    line = text.splitlines().index("    logo_alt: Gamma's emblem") + 1
    assert f"{path}:{line}:15: signatories[2].logo_alt: warning: logo_alt is not used: this " \
           "signatory has no logo:" in result.stderr, result.stderr
    assert result.stderr.count("warning") == 1


# 3. languages of text in other scripts ---------------------------------------------------------

SCRIPTS = """\
subject: Names in other scripts
recipients:
  - name: Erkin Tuniyaz ئەركىن تۇنىياز 艾尔肯·吐尼亚孜
    title: Chairman
    lang: [ug, zh]
opening: We write about Tashi Wangchuk (བཀྲ་ཤིས་དབང་ཕྱུག).
signatories:
  - organisation: Tibetan Language Network
    name: Tenzin Dolma བསྟན་འཛིན་སྒྲོལ་མ
    lang: bo
  - organisation: Friends of 李伟
"""


def test_stated_languages_and_script_only_tags_in_html_and_docx_runs(tmp_path):
    render(tmp_path, SCRIPTS)
    name = [("ug", "ئەركىن تۇنىياز "), ("zh", "艾尔肯·吐尼亚孜")]
    expected = name + name + [  # the recipient's name, then the greeting derived from it
        ("und-Tibt", "བཀྲ་ཤིས་དབང་ཕྱུག"), ("bo", "བསྟན་འཛིན་སྒྲོལ་མ"), ("und-Hani", "李伟")]
    assert span_languages(tmp_path / "letter.html") == expected
    # The DOCX runs of those words say the same language (Word cuts runs at script changes).
    runs = run_languages(tmp_path / "letter.docx")
    for lang in {lang for lang, _ in expected}:
        assert "".join(t for tag, t in runs if tag == lang).replace(" ", "") == "".join(
            t for tag, t in expected if tag == lang).replace(" ", ""), (lang, runs)
    assert {lang for lang, _ in runs} == {lang for lang, _ in expected}
    # Latin text stays in the letter's language: no run of it states another.
    assert not any(re.search("[A-Za-z]", text) for _, text in runs)


def test_languages_change_no_word_of_any_format(tmp_path):
    render(tmp_path, SCRIPTS, ("pdf", "docx", "txt"))
    pdf, docx = read_pdf(tmp_path / "letter.pdf"), read_docx(tmp_path / "letter.docx")
    assert pdf.words == docx.words
    for word in ("ئەركىن", "تۇنىياز", "艾尔肯·吐尼亚孜", "李伟"):
        assert word in pdf.words, word  # the two names stay two words
    txt = (tmp_path / "letter.txt").read_text("utf-8")
    assert "Erkin Tuniyaz ئەركىن تۇنىياز 艾尔肯·吐尼亚孜" in txt


def test_text_in_another_script_without_its_language_is_warned_once_per_field(tmp_path,
                                                                               drafter_cli):
    text = SCRIPTS.replace("    lang: [ug, zh]\n", "    lang: ug\n")
    path = tmp_path / "letter.yaml"
    path.write_text(text, "utf-8")
    result = drafter_cli("validate", path)
    assert result.returncode == 0, result.stderr
    warned = [line for line in result.stderr.splitlines() if ": warning: " in line]
    assert len(warned) == 2, warned
    lines = text.splitlines()
    name_line = lines.index("  - name: Erkin Tuniyaz ئەركىن تۇنىياز 艾尔肯·吐尼亚孜") + 1
    assert warned[0].startswith(f"{path}:{name_line}:11: recipients[0].name: warning: "
                                "'艾尔肯·吐尼亚孜' (Han) is in a script the letter's language (en) "
                                "is not written in"), warned[0]
    assert "und-Hani" in warned[0]
    org_line = lines.index("  - organisation: Friends of 李伟") + 1
    assert warned[1].startswith(f"{path}:{org_line}:19: signatories[1].organisation: warning: "
                                "'李伟' (Han)"), warned[1]


def test_a_stated_language_that_fits_no_text_is_a_located_warning(tmp_path, drafter_cli):
    text = SCRIPTS.replace("    lang: bo\n", "    lang: [bo, zh, ug]\n")
    path = tmp_path / "letter.yaml"
    path.write_text(text, "utf-8")
    result = drafter_cli("validate", path)
    line = text.splitlines().index("    lang: [bo, zh, ug]") + 1
    assert f"{path}:{line}:16: signatories[0].lang[1]: warning: 'zh' is not used: none of " \
           "this text is in Han script" in result.stderr, result.stderr
    assert f"{path}:{line}:20: signatories[0].lang[2]: warning: 'ug' is not used: none of " \
           "this text is in Arabic script" in result.stderr, result.stderr


def test_a_stated_language_in_the_letters_script_marks_that_text_and_the_own_one_nothing(
        tmp_path, drafter_cli):
    """`lang: fr` is a statement about the signatory's Latin text, not a guess; `lang: en` in
    an English letter says what the letter says already (and holds in a Chinese edition)."""
    path = render(tmp_path, """\
subject: Latin names
recipients: [{name: Jane Doe}]
opening: We write.
signatories:
  - {organisation: Ligue des droits de l'Homme, name: Jean Dupont, lang: fr}
  - {organisation: Human Rights Watch, lang: en}
""")
    assert span_languages(tmp_path / "letter.html") == [
        ("fr", "Ligue des droits de l'Homme"), ("fr", "Jean Dupont")]
    assert {lang for lang, _ in run_languages(tmp_path / "letter.docx")} == {"fr"}
    result = drafter_cli("validate", path)
    assert result.returncode == 0 and "warning" not in result.stderr, result.stderr
