"""What every renderer receives: the composed letter as semantic HTML plus its context."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path


class RenderError(Exception):
    """A letter could not be rendered for a reason the user can fix (bad logo, refused URL...)."""


@dataclass(frozen=True)
class Rendition:
    """One composed letter, ready for any output format.

    `html` is the template's output (see docs/template-contract.md): the single source that the
    PDF renderer lays out and that the DOCX and text renderers walk, so formats cannot drift.
    """

    html: str
    stylesheet: str
    letter_dir: Path
    template_dir: Path
    title: str = ""
    author: str = ""
    language: str = "en"
    direction: str = "ltr"
    date: datetime.date | None = None
    reference_docx: Path | None = None
    options: dict = field(default_factory=dict)

    @cached_property
    def flow(self):
        """The HTML walked into paragraphs, once for every renderer that walks it (DOCX, txt)."""
        from .flow import parse_flow
        return parse_flow(self.html)

    @cached_property
    def style(self):
        """The stylesheet's facts (fonts, sizes, line height, page), read once for every format."""
        from ..template.style import style_facts
        return style_facts(self.stylesheet, self.language, self.direction)

    @cached_property
    def assets(self):
        """The one confined reader of logos, images and fonts that every writer uses."""
        from ..assets import AssetReader
        return AssetReader(self.letter_dir, self.template_dir)
