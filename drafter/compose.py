"""compose: a validated Letter to a Document, with every word, date and label resolved.

Pure code: no files, no markup. The same Document feeds every output format.
"""

from __future__ import annotations

from .document import (Demands, Document, ListBlock, Party, Section, Signer,
                       SignatoryGroup)
from .locale import Locale, locale_for
from .markdown import Converter
from .model import Letter

AUTHOR_NAMES = 5


def compose(letter: Letter) -> Document:
    """Resolve a letter into the document every renderer reads."""
    words = locale_for(letter.language)
    md = Converter(dict(letter.notes))
    signers = [Signer(s.organisation, s.name, s.role, s.country, s.logo, s.url)
               for s in letter.signatories]
    return Document(
        language=letter.language,
        direction=words["direction"] or "ltr",
        labels=dict(words.words),
        title=letter.subject or words["default_title"],
        author=_author(signers),
        date=letter.date,
        date_text=words.date(letter.date),
        place=letter.place,
        recipients=tuple(_party(p) for p in letter.recipients),
        cc=tuple(_party(p) for p in letter.cc),
        subject=letter.subject,
        salutation=salutation(letter, words),
        opening=md.blocks(letter.opening),
        concerns=tuple(Section(c.title, md.blocks(c.text)) for c in letter.concerns),
        demands=tuple(Demands(md.blocks(d.intro), ListBlock(
            d.numbered, tuple(md.blocks(item) for item in d.items))) for d in letter.demands),
        conclusion=md.blocks(letter.conclusion),
        closing=letter.closing or words["closing"],
        groups=_groups(signers, letter),
        signatory_count=len(signers),
        contact=md.blocks(letter.contact),
        notes=dict(letter.notes),
    )


def _party(p) -> Party:
    return Party(p.name, p.title, p.organisation, tuple(p.address))


def _groups(signers: list[Signer], letter: Letter) -> tuple:
    """Signatories under their group labels, groups in order of first appearance."""
    groups: dict = {}
    for signer, source in zip(signers, letter.signatories):
        groups.setdefault(source.group, []).append(signer)
    return tuple(SignatoryGroup(label, tuple(members)) for label, members in groups.items())


def _author(signers: list[Signer]) -> str:
    names = [s.heading for s in signers]
    if len(names) <= AUTHOR_NAMES:
        return ", ".join(names)
    return ", ".join(names[:AUTHOR_NAMES]) + f" and {len(names) - AUTHOR_NAMES} more"


def salutation(letter: Letter, words: Locale) -> str:
    """The greeting: the letter's own; else the recipients' own (derived where absent),
    joined in one line; derived greetings fall back to the language's neutral form where it
    needs a form of address the letter does not give."""
    if letter.salutation:
        return letter.salutation
    greetings = list(dict.fromkeys(_greeting(p, words) for p in letter.recipients))
    if len(greetings) > 1 and words["salutation_neutral"] in greetings:
        greetings = [words["salutation_neutral"]]  # one neutral greeting covers everyone
    return ", ".join(g.rstrip(",") for g in greetings) + ("," if greetings[-1].endswith(",")
                                                          else "")


def _greeting(party, words: Locale) -> str:
    if party.salutation:
        return party.salutation
    if party.name and words["salutation_name"]:
        return words["salutation_name"].format(name=party.name)
    if not party.name and party.title and words["salutation_title"]:
        return words["salutation_title"].format(title=party.title)
    return words["salutation_neutral"]


