"""Fields a letter gives that its layout will not print, and spellings that are likely slips:
warnings at their lines, so that no word is dropped or misplaced in silence.

Runs on the validated Letter (the layout depends on how many signatories print). What the
sign-on rules keep out on purpose (an anonymous signatory's details) is not reported.
"""

from __future__ import annotations

from collections import Counter

from ..errors import Problem
from ..compose.wording import locale_for
from .model import Letter
from ..compose.arrange import layout_for, printed_signatories
from .source import Source


def field_warnings(letter: Letter, source: Source) -> list[Problem]:
    """Every warning of this module for one letter."""
    def warn(path: tuple, message: str) -> Problem:
        return source.problem(path, message, severity="warning")
    return (_greetings(letter, source, warn) + _logos(letter, warn) + _logo_alts(letter, warn)
            + _group_spellings(letter, warn) + _ungrouped(letter, warn)
            + _languages(letter, source, warn))


def _greetings(letter: Letter, source: Source, warn) -> list[Problem]:
    """Greetings written but not printed, and greetings derived from a title drafter cannot
    judge in the letter's language."""
    problems = [warn(("cc", i, "salutation"), "cc greeting is not printed: the letter greets "
                     "its recipients only")
                for i, party in enumerate(letter.cc) if party.salutation]
    if letter.salutation:
        line = source.where(("salutation",))[0]
        problems += [warn(("recipients", i, "salutation"), (
            f"not printed in this letter: its salutation: (line {line}) greets every "
            "recipient; a letter to this recipient alone (render --each-recipient) uses it"))
            for i, party in enumerate(letter.recipients) if party.salutation]
        return problems
    untitled = [(i, p) for i, p in enumerate(letter.recipients)
                 if p.title and not (p.name or p.salutation)]
    if not untitled:
        return problems
    from ..compose.composer import greets_by_title  # loads Markdown's parser: only when it is needed
    words = locale_for(letter.language)
    for i, party in untitled:
        if greets_by_title(party, words) is None:
            greeting = words["salutation_title"].format(title=party.title)
            problems.append(warn(("recipients", i, "title"), (
                f"greeted by its title as '{greeting}': drafter cannot tell in this language "
                "whether the title is a form of address; write salutation: to confirm or "
                "change the greeting")))
    return problems


def _logos(letter: Letter, warn) -> list[Problem]:
    """Logos of printed signatories that the layout leaves out: the compact list prints none,
    the annex only its leads' (a logo strip prints them all)."""
    printed = printed_signatories(letter)
    options = letter.signatory_layout
    layout = layout_for(len(printed), options)
    if options.logo_strip != "none" or layout == "blocks":
        return []
    where = ("the compact list, which prints no logos" if layout == "list" else
             "a summary and an annex, which print only the leads' logos")
    return [warn(("signatories", i, "logo"), (
        f"logo is not printed: {len(printed)} signatories are printed as {where}; "
        "signatory_layout: {logo_strip: top} (or end) prints every logo in a row"))
        for i, s in printed if s.logo and not (layout == "annex" and s.lead)]


def _logo_alts(letter: Letter, warn) -> list[Problem]:
    """A logo's alternative text with no logo to describe, or one with no words."""
    problems = []
    for i, s in enumerate(letter.signatories):
        if s.logo_alt is None or s.anonymous:
            continue
        if not s.logo:
            problems.append(warn(("signatories", i, "logo_alt"), (
                "logo_alt is not used: this signatory has no logo: for it to describe; give "
                "it logo: with an image file, or remove logo_alt")))
        elif not s.logo_alt.strip():
            default = locale_for(letter.language)["logo_alt"] or ""
            problems.append(warn(("signatories", i, "logo_alt"), (
                "logo_alt is empty, so the logo keeps its default alternative text '"
                f"{default.format(organisation=s.display_name)}'; write what a reader who "
                "cannot see the logo should hear, or remove the line")))
    return problems


def _languages(letter: Letter, source: Source, warn) -> list[Problem]:
    """Text of a recipient, cc or printed signatory in another script than the letter's with
    no `lang:` for it (once per field: it is marked with its script alone), and stated
    languages that apply to none of its text."""
    from ..compose.languages import stated_problems, unstated
    from ..text import visible
    from fontTools.unicodedata import script_name
    entries = [(("recipients", i), p, "recipient") for i, p in enumerate(letter.recipients)]
    entries += [(("cc", i), p, "cc party") for i, p in enumerate(letter.cc)]
    entries += [(("signatories", i), s, "signatory") for i, s in printed_signatories(letter)]
    problems = []
    for path, entry, kind in entries:
        keys = ("name", "title", "organisation") if kind != "signatory" else (
            "organisation", "name", "role", "country", "affiliation")
        texts = [(path + (key,), getattr(entry, key)) for key in keys if getattr(entry, key)]
        texts += [(path + ("address", j), line) for j, line in
                  enumerate(getattr(entry, "address", ())) if line]
        stated = tuple(entry.lang)
        raw = _raw(source, path)
        for k, message in stated_problems(stated, [t for _, t in texts], letter.language):
            at = path + ("lang", k) if isinstance(raw.get("lang"), list) else path + ("lang",)
            problems.append(warn(at, message))
        for at, text in texts:
            found = unstated(text, letter.language, stated)
            if not found:
                continue
            shown = " and ".join(f"'{visible(piece)}' ({script_name(script)})"
                                 for piece, script in found[:3])
            tags = ", ".join(sorted({f"und-{script}" for _, script in found}))
            one = len(found) == 1
            problems.append(warn(at, (
                f"{shown} {'is' if one else 'are'} in {'a script' if one else 'scripts'} the "
                f"letter's language ({letter.language}) is not written in, and no lang: of this "
                f"{kind} names {'its' if one else 'their'} language: marked with the script "
                f"alone ({tags}); to say the language, give lang: its tag (one per script: "
                "lang: [TAG, TAG])")))
    return problems


def _raw(source: Source, path: tuple) -> dict:
    """The mapping written at `path` in the YAML ({} when it is not one)."""
    value = source.data
    for key in path:
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            return {}
    return value if isinstance(value, dict) else {}


def _group_spellings(letter: Letter, warn) -> list[Problem]:
    """A group name one edit from another (case ignored) makes a group of its own: warned at
    every use of the rarer spelling (the later one when both are as common)."""
    uses = Counter(s.group for s in letter.signatories if s.group and s.status != "withdrawn")
    names = list(uses)  # in order of first appearance
    rank = {g: (uses[g], -n) for n, g in enumerate(names)}  # higher: commoner, or earlier
    # Spellings one edit apart share a spelling with one character deleted (or none): only
    # those are compared, so thousands of groups cost no more than their letters.
    near: dict[str, set] = {}
    for g in names:
        folded = g.casefold()
        for key in {folded} | {folded[:k] + folded[k + 1:] for k in range(len(folded))}:
            near.setdefault(key, set()).add(g)
    meant: dict[str, str] = {}
    for a in names:
        folded = a.casefold()
        keys = {folded} | {folded[:k] + folded[k + 1:] for k in range(len(folded))}
        for b in set().union(*(near[k] for k in keys)):
            if rank[a] < rank[b] and (a not in meant or rank[b] > rank[meant[a]]) and \
                    _one_edit(folded, b.casefold()) and not _numbered(folded, b.casefold()):
                meant[a] = b
    problems = []
    for i, s in enumerate(letter.signatories):
        if s.group in meant and s.status != "withdrawn":
            other = meant[s.group]
            how = "differs only in case from" if s.group.casefold() == other.casefold() \
                else "is one letter away from"
            problems.append(warn(("signatories", i, "group"), (
                f"group '{s.group}' {how} '{other}' ({_count(uses[other])}): as written it "
                f"prints as a group of its own; did you mean '{other}'?")))
    return problems


def _count(n: int) -> str:
    return f"{n} signator{'y' if n == 1 else 'ies'}"


def _numbered(a: str, b: str) -> bool:
    """Whether a and b differ in one word that is a number or a single character in both
    ("Region 1" and "Region 2", "Tier A" and "Tier B"): labels of a series, not a slip."""
    x, y = a.split(), b.split()
    if len(x) != len(y):
        return False
    differ = [(u, v) for u, v in zip(x, y) if u != v]
    return len(differ) == 1 and all(w.isdigit() or len(w) == 1 for w in differ[0])


def _one_edit(a: str, b: str) -> bool:
    """Whether a and b differ by at most one insertion, deletion, substitution or swap of two
    neighbouring characters (Damerau-Levenshtein distance 1)."""
    if abs(len(a) - len(b)) > 1:
        return False
    low, high = 0, min(len(a), len(b))  # the common beginning, by halves (slices are fast)
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if a[:middle] == b[:middle] else (low, middle - 1)
    a, b = a[low:], b[low:]
    if len(a) == len(b):
        return a[1:] == b[1:] or (a[:2] == b[1::-1] and a[2:] == b[2:])
    shorter, longer = sorted((a, b), key=len)
    return shorter == longer[1:]


def _ungrouped(letter: Letter, warn) -> list[Problem]:
    """A printed signatory without a group among others that have one (organisations and
    individuals are separate tiers): printed before the groups, under no heading."""
    problems = []
    printed = printed_signatories(letter)
    for individual, kind in ((False, "organisations"), (True, "individuals")):
        tier = [(i, s) for i, s in printed if s.is_individual == individual]
        if not any(s.group for _, s in tier):
            continue
        problems += [warn(("signatories", i), (
            f"'{s.display_name}' has no group while other {kind} have one: it prints before "
            "the first group, under no group heading; give it group: to print it under one"))
            for i, s in tier if not s.group]
    return problems
