"""Fixed words and dates for a letter's language, from one small data file per language."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_FOLDER = Path(__file__).parent / "locales"
FALLBACK = "en"


@dataclass(frozen=True)
class Locale:
    """The words of one language; `missing` names keys that fell back to English."""

    tag: str
    words: dict
    missing: tuple

    def __getitem__(self, key: str):
        return self.words.get(key)

    def date(self, value: datetime.date | None) -> str:
        """The date as the language writes it in letters ("18 March 2022")."""
        if value is None:
            return ""
        from babel.dates import format_date
        return format_date(value, format="long", locale=self.words["babel"])


def _read(tag: str) -> dict | None:
    from .yamlsource import decode, parse
    path = _FOLDER / f"{tag}.yaml"
    if not path.is_file():
        return None
    data = parse(decode(path.read_bytes(), str(path)), str(path)).data
    return data if isinstance(data, dict) else {}


@lru_cache(maxsize=32)
def locale_for(tag: str) -> Locale:
    """The language's words: exact tag, then its base language, then English for the rest."""
    base = tag.split("-")[0].lower()
    english = _read(FALLBACK)
    layers = [english]
    for candidate in dict.fromkeys((base, tag)):
        data = _read(candidate)
        if data is not None:
            layers.append(data)
    words: dict = {}
    for layer in layers:
        words.update(layer)
    own = set().union(*(layer.keys() for layer in layers[1:])) if len(layers) > 1 else set()
    missing = () if base == FALLBACK else tuple(k for k in english if k not in own)
    return Locale(tag, words, missing)
