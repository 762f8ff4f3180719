"""The language of each stretch of printed text, as far as the letter says it (pure code).

Never a guess. A recipient's, cc's or signatory's `lang:` states the language of its text in
the script that language is written in (`lang: ug` marks its Arabic-script text Uyghur; `lang:
fr` in an English letter its Latin text French). Other text in the letter's script is in the
letter's language; text in another script carries its script alone: `und-Arab`, BCP 47 for "a
language not given, in Arabic script" — a fact read from the characters. Which script a
language is written in comes from the tag (zh-Hant, ug-Cyrl) or CLDR's likely subtags (ug:
Arab, zh: Hans, bo: Tibt); a language neither places is never matched to a script.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache

from ..text import NO_SCRIPT, script_of, script_runs
from .document import ListBlock, NoteCall, Paragraph, Run

# The Unicode scripts that text of a writing system (ISO 15924) uses.
_COVERS = {"Hans": frozenset(("Hani",)), "Hant": frozenset(("Hani",)),
           "Jpan": frozenset(("Jpan", "Hani", "Hira", "Kana", "Hrkt")),
           "Kore": frozenset(("Kore", "Hani", "Hang")), "Hanb": frozenset(("Hanb", "Hani", "Bopo"))}


@lru_cache(maxsize=256)
def written_in(tag: str) -> frozenset:
    """The scripts text in language `tag` is written in: its own script subtag, else CLDR's
    likely script for it; empty when neither says (drafter then claims nothing). `und` alone
    has none: CLDR's likely "English" for it is a guess."""
    parts = tag.replace("_", "-").split("-")
    base = parts[0].lower()
    script = next((p.title() for p in parts[1:] if len(p) == 4 and p.isalpha()), None)
    if script is None and base != "und":
        from babel.core import get_global
        likely = get_global("likely_subtags")
        region = next((p.upper() for p in parts[1:] if len(p) == 2 and p.isalpha()
                       or len(p) == 3 and p.isdigit()), None)
        for key in ([f"{base}_{region}"] if region else []) + [base]:
            found = likely.get(key, "").split("_")
            if len(found) >= 2 and len(found[1]) == 4:
                script = found[1]
                break
    if script is None:
        return frozenset()
    return _COVERS.get(script, frozenset((script,)))


def _others(stated: tuple, letter: str) -> tuple:
    """The stated languages other than the letter's own (en-GB is en's), once each."""
    base = letter.split("-")[0].lower()
    return tuple(t for t in dict.fromkeys(stated) if t.split("-")[0].lower() != base)


def tag_for(script: str, letter: str, stated: tuple = ()) -> str | None:
    """The `lang` of a piece in `script` (None: the letter's own language): the one stated
    language written in that script; else, outside the letter's script, the script alone."""
    matching = [tag for tag in _others(stated, letter) if script in written_in(tag)]
    if len(matching) == 1:
        return matching[0]
    return None if script in written_in(letter) else f"und-{script}"


def pieces(text: str, letter: str, stated: tuple = ()) -> list[tuple[str, str | None]]:
    """`text` as (piece, lang) in order; lang None for the letter's own language. A letter
    whose language's script is unknown tags nothing: what is "another script" is unknown."""
    own = written_in(letter)
    if not text:
        return []
    if not own or not any(written_in(t) & own for t in _others(stated, letter)) and (
            (text.isascii() and "Latn" in own) or all(
                script_of(char) in own or script_of(char) in NO_SCRIPT for char in set(text))):
        return [(text, None)]
    out: list[list] = []
    for piece, script in script_runs(text):
        lang = tag_for(script, letter, stated) if script else None
        if out and out[-1][1] == lang:
            out[-1][0] += piece
        elif lang and len(out) >= 2 and out[-1][1] is None and out[-1][0].isspace() \
                and out[-2][1]:
            # Spaces alone between two tagged stretches go into the first: WeasyPrint draws no
            # glyph for a space alone between two inline elements, and a PDF reader would read
            # the two names as one word.
            out[-2][0] += out.pop()[0]
            if out[-1][1] == lang:
                out[-1][0] += piece
            else:
                out.append([piece, lang])
        else:
            out.append([piece, lang])
    for i in range(len(out) - 1):  # «Мост» keeps its closing mark: the quote is the name's
        closer = _PAIRS.get(_unclosed(out[i][0])) if out[i][1] else None
        if closer and out[i + 1][1] is None and out[i + 1][0].startswith(closer):
            out[i][0] += closer
            out[i + 1][0] = out[i + 1][0][len(closer):]
    return [(piece, lang) for piece, lang in out if piece]


_PAIRS = {"«": "»", "“": "”", "‘": "’", "(": ")", "[": "]", "「": "」", "『": "』", "《": "》",
          "〈": "〉", "（": "）", "„": "“", "‹": "›"}


def _unclosed(piece: str) -> str | None:
    """The last opening mark of `piece` that it does not close, if any."""
    stack = []
    for char in piece:
        if char in _PAIRS:
            stack.append(char)
        elif stack and char == _PAIRS[stack[-1]]:
            stack.pop()
    return stack[-1] if stack else None


def unstated(text: str, letter: str, stated: tuple = ()) -> list[tuple[str, str]]:
    """The pieces of `text` tagged with their script alone: (piece, script)."""
    return [(piece, lang[4:]) for piece, lang in pieces(text, letter, stated)
            if lang and lang.startswith("und-") and lang not in stated]


def stated_problems(stated: tuple, texts, letter: str) -> list[tuple[int, str]]:
    """(index in `stated`, message) for each stated language that names no text of `texts`:
    one drafter cannot place in a script, one whose script no text has, or one sharing its
    script with another (which is which is unknown). The letter's own language stated is no
    slip: it holds in an edition in another script."""
    from fontTools.unicodedata import script_name
    if not stated:
        return []
    problems = []
    scripts_used = {script for text in texts for _, script in script_runs(text) if script}
    own, others = written_in(letter), _others(stated, letter)
    for k, tag in enumerate(stated):
        scripts = written_in(tag)
        earlier = [t for t in stated[:k] if t in others and scripts & written_in(t)]
        if tag in stated[:k]:
            problems.append((k, f"'{tag}' is given twice; once is enough"))
        elif tag not in others:
            continue  # the letter's own language
        elif not own:
            problems.append((k, f"'{tag}' is not used: drafter cannot tell which script the "
                                f"letter's language ({letter}) is written in, so it marks no "
                                "text as another language"))
        elif not scripts:
            problems.append((k, f"drafter cannot tell which script '{tag}' is written in (CLDR "
                                "gives none): write it with its script, e.g. "
                                f"'{tag.split('-')[0]}-Arab' for Arabic script"))
        elif earlier:
            problems.append((k, f"'{tag}' and '{earlier[0]}' are written in the same script, "
                                "so drafter cannot tell which text is in which and gives that "
                                "text neither; keep one of them"))
        elif not scripts & scripts_used:
            names = " or ".join(sorted(script_name(code) for code in scripts
                                       if code in _NAMED or len(scripts) == 1))
            problems.append((k, f"'{tag}' is not used: none of this text is in {names} "
                                "script, which it is written in"))
    return problems


# Codes worth naming when a writing system covers several (Japanese: Han, Hiragana, Katakana).
_NAMED = frozenset(("Hani", "Hira", "Kana", "Hang", "Bopo"))


# -- the composed letter's prose -----------------------------------------------------------------

def tag_runs(runs: tuple, letter: str) -> tuple:
    """Runs cut where their language changes, each piece carrying its `lang`."""
    out = []
    for run in runs:
        if isinstance(run, Run):
            split = pieces(run.text, letter)
            if len(split) == 1 and split[0][1] is None:
                out.append(run)
            else:
                out += [dataclasses.replace(run, text=piece, lang=lang) for piece, lang in split]
        elif isinstance(run, NoteCall):
            out.append(dataclasses.replace(run, runs=tag_runs(run.runs, letter)))
        else:
            out.append(run)
    return tuple(out)


def tag_blocks(blocks: tuple, letter: str) -> tuple:
    """Paragraphs and lists (nested to any depth) with languages on their runs."""
    out = []
    for block in blocks:
        if isinstance(block, Paragraph):
            out.append(dataclasses.replace(block, runs=tag_runs(block.runs, letter)))
        elif isinstance(block, ListBlock):
            out.append(dataclasses.replace(block, items=tuple(
                tag_blocks(item, letter) for item in block.items)))
        else:
            out.append(block)
    return tuple(out)


def tag_document(doc):
    """The Document with languages on the runs of its prose (footnotes included)."""
    if not written_in(doc.language):
        return doc
    lang = doc.language
    return dataclasses.replace(
        doc,
        opening=tag_blocks(doc.opening, lang),
        concerns=tuple(dataclasses.replace(c, blocks=tag_blocks(c.blocks, lang))
                       for c in doc.concerns),
        demands=tuple(dataclasses.replace(d, intro=tag_blocks(d.intro, lang),
                                          items=tag_blocks((d.items,), lang)[0])
                      for d in doc.demands),
        conclusion=tag_blocks(doc.conclusion, lang),
        contact=tag_blocks(doc.contact, lang),
    )
