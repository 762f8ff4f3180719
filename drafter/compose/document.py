"""The composed letter: ordered blocks of inline runs, resolved words, dates and footnotes.

This is what templates receive. It holds no YAML and no markup: every string is plain text
that the HTML writer escapes.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Run:
    """A stretch of text with one set of inline styles."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    href: str | None = None
    lang: str | None = None  # another language than the letter's (compose/languages.py)


@dataclass(frozen=True)
class LineBreak:
    """A hard line break inside a paragraph."""


@dataclass(frozen=True)
class NoteCall:
    """A footnote cited at this point; `note_id` names the note, `runs` its text."""

    note_id: str
    runs: tuple


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of inline runs."""

    runs: tuple
    source: str = ""  # where in the YAML: "opening#1" (a field's block 1); see `sourced`


@dataclass(frozen=True)
class ListBlock:
    """A numbered or bulleted list; each item is a tuple of blocks."""

    ordered: bool
    items: tuple
    start: int = 1
    source: str = ""


@dataclass(frozen=True)
class Section:
    """A titled group of blocks (one concern)."""

    title: str | None
    blocks: tuple
    source: str = ""  # "concerns[1]": its title is SOURCE.title, its blocks SOURCE.text#k


@dataclass(frozen=True)
class Demands:
    """An introduced list of demands."""

    intro: tuple
    items: ListBlock


@dataclass(frozen=True)
class Party:
    """A recipient or a person copied in, as printed."""

    name: str | None
    title: str | None
    organisation: str | None
    address: tuple
    lang: tuple = ()  # languages its text in other scripts is in (`lang:`)
    source: str = ""  # "recipients[0]"; empty for one from a recipients CSV

    @property
    def identity(self) -> tuple:
        """Who the party is: name, title and organisation, those given, in printing order."""
        return tuple(x for x in (self.name, self.title, self.organisation) if x)

    @property
    def lines(self) -> tuple:
        """Every line of this party's block, in printing order."""
        return self.identity + self.address


@dataclass(frozen=True)
class Signer:
    """A signatory as printed."""

    organisation: str | None
    name: str | None
    role: str | None
    country: str | None
    logo: str | None
    url: str | None
    affiliation: str | None = None
    logo_alt: str = ""  # the logo's alternative text ("Logo of ...", or the letter's own)
    lang: tuple = ()  # languages its text in other scripts is in (`lang:`)
    source: str = ""  # "signatories[3]", as written (the printed order may differ)

    @property
    def heading(self) -> str:
        """The first printed line: the organisation, or the person signing alone."""
        return self.organisation or self.name or ""

    @property
    def signer_line(self) -> str:
        """The person and role under the organisation ("Jane Doe, President"), if any."""
        if not self.organisation:  # a person signing alone: role, then affiliation
            return ", ".join(x for x in (self.role, self.affiliation) if x)
        return ", ".join(x for x in (self.name, self.role) if x)


@dataclass(frozen=True)
class Logo:
    """A logo of the logo strip: its file and its alternative text."""

    src: str
    alt: str


@dataclass(frozen=True)
class SignatoryGroup:
    """Signatories printed under one label (None: no label)."""

    label: str | None
    signers: tuple


@dataclass(frozen=True)
class Document:
    """A letter ready for a template: every word resolved, nothing left to decide."""

    language: str
    direction: str
    labels: dict
    title: str
    author: str
    date: datetime.date | None
    date_text: str
    place: str | None
    recipients: tuple
    cc: tuple
    subject: str | None
    salutation: str
    opening: tuple
    concerns: tuple
    demands: tuple
    conclusion: tuple
    closing: str
    groups: tuple
    signatory_count: int
    contact: tuple
    notes: dict = field(default_factory=dict)
    signing: object = None  # signon.arrange.Signing: the signatories laid out for their number
    salutation_lang: tuple = ()  # a derived greeting's languages: its recipients' `lang:`
    # Page furniture (compose/furniture.py): empty unless a draft, or an embargo still holds.
    draft_mark: str = ""
    draft_notice: str = ""
    embargo_notice: str = ""
    version: str = ""  # the letter's `version:` (a draft prints it; the DOCX keeps it)
    sources: dict = field(default_factory=dict)  # YAML paths of single fields: subject, ...

    @property
    def dateline(self) -> str:
        """"Brussels, 18 March 2022" (either part may be absent; the language's comma)."""
        return (self.labels.get("comma") or ", ").join(x for x in (self.place, self.date_text)
                                                       if x)


def sourced(blocks: tuple, path: str) -> tuple:
    """A field's blocks, each marked with where it was written: `path#k` for its block k.
    The DOCX bookmarks every paragraph with it, so a partner's edit maps back to its line."""
    import dataclasses
    return tuple(dataclasses.replace(b, source=f"{path}#{k}") for k, b in enumerate(blocks))
