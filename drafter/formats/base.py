"""What every renderer receives: the composed letter as semantic HTML plus its context."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path


class RenderError(Exception):
    """A letter could not be rendered for a reason the user can fix (bad logo, refused URL...)."""


class Rendered(bytes):
    """A rendered file: its bytes (it *is* them), with the warnings it gave and facts such as
    its page count, so a caller of drafter.render sees what the CLI prints."""

    warnings: tuple[str, ...]
    stats: dict

    def __new__(cls, data: bytes, warnings=(), stats: dict | None = None):
        self = super().__new__(cls, data)
        self.warnings, self.stats = tuple(warnings), dict(stats or {})
        return self

    @property
    def data(self) -> bytes:
        """The plain bytes."""
        return bytes(self)

    @property
    def pages(self) -> int | None:
        """Pages, where the format has them (the PDF)."""
        return self.stats.get("pages")



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
    options: dict = field(default_factory=dict)  # the caller's choices (pdf_variant, ...)

    @cached_property
    def flow(self):
        """The HTML walked into paragraphs, once for every renderer that walks it (DOCX, txt)."""
        from .flow import parse_flow
        return parse_flow(self.tree)

    @cached_property
    def tree(self):
        """The template's HTML parsed once; a writer that changes it works on its own copy."""
        from .flow import parse_html
        return parse_html(self.html)

    @cached_property
    def metadata(self):
        """The letter's one metadata record for every format: what the template's <head> says,
        the composed letter filling what the head leaves empty."""
        if "flow" in self.__dict__:
            head = self.flow.metadata
        else:  # the PDF needs the head only: not a walk of the whole letter (a few ms)
            from .flow import head_metadata
            head = head_metadata(self.tree)
        return replace(head, title=head.title or self.title, author=head.author or self.author,
                       lang=head.lang or self.language, dir=head.dir or self.direction)

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
