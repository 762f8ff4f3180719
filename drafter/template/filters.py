"""Document blocks and runs as escaped HTML, for templates (the `blocks`/`inline` filters),
and plain fields with the languages of their stretches (`langs`).

Every piece of letter text passes through `escape`: YAML text is data, never markup.
Footnotes follow docs/template-contract.md: the first call of a note carries its text in a
`span.footnote`; later calls of the same note print its number as a `span.footnote-ref`.
"""

from __future__ import annotations

from jinja2 import pass_context
from markupsafe import Markup, escape

from ..compose.document import LineBreak, ListBlock, NoteCall, Paragraph, Run


class NoteBook:
    """Numbers footnotes in the order the template prints them (one per render)."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}

    def call(self, note: NoteCall) -> str:
        if note.note_id in self.numbers:
            n = self.numbers[note.note_id]
            return f'<span class="footnote-ref" data-note="{n}">{n}</span>'
        self.numbers[note.note_id] = len(self.numbers) + 1
        # data-note-id lets the PDF renderer say which note of the YAML does not fit a page.
        return (f'<span class="footnote" data-note-id="{escape(note.note_id)}"'
                f'{source(f"notes.{note.note_id}")}{_dir(note.runs)}>{self.runs(note.runs)}'
                '</span>')

    def runs(self, runs) -> str:
        """Inline runs as HTML."""
        return "".join(self._run(r) for r in runs)

    def _run(self, run) -> str:
        if isinstance(run, NoteCall):
            return self.call(run)
        if isinstance(run, LineBreak):
            return "<br>"
        html = str(escape(run.text))
        if run.lang:
            html = f'<span lang="{escape(run.lang)}">{html}</span>'
        if run.code:
            html = f"<code>{html}</code>"
        if run.italic:
            html = f"<em>{html}</em>"
        if run.bold:
            html = f"<strong>{html}</strong>"
        if run.href:
            html = f'<a href="{escape(run.href)}">{html}</a>'
        return html

    def blocks(self, blocks, style: str | None = None) -> str:
        """Blocks as paragraphs and lists; `style` names the DOCX paragraph style."""
        attr = f' data-docx-style="{escape(style)}"' if style else ""
        out = []
        for block in blocks:
            if isinstance(block, Paragraph):
                out.append(f"<p{attr}{source(block)}{_dir(block.runs)}>"
                           f"{self.runs(block.runs)}</p>")
            elif isinstance(block, ListBlock):
                out.append(self.list(block))
        return "\n".join(out)

    def list(self, block: ListBlock) -> str:
        """A list; an item's blocks keep their order (a paragraph after a sub-list stays after
        it), and paragraphs next to each other are joined by line breaks."""
        tag = "ol" if block.ordered else "ul"
        start = f' start="{block.start}"' if block.ordered and block.start != 1 else ""
        start += str(source(block))  # str: Markup would escape the plain text before it
        items = []
        for item in block.items:
            parts, after_text = [], False
            for inner in item:
                if isinstance(inner, Paragraph):
                    parts.append(("<br>" if after_text else "") + self.runs(inner.runs))
                    after_text = True
                elif isinstance(inner, ListBlock):
                    parts.append(self.list(inner))
                    after_text = False
            own = next((b.source for b in item if b.source), "")  # a demand: its YAML item
            items.append(f"<li{source(own.rpartition('#')[0] or own)}>{''.join(parts)}</li>")
        return f"<{tag}{start}>" + "".join(items) + f"</{tag}>"


def _dir(runs) -> str:
    """` dir="rtl"` for text wholly in a right-to-left script (the rule every format follows:
    render/docx_scripts.wholly_rtl), else nothing: the letter's direction holds."""
    from ..formats.docx_scripts import wholly_rtl
    text = "".join(r.text for r in runs if isinstance(r, Run))
    return ' dir="rtl"' if wholly_rtl(text) else ""


def source(item) -> Markup:
    """` data-source="concerns[1].text#0"`: where in the YAML a block, party or signer was
    written (docs/template-contract.md), from a composed part's `source` or a path given; ""
    when it has none."""
    path = item if isinstance(item, str) else getattr(item, "source", "")
    return Markup(f' data-source="{escape(path)}"') if path else Markup("")


NOTEBOOK = "_drafter_notes"  # the context variable holding the render's NoteBook


def filters() -> dict:
    """The Jinja filters a letter template may use; footnotes are numbered by the NoteBook
    that the render's context carries, so one environment serves every render."""
    return {
        "blocks": pass_context(lambda ctx, blocks, style=None:
                               Markup(ctx[NOTEBOOK].blocks(blocks, style))),
        "inline": pass_context(lambda ctx, runs: Markup(ctx[NOTEBOOK].runs(runs))),
        "langs": pass_context(langs),
        "css_string": css_string,
        "css_page_counter": css_page_counter,
        "source": source,
    }


def langs(ctx, text, stated=()) -> Markup:
    """A plain field as escaped HTML, each stretch in `<span lang>` that has a language of its
    own: the one `stated` for its script, or, in another script than the letter's, the script
    alone (und-Arab); see compose/languages.py."""
    from ..compose.languages import pieces
    if hasattr(text, "__html__"):
        return Markup(text.__html__())  # already HTML: not split again
    doc = ctx.get("doc")
    letter = getattr(doc, "language", "") or ""
    stated = (stated,) if isinstance(stated, str) else tuple(stated or ())
    return Markup("".join(f'<span lang="{escape(lang)}">{escape(piece)}</span>' if lang
                          else str(escape(piece))
                          for piece, lang in pieces(str(text), letter, stated)))


def css_string(text: str) -> Markup:
    """A CSS string literal holding `text` (quotes, backslashes, newlines escaped)."""
    # Each escape ends with a space, which CSS consumes as its end: a space that follows in
    # the text stays ("Draft 3 — not", not "Draft 3 —not"), and so does a hex digit.
    escaped = "".join(ch if ch.isalnum() or ch in " .,:;-_()" else f"\\{ord(ch):x} "
                      for ch in str(text))
    return Markup(f'"{escaped}"')


def css_page_counter(pattern: str) -> Markup:
    """"Page {page} of {pages}" as a CSS `content` value with page counters."""
    parts = []
    for piece in str(pattern).replace("{pages}", "\0pages\0").replace(
            "{page}", "\0page\0").split("\0"):
        if piece in ("page", "pages"):
            parts.append(f"counter({piece})")
        elif piece:
            parts.append(css_string(piece))
    return Markup(" ".join(parts))
