"""Prose fields (Markdown) to document blocks.

The dialect is deliberately small: paragraphs, **bold**, *italic*, `code`, links, lists and
footnote references [^id]. Raw HTML is text, images print as their alt text, and only
http(s) and mailto links become links: a YAML string can never become markup or a fetch.
A line such as `[Deadline]: tomorrow` is text too: link reference definitions are switched
off, as CommonMark would silently drop the line. What the letter's formats cannot show (link
and image titles, a fence's info string) is listed by `unprinted`, for validation to warn.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from .document import LineBreak, ListBlock, NoteCall, Paragraph, Run

# markdown-it silently drops everything past its nesting limit (20 by default: about ten list
# levels), and the rest of the field with it. drafter parses to a deeper limit and validation
# refuses a field that reaches it (`too_deep`), so no level is ever lost in silence.
MAX_NESTING = 100
_SAFE_LINK = re.compile(r"(https?://|mailto:)", re.IGNORECASE)
_NOTE_REF = re.compile(r"\[\^([^\]\s]+)\]")


def _note_ref_rule(state, silent: bool) -> bool:
    """Inline rule: `[^id]` is a footnote call (notes are defined in YAML, not in the text)."""
    match = _NOTE_REF.match(state.src, state.pos)
    if not match:
        return False
    if not silent:
        token = state.push("note_ref", "", 0)
        token.meta = {"id": match.group(1)}
    state.pos = match.end()
    return True


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False,
                                   "maxNesting": MAX_NESTING})
    md.inline.ruler.before("link", "note_ref", _note_ref_rule)
    md.disable("reference")  # `[label]: text` would vanish from every format
    return md


# Lists and quotes inside each other that drafter prints (every level's words, indentation
# capped); deeper is refused. It stays well under MAX_NESTING, where the parser would drop text:
# a list level costs two levels there (list and item), a quote one.
MAX_DEPTH = 40


def too_deep(text: str) -> tuple[int, int] | None:
    """(depth, line in the field from 1) of the first list or quote nested deeper than
    MAX_DEPTH, which validation refuses rather than print it squeezed or lose it; None when
    the field is within it."""
    depth = 0
    for token in _parser().parse(text):
        if token.type in ("bullet_list_open", "ordered_list_open", "blockquote_open"):
            depth += 1
            if depth > MAX_DEPTH:
                return depth, (token.map[0] + 1) if token.map else 1
        elif token.type in ("bullet_list_close", "ordered_list_close", "blockquote_close"):
            depth -= 1
    return None


_LEADING_NUMBER = re.compile(r"^(\s*\d{1,9})([.)])(?=\s|$)")


def as_item(text: str) -> str:
    """A demand item's Markdown with a leading "2030." or "1." kept as text: in an item the
    reader means a year or a hand-written number, not a list nested in the demand (which the
    formats would number apart)."""
    return _LEADING_NUMBER.sub(r"\1\\\2", text, count=1)


def note_calls(text: str) -> list[tuple[str, int]]:
    """(note id, line in the field from 1) of every footnote call the renderer will print, in
    order: a `[^id]` inside code, a link destination, an autolink or after a backslash is text."""
    calls = []
    for token in _parser().parse(text):
        line = token.map[0] + 1 if token.map else 1
        for child in token.children or ():
            if child.type in ("softbreak", "hardbreak"):
                line += 1  # the inline content's next line
            elif child.type == "note_ref":
                calls.append((child.meta["id"], line))
    return calls


def unprinted(text: str) -> list[tuple[str, str, int]]:
    """(what, its text, line in the field from 1) of every part the formats leave out: link and
    image titles and a fence's info string."""
    found = []
    for token in _parser().parse(text):
        line = token.map[0] + 1 if token.map else 1
        if token.type == "fence" and token.info.strip():
            found.append(("the code block's info string", token.info.strip(), line))
        for child in token.children or ():
            title = (child.attrs or {}).get("title")
            if child.type in ("link_open", "image") and title:
                what = "a link's title" if child.type == "link_open" else "an image's title"
                found.append((what, str(title), line))
    return found


def empty_items(text: str) -> list[int]:
    """Lines (in the field, from 1) of list items with no words, which no format numbers."""
    return [item.map[0] + 1 for item in _list_items(SyntaxTreeNode(_parser().parse(text)))
            if not _words_in(item)]


def _list_items(node: SyntaxTreeNode):
    for child in node.children:
        if child.type == "list_item":
            yield child
        yield from _list_items(child)


def _words_in(node: SyntaxTreeNode) -> bool:
    """Whether a node holds any text a reader would see."""
    if node.type in ("text", "code_inline", "code_block", "fence", "html_inline"):
        return bool(node.content.strip())
    return any(_words_in(child) for child in node.children)


class Converter:
    """Turns Markdown into blocks, resolving footnote ids to the letter's note texts."""

    def __init__(self, notes: dict[str, str]):
        self._notes = notes
        self._note_runs: dict[str, tuple] = {}

    def blocks(self, text: str | None) -> tuple:
        """All blocks of a prose field (empty for None)."""
        if not text or not text.strip():
            return ()
        tree = SyntaxTreeNode(_parser().parse(text))
        return tuple(b for child in tree.children for b in self._block(child))

    def inline(self, text: str | None) -> tuple:
        """One field as a single run sequence (paragraphs joined by a space)."""
        runs: list = []
        for block in self.blocks(text):
            for para in _paragraphs(block):
                if runs:
                    runs.append(Run(" "))
                runs.extend(para.runs)
        return tuple(runs)

    def _block(self, node: SyntaxTreeNode):
        kind = node.type
        if kind in ("paragraph", "heading"):
            yield Paragraph(self._runs(node.children[0] if node.children else None))
        elif kind in ("bullet_list", "ordered_list"):
            start = int(node.attrs.get("start", 1)) if kind == "ordered_list" else 1
            # An item with no words is left out (validation warns at its line): a format that
            # numbered it would disagree with one that skipped it.
            items = tuple(tuple(b for child in item.children for b in self._block(child))
                          for item in node.children if _words_in(item))
            if items:
                yield ListBlock(kind == "ordered_list", items, start)
        elif kind in ("code_block", "fence"):
            yield from (Paragraph((Run(line),)) for line in node.content.split("\n\n") if line)
        elif kind == "blockquote":
            for child in node.children:
                yield from self._block(child)
        # hr and anything else carry no words.

    def _runs(self, inline: SyntaxTreeNode | None) -> tuple:
        if inline is None:
            return ()
        out: list = []
        self._walk(inline.children, out, bold=False, italic=False, href=None)
        return _merge(out)

    def _walk(self, nodes, out: list, bold: bool, italic: bool, href: str | None) -> None:
        for node in nodes:
            kind = node.type
            if kind == "text":
                out.append(Run(node.content, bold, italic, href=href))
            elif kind == "softbreak":
                out.append(Run(" ", bold, italic, href=href))
            elif kind == "hardbreak":
                out.append(LineBreak())
            elif kind == "code_inline":
                out.append(Run(node.content, bold, italic, code=True, href=href))
            elif kind == "strong":
                self._walk(node.children, out, True, italic, href)
            elif kind == "em":
                self._walk(node.children, out, bold, True, href)
            elif kind == "link":
                target = node.attrs.get("href", "")
                safe = target if _SAFE_LINK.match(target) else None
                self._walk(node.children, out, bold, italic, href or safe)
            elif kind == "image":
                # Images are not part of the format: keep their words, never fetch them.
                self._walk(node.children, out, bold, italic, href)
            elif kind == "note_ref":
                out.append(self._call(node.meta["id"]))
            elif kind == "html_inline":
                out.append(Run(node.content, bold, italic, href=href))
            else:
                self._walk(node.children, out, bold, italic, href)

    def _call(self, note_id: str) -> NoteCall:
        if note_id not in self._note_runs:
            self._note_runs[note_id] = ()  # guards against a note citing itself
            self._note_runs[note_id] = self.inline(self._notes.get(note_id, ""))
        return NoteCall(note_id, self._note_runs[note_id])


def _paragraphs(block):
    if isinstance(block, Paragraph):
        yield block
    elif isinstance(block, ListBlock):
        for item in block.items:
            for inner in item:
                yield from _paragraphs(inner)


def _merge(runs: list) -> tuple:
    """Join neighbouring runs with the same styles (fewer, longer runs in every format)."""
    merged: list = []
    for run in runs:
        last = merged[-1] if merged else None
        if (isinstance(run, Run) and isinstance(last, Run) and
                (last.bold, last.italic, last.code, last.href) ==
                (run.bold, run.italic, run.code, run.href)):
            merged[-1] = Run(last.text + run.text, run.bold, run.italic, run.code, run.href)
        else:
            merged.append(run)
    return tuple(merged)
