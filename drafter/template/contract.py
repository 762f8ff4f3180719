"""The template's contract, checked on what it made: warnings, located in the template's files,
for markup or CSS that the PDF shows but the DOCX and text writers would flatten or drop.

The PDF lays out the template's HTML with its stylesheet; the DOCX and the text walk the same
HTML (formats/flow.py) and know only the elements of docs/template-contract.md. What lies
outside it is said here once per kind and place, so a template author learns before a partner
opens the DOCX that a table lost its columns or that CSS `content:` put words only in the PDF.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import tinycss2

from ..formats.flow import LINK_SCHEMES

# Elements the walkers read as plain paragraphs or text, losing what the PDF shows.
_FLATTENED = {
    "table": "a table: the DOCX and the text print its cells one after another, without columns",
    "q": "a <q>: the PDF adds quotation marks that the DOCX and the text do not print",
    "s": "struck-through text: the DOCX and the text print it as ordinary text",
    "del": "deleted text (<del>): the DOCX and the text print it as ordinary text",
    "ins": "inserted text (<ins>): the DOCX and the text print it as ordinary text",
    "mark": "highlighted text (<mark>): the DOCX and the text print it without the highlight",
    "small": "small text (<small>): the DOCX prints it at the normal size",
    "ruby": "ruby annotations: the DOCX and the text print them inline after the base text",
    "svg": "inline SVG: the DOCX and the text leave it out",
    "canvas": "a <canvas>: the DOCX and the text leave it out",
    "video": "a video: the DOCX and the text leave it out",
    "audio": "audio: the DOCX and the text leave it out",
    "iframe": "an <iframe>: no format prints it",
    "object": "an <object>: no format prints it",
}
# Inline style properties the walkers read; the others hold only in the PDF.
_READ_STYLES = frozenset(("text-align", "height"))
_PROPERTY = re.compile(r"([a-zA-Z-]+)\s*:")


def contract_warnings(root, template_dir: Path, stylesheet: str) -> list[str]:
    """Warnings for what the DOCX and the text would flatten or drop, located in the template."""
    found: dict[tuple, str] = {}  # (what to look for in the template, kind) -> message
    body = root.find("body")
    for el in body.iter() if body is not None else ():
        if not isinstance(el.tag, str):
            continue
        if el.tag in _FLATTENED:
            found.setdefault((("<" + el.tag,), el.tag), _FLATTENED[el.tag])
        style = el.get("style")
        if style:
            lost = sorted({p.lower() for p in _PROPERTY.findall(style)} - _READ_STYLES)
            if lost:
                found.setdefault(((f'style="{style[:30]}', f"style='{style[:30]}", "style="),
                                  el.tag), f"style=\"...\" on <{el.tag}>: the DOCX "
                                 f"and the text ignore {', '.join(lost)}; give it a class and "
                                 "a data-docx-style instead (see docs/template-contract.md)")
        href = (el.get("href") or "").strip()
        if el.tag == "a" and href and not href.lower().startswith(LINK_SCHEMES):
            scheme = href.partition(":")[0].lower() if ":" in href else href[:1]
            found.setdefault(((f'href="{href[:30]}', f"href='{href[:30]}", "href="), scheme),
                             f"a link to {href[:40]!r}: the DOCX and the "
                             "text print its words without the link (only http, https and "
                             "mailto links are kept)")
    sources = _template_sources(template_dir) if found else []
    out = [f"{_locate(sources, needles, template_dir)}: warning: {message}"
           for (needles, _), message in found.items()]
    return out + list(generated_words(stylesheet, template_dir / "style.css"))


@lru_cache(maxsize=8)  # a batch renders one template's stylesheet for every letter
def generated_words(stylesheet: str, path: Path) -> tuple[str, ...]:
    """CSS `content:` with words on ::before/::after: printed in the PDF only ("nothing added")."""
    out = []
    for rule in tinycss2.parse_stylesheet(stylesheet, skip_comments=True, skip_whitespace=True):
        if rule.type != "qualified-rule":
            continue
        selector = tinycss2.serialize(rule.prelude).strip()
        if not re.search(r"::?(before|after|marker)\b", selector, re.I):
            continue
        for decl in tinycss2.parse_declaration_list(rule.content, skip_comments=True,
                                                    skip_whitespace=True):
            if decl.type == "declaration" and decl.lower_name == "content" and any(
                    t.type == "string" and t.value.strip() for t in decl.value):
                out.append(f"{path}:{decl.source_line}:{decl.source_column}: warning: "
                           f"{selector[:60]} adds words with `content:`, which only the PDF "
                           "and the HTML print; write them in the template's HTML instead")
    return tuple(out)


def _template_sources(folder: Path) -> list[tuple[Path, str]]:
    """The template's Jinja files, main first (where a tag most likely was written)."""
    files = sorted(folder.rglob("*.j2"), key=lambda p: (p.name != "letter.html.j2", str(p)))
    out = []
    for path in files:
        try:
            out.append((path, path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError):
            continue
    return out


def _locate(sources: list[tuple[Path, str]], needles: tuple[str, ...], folder: Path) -> str:
    """FILE:LINE:COL of the first place a template file writes the first needle found (the
    most exact first), else the main file's first line."""
    for needle in needles:
        for path, text in sources:
            at = text.lower().find(needle.lower())
            if at >= 0:
                line = text.count("\n", 0, at) + 1
                return f"{path}:{line}:{at - (text.rfind(chr(10), 0, at) + 1) + 1}"
    return f"{folder / 'letter.html.j2'}:1:1"
