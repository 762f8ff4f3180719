"""Accessible PDF: the structure tree a screen reader follows, read back with pikepdf and
pdfplumber, and the PyPI checkers `outloud` and `pdfua` (PDF/UA-1) with 0 errors."""

from __future__ import annotations

import datetime
import io
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from conftest import REPO, run_drafter
from pictures import write_png
from readback import read_pdf

from drafter.formats.base import Rendition, RenderError
from drafter.formats.pdf import render_pdf

EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
CSS_TEXT = (REPO / "letter_templates" / "joint-letter" / "style.css").read_text(encoding="utf-8")
UYGHUR, CHINESE = "ئىلھام توختى", "伊力哈木"

# A letter with what a screen reader trips over: paragraphs long enough that one calling a
# footnote runs onto the next page, an italic link, a logo, names in Uyghur and Chinese.
_LONG = ("The delegation should raise the situation of the people named in this letter at "
         "every meeting, in public and in private, and should report on the answers it receives. ")
TEST_LETTER = f"""\
template: joint-letter
language: en
subject: Names that must be heard
recipients:
  - name: Kaja Kallas
    title: High Representative
opening: |
  We write about Ilham Tohti ({UYGHUR}, {CHINESE}) and about our report
  [*Closing Doors*](https://example.org/reports/closing-doors).
""" + "".join(f"""
  Paragraph {i + 1} begins. {_LONG * 3}[^n{i + 1}] {_LONG * 3}Paragraph {i + 1} ends.
""" for i in range(6)) + """
closing: Yours sincerely,
signatories:
  - organisation: Alpha Rights Watch
    logo: logo.png
  - organisation: Beta Coalition
notes:
""" + "".join(f"  n{i}: Note number {i}, a short one.\n" for i in range(1, 7))


# --- reading the structure tree back ----------------------------------------------------


@dataclass
class Node:
    """A structure element as a reader meets it: type, attributes, text of its own MCIDs."""

    type: str
    lang: str | None
    alt: str | None
    id: str | None
    page: int | None
    text: str = ""
    kids: list = field(default_factory=list)
    annotations: list = field(default_factory=list)  # objgens of the OBJRs it holds

    def walk(self):
        yield self
        for kid in self.kids:
            yield from kid.walk()

    def reading(self) -> str:
        """Its text in structure order: what a screen reader says."""
        # One MCID per line or inline run: a space between them, as a reader pauses.
        return " ".join([self.text] + [kid.reading() for kid in self.kids])


@dataclass
class Structure:
    root: Node
    claimed_by: dict  # annotation objgen -> the Node whose OBJR claims it
    link_annotations: list  # (page, objgen, StructParent) for every /Link annotation
    parent_tree: dict  # StructParent -> structure element objgen
    nodes: dict  # objgen -> Node
    artifacts: list  # the text drawn as artifacts, one string per page
    lang: str


def read_structure(data: bytes) -> Structure:
    """The tree from pikepdf, the MCIDs' text from pdfplumber (an independent reader)."""
    texts: dict[tuple[int, int], str] = {}
    artifacts: list[str] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number, page in enumerate(pdf.pages):
            artifacts.append("")
            for char in page.chars:
                if char.get("mcid") is not None:
                    key = (number, char["mcid"])
                    texts[key] = texts.get(key, "") + char["text"]
                elif char.get("tag") == "Artifact":
                    artifacts[-1] += char["text"]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pages = {p.obj.objgen: n for n, p in enumerate(pdf.pages)}
        claimed, nodes = {}, {}

        def build(obj, page):
            if "/Pg" in obj:
                page = pages.get(obj.Pg.objgen, page)
            node = Node(str(obj.S), _str(obj.get("/Lang")), _str(obj.get("/Alt")),
                        _str(obj.get("/ID")), page)
            nodes[obj.objgen] = node
            kids = obj.get("/K")
            for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
                if isinstance(kid, int):
                    node.kids.append(Node("MCID", None, None, None, page,
                                          texts.get((page, kid), "")))
                elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
                    node.annotations.append(kid.Obj.objgen)
                    claimed[kid.Obj.objgen] = node
                elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                    on = pages.get(kid.Pg.objgen, page) if "/Pg" in kid else page
                    node.kids.append(Node("MCID", None, None, None, on,
                                          texts.get((on, int(kid.MCID)), "")))
                elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    node.kids.append(build(kid, page))
            return node

        tree = pdf.Root.StructTreeRoot
        top = tree.K if isinstance(tree.K, pikepdf.Array) else [tree.K]
        root = Node("root", None, None, None, None, kids=[build(k, None) for k in top])
        parent_tree = {int(k): v.objgen for k, v in pikepdf.NumberTree(tree.ParentTree).items()
                       if isinstance(v, pikepdf.Dictionary)}
        links = [(n + 1, a.objgen, int(a.get("/StructParent", -1)))
                 for n, page in enumerate(pdf.pages) for a in page.obj.get("/Annots", [])
                 if a.get("/Subtype") == "/Link"]
        return Structure(root, claimed, links, parent_tree, nodes, artifacts,
                         str(pdf.Root.get("/Lang", "")))


def _str(value) -> str | None:
    return None if value is None else str(value)


def _headings(s: Structure) -> list[tuple[int, str]]:
    return [(int(n.type[2]), n.reading()) for n in s.root.walk()
            if re.fullmatch(r"/H[1-6]", n.type)]


def _squash(text: str) -> str:
    return " ".join(text.split())


def _lang_of(s: Structure, script: str) -> str:
    """The language a reader is told for the first text in `script` (a regex class)."""
    def find(node, inherited):
        inherited = node.lang or inherited
        if node.type == "MCID" and re.search(script, node.text):
            return inherited
        for kid in node.kids:
            found = find(kid, inherited)
            if found:
                return found
        return None
    return find(s.root, s.lang) or ""


ARABIC, HAN = "[\u0600-\u06ff\ufb50-\ufeff]", "[\u4e00-\u9fff]"


# --- renders, once per module -----------------------------------------------------------


@dataclass
class Written:
    name: str
    path: Path
    data: bytes
    structure: Structure


@pytest.fixture(scope="module")
def letters(tmp_path_factory) -> dict[str, Written]:
    """Every example and the test letter, as pdf/ua-1, in one drafter process."""
    folder = tmp_path_factory.mktemp("letters")
    (folder / "test-letter.yaml").write_text(TEST_LETTER, encoding="utf-8")
    write_png(folder / "logo.png", 120, 60)
    out = folder / "out"
    done = run_drafter("render", *EXAMPLES, folder / "test-letter.yaml", "--format", "pdf",
                       "--pdf-variant", "pdf/ua-1", "--out", out, timeout=300)
    assert done.returncode == 0, done.stderr
    found = {}
    for path in sorted(out.glob("*.pdf")):
        data = path.read_bytes()
        found[path.stem] = Written(path.stem, path, data, read_structure(data))
    assert set(found) == {p.stem for p in EXAMPLES} | {"test-letter"}
    return found


NAMES = [p.stem for p in EXAMPLES] + ["test-letter"]


@pytest.fixture(params=NAMES)
def letter(request, letters) -> Written:
    return letters[request.param]


# --- every example and the test letter --------------------------------------------------


def test_the_first_heading_is_an_h1_and_no_level_is_skipped(letter):
    headings = _headings(letter.structure)
    assert headings and headings[0][0] == 1, headings[:2]
    assert _squash(headings[0][1]), "the H1 says nothing"
    for (before, _), (level, text) in zip(headings, headings[1:]):
        assert level <= before + 1, (before, level, text)


def test_every_image_has_alternative_text(letter):
    figures = [n for n in letter.structure.root.walk() if n.type == "/Figure"]
    assert all(f.alt and f.alt.strip() for f in figures), [f.alt for f in figures]


def test_every_link_annotation_is_claimed_by_its_link_element(letter):
    s = letter.structure
    for page, objgen, parent in s.link_annotations:
        owner = s.claimed_by.get(objgen)
        assert owner is not None and owner.type == "/Link", (page, owner and owner.type)
        assert s.nodes[s.parent_tree[parent]] is owner, page  # the parent tree agrees


def test_page_numbers_are_artifacts_not_content(letter):
    pages = read_pdf(letter.path).pages
    footers = [_squash(text) for text in letter.structure.artifacts]
    said = _squash(letter.structure.root.reading())
    for number, footer in enumerate(footers, start=1):
        assert re.search(rf"\b{number}\b.*\b{pages}\b", footer), footer  # "Page 1 of 3"
        assert footer not in said


def test_footnotes_are_notes_read_right_after_the_paragraph_that_calls_them(letter):
    printed = read_pdf(letter.path).notes  # by number, as printed at the page's foot
    notes = [n for n in letter.structure.root.walk() if n.type == "/Note"]
    assert len(notes) == len(printed)
    ids = [n.id for n in notes]
    assert all(ids) and len(set(ids)) == len(ids)
    for number, note in enumerate(notes, start=1):
        said = _squash(note.reading())
        assert said.startswith(f"{number}. "), said[:30]
        assert said[len(f"{number}. "):][:20] in _squash(printed[number])
        before = _block_before(letter.structure.root, note)
        assert before is not None, number
        calls = [_squash(c.reading()) for c in before.walk() if c.type == "/Reference"]
        assert str(number) in calls, (number, before.type, calls)


def _block_before(root: Node, note: Node) -> Node | None:
    """What a reader has just heard when it reaches `note`: the element before it (notes
    called by one paragraph follow each other), or the list item it ends."""
    for parent in root.walk():
        if note in parent.kids:
            if parent.type in ("/LBody", "/LI", "/TD", "/TH"):
                return parent
            earlier = [k for k in parent.kids[:parent.kids.index(note)]
                       if k.type not in ("/Note", "MCID")]
            return earlier[-1] if earlier else None
    return None


def test_the_pdf_is_valid_for_qpdf(letter):
    done = subprocess.run(["qpdf", "--check", letter.path], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_outloud_finds_no_errors(letter):
    import outloud
    result = outloud.check(str(letter.path))
    assert result.error is None
    assert result.errors == 0, [(f.rule, f.message) for f in result.findings
                                if f.severity == "error"]


def test_pdfua_finds_no_errors(letter):
    import pdfua
    report = pdfua.validate(str(letter.path))
    assert not [(f.rule_id, f.message) for f in report.findings
                if f.severity >= pdfua.Severity.ERROR]
    # pdfua 0.1.3's UA-14-001 raises on any heading whose /K is an array (its as_integer asks
    # a pikepdf Array for an attribute); any other rule that could not run would be news.
    assert [o.rule_id for o in report.skipped] in ([], ["UA-14-001"]), report.skipped


# --- the test letter ----------------------------------------------------------------------


def test_a_note_is_read_after_its_whole_paragraph_even_across_a_page(letters):
    letter = letters["test-letter"]
    pages = [_squash(p) for p in _page_texts(letter.data)]
    crossing = [n for n in range(1, 7) for p in range(len(pages) - 1)
                if f"Paragraph {n} begins." in pages[p] and f"Paragraph {n} ends." in pages[p + 1]]
    reading = read_pdf(letter.path)
    assert any(reading.note_pages[n] == reading.call_pages[n] for n in crossing), \
        "the test letter no longer calls a note from a paragraph that runs onto the next page"
    said = _squash(letter.structure.root.reading())
    for n in range(1, 7):
        at = said.index(f"{n}. Note number {n}, a short one.")
        assert said[:at].endswith(f"Paragraph {n} ends. "), said[at - 60:at + 40]
        assert said.count("Note number", 0, said.index(f"Paragraph {n} ends.")) == n - 1


def _page_texts(data: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def test_the_italic_link_is_read_inside_its_link(letters):
    s = letters["test-letter"].structure
    links = [n for n in s.root.walk() if n.type == "/Link" and "Closing Doors" in n.reading()]
    assert links and links[0].annotations
    assert all(n.type == "/Link" for n in s.root.walk() if n.annotations)


def test_the_logo_is_described_by_its_organisation(letters):
    s = letters["test-letter"].structure
    assert [n.alt for n in s.root.walk() if n.type == "/Figure"] == ["Logo of Alpha Rights Watch"]


def test_uyghur_and_chinese_names_carry_their_language(letters):
    s = letters["test-letter"].structure
    assert s.lang == "en"
    uyghur, chinese = _lang_of(s, ARABIC), _lang_of(s, HAN)
    assert uyghur.startswith("ug") or uyghur.endswith("-Arab"), uyghur
    assert chinese.startswith("zh") or re.search(r"-Han[ist]$", chinese), chinese


# --- HTML as a template could write it ------------------------------------------------------


def _html(body: str) -> str:
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>T</title>'
            '<style>@page { @bottom-center { content: "Page " counter(page) " of " '
            'counter(pages) } }</style></head><body>' + body + "</body></html>")


def _render(tmp_path, html: str, **options) -> bytes:
    write_png(tmp_path / "logo.png")
    r = Rendition(html=html, stylesheet=CSS_TEXT, letter_dir=tmp_path, template_dir=tmp_path,
                  date=datetime.date(2024, 1, 1), options=options)
    return bytes(render_pdf(r))


def test_hand_written_html_gets_notes_languages_figures_and_heading_levels(tmp_path):
    data = _render(tmp_path, _html(
        '<h1>Re: one</h1><p><img src="logo.png" alt="Logo of Alpha" height="20">'
        '<img src="logo.png" alt="" height="20"></p>'
        f'<p>Name <span lang="ug">{UYGHUR}</span> <span lang="zh-Hans">{CHINESE}</span>.'
        '<span class="footnote">Only note.</span> End.</p>'
        '<h3>Signed</h3><p>Someone<span class="footnote-ref">1</span></p>'),
        pdf_variant="pdf/ua-1")
    s = read_structure(data)
    # alt="" is decoration: an artifact, not a figure a reader is told nothing about.
    assert [n.alt for n in s.root.walk() if n.type == "/Figure"] == ["Logo of Alpha"]
    assert (_lang_of(s, ARABIC), _lang_of(s, HAN)) == ("ug", "zh-Hans")
    assert [level for level, _ in _headings(s)] == [1, 2]  # the H3 comes straight after the H1
    notes = [n for n in s.root.walk() if n.type == "/Note"]
    assert [_squash(n.reading()) for n in notes] == ["1. Only note."]
    assert _squash(_block_before(s.root, notes[0]).reading()).endswith("1 End.")


def test_pdf_ua_1_that_would_not_pass_is_an_error_not_a_claim(tmp_path):
    html = _html("<h2>No first-level heading</h2><p>Text.</p>")
    with pytest.raises(RenderError, match="first heading is H2"):
        _render(tmp_path, html, pdf_variant="pdf/ua-1")
    with pytest.raises(RenderError, match="without alternative text"):
        _render(tmp_path, _html('<h1>T</h1><p><img src="logo.png" height="20"></p>'),
                pdf_variant="pdf/ua-1")
    assert _render(tmp_path, html)[:5] == b"%PDF-"  # without the claim: written, tagged


def test_the_render_time_check_sees_what_weasyprint_alone_writes(tmp_path):
    # WeasyPrint's own tagging of a letter, unrepaired: what pdf/ua-1 would have claimed.
    from weasyprint import CSS, HTML
    from drafter.formats.pdf_tags import check
    html = _html('<h1>T</h1><p>See <a href="https://example.org"><em>this</em></a>.'
                 '<span class="footnote">A note.</span></p>')
    data = HTML(string=html).write_pdf(stylesheets=[CSS(string=CSS_TEXT)], pdf_tags=True)
    said = "; ".join(check(data, notes=1))
    assert "1 footnote(s) not tagged as notes" in said
    assert "link(s) outside their Link element" in said
    assert "neither in the structure tree nor an artifact" in said  # "Page 1 of 1"
    assert check(_render(tmp_path, html, pdf_variant="pdf/ua-1"), notes=1) == []
