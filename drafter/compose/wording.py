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

    def warnings(self) -> list[str]:
        """Why some fixed words are in English: no word list, or keys missing from it."""
        if not self.missing:
            return []
        if set(self.missing) == set(_read(FALLBACK)) - _DERIVED:
            return [f"language '{self.tag}': drafter has no word list for it (a file "
                    f"drafter/locales/{self.tag}.yaml); its fixed words are in English"]
        return [f"language '{self.tag}': no '{key}' in drafter/locales/"
                f"{_file_tag(self.tag)}.yaml; using the English {self.words.get(key)!r}"
                for key in self.missing]


@lru_cache(maxsize=64)
def source(tag: str):
    """The parsed word list of one language file (with positions), or None if there is none."""
    from ..letter.source import decode, parse
    path = _FOLDER / f"{tag}.yaml"
    if not path.is_file():
        return None
    return parse(decode(path.read_bytes(), str(path)), str(path))


def _read(tag: str) -> dict | None:
    parsed = source(tag)
    if parsed is None:
        return None
    return dict(parsed.data) if isinstance(parsed.data, dict) else {}


def _file_tag(tag: str) -> str:
    """The language file a tag's own words come from (fr-CA: fr.yaml unless fr-CA.yaml exists)."""
    return tag if source(tag) is not None else tag.split("-")[0].lower()


def _babel_name(tag: str, files: list[dict]) -> str:
    """babel's locale for the tag: the exact file's choice, the tag itself if babel knows it,
    then the base language file's choice; British English for unknown languages."""
    from babel import Locale as BabelLocale, UnknownLocaleError
    if source(tag) is not None and files and "babel" in files[-1]:
        return files[-1]["babel"]
    try:
        return str(BabelLocale.parse(tag, sep="-"))
    except (UnknownLocaleError, ValueError):
        return next((f["babel"] for f in reversed(files) if "babel" in f), "en_GB")


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
    missing = () if base == FALLBACK else tuple(k for k in english if k not in own
                                                  and k not in _DERIVED)
    words["babel"] = _babel_name(tag, layers[1:])
    if "direction" not in own:  # a language without a word list still reads in its direction
        words["direction"] = _direction(words["babel"])
    return Locale(tag, words, missing)


_DERIVED = frozenset(("babel", "direction"))  # known from babel when a word list lacks them


def _direction(babel_name: str) -> str:
    from babel import Locale as BabelLocale
    try:
        order = BabelLocale.parse(babel_name).character_order
    except (ValueError, LookupError):
        return "ltr"
    return "rtl" if order == "right-to-left" else "ltr"


def language_problems(data: dict, source) -> list:
    """Warnings, at the letter's `language:`, for fixed words that fall back to English."""
    tag = data.get("language") if isinstance(data, dict) else None
    from ..letter.model import _LANGUAGE
    if not isinstance(tag, str) or not _LANGUAGE.fullmatch(tag):
        return []
    return [source.problem(("language",), message, severity="warning")
            for message in locale_for(tag).warnings()]
