"""When two signatory names mean the same organisation (shared by validation and imports)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

_ACRONYM = re.compile(r"\s*\(\s*[^()]{1,15}\s*\)\s*$")
_ARTICLE = re.compile(r"^(?:(?:the|la|le|les|der|die|das|el|los|las)\s+|l['’]\s*)", re.IGNORECASE)
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def name_key(name: str) -> str:
    """A comparison key: case, accents, punctuation, a leading article and a trailing
    "(ACRONYM)" do not matter, so "The Human Rights Watch (HRW)" == "human rights watch"."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _ACRONYM.sub("", text.strip())
    text = _ARTICLE.sub("", text.strip())
    return " ".join(_NOT_WORD.sub(" ", text.casefold()).split())


def signatory_key(organisation: str | None, name: str | None) -> tuple[str, str]:
    """Who a signatory is: an organisation by its name alone (whoever signs for it), a person
    signing alone by theirs. Two entries with one key are the same signatory."""
    org = name_key(organisation or "")
    return ("organisation", org) if org else ("person", name_key(name or ""))


# Small words that initials skip: "Human Rights Watch" -> HRW, "Fédération ... des ..." -> F..
_SMALL = frozenset("of for and the in on to at de des du la le les et pour d l fur und der die "
                   "das von y del el los las para en".split())


def acronym(name: str) -> str:
    """The acronym written in parentheses at the end of a name ("... (HRW)" -> "hrw")."""
    found = _ACRONYM.search(name.strip())
    return name_key(found.group().strip(" ()")) if found else ""


def initials(key: str) -> str:
    """First letters of a name key's words, small words skipped ("hrw")."""
    words = [w for w in key.split() if w not in _SMALL]
    return "".join(w[0] for w in words) if len(words) >= 2 else ""


@dataclass
class _Entry:
    key: tuple
    shown: str
    payload: object


@dataclass
class NameIndex:
    """Signatories indexed for the exact rule (`signatory_key`) and for near matches that
    need a human decision: a national chapter or branch, an acronym, a close spelling."""

    exact: dict = field(default_factory=dict)
    _ends: dict = field(default_factory=dict)      # (kind, first/last words) -> entries
    _acronyms: dict = field(default_factory=dict)  # (kind, "(ACRONYM)") -> entries
    _initials: dict = field(default_factory=dict)  # (kind, initials of the words) -> entries
    _first: dict = field(default_factory=dict)     # (kind, first word) -> entries

    def add(self, organisation: str | None, name: str | None, payload: object) -> None:
        """Index one signatory; the first of several with one key is the one reported."""
        key = signatory_key(organisation, name)
        if not key[1]:
            return
        entry = _Entry(key, organisation or name or "", payload)
        self.exact.setdefault(key, entry)
        kind, words = key[0], tuple(key[1].split())
        for n in range(1, len(words)):
            for part in (words[:n], words[n:]):
                if _long_enough(part):
                    self._ends.setdefault((kind, part), []).append(entry)
        if acronym(entry.shown):
            self._acronyms.setdefault((kind, acronym(entry.shown)), []).append(entry)
        if initials(key[1]):
            self._initials.setdefault((kind, initials(key[1])), []).append(entry)
        self._first.setdefault((kind, words[0]), []).append(entry)

    def same(self, organisation: str | None, name: str | None):
        """The payload of the indexed signatory with the same key, or None."""
        entry = self.exact.get(signatory_key(organisation, name))
        return entry.payload if entry else None

    def near(self, organisation: str | None, name: str | None):
        """(reason, shown name, payload) of a near match that a person should decide, or None."""
        key = signatory_key(organisation, name)
        kind, text = key
        if not text or key in self.exact:
            return None
        words, shown = tuple(text.split()), organisation or name or ""
        for n in range(1, len(words)):
            for part in (words[:n], words[n:]):
                entry = self.exact.get((kind, " ".join(part)))
                if entry and _long_enough(part):
                    return "may be a national chapter or branch of", entry.shown, entry.payload
        for entry in self._ends.get((kind, words), []):
            return "may be the parent organisation of", entry.shown, entry.payload
        # An acronym alone ("HRW") against a name's acronym or initials; two names that give
        # the same acronym in parentheses; a name whose acronym is listed alone.
        tables = (self._acronyms, self._initials) if len(words) == 1 else (self._acronyms,)
        mine = text if len(words) == 1 else acronym(shown)
        for table in tables if mine else ():
            for entry in table.get((kind, mine), []):
                return "may be the same as (acronym)", entry.shown, entry.payload
        for abbreviation in {acronym(shown), initials(text)} - {"", text}:
            entry = self.exact.get((kind, abbreviation))
            if entry:
                return "may be the same as (acronym)", entry.shown, entry.payload
        for entry in self._first.get((kind, words[0]), []):
            if _close(text, entry.key[1]):
                return "is spelt almost like", entry.shown, entry.payload
        return None


def _long_enough(words: tuple) -> bool:
    """A part of a name that can stand for an organisation: two words, or one of 5 letters."""
    return len(words) >= 2 or (len(words) == 1 and len(words[0]) >= 5 and
                               words[0] not in _SMALL)


def _close(a: str, b: str) -> bool:
    """Spelt alike: the same words but one, and that one a typo away (a letter missing, added,
    changed or two swapped), or the same letters spaced differently."""
    if a.replace(" ", "") == b.replace(" ", ""):
        return True
    wa, wb = a.split(), b.split()
    if len(wa) != len(wb) or len(a) < 8:
        return False
    differ = [(x, y) for x, y in zip(wa, wb) if x != y]
    return len(differ) == 1 and _typo(*differ[0])


def _typo(a: str, b: str) -> bool:
    """One edit apart (optimal string alignment distance 1), in a word of 4 letters or more."""
    if min(len(a), len(b)) < 4 or abs(len(a) - len(b)) > 1:
        return False
    previous2, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], previous2[j - 2] + 1)
        previous2, previous = previous, row
    return previous[-1] <= 1
