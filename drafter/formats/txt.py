"""Plain-text renderer (an e-mail body) built from the same paragraph flow as the DOCX."""

from __future__ import annotations

import textwrap

from .base import Rendered, Rendition
from .flow import Paragraph, Run, same_block

WIDTH = 78
INDENT = "   "  # one nesting level of a list


def render_txt(r: Rendition) -> Rendered:
    """Render the letter as UTF-8 plain text wrapped at 78 columns."""
    flow = r.flow
    counters: dict[int, int] = {}
    blocks: list[str] = []
    previous: Paragraph | None = None
    for para in flow.paragraphs:
        block = _paragraph(para, counters)
        if not block:
            continue
        if blocks:
            together = _same_list(previous, para) or same_block(previous, para)
            blocks.append("\n" if together else "\n\n")
        blocks.append(block)
        previous = para
    if flow.footnotes:
        notes = [
            _wrap(inline_text(note.runs), f"[{note.number}] ", " " * len(f"[{note.number}] "))
            for note in flow.footnotes
        ]
        label = flow.metadata.notes_label.strip() or "Notes"
        blocks.append(("\n\n" if blocks else "") + label + "\n\n" + "\n".join(notes))
    text = "".join(blocks)
    furniture = _furniture(flow.metadata)
    if furniture and text:  # first, as the PDF and the DOCX have it at the top of each page
        text = furniture + "\n\n" + text
    return Rendered((text + "\n").encode("utf-8") if text else b"")


def _furniture(md) -> str:
    """A draft's mark and notice ("DRAFT — Draft 3 — not for circulation ...") and an
    embargo's line, wrapped."""
    lines = [" — ".join(x for x in (md.draft_mark, md.draft_notice) if x), md.embargo]
    return "\n".join(_wrap(line, "", "") for line in lines if line)


def _same_list(previous: Paragraph | None, para: Paragraph) -> bool:
    """Items of one list (nesting included) follow each other without a blank line."""
    if previous is None or previous.list is None or para.list is None:
        return False
    before, now = previous.list, para.list
    if now.list_id == before.list_id or now.level > before.level:
        return True
    # Back out of a nested list: list ids grow in document order, so a smaller id is the parent.
    return now.level < before.level and now.list_id < before.list_id


def _paragraph(para: Paragraph, counters: dict[int, int]) -> str:
    """One paragraph: its list marker, then wrapped text (`pre` kept as is)."""
    text = inline_text(para.runs)
    if not text.strip() and not (para.list is not None and para.list.marker):
        return ""  # but an item's own number before its sub-list is kept (see flow.py)
    if para.preformatted:
        return text
    first = rest = ""
    if para.list is not None:
        info = para.list
        if info.marker:
            number = counters.get(info.list_id, info.start)
            counters[info.list_id] = number + 1
            marker = f"{number}. " if info.ordered else "- "
            first, rest = INDENT * info.level + marker, INDENT * info.level + " " * len(marker)
        else:
            first = rest = INDENT * (info.level + 1)
    return _wrap(text, first, rest)


def _wrap(text: str, first: str, rest: str) -> str:
    """Wrap each line (a `br` starts a new one) without breaking words, URLs or at hyphens."""
    lines = []
    for i, line in enumerate(text.split("\n")):
        lines.append(
            textwrap.fill(
                line, WIDTH, initial_indent=first if i == 0 else rest, subsequent_indent=rest,
                break_long_words=False, break_on_hyphens=False,
            )
            or (first if i == 0 else rest).rstrip()
        )
    return "\n".join(lines)


def inline_text(runs: list[Run]) -> str:
    """Runs as plain text: links as "text (url)", note calls as "[n]", images as their alt."""
    out: list[str] = []
    i = 0
    while i < len(runs):
        run = runs[i]
        if run.href is not None and run.is_text:
            j = i
            while j < len(runs) and runs[j].href == run.href and runs[j].is_text:
                j += 1
            out.append(_link("".join(r.text for r in runs[i:j]), run.href))
            i = j
            continue
        if run.line_break:
            out.append("\n")
        elif run.footnote is not None:
            out.append(f"[{run.footnote.number}]")
        elif run.note_ref is not None:
            out.append(f"[{run.note_ref}]")
        elif run.image is not None:
            out.append(run.image.alt)
        else:
            out.append(run.text)
        i += 1
    return "".join(out)


def _link(text: str, href: str) -> str:
    """The link text, followed by the URL when the text does not already show it."""
    shown = text.strip()
    bare = href.removeprefix("mailto:")
    if not shown:
        return bare
    if shown.rstrip("/") in (href.rstrip("/"), bare.rstrip("/")):
        return text
    if shown.rstrip("/") == href.split("://", 1)[-1].rstrip("/"):
        return href  # "example.org/x" shown for "https://example.org/x": print the full URL
    return f"{text} ({bare if href.startswith('mailto:') else href})"
