"""A standalone web page of the letter: the template's HTML with its stylesheet inlined."""

from __future__ import annotations

from .base import Rendition


def render_html(r: Rendition) -> bytes:
    """The letter as one self-contained HTML file (no external requests)."""
    style = f"<style>\n{r.stylesheet}\n</style>\n"
    html = r.html.replace("</head>", style + "</head>", 1)
    return html.encode("utf-8")
