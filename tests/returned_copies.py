"""Returned copies of drafter's DOCX, made the way Word writes revisions: a tracked change is a
`w:del` run holding `w:delText` beside a `w:ins` run, inside the paragraph, with its author and
date. Used by the feedback tests; the LibreOffice-made copies come from tests/office.py."""

from __future__ import annotations

import copy
from pathlib import Path

from docx.oxml.ns import qn

XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_ids = iter(range(900, 10_000))


MAIN = Path(__file__).resolve().parent.parent / "examples" / "eu-china-summit.yaml"


def drafted(folder: Path, cli) -> tuple[Path, Path]:
    """A copy of the main example in `folder`, and the DOCX drafter makes of it there: what
    the coordinator circulates."""
    import shutil
    path = folder / "letter.yaml"
    shutil.copy(MAIN, path)
    assert cli("render", path, "--format", "docx", "--out", folder)[0] == 0
    return path, folder / "letter.docx"


def at(path: Path, needle: str, after: str = "") -> tuple[int, int]:
    """Line and column (from 1) of `needle` in the YAML, after the first `after`."""
    text = path.read_text("utf-8")
    index = text.index(needle, text.index(after) if after else 0)
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def paragraph_marked(document, name: str):
    """The paragraph holding drafter's bookmark `name` (python-docx's body paragraphs)."""
    for p in document.paragraphs:
        if any(b.get(qn("w:name")) == name for b in p._p.iter(qn("w:bookmarkStart"))):
            return p
    raise AssertionError(name)


def track(paragraph, old: str, new: str, author: str, date: str = "2026-11-20T10:00:00Z",
          after: str = "") -> None:
    """Replace `old` (inside one run, after `after`) by `new` as a tracked change: a deletion
    and an insertion side by side, as Word writes them; `old` "" inserts, `new` "" deletes.
    For an insertion, `after` is the text it follows."""
    for run in paragraph._p.iter(qn("w:r")):
        t = run.find(qn("w:t"))
        if t is None or t.text is None:
            continue
        start = t.text.find(after) + len(after) if after else 0
        index = t.text.find(old, start) if old else (start if after in t.text else -1)
        if index >= 0 and (old or after):
            break
    else:
        raise AssertionError(f"no run holds {old or after!r}")
    text = t.text
    pieces = []
    for part in (text[:index], None, text[index + len(old):]):
        if part is None:
            pieces += _marks(run, old, new, author, date)
        elif part:
            piece = copy.deepcopy(run)
            piece.find(qn("w:t")).text = part
            piece.find(qn("w:t")).set(XML_SPACE, "preserve")
            pieces.append(piece)
    for piece in pieces:
        run.addprevious(piece)
    run.getparent().remove(run)


def _marks(run, old: str, new: str, author: str, date: str) -> list:
    out = []
    for kind, words in (("del", old), ("ins", new)):
        if not words:
            continue
        mark = run.makeelement(qn(f"w:{kind}"), {qn("w:id"): str(next(_ids)),
                                                  qn("w:author"): author, qn("w:date"): date})
        inner = copy.deepcopy(run)
        t = inner.find(qn("w:t"))
        if kind == "del":
            inner.remove(t)
            t = inner.makeelement(qn("w:delText"), {})
            inner.append(t)
        t.text = words
        t.set(XML_SPACE, "preserve")
        mark.append(inner)
        out.append(mark)
    return out


ODF_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def comment_in_odt(odt: Path, out: Path, words: str, said: str, author: str,
                   resolved: bool = False) -> Path:
    """The ODT with a comment on `words` (inside one text node of a paragraph), written as
    LibreOffice writes one: an office:annotation (creator, date, its paragraph) where the
    range starts and an office:annotation-end of the same name where it ends."""
    import zipfile
    from lxml import etree
    with zipfile.ZipFile(odt) as z:
        members = [(info, z.read(info)) for info in z.infolist()]
    content = dict((i.filename, data) for i, data in members)["content.xml"]
    root = etree.fromstring(content)
    for p in root.iter(f"{{{ODF_TEXT}}}p"):
        for node in [p, *p.iter()]:
            for attr in ("text", "tail"):
                value = getattr(node, attr)
                if value and words in value:
                    return _write_comment(root, node, attr, words, said, author, resolved,
                                          members, out)
    raise AssertionError(words)


def _write_comment(root, node, attr, words, said, author, resolved, members, out):
    import zipfile
    from lxml import etree
    o, t = f"{{{ODF_OFFICE}}}", f"{{{ODF_TEXT}}}"
    dc = "{http://purl.org/dc/elements/1.1/}"
    value = getattr(node, attr)
    head, tail = value.split(words, 1)
    note = etree.Element(f"{o}annotation", {f"{o}name": "__Annotation__1_partner"})
    if resolved:
        note.set("{urn:org:documentfoundation:names:experimental:office:xmlns:loext:1.0}"
                 "resolved", "true")
    etree.SubElement(note, f"{dc}creator").text = author
    etree.SubElement(note, f"{dc}date").text = "2026-11-21T09:30:00"
    etree.SubElement(note, f"{t}p").text = said
    end = etree.Element(f"{o}annotation-end", {f"{o}name": "__Annotation__1_partner"})
    note.tail, end.tail = words, tail
    setattr(node, attr, head)
    if attr == "text":
        node.insert(0, note)
        note.addnext(end)
    else:
        node.addnext(note)
        note.addnext(end)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    with zipfile.ZipFile(out, "w") as z:
        for info, raw in members:
            z.writestr(info, data if info.filename == "content.xml" else raw)
    return out
