"""compose: a validated Letter to a Document, with every word, date and label resolved.

Pure code: no files, no markup. The same Document feeds every output format.
"""

from __future__ import annotations

from .document import Demands, Document, ListBlock, Party, Section, Signer
from .locale import Locale, locale_for
from .markdown import Converter
from .model import Letter
from .signon.arrange import arrange, counts
from .signon.placeholders import Filled, fill

AUTHOR_NAMES = 5


def compose(letter: Letter) -> Document:
    """Resolve a letter into the document every renderer reads."""
    words = locale_for(letter.language)
    signing = arrange(letter, words, words.date(letter.signatories_as_of))
    values = counts(signing, words)  # {signatory_count} and {individual_count} in prose
    notes = {key: fill(text, values) for key, text in letter.notes.items()}
    md = Filled(Converter(notes), values)
    signers = list(signing.printed)  # anonymous and unconfirmed ones are never named
    return Document(
        language=letter.language,
        direction=words["direction"] or "ltr",
        labels=dict(words.words),
        title=letter.subject or words["default_title"],
        author=_author(signers, words),
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
        groups=signing.groups,
        signatory_count=signing.organisation_count + signing.individual_count,
        contact=md.blocks(letter.contact),
        notes=notes,
        signing=signing,
    )


def _party(p) -> Party:
    return Party(p.name, p.title, p.organisation, tuple(p.address))


def _author(signers: list[Signer], words: Locale) -> str:
    names = [s.heading for s in signers]
    comma = words["comma"] or ", "
    if len(names) <= AUTHOR_NAMES:
        return comma.join(names)
    return words["and_more"].format(names=comma.join(names[:AUTHOR_NAMES]),
                                    count=len(names) - AUTHOR_NAMES)


def salutation(letter: Letter, words: Locale) -> str:
    """The greeting: the letter's own; else the recipients' own (derived where absent),
    joined in one line; derived greetings fall back to the language's neutral form where it
    needs a form of address the letter does not give."""
    if letter.salutation:
        return letter.salutation
    greetings = list(dict.fromkeys(_greeting(p, words) for p in letter.recipients))
    if len(greetings) > 1 and words["salutation_neutral"] in greetings:
        greetings = [words["salutation_neutral"]]  # one neutral greeting covers everyone
    # Joined with the language's comma; the last greeting's closing mark ends the line
    # ("Dear A, Dear B," / "尊敬的A，尊敬的B：" / "ھۆرمەتلىك A، ھۆرمەتلىك B،").
    end = greetings[-1][-1:] if greetings[-1][-1:] in _GREETING_ENDS else ""
    comma = words["comma"] or ", "
    return comma.join(g.rstrip(_GREETING_ENDS) for g in greetings) + end


_GREETING_ENDS = ",:،：，"


def _greeting(party, words: Locale) -> str:
    if party.salutation:
        return party.salutation
    if party.name and words["salutation_name"]:
        return words["salutation_name"].format(name=party.name)
    if not party.name and party.title and words["salutation_title"]:
        return words["salutation_title"].format(title=party.title)
    return words["salutation_neutral"]


