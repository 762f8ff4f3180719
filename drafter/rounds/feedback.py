"""Partners' feedback from returned copies of drafter's DOCX, at the YAML lines it concerns.

A returned copy holds comments (author, date, the words they are anchored to) and tracked
changes (insertions and deletions by someone); a partner may also have typed over the text
without tracking. Each paragraph drafter wrote carries a bookmark named from its YAML path
(formats/docx_sources.py), which Word and LibreOffice keep on saving: so each comment and change
is mapped to the field it touches, and to the line and column of its first word in the YAML.
A paragraph whose bookmark is gone is matched by its text, and says so. Nothing is dropped: a
comment or change that maps to no field is listed as such.
"""

from __future__ import annotations

import difflib
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ..formats.docx_sources import PREFIX, named_origins
from .odt import is_odt, wordml_parts

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
W15 = "{http://schemas.microsoft.com/office/word/2012/wordml}"
_MATCH = 0.6  # a paragraph without its bookmark: the most similar one of the letter, from here


@dataclass(frozen=True)
class Feedback:
    """One comment, tracked change or untracked edit of a returned copy."""

    returned: str  # the file it came from
    kind: str  # "comment", "change" or "untracked"
    author: str
    date: str
    text: str  # what the comment says, or what the change does
    origin: str  # the YAML path (with "#k" for a field's block k), "" when it maps to none
    words: str  # the words it touches, as the copy has them
    by_text: bool = False  # its paragraph had lost its bookmark: matched by its text
    reply_to: str = ""  # a reply: the first words of the comment it answers
    resolved: bool = False
    # A tracked change, for --apply: where it starts in its paragraph as drafter wrote it
    # (`context`, every change rejected), the words it deletes and those it inserts.
    at: int = -1
    old: str = ""
    new: str = ""
    context: str = ""


@dataclass
class _Para:
    origin: str
    original: str  # its text with every tracked change rejected: what drafter wrote, if untouched
    returned: str  # with every change accepted


def read_returned(path: Path, written: list[tuple[str, str]]) -> list[Feedback]:
    """Every comment, tracked change and untracked edit of a returned DOCX (or ODT). `written` is
    (YAML path, text) of each paragraph drafter wrote, in order (the body's, then the
    notes'): their bookmark names are computed from the paths."""
    names = {name: (origin, text) for (origin, name), (_, text)
             in zip(named_origins([o for o, _ in written]), written)}
    with zipfile.ZipFile(path) as z:
        if is_odt(z):
            parts = wordml_parts(z)
        elif "word/document.xml" not in z.namelist():
            raise ValueError("neither a Word document (no word/document.xml) nor an "
                             "OpenDocument text")
        else:
            parts = {n: etree.fromstring(z.read(n)) for n in z.namelist()
                     if n in ("word/document.xml", "word/footnotes.xml", "word/comments.xml",
                              "word/commentsExtended.xml")}
    found: list[Feedback] = []
    anchors: dict[str, tuple] = {}  # comment id -> (origin, words, by text, at, length, para)
    for part in ("word/document.xml", "word/footnotes.xml"):
        if part in parts:
            found += _paragraphs(parts[part], names, str(path), anchors)
    found += _comments(parts, anchors, str(path))
    return found


def _paragraphs(root, names: dict, returned: str, anchors: dict) -> list[Feedback]:
    out: list[Feedback] = []
    open_comments: dict[str, list] = {}  # id -> [origin, words, by text, at, paragraph]
    for p in root.iter(f"{W}p"):
        origin, before, by_text = _origin(p, names)
        para = _Para(origin, "", "")
        for el in p.iter():
            if el.tag == f"{W}commentRangeStart":
                open_comments[el.get(f"{W}id")] = [origin, "", by_text, len(para.original),
                                                   para]
            elif el.tag == f"{W}commentRangeEnd":
                start = open_comments.pop(el.get(f"{W}id"), None)
                if start is not None:
                    end = len(para.original) if start[4] is para else None  # else: its end
                    anchors[el.get(f"{W}id")] = (start[0], " ".join(start[1].split()), start[2],
                                                 start[3], end, start[4])
            elif el.tag == f"{W}commentReference" and el.get(f"{W}id") not in anchors \
                    and el.get(f"{W}id") not in open_comments:
                # A comment with no range (as some editors write it): its paragraph.
                anchors[el.get(f"{W}id")] = (origin, "", by_text, -1, None, para)
            elif el.tag in (f"{W}t", f"{W}delText"):
                text = el.text or ""
                deleted = el.tag == f"{W}delText"
                inserted = _inside(el, f"{W}ins", p)
                if not inserted:
                    para.original += text
                if not deleted:
                    para.returned += text
                for started in open_comments.values():
                    started[1] += text
        out += _changes(p, para, returned, by_text)
        if origin and before is not None and _squash(para.original) != _squash(before) \
                and _squash(para.returned) != _squash(before):  # not a change applied since
            words, at, length = _first_difference(before, para.original)
            out.append(Feedback(returned, "untracked", "", "", _edit(before, para.original),
                                origin, words, by_text, at=at, old=before[at:at + length],
                                context=before))
    return out


def _inside(el, tag: str, stop) -> bool:
    for parent in el.iterancestors():
        if parent is stop:
            return False
        if parent.tag == tag:
            return True
    return False


def _origin(p, names: dict) -> tuple[str, str | None, bool]:
    """(YAML path, what drafter wrote there, matched by text) of a returned paragraph: by its
    bookmark, else by its text, else ("", None, False)."""
    for mark in p.iter(f"{W}bookmarkStart"):
        name = mark.get(f"{W}name") or ""
        if name.startswith(PREFIX) and name in names:
            return (*names[name], False)
    text = _squash("".join(t.text or "" for t in p.iter(f"{W}t", f"{W}delText")))
    if not text:
        return "", None, False
    best, score = ("", None), 0.0
    for origin, words in names.values():
        ratio = difflib.SequenceMatcher(None, text, _squash(words), autojunk=False).ratio()
        if ratio > score:
            best, score = (origin, words), ratio
    return (*best, True) if score >= _MATCH else ("", None, False)


def _changes(p, para: _Para, returned: str, by_text: bool) -> list[Feedback]:
    """Tracked changes of a paragraph: a deletion followed by an insertion is a replacement."""
    marks, starts, length = [], {}, 0
    for el in p.iter():
        if el.tag in (f"{W}ins", f"{W}del") and el.getparent().tag != f"{W}rPr":
            marks.append(el)  # (a paragraph mark's own change is in rPr: not a word change)
            starts[el] = length
        elif el.tag == f"{W}delText" or (el.tag == f"{W}t" and not _inside(el, f"{W}ins", p)):
            length += len(el.text or "")
    out: list[Feedback] = []
    i = 0
    while i < len(marks):
        el = marks[i]
        text = _text(el)
        who, when = el.get(f"{W}author") or "", el.get(f"{W}date") or ""
        nxt = marks[i + 1] if i + 1 < len(marks) else None
        if el.tag == f"{W}del" and nxt is not None and nxt.tag == f"{W}ins" and \
                el.getnext() is nxt:
            what, old, new, i = f"replace '{text}' by '{_text(nxt)}'", text, _text(nxt), i + 2
        elif el.tag == f"{W}ins":
            what, old, new, i = f"insert '{text}'", "", text, i + 1
        else:
            what, old, new, i = f"delete '{text}'", text, "", i + 1
        out.append(Feedback(returned, "change", who, when, what, para.origin, text, by_text,
                            at=starts[el], old=old, new=new, context=para.original))
    return out


def _text(el) -> str:
    return "".join(t.text or "" for t in el.iter(f"{W}t", f"{W}delText"))


def _comments(parts: dict, anchors: dict, returned: str) -> list[Feedback]:
    """comments.xml's comments, anchored where the body's ranges say; replies and Word's
    "resolved" from commentsExtended.xml where the copy has it."""
    root = parts.get("word/comments.xml")
    if root is None:
        return []
    extended = {}
    ext = parts.get("word/commentsExtended.xml")
    if ext is not None:
        for ex in ext.iter(f"{W15}commentEx"):
            extended[ex.get(f"{W15}paraId")] = (ex.get(f"{W15}paraIdParent") or "",
                                                ex.get(f"{W15}done") == "1")
    by_para: dict[str, str] = {}
    out = []
    for comment in root.iter(f"{W}comment"):
        cid = comment.get(f"{W}id")
        paragraphs = list(comment.iter(f"{W}p"))
        text = "\n".join("".join(t.text or "" for t in p.iter(f"{W}t")) for p in paragraphs)
        text = " ".join(text.split())
        para_id = paragraphs[-1].get(f"{W14}paraId") if paragraphs else None
        if para_id:
            by_para[para_id] = text
        parent, done = extended.get(para_id or "", ("", False))
        origin, words, by_text, at, end, para = anchors.get(cid, ("", "", False, -1, None,
                                                                  None))
        context = para.original if para is not None else ""
        old = context[at:end] if at >= 0 else ""
        out.append(Feedback(returned, "comment", comment.get(f"{W}author") or "",
                            comment.get(f"{W}date") or "", text, origin, words, by_text,
                            reply_to=by_para.get(parent, "")[:40], resolved=done, at=at,
                            old=old, context=context))
    return out


def _squash(text: str) -> str:
    return " ".join(text.split())


def _edit(before: str, after: str) -> str:
    """"'face' -> 'endure'": the words an untracked edit changed."""
    a, b = before.split(), after.split()
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op != "equal":
            parts.append(f"'{' '.join(a[i1:i2])}' -> '{' '.join(b[j1:j2])}'")
    return "edited without tracking: " + "; ".join(parts)


def _first_difference(before: str, after: str) -> tuple[str, int, int]:
    """The first words of `before` an edit changed: (words, where they start, their length)."""
    spans = [m.span() for m in re.finditer(r"\S+", before)]
    a = [before[i:j] for i, j in spans]
    for op, i1, i2, _, _ in difflib.SequenceMatcher(None, a, after.split(),
                                                    autojunk=False).get_opcodes():
        if op != "equal":
            if i1 == i2:  # an insertion: placed at the word before it
                i1, i2 = max(i1 - 1, 0), max(i1, 1)
            if not spans:
                return "", 0, 0
            start, end = spans[i1][0], spans[min(i2, len(spans)) - 1][1]
            return " ".join(a[i1:i2]), start, end - start
    return "", -1, 0


def origin_path(origin: str) -> tuple:
    """("concerns", 1, "text") for "concerns[1].text#0"; a note's id kept whole."""
    path = origin.split("#")[0]
    if path.startswith("notes."):
        return ("notes", path[len("notes."):])
    parts: list = []
    for key, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        parts.append(int(index) if index else key)
    return tuple(parts)
