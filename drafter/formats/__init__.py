"""Output formats: a registry from format name to renderer, imported only when used.

Each renderer takes a `Rendition` (the template's HTML and its context) and returns a `Rendered`
(bytes, warnings, stats); none writes a file or reads one but through the rendition's assets.
"""

from __future__ import annotations

from importlib import import_module
from typing import Callable

from .base import Rendered, Rendition, RenderError

# name -> (module, function, file extension)
FORMATS: dict[str, tuple[str, str, str]] = {
    "pdf": ("drafter.formats.pdf", "render_pdf", "pdf"),
    "docx": ("drafter.formats.docx", "render_docx", "docx"),
    "html": ("drafter.formats.html", "render_html", "html"),
    "txt": ("drafter.formats.txt", "render_txt", "txt"),
}

__all__ = ["FORMATS", "Rendered", "Rendition", "RenderError", "renderer"]


def renderer(name: str) -> Callable[[Rendition], Rendered]:
    """The render function for a format name (ValueError for an unknown one)."""
    try:
        module, function, _ = FORMATS[name]
    except KeyError:
        raise ValueError(f"unknown format {name!r}; choose from {', '.join(FORMATS)}") from None
    return getattr(import_module(module), function)
