"""drafter: joint letters from one YAML file to PDF, DOCX, HTML and plain text.

The public API is small: `load_letter`, `LetterError`/`Problem`, `render`, `write_letter`.
Rendering modules are imported on first use, so validating never pays for the PDF stack.
"""

from __future__ import annotations

from .errors import LetterError, Problem
from .letter.validate import load_letter

__all__ = ["LetterError", "Problem", "load_letter", "render", "write_letter"]
__version__ = "0.1.0"


def render(letter, format: str, **options):
    """Render a loaded Letter to one format ("pdf", "docx", "html", "txt"): its bytes (a bytes
    object) with `.warnings` and `.stats` (pages, words). The letter's own validation warnings
    are `letter.warnings`."""
    from .pipeline import render as _render
    return _render(letter, format, **options)


def write_letter(letter, out_dir, formats=("pdf", "docx"), **options):
    """Render a letter to several formats and write them atomically as a set; return the files
    written (a list of Output), with the render's `.warnings` and `.stats`."""
    from .pipeline import write_letter as _write
    return _write(letter, out_dir, formats, **options)
