"""compose -> template -> render -> write, for the CLI and for code that embeds drafter."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .formats import FORMATS, Rendered, Rendition, RenderError, renderer
from .letter.model import Letter
from .template.folder import Template, TemplateError
from .template.run import rendition, template_for, template_html


@dataclass(frozen=True)
class Output:
    """One written file and what it holds."""

    path: Path
    format: str
    data: bytes


@dataclass(frozen=True)
class Result:
    """Formats of one letter from one composition, every warning they gave, and facts."""

    rendition: Rendition
    formats: dict[str, Rendered]
    warnings: tuple[str, ...]  # the rendition's own (fixed words, glyphs), then each format's
    stats: dict  # words; pages when a PDF was made

    def __getitem__(self, fmt: str) -> Rendered:
        return self.formats[fmt]


def render(letter: Letter, format: str, template: Template | None = None, **options) -> Rendered:
    """One format of a letter: its bytes, with `.warnings` and `.stats` (pages, words)."""
    result = render_all(letter, (format,), template, **options)
    return Rendered(result[format], result.warnings, result.stats)


def render_all(letter: Letter, formats, template: Template | None = None, **options) -> Result:
    """Several formats from one composition (the template runs once, its HTML is parsed once)."""
    shared = rendition(letter, template, **options)
    warnings = before_rendering(letter, shared, formats)
    outputs = _formats(letter, shared, formats)
    stats = {"words": count_words(shared.tree)}
    for rendered in outputs.values():
        warnings += rendered.warnings
        stats.update(rendered.stats)
    return Result(shared, outputs, tuple(dict.fromkeys(warnings)), stats)


def _formats(letter: Letter, shared: Rendition, formats) -> dict[str, Rendered]:
    """Each format from its writer; a footnote too long for a PDF page is located in the letter."""
    from .formats.pdf import NoteTooLong
    try:
        done: dict[str, Rendered] = {}
        # The PDF first, so that the DOCX can state the page count (docProps/app.xml).
        for fmt in sorted(formats, key=lambda f: f != "pdf"):
            pages = {"pages": done["pdf"].pages} if fmt == "docx" and "pdf" in done else {}
            done[fmt] = renderer(fmt)(shared, **pages)
        return {fmt: done[fmt] for fmt in formats}
    except NoteTooLong as exc:
        raise _located_notes(exc, letter) from None


def _located_notes(exc, letter: Letter):
    """A LetterError at each too-long note's text in the letter (or its translation): the PDF
    writer knows only the note's id, the letter's source knows where it was written."""
    from .errors import LetterError, Problem
    from .formats.pdf import note_message
    from .letter.source import MAX_BYTES, decode, parse
    from .output import files as io
    edition = getattr(letter, "_edition", None)
    sources = [edition.source] if edition is not None else []
    if letter.file and Path(letter.file).is_file():
        sources.append(parse(decode(io.read_bytes(Path(letter.file), MAX_BYTES),
                                    letter.file), letter.file))
    problems = []
    for note_id, number, words, fit in exc.notes:
        message = f"footnote {number}: {note_message(words, fit)}"
        paths = [("translations", f"notes.{note_id}", "text"), ("notes", note_id)]
        found = next(((src, path) for src in sources for path in paths
                      if note_id is not None and path in src.values), None)
        problems.append(found[0].problem(found[1], message) if found else
                        Problem(letter.file or "<letter>", 1, 1, f"notes.{note_id}", message))
    return LetterError(problems)


def before_rendering(letter: Letter, shared: Rendition, formats) -> list[str]:
    """No tofu: LetterError when a PDF or DOCX would show a character no font has (unless the
    option allow_missing_glyphs is set). Fixed words that fall back to English are warnings."""
    from .compose.wording import locale_for
    from .template.contract import contract_warnings
    from .template.glyphs import check_letter
    warnings = list(locale_for(letter.language).warnings())
    if {"docx", "txt"} & set(formats):  # what those writers would flatten or drop
        warnings += contract_warnings(shared.tree, shared.template_dir, shared.stylesheet)
    return warnings + check_letter(letter, shared, formats)


def count_words(root) -> int:
    """Words of the letter's text (what a reader counts), from the template's parsed HTML;
    what no format prints (a visually hidden title, hidden elements) is not counted. Block
    elements end words ("<li>Amnesty</li><li>HRW</li>" is two), inline ones do not."""
    body = root.find("body")
    if body is None:
        return 0
    parts: list[str] = []
    stack = [(body, False)]
    while stack:  # depth first, without recursion (lists may nest deeply)
        el, closing = stack.pop()
        if closing:
            parts.append(" ")
            continue
        if isinstance(el, str):  # the tail after an element
            parts.append(el)
            continue
        if el.tail and el is not body:
            stack.append((el.tail, False))
        if not isinstance(el.tag, str) or _unprinted(el):
            continue  # a comment, or what no format prints: its tail still counts
        block = el.tag in _BLOCKS
        if block:
            parts.append(" ")
            stack.append((el, True))
        if el.text:
            parts.append(el.text)
        stack.extend((child, False) for child in reversed(el))
    return len("".join(parts).split())


_BLOCKS = frozenset((
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
    "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul"))


def _unprinted(el) -> bool:
    return (el.tag in ("script", "style", "template") or el.get("hidden") is not None
            or "visually-hidden" in (el.get("class") or "").split())


def output_path(out_dir: Path, stem: str, fmt: str) -> Path:
    """`<out_dir>/<stem>.<ext>`."""
    return out_dir / f"{stem}.{FORMATS[fmt][2]}"


class Written(list):
    """The files written (a list of Output), with the render's `.warnings` and `.stats`."""

    def __init__(self, outputs, warnings=(), stats=None):
        super().__init__(outputs)
        self.warnings, self.stats = tuple(warnings), dict(stats or {})


def write_letter(letter: Letter, out_dir, formats=("pdf", "docx"),
                 template: Template | None = None, **options) -> Written:
    """Render and write a letter's formats as one atomic set; return what was written."""
    from .output import files as io
    out_dir = Path(out_dir)
    stem = Path(letter.file).stem if letter.file else "letter"
    result = render_all(letter, formats, template, **options)
    outputs = [Output(output_path(out_dir, stem, fmt), fmt, rendered.data)
               for fmt, rendered in result.formats.items()]
    io.write_set({o.path: o.data for o in outputs})
    return Written(outputs, result.warnings, result.stats)


__all__ = ["Output", "Rendered", "RenderError", "Result", "TemplateError", "Written", "render",
           "render_all", "rendition", "template_for", "template_html", "write_letter"]
