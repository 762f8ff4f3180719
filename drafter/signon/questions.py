"""A sign-on form's questions and answers, read conservatively: only a clear yes is a yes.

The words live in answers.yaml, one entry per language drafter has a word list for.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

# The stems' question, in the order the header rule tries them.
_RULE = (("anonymity", "anonymous"), ("publication", "publish"), ("signing", "consent"))
_LOGO = re.compile(r"(?<!\w)logo")
_SPACELESS = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]")  # Han, kana, Hangul


def fold(text: str) -> str:
    """Case, accents and compatibility forms folded, the way headers and answers compare."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def answer_key(text: str) -> str:
    """An answer with case, accents, spaces and punctuation ignored ("Oui !" -> "oui")."""
    return "".join(ch for ch in fold(text) if ch.isalnum())


def _words_key(text: str) -> str:
    """A header as words: folded, punctuation as spaces."""
    return " ".join(re.sub(r"[\W_]+", " ", fold(text)).split())


@lru_cache(maxsize=1)
def lexicon() -> dict:
    """{language: {"yes": set, "no": set, "anonymity": tuple, ...}} from answers.yaml."""
    from ..letter.source import decode, parse
    path = Path(__file__).with_name("answers.yaml")
    data = parse(decode(path.read_bytes(), str(path)), str(path)).data
    out = {}
    for language, entry in data.items():
        out[language] = {
            "yes": {answer_key(w) for w in entry["yes"]},
            "no": {answer_key(w) for w in entry["no"]},
            **{kind: tuple(_words_key(w) for w in entry[kind]) for kind, _ in _RULE}}
    return out


@lru_cache(maxsize=1)
def _answers() -> tuple[frozenset, frozenset]:
    yes = frozenset().union(*(e["yes"] for e in lexicon().values()))
    no = frozenset().union(*(e["no"] for e in lexicon().values()))
    return yes, no


def clear_answer(text: str) -> str | None:
    """"yes" or "no" when the answer is exactly one yes- or no-word of a language drafter
    knows (case, spaces and punctuation ignored); None for anything else, blank included."""
    key = answer_key(text or "")
    yes, no = _answers()
    if key in yes:
        return "yes"
    if key in no:
        return "no"
    return None


def yes_no_share(values) -> float:
    """The share of distinct non-blank answers that are clear yes/no words (0 when none)."""
    distinct = {answer_key(v) for v in values if answer_key(v)}
    if not distinct:
        return 0.0
    yes, no = _answers()
    return len(distinct & (yes | no)) / len(distinct)


@lru_cache(maxsize=256)
def question_for(header: str) -> str | None:
    """The question a header asks ("consent", "publish", "anonymous"), by the one rule in
    answers.yaml; None when it asks none of them."""
    key = _words_key(header)
    if not key or _LOGO.search(key):
        return None
    for kind, question in _RULE:
        for entry in lexicon().values():
            if any(_has_stem(key, stem) for stem in entry[kind]):
                return question
    return None


def _has_stem(key: str, stem: str) -> bool:
    if _SPACELESS.search(stem):
        return stem in key
    return re.search(r"(?<!\w)" + re.escape(stem), key) is not None
