"""Locale-aware sorting of signatory names, without ICU.

drafter sorts with its own small collation rather than PyICU (not installed here and a C
build) or the C library's locales (often only C.UTF-8 is present), so one letter sorts the
same on every machine. The rule: a leading article is ignored ("The", "Les", "Die", "El", "L'",
as in matching.name_key), then names compare letter by letter with case and accents ignored;
accents, then case, only break ties. A few languages whose alphabets put accented letters
elsewhere are tailored: Spanish ñ after n; Swedish and Finnish å ä ö after z; Danish and
Norwegian æ ø å after z. Other scripts sort by their Unicode order (Cyrillic and Greek
alphabetically), after Latin.
"""

from __future__ import annotations

import re
import unicodedata

from ..letter.matching import _ARTICLE

# Letters that a language sorts as their own, after z: letter -> rank after z.
_TAILORED = {
    "es": {"ñ": ("n", 1)},
    "sv": {"å": ("z", 1), "ä": ("z", 2), "æ": ("z", 2), "ö": ("z", 3), "ø": ("z", 3)},
    "fi": {"å": ("z", 1), "ä": ("z", 2), "ö": ("z", 3)},
    "da": {"æ": ("z", 1), "ø": ("z", 2), "å": ("z", 3)},
    "nb": {"æ": ("z", 1), "ø": ("z", 2), "å": ("z", 3)},
}
_TAILORED["no"] = _TAILORED["nn"] = _TAILORED["nb"]
_FOLD = {"æ": "ae", "ø": "o", "œ": "oe", "ß": "ss", "đ": "d", "ł": "l", "þ": "th", "ı": "i"}
_SPACES = re.compile(" +")


def sort_key(text: str, language: str = "en") -> tuple:
    """A key that sorts names as a reader of `language` expects."""
    tailoring = _TAILORED.get(language.split("-")[0].lower(), {})
    body = _ARTICLE.sub("", unicodedata.normalize("NFC", text).strip(), count=1) or text
    primary, secondary = [], []
    for ch in body.casefold():
        if not (ch.isalnum() or unicodedata.combining(ch)):
            primary.append(" ")  # punctuation and spacing count as one space
            continue
        if ch in tailoring:
            base, rank = tailoring[ch]
            primary.append(base + "\uffff" * rank)  # after every plain letter `base` starts
            secondary.append("")
            continue
        decomposed = unicodedata.normalize("NFKD", ch)
        letters = "".join(c for c in decomposed if not unicodedata.combining(c))
        letters = "".join(_FOLD.get(c, c) for c in letters)
        primary.append(letters)
        secondary.append(decomposed[len(letters):] if letters != decomposed else "")
    words = _SPACES.sub(" ", "".join(primary)).strip()
    return (words, "".join(secondary), body.swapcase(), text)
