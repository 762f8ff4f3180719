"""When two signatory names mean the same organisation (shared by validation and imports)."""

from __future__ import annotations

import re
import unicodedata

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
