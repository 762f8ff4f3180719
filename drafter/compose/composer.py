"""compose: a validated Letter to a Document, with every word, date and label resolved.

Pure code: no files, no markup. The same Document feeds every output format.
"""

from __future__ import annotations

import re

from .furniture import draft_words, embargo_words
from .document import Demands, Document, ListBlock, Party, Section, Signer, sourced
from ..errors import format_path
from .wording import Locale, locale_for
from .markdown import Converter, as_item
from ..letter.model import Letter
from .arrange import arrange, counts
from .placeholders import Filled, fill
from .typography import typeset_document
from .languages import tag_document

AUTHOR_NAMES = 5


def compose(letter: Letter) -> Document:
    """Resolve a letter into the document every renderer reads."""
    words = locale_for(letter.language)
    signing = arrange(letter, words, words.date(letter.signatories_as_of))
    values = counts(signing, words)  # {signatory_count} and {individual_count} in prose
    notes = {key: fill(text, values) for key, text in letter.notes.items()}
    md = Filled(Converter(notes), values)
    signers = list(signing.printed)  # anonymous and unconfirmed ones are never named
    mark, notice = draft_words(letter, words)
    return tag_document(typeset_document(Document(
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
        opening=sourced(md.blocks(letter.opening), "opening"),
        concerns=tuple(Section(c.title, sourced(md.blocks(c.text), f"concerns[{i}].text"),
                               source=f"concerns[{i}]") for i, c in enumerate(letter.concerns)),
        demands=tuple(Demands(sourced(md.blocks(d.intro), _demand_path(letter, b, "intro")),
                              ListBlock(d.numbered, tuple(
                                  item for item in (sourced(md.blocks(as_item(text)),
                                                            _demand_path(letter, b, "items", j))
                                                    for j, text in enumerate(d.items)) if item)))
                      for b, d in enumerate(letter.demands)),  # a demand with no words is left out (validate warns)
        conclusion=sourced(md.blocks(letter.conclusion), "conclusion"),
        closing=letter.closing or words["closing"],
        groups=signing.groups,
        signatory_count=signing.organisation_count + signing.individual_count,
        contact=sourced(md.blocks(letter.contact), "contact"),
        notes=notes,
        signing=signing,
        # A greeting drafter derives holds the recipients' own words (names, titles), so
        # their stated languages hold for it; the letter's own salutation is its own text.
        salutation_lang=() if letter.salutation else tuple(dict.fromkeys(
            tag for p in letter.recipients for tag in p.lang)),
        draft_mark=mark, draft_notice=notice, embargo_notice=embargo_words(letter, words),
        version=(letter.version or "").strip(),
        sources=_sources(letter),
    ), enabled=letter.typography != "plain"))  # “quotes” in prose; other scripts' languages


def _party(p) -> Party:
    return Party(p.name, p.title, p.organisation, tuple(p.address), lang=tuple(p.lang),
                 source=format_path(p._at))


def _demand_path(letter: Letter, block: int, *rest) -> str:
    """A demand's YAML path as written: `demands[2]` (a list of items), `demands.items[2]`
    (one block) or `demands[0].items[2]` (blocks)."""
    form = letter._demands_form
    if form == "items":
        return format_path(("demands", *rest[1:])) if rest[0] == "items" else ""
    return format_path(("demands", *(() if form == "block" else (block,)), *rest))


def _sources(letter: Letter) -> dict:
    """The YAML paths of the letter's single-line fields that the letter itself wrote (a
    greeting or closing drafter derives has none)."""
    found = {"subject": letter.subject, "salutation": letter.salutation,
             "closing": letter.closing, "place": letter.place, "date": letter.date}
    out = {key: key if value else "" for key, value in found.items()}
    out["dateline"] = out["date"] or out["place"]
    return out


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
    if greets_by_title(party, words) is not False:
        return words["salutation_title"].format(title=party.title)
    return words["salutation_neutral"]


def greets_by_title(party, words: Locale) -> bool | None:
    """Whether a party without a name is greeted by its title ("Dear Members of the
    Subcommittee,"): True when the title names the people addressed, False when it does not
    or cannot (an office: "Office of the Public Defender" gets the neutral greeting), None
    when drafter cannot tell in this language (greeted by the title; validate warns)."""
    if party.salutation or party.name or not party.title or not words["salutation_title"]:
        return False
    holders = _HOLDERS.get(words.tag.split("-")[0].lower())
    if holders is None:
        return None
    # English names the holder last before its complement: "Foreign *Ministers* of ...",
    # "UN Special *Rapporteur* on ...", "*Secretary-General* of ..." (the part after a hyphen).
    head = re.split(r",| of | for | on | to | at | in | and | / |\(", f" {party.title} ",
                    maxsplit=1)[0].split()
    return bool(head) and head[-1].split("-")[-1].casefold() in holders


# Words naming people who hold an office, by language: a title whose head is one of them is a
# form of address. Languages without a list greet by the title with a warning.
_HOLDERS = {"en": frozenset("""
    president presidents minister ministers secretary secretaries general commissioner
    commissioners representative representatives chair chairs chairperson chairpersons chairman
    chairwoman member members ambassador ambassadors director directors rapporteur rapporteurs
    envoy envoys judge judges justice justices governor governors mayor senator senators
    speaker chancellor head heads chief leader leaders prosecutor ombudsman ombudsperson
    ombudswoman defender officer officers adviser advisers advisor advisors delegate delegates
    deputy deputies premier counsellor counsellors councillor councillors coordinator
    registrar consul commander excellency excellencies colleague colleagues friend friends
    sir madam lord lady highness majesty king queen prince princess professor dean rector
    parliamentarians legislators lawmakers meps mps""".split())}


