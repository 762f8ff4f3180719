"""What makes a broken or booby-trapped template the template's error (exit 1, naming its file)
instead of a crash deep inside a renderer (exit 70): drafter's filters given values they do
not take, template files that are not UTF-8, and HTML that the renderers cannot take."""

from __future__ import annotations

import re
from pathlib import Path

from .folder import TemplateError

# Elements inside each other: from some 140 on, WeasyPrint's recursion runs out. A letter's
# own nesting (markdown.MAX_DEPTH lists and quotes, two elements a level) stays below.
MAX_DEPTH = 120
_NUMBER = re.compile(r"-?[0-9]{1,9}")  # what Word's numbering and the note numbers can hold
_TALLEST = 99999.0  # px: an image's height (the DOCX sizes images from it)


def checked_filters(own: dict) -> dict:
    """drafter's filters, refusing (as the template's error, at its line) a value that
    `blocks` or `inline` cannot take: `{{ 5 | inline }}` is a template's slip, not a bug."""
    from jinja2 import TemplateRuntimeError, pass_context

    from ..compose.document import LineBreak, NoteCall, Run

    def checking(name: str, real, runs: bool):
        @pass_context
        def checked(ctx, value, *args, **kwargs):
            if not isinstance(value, (list, tuple)) or (runs and not all(
                    isinstance(v, (Run, LineBreak, NoteCall)) for v in value)):
                what = "a paragraph's runs" if runs else "blocks such as doc.opening"
                raise TemplateRuntimeError(f"the {name} filter takes {what}, not "
                                           f"{type(value).__name__}")
            return real(ctx, value, *args, **kwargs)
        return checked

    out = dict(own)
    for name, runs in (("blocks", False), ("inline", True)):
        if name in out:
            out[name] = checking(name, out[name], runs)
    return out


def utf8_text(raw: bytes, path: Path | str) -> str:
    """A template file's text; not UTF-8 is located at its first bad byte."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[:exc.start]
        line, col = before.count(b"\n") + 1, exc.start - (before.rfind(b"\n") + 1) + 1
        raise TemplateError(f"{path}:{line}:{col}: not UTF-8 text (byte 0x{raw[exc.start]:02x}"
                            "); save it as UTF-8") from None


def check_html(rendition, main: Path) -> None:
    """Refuse what the template made that a renderer could not take, naming the template."""
    from lxml import etree
    try:
        root = rendition.tree
    except (etree.ParserError, ValueError) as exc:
        raise TemplateError(f"{main}: its HTML cannot be read ({exc})") from None
    for tag in ("head", "body"):
        if root.find(tag) is None:
            raise TemplateError(f"{main}: its HTML has no <{tag}> (see "
                                "docs/template-contract.md)")
    depth = deepest = 0
    for event, _ in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    if deepest > MAX_DEPTH:
        raise TemplateError(f"{main}: its HTML nests elements {deepest} deep; more than "
                            f"{MAX_DEPTH} cannot be laid out")
    for el in root.iter("ol"):  # numbered by Word from a 32-bit number
        _number(main, "the start", "an <ol>", el.get("start"), strict=False)
    for el in root.xpath("//span[contains(concat(' ', @class, ' '), ' footnote-ref ')]"):
        raw = el.get("data-note")  # the HTML output takes it as a number, whatever it is
        _number(main, "the data-note" if raw is not None else "the text", "a footnote-ref",
                raw if raw is not None else el.text_content(), strict=raw is not None)
    from ..formats.flow import _height  # as the DOCX reads it (attribute or style)
    for el in root.iter("img"):
        height = _height(el)
        if height is not None and not height <= _TALLEST:
            raise TemplateError(f"{main}: an <img> is {height:g} px high; at most "
                                f"{_TALLEST:g} px can be printed")


def _number(main: Path, what: str, of: str, value: str | None, strict: bool) -> None:
    """Refuse a number the renderers would fail on (`strict`: anything but a number)."""
    text = (value or "").strip()
    if text and (strict or text.lstrip("-").isdigit()) and not _NUMBER.fullmatch(text):
        raise TemplateError(f"{main}: {what} \"{text[:20]}\" of {of} is not a number of up "
                            "to 9 digits")
