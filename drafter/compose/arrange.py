"""The signatory list as printed: who is shown, in which order, tier and layout (pure code).

Only confirmed signatories are printed or counted; anonymous ones are counted and never named.
Organisations come first, then individuals as a second tier. The layout follows the number of
names shown: a signature block each, a compact list in columns, or a summary line and an annex.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import format_path
from .document import Logo, Signer, SignatoryGroup
from .collate import sort_key


@dataclass(frozen=True)
class Tier:
    """Organisations, or individuals: groups of named signers plus a count of unnamed ones."""

    label: str | None
    note: str
    groups: tuple
    anonymous_line: str
    count: int

    @property
    def signers(self) -> tuple:
        """The named signers of every group, in printing order."""
        return tuple(s for g in self.groups for s in g.signers)


@dataclass(frozen=True)
class Country:
    """Signers of one country in an annex group (label None: no country given)."""

    label: str
    signers: tuple


@dataclass(frozen=True)
class AnnexGroup:
    """One group of the annex, by country."""

    label: str | None
    countries: tuple


@dataclass(frozen=True)
class AnnexTier:
    """A tier of the annex."""

    label: str | None
    note: str
    groups: tuple
    anonymous_line: str


@dataclass(frozen=True)
class Signing:
    """Everything a template needs to print the signatories."""

    layout: str  # "blocks", "list" or "annex"
    columns: int
    tiers: tuple
    as_of: str
    summary: str
    leads: tuple
    annex_title: str
    annex: tuple
    logo_strip: str  # "none", "top" or "end"
    logos: tuple  # of document.Logo: file and alternative text
    organisation_count: int
    individual_count: int

    @property
    def printed(self) -> tuple:
        """Every named signer, in printing order."""
        return tuple(s for tier in self.tiers for s in tier.signers)

    @property
    def groups(self) -> tuple:
        """Every printed group of every tier."""
        return tuple(g for tier in self.tiers for g in tier.groups)


class Words:
    """The locale's words for signatory lists, with CLDR plural forms (`key_one`, ...)."""

    def __init__(self, words, number):
        self._words, self._number = words, number
        from babel import Locale
        self._plural = Locale.parse(words["babel"] or "en").plural_form

    def __getitem__(self, key: str) -> str:
        return self._words[key] or ""

    def counted(self, key: str, n: int) -> str:
        """"3 organisations": the plural form of `key` for `n`, with n as the locale writes it."""
        form = self._plural(n)
        pattern = self._words[f"{key}_{form}"] or self._words[f"{key}_other"] or "{count}"
        return pattern.format(count=self._number(n))


def signer(s, logo_alt: str = "Logo of {organisation}") -> Signer:
    """A model signatory as printed; its logo's alternative text is its own `logo_alt:`, else
    the locale's `logo_alt` pattern with its printed name."""
    own = s.logo_alt if s.logo_alt and s.logo_alt.strip() else None  # blank: the default
    alt = (own or logo_alt.format(organisation=s.display_name)) if s.logo else ""
    return Signer(s.organisation, s.name, s.role, s.country, s.logo, s.url, s.affiliation,
                  logo_alt=alt, lang=tuple(s.lang), source=format_path(s._at))


def counts(signing: Signing, locale) -> dict[str, str]:
    """The placeholder values, written as the letter's language writes numbers."""
    number = _numbers(locale)
    return {"signatory_count": number(signing.organisation_count),
            "individual_count": number(signing.individual_count)}


def _numbers(locale):
    from babel.numbers import format_decimal
    tag = locale["babel"] or "en"
    return lambda n: format_decimal(n, locale=tag)


def arrange(letter, locale, date_text: str) -> Signing:
    """Lay the letter's signatories out for printing."""
    words = Words(locale, _numbers(locale))
    layout_options = letter.signatory_layout
    confirmed = [s for s in letter.signatories if s.status == "confirmed"]
    people = [s for s in confirmed if s.is_individual]
    organisations = [s for s in confirmed if not s.is_individual]
    order = _ordering(letter.signatory_order, letter.language)
    tiers = (_tier(None, "", organisations, "count_organisations", order, words),
             _tier(words["individuals_label"],
                   words["affiliation_note"] if layout_options.affiliation_note and any(
                       s.affiliation for s in people) else "",
                   people, "count_individuals", order, words))
    tiers = tuple(t for t in tiers if t.count)
    layout = layout_for(sum(len(t.signers) for t in tiers), layout_options)
    columns = layout_options.columns or (2 if layout == "list" else 3)
    counts = [words.counted(key, n) for key, n in (
        ("count_organisations", len(organisations)), ("count_individuals", len(people))) if n]
    summary = words["signed_by"].format(signers=f" {words['and']} ".join(counts)) \
        if layout == "annex" else ""
    leads = tuple(signer(s, words["logo_alt"]) for s in confirmed
                  if s.lead and not s.anonymous) if layout == "annex" else ()
    annex = tuple(_annex_tier(t, words["no_country"], letter.language) for t in tiers) \
        if layout == "annex" else ()
    logos = tuple(Logo(s.logo, s.logo_alt) for t in tiers for s in t.signers if s.logo) \
        if layout_options.logo_strip != "none" else ()
    return Signing(
        layout=layout, columns=columns, tiers=tiers,
        as_of=words["signatories_as_of"].format(date=date_text) if date_text else "",
        summary=summary, leads=leads, annex_title=words["annex_title"] if annex else "",
        annex=annex, logo_strip=layout_options.logo_strip if logos else "none", logos=logos,
        organisation_count=len(organisations), individual_count=len(people))


def layout_for(shown: int, options) -> str:
    """"blocks", "list" or "annex", for `shown` named signers and the letter's layout options."""
    if shown <= options.blocks_up_to:
        return "blocks"
    return "list" if shown <= options.annex_over else "annex"


def printed_signatories(letter) -> list:
    """The (index, signatory) pairs whose names print: confirmed and not anonymous."""
    return [(i, s) for i, s in enumerate(letter.signatories)
            if s.status == "confirmed" and not s.anonymous]


def _ordering(order: str, language: str):
    """A function putting a list of signatories in the letter's order; leads always first."""
    def arranged(items: list) -> list:
        if order == "alphabetical":
            items = sorted(items, key=lambda s: sort_key(_name(s), language))
        elif order == "country":
            items = sorted(items, key=lambda s: (s.country is None,
                                                 sort_key(s.country or "", language),
                                                 sort_key(_name(s), language)))
        return [s for s in items if s.lead] + [s for s in items if not s.lead]
    return arranged


def _name(s) -> str:
    return s.organisation or s.name or ""


def _tier(label, note: str, members: list, count_key: str, order, words: Words) -> Tier:
    """One tier: named members under their groups (in order of first appearance, a lead's
    group first), and the line counting the unnamed ones. Members without a group come before
    every group: printed after one, they would read as part of it (validate warns)."""
    written = [s for s in members if not s.anonymous]
    ungrouped = [None] if any(s.group is None for s in written) else []
    groups: dict = {g: [] for g in dict.fromkeys(
        ungrouped + [s.group for s in written if s.lead] + [s.group for s in written])}
    named = order(written)
    for s in named:
        groups[s.group].append(signer(s, words["logo_alt"]))
    hidden = len(members) - len(named)
    line = ""
    if hidden:
        line = words["cannot_be_named"].format(signers=words.counted(count_key, hidden))
        line = f"{words['and']} {line}" if named else line
    return Tier(label, note, tuple(SignatoryGroup(k, tuple(v)) for k, v in groups.items()),
                line, len(members))


def _annex_tier(tier: Tier, no_country: str, language: str) -> AnnexTier:
    """A tier of the annex: each group's signers by country (countries in collation order;
    signers without a country last), keeping the tier's order inside a country."""
    groups = []
    for group in tier.groups:
        by_country: dict = {}
        for s in group.signers:
            by_country.setdefault(s.country, []).append(s)
        ordered = sorted(by_country, key=lambda c: (c is None, sort_key(c or "", language)))
        # No heading at all when nobody in the group gave a country.
        unnamed = "" if list(by_country) == [None] else no_country
        groups.append(AnnexGroup(group.label, tuple(
            Country(c or unnamed, tuple(by_country[c])) for c in ordered)))
    return AnnexTier(tier.label, tier.note, tuple(groups), tier.anonymous_line)
