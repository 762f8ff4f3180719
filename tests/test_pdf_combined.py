"""The combined PDF of a mailing keeps every letter's structure tree: read back with pikepdf and
pdfplumber, `qpdf --check`, the PyPI checkers `outloud` and `pdfua`, and the PDF/A-3b rules."""

from __future__ import annotations

import datetime
import io
import subprocess
from pathlib import Path

import pikepdf
import pytest

from conftest import REPO, run_drafter
from pdfa_rules import archival_problems
from readback import read_pdf
from test_pdf_accessibility import _block_before, _headings, _squash, read_structure

from drafter.formats.base import Rendition
from drafter.formats.pdf import render_pdf
from drafter.formats.pdf_tags import check
from drafter.output.combine import combine_pdfs

LETTER = REPO / "examples" / "footnotes-and-links.yaml"  # five notes, thirteen links
FRENCH = REPO / "examples" / "fr-travail-force.yaml"


def _recipients(path: Path, count: int) -> Path:
    rows = ["name,title"] + [f"Minister Number{i},Minister of Justice" for i in range(1, count + 1)]
    path.write_text("\n".join(rows) + "\n", "utf-8")
    return path


def _mailing(folder: Path, variant: str, count: int) -> tuple[Path, list[Path]]:
    """`drafter render --recipients --combined` of LETTER: the combined file, the letters."""
    out = folder / "out"
    done = run_drafter("render", LETTER, "--recipients", _recipients(folder / "list.csv", count),
                       "--combined", "--format", "pdf", "--pdf-variant", variant, "--out", out,
                       timeout=240)
    assert done.returncode == 0, done.stderr
    letters = sorted(out.glob("footnotes-and-links-0*.pdf"))
    assert len(letters) == count
    return out / "footnotes-and-links-combined.pdf", letters


@pytest.fixture(scope="module")
def accessible(tmp_path_factory) -> tuple[Path, list[Path]]:
    """Three pdf/ua-1 letters, one to each recipient, and their combined PDF."""
    return _mailing(tmp_path_factory.mktemp("ua"), "pdf/ua-1", 3)


def _pages(path: Path) -> int:
    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


def _letter_pages(letters: list[Path]) -> list[range]:
    """Which pages of the combined file (from 0) are each letter's."""
    out, start = [], 0
    for letter in letters:
        out.append(range(start, start + _pages(letter)))
        start += _pages(letter)
    return out


def _documents(data: bytes):
    structure = read_structure(data)
    return structure, [n for n in structure.root.kids if n.type == "/Document"]


# --- three accessible letters in one file ---------------------------------------------------


def test_every_letter_is_a_document_read_in_order_with_its_h1_first(accessible):
    combined, letters = accessible
    structure, documents = _documents(combined.read_bytes())
    assert len(documents) == 3 == len(structure.root.kids)
    for i, (document, pages) in enumerate(zip(documents, _letter_pages(letters)), start=1):
        said = _squash(document.reading())
        assert f"Dear Minister Number{i}," in said
        assert not [j for j in (1, 2, 3) if j != i and f"Minister Number{j}" in said]
        own = [n.page for n in document.walk() if n.page is not None]
        assert own and set(own) <= set(pages), (i, sorted(set(own)), pages)
        headings = [(int(n.type[2]), _squash(n.reading())) for n in document.walk()
                    if n.type in {f"/H{k}" for k in range(1, 7)}]
        assert headings[0] == (1, "Re: Protecting human rights defenders at risk through the "
                                  "EU’s visa and relocation practice"), headings[:1]
    levels = [level for level, _ in _headings(structure)]
    assert levels.count(1) == 3
    assert [n.page for n in structure.root.walk() if n.type == "/H1"] == \
        [pages[0] for pages in _letter_pages(letters)]


def test_every_letters_notes_are_notes_after_their_calls_with_unique_ids(accessible):
    combined, letters = accessible
    structure, documents = _documents(combined.read_bytes())
    all_ids = [n.id for n in structure.root.walk() if n.type == "/Note"]
    assert len(all_ids) == 15 and all(all_ids) and len(set(all_ids)) == 15
    with pikepdf.open(combined) as pdf:  # every ID is found in the tree's /IDTree
        listed = pikepdf.NameTree(pdf.Root.StructTreeRoot.IDTree)
        assert sorted(listed.keys()) == sorted(all_ids)
        assert all(str(listed[i].ID) == i and listed[i].S == "/Note" for i in all_ids)
    for document, letter in zip(documents, letters):
        printed = read_pdf(letter).notes
        notes = [n for n in document.walk() if n.type == "/Note"]
        assert len(notes) == len(printed) == 5
        for number, note in enumerate(notes, start=1):
            said = _squash(note.reading())
            assert said.startswith(f"{number}. "), said[:30]
            assert said[len(f"{number}. "):][:20] in _squash(printed[number])
            before = _block_before(document, note)
            calls = [_squash(c.reading()) for c in before.walk() if c.type == "/Reference"]
            assert str(number) in calls, (number, before.type, calls)


def test_every_link_annotation_is_claimed_by_its_link_and_the_parent_tree_agrees(accessible):
    combined, letters = accessible
    structure = read_structure(combined.read_bytes())
    alone = sum(len(read_structure(p.read_bytes()).link_annotations) for p in letters)
    assert len(structure.link_annotations) == alone == 3 * 13
    for page, objgen, parent in structure.link_annotations:
        owner = structure.claimed_by.get(objgen)
        assert owner is not None and owner.type == "/Link", (page, owner and owner.type)
        assert structure.nodes[structure.parent_tree[parent]] is owner, page


def test_every_struct_parents_key_is_unique_and_resolves(accessible):
    combined, _ = accessible
    with pikepdf.open(combined) as pdf:
        tree = pdf.Root.StructTreeRoot
        parents = dict(pikepdf.NumberTree(tree.ParentTree).items())
        in_tree = _elements(tree)
        keys = []
        for number, page in enumerate(pdf.pages):
            key = int(page.obj.StructParents)
            keys.append(key)
            claims = parents[key]  # each MCID on the page -> the element that holds it
            for element, mcid in _marked(in_tree, page.obj.objgen):
                assert claims[mcid].objgen == element.objgen, (number, mcid)
            for annotation in page.obj.get("/Annots", ()):
                key = int(annotation.StructParent)
                keys.append(key)
                owner = parents[key]
                assert owner.objgen in in_tree
                assert any(isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR"
                           and k.Obj.objgen == annotation.objgen for k in _kids(owner))
        assert len(keys) == len(set(keys)) == len(parents)
        assert int(tree.ParentTreeNextKey) == max(keys) + 1


def _kids(element) -> list:
    kids = element.get("/K")
    return [] if kids is None else list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _elements(tree) -> dict:
    """Every structure element reached from the tree root, by objgen."""
    found, todo = {}, list(_kids(tree))
    while todo:
        node = todo.pop()
        if isinstance(node, pikepdf.Dictionary) and "/S" in node:
            found[node.objgen] = node
            todo += _kids(node)
    return found


def _marked(elements: dict, page: tuple):
    """(element, MCID) for every marked-content item of the elements on `page`."""
    for element in elements.values():
        for kid in _kids(element):
            if isinstance(kid, int) and element.Pg.objgen == page:
                yield element, kid
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR" \
                    and kid.Pg.objgen == page:
                yield element, int(kid.MCID)


def test_the_combined_file_is_valid_for_qpdf_outloud_pdfua_and_drafter(accessible):
    import outloud
    import pdfua
    combined, _ = accessible
    done = subprocess.run(["qpdf", "--check", combined], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    result = outloud.check(str(combined))
    assert result.error is None
    assert result.errors == 0, [(f.rule, f.message) for f in result.findings
                                if f.severity == "error"]
    report = pdfua.validate(str(combined))
    assert not [(f.rule_id, f.message) for f in report.findings
                if f.severity >= pdfua.Severity.ERROR]
    assert [o.rule_id for o in report.skipped] in ([], ["UA-14-001"]), report.skipped
    assert check(combined.read_bytes(), notes=15) == []
    with pikepdf.open(combined) as pdf:
        assert pdf.Root.MarkInfo.Marked is True and str(pdf.Root.Lang) == "en-GB"
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        meta = pdf.open_metadata()
        assert meta.get("pdfuaid:part") == "1" and meta.get("dc:title")  # the claim holds


def test_the_outline_lists_every_letters_headings_on_its_own_pages(accessible):
    combined, letters = accessible
    with pikepdf.open(combined) as pdf, pdf.open_outline() as outline:
        pages = {page.obj.objgen: n for n, page in enumerate(pdf.pages)}
        tops = list(outline.root)
        assert len(tops) == 3
        for top, own in zip(tops, _letter_pages(letters)):
            assert str(top.title).startswith("Re: Protecting human rights defenders")
            assert [str(i.title) for i in top.children] == [
                "Visas and temporary relocation", "Protection in the EU’s external action"]
            for item in [top, *top.children]:
                assert pages[item.destination[0].objgen] in own


# --- languages, PDF/A, claims, determinism -------------------------------------------------


def test_a_letter_in_another_language_says_so_on_its_document(accessible, tmp_path):
    combined, letters = accessible
    done = run_drafter("render", FRENCH, "--format", "pdf", "--pdf-variant", "pdf/ua-1",
                       "--out", tmp_path)
    assert done.returncode == 0, done.stderr
    data = combine_pdfs([letters[0].read_bytes(), (tmp_path / f"{FRENCH.stem}.pdf").read_bytes()])
    path = tmp_path / "mixed.pdf"
    path.write_bytes(data)
    structure, documents = _documents(data)
    assert structure.lang == "en-GB" and [d.lang for d in documents] == [None, "fr"]
    assert "Objet : Mise en œuvre du règlement européen" in _squash(documents[1].reading())
    import outloud
    assert outloud.check(str(path)).errors == 0
    assert check(data) == []


def test_a_combined_pdf_of_archival_letters_is_archival_and_tagged(tmp_path):
    combined, letters = _mailing(tmp_path, "pdf/a-3b", 2)
    data = combined.read_bytes()
    assert archival_problems(data) == []
    structure, documents = _documents(data)
    assert len(documents) == 2 and [level for level, _ in _headings(structure)].count(1) == 2
    assert len([n for n in structure.root.walk() if n.type == "/Note"]) == 10
    assert check(data, notes=10) == []
    with pikepdf.open(combined) as pdf:
        meta = pdf.open_metadata()
        assert meta.pdfa_status == "3B" and not meta.get("pdfuaid:part")  # none was claimed
    assert combine_pdfs([p.read_bytes() for p in letters], "x") == \
        combine_pdfs([p.read_bytes() for p in letters], "x")  # the same bytes every time


def _html(body: str) -> str:
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>T</title></head>'
            f"<body>{body}</body></html>")


def _render(folder: Path, html: str, **options) -> bytes:
    r = Rendition(html=html, stylesheet="@page { size: A5; margin: 2cm }", letter_dir=folder,
                  template_dir=folder, date=datetime.date(2024, 1, 1), options=options)
    return bytes(render_pdf(r))


def _claims_ua(data: bytes) -> bool:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return pdf.open_metadata().get("pdfuaid:part") == "1"


def test_pdf_ua_is_claimed_only_when_every_letter_claims_it_and_the_check_passes(tmp_path):
    good = _render(tmp_path, _html("<h1>One</h1><p>Text.</p>"), pdf_variant="pdf/ua-1")
    plain = _render(tmp_path, _html("<h1>Two</h1><p>Text.</p>"))
    assert _claims_ua(combine_pdfs([good, good]))
    assert not _claims_ua(combine_pdfs([good, plain]))
    # A letter claiming PDF/UA-1 that does not hold (its H1 made an H2 after rendering): the
    # combined file fails drafter's check, so it does not claim it either; still tagged.
    with pikepdf.open(io.BytesIO(good)) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/S") == "/H1":
                obj.S = pikepdf.Name.H2
        out = io.BytesIO()
        pdf.save(out)
    broken = combine_pdfs([out.getvalue(), good])
    assert "the first heading is H2" in "; ".join(check(broken))
    assert not _claims_ua(broken)
    # ... and says so, for the CLI to print: a claim is not dropped in silence.
    assert any("not claimed PDF/UA-1" in w and "H2" in w for w in broken.warnings)
    assert combine_pdfs([good, good]).warnings == ()
    with pikepdf.open(io.BytesIO(broken)) as pdf:
        assert len(pdf.Root.StructTreeRoot.K) == 2


def test_links_within_a_letter_lead_to_its_own_pages(tmp_path):
    # Two letters with the same id: each link's named destination stays its own letter's.
    def letter(word):
        return _render(tmp_path, _html(f'<h1>Letter {word}</h1><p><a href="#end">the end</a>'
                                       f'</p><p style="break-before: page" id="end">{word}.</p>'),
                       pdf_variant="pdf/ua-1")
    data = combine_pdfs([letter("one"), letter("two")])
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pages = {page.obj.objgen: n for n, page in enumerate(pdf.pages)}
        dests = pikepdf.NameTree(pdf.Root.Names.Dests)
        targets = [pages[dests[str(a.Dest)][0].objgen] for page in pdf.pages
                   for a in page.obj.get("/Annots", ())]
    assert targets == [1, 3]
    assert check(data) == []


def test_an_untagged_letter_among_them_leaves_no_half_a_tree(tmp_path):
    tagged = _render(tmp_path, _html("<h1>One</h1><p><a href='https://example.org'>x</a></p>"))
    untagged = _render(tmp_path, _html("<h1>Two</h1><p>Text.</p>"), pdf_tags=False)
    data = combine_pdfs([tagged, untagged])
    assert any(w.startswith("not tagged") for w in data.warnings)  # said, not silent
    assert combine_pdfs([tagged, tagged]).warnings == ()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert "/StructTreeRoot" not in pdf.Root and "/MarkInfo" not in pdf.Root
        assert not [p for p in pdf.pages if "/StructParents" in p.obj]
        assert not [a for p in pdf.pages for a in p.obj.get("/Annots", ()) if "/StructParent" in a]
    path = tmp_path / "mixed.pdf"
    path.write_bytes(data)
    done = subprocess.run(["qpdf", "--check", path], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
