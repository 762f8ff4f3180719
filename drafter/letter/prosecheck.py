"""validate, prose fields: what Markdown would drop, number apart or leave uncited, found by
the parser that renders it and reported at its line (footnote calls, titles, empty items and
demands, hand-written numbers, nesting deeper than drafter prints).

Works on the raw data, so these checks run even when the model found other problems. The
Markdown parser is loaded only for a field that could hold what a check looks for.
"""

from __future__ import annotations

import dataclasses
import re

from ..errors import Problem
from .model import is_item_list
from ..text import visible
from .source import Source


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _items(value) -> list:
    return value if isinstance(value, list) else []


def prose_fields(data: dict):
    """Every Markdown field of the raw letter with its YAML location, in reading order.

    Works on the raw data so cross-checks run even when the model found other problems.
    """
    yield ("opening",), _text(data.get("opening"))
    for i, concern in enumerate(_items(data.get("concerns"))):
        if isinstance(concern, dict):
            yield ("concerns", i, "text"), _text(concern.get("text"))
    demands = data.get("demands")
    if isinstance(demands, dict):
        demands, prefix = [demands], lambda i: ("demands",)
    elif is_item_list(demands):
        yield from ((("demands", j), _text(v)) for j, v in enumerate(demands))
        demands = []
    else:
        prefix = lambda i: ("demands", i)  # noqa: E731
    for i, block in enumerate(_items(demands)):
        if isinstance(block, dict):
            yield prefix(i) + ("intro",), _text(block.get("intro"))
            for j, item in enumerate(_items(block.get("items"))):
                yield prefix(i) + ("items", j), _text(item)
    yield ("conclusion",), _text(data.get("conclusion"))
    yield ("contact",), _text(data.get("contact"))


def check_notes(data: dict, source: Source) -> list[Problem]:
    """Every footnote call the renderer will print has a note, and every note is cited.

    Calls are found by the parser that renders them: a `[^id]` in code, a link destination,
    an autolink or after a backslash prints as text, so it cites nothing. A note cannot cite
    another note (Word has no notes inside notes, so the formats would number it apart)."""
    notes = data.get("notes") if isinstance(data.get("notes"), dict) else {}
    problems, cited = [], set()
    for loc, text in prose_fields(data):
        if "[^" not in text:
            continue  # no call can be in it, and the Markdown parser stays unloaded
        seen: dict[str, int] = {}
        for ref, line in _calls(text):
            cited.add(ref)
            if ref not in notes:
                seen[ref] = seen.get(ref, 0) + 1
                problems.append(_at(source, loc, text, line, f"[^{ref}]", seen[ref] - 1,
                                    f"footnote [^{ref}] has no text under 'notes:'"))
    for note_id, text in notes.items():
        if isinstance(text, str) and "[^" in text:
            for ref, line in _calls(text):
                problems.append(_at(source, ("notes", note_id), text, line, f"[^{ref}]", 0, (
                    f"a note cannot cite another note ([^{ref}]): Word has no notes inside "
                    f"notes; cite [^{ref}] from the letter's text, or write its words here")))
        if note_id not in cited:
            problems.append(source.problem(("notes", note_id), f"note '{note_id}' is never "
                                           f"cited; add [^{note_id}] to the text or remove it",
                                           key=True))
    return problems


_NOTE_CALL = re.compile(r"\[\^([^\]\s]+)\]")
# What can make a written `[^id]` text rather than a call: code (backticks, fences, indented
# code, which may also start after a list or quote marker: "1)     code"), a link or autolink
# around it, a backslash before it.
_CALL_MAY_BE_TEXT = re.compile(r"[`\\<]|\]\(|~~~| {4}|\t")


def _calls(text: str) -> list[tuple[str, int]]:
    """(note id, line in the field) of every call the renderer prints: found by the Markdown
    parser, or, when nothing in the field can turn a call into text, by the plain pattern
    (the same answer without loading the parser: validate starts faster)."""
    if _CALL_MAY_BE_TEXT.search(text):
        from ..compose.markdown import note_calls
        return note_calls(text)
    return [(m.group(1), text.count("\n", 0, m.start()) + 1) for m in _NOTE_CALL.finditer(text)]


_HAND_NUMBER = re.compile(r"^\s*(\d{1,9})[.)](?=\s|$)")


def check_prose(data: dict, source: Source) -> list[Problem]:
    """Warnings for what Markdown would drop or number apart: link and image titles and a
    fence's info string (not printed), list items and demands with no words (left out), and a
    demand numbered by hand (drafter numbers demands itself)."""
    problems = []
    for loc, text in prose_fields(data):
        if not text.strip():
            if _is_demand(loc) and text is not None and loc in source.spans:
                problems.append(source.problem(loc, "this demand has no words and is left out; "
                                               "the demands after it are numbered without it",
                                               severity="warning"))
            continue
        if "](" in text or "```" in text or "~~~" in text:
            from ..compose.markdown import unprinted
            for what, value, line in unprinted(text):
                problems.append(_at(source, loc, text, line, value, 0, (
                    f"{what} '{visible(value)[:60]}' is not printed in any format; write it "
                    "into the text if the reader needs it"), severity="warning"))
        demand = _is_demand(loc)
        if demand and _may_print_nothing(text):
            from ..compose.markdown import as_item
            if not _has_words(as_item(text)):
                problems.append(source.problem(loc, f"this demand has no words ('"
                                               f"{visible(text.strip())[:20]}' is Markdown, not "
                                               "text) and is left out; the demands after it are "
                                               "numbered without it", severity="warning"))
                continue
        if _ITEM_MAY_BE_EMPTY.search(text):
            from ..compose.markdown import as_item, empty_items
            for line in empty_items(as_item(text) if demand else text):
                problems.append(_at(source, loc, text, line, None, 0, (
                    "this list item has no words and is left out; later items are numbered "
                    "without it"), severity="warning"))
        hand = _HAND_NUMBER.match(text) if _is_demand(loc) else None
        if hand and _numbered(data, loc) and 0 < int(hand.group(1)) <= _demand_count(data, loc):
            problems.append(source.problem(loc, (
                f"this demand starts with its own number '{hand.group().strip()}', and drafter "
                "numbers demands too, so it prints both: remove it, or set 'numbered: false'"),
                severity="warning"))
    return problems


# A list marker with no word straight after it: only then can an item be without words (the
# parser, which decides, is loaded only for such a field).
_MARK = r"(?:[-*+]|\d{1,9}[.)])"
_ITEM_MAY_BE_EMPTY = re.compile(rf"^(?:[ \t>]|{_MARK}(?=[ \t]|$))*{_MARK}[ \t]*(?:$|[^\w\s])",
                                re.MULTILINE)
_FENCE = re.compile(r"```|~~~")
_UNPRINTED = re.compile(r"\]\([^)]*\)|&#?\w+;")  # link targets and titles; references
_PRINTED_WORD = re.compile(r"[^\W\d_]{2,}")


def _may_print_nothing(text: str) -> bool:
    """False when a demand surely prints a word: two letters outside link targets, character
    references and code fences (whose info strings do not print). Else the parser decides."""
    return bool(_FENCE.search(text)) or not _PRINTED_WORD.search(_UNPRINTED.sub(" ", text))


def _has_words(text: str) -> bool:
    from ..compose.markdown import Converter
    return bool(Converter({}).blocks(text))


def _is_demand(loc: tuple) -> bool:
    return loc[0] == "demands" and isinstance(loc[-1], int)


def _demand_block(data: dict, loc: tuple):
    demands = data.get("demands")
    if isinstance(demands, dict):
        return demands
    if len(loc) == 2:
        return {"items": demands}
    return demands[loc[1]] if isinstance(demands, list) else {}


def _numbered(data: dict, loc: tuple) -> bool:
    return _demand_block(data, loc).get("numbered") not in ("false", False)


def _demand_count(data: dict, loc: tuple) -> int:
    return len(_items(_demand_block(data, loc).get("items")))


def _at(source: Source, loc: tuple, text: str, line: int, needle: str | None, nth: int,
        message: str, severity: str = "error") -> Problem:
    """A problem at `needle` on line `line` of the field's text (or at that line, or at the
    field when neither is found verbatim in the file)."""
    problem = source.problem(loc, message, severity=severity)
    lines = text.split("\n")
    row = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    at = source.find(loc, row) if row else None
    if needle:
        for n in range(nth, nth + 50):
            found = source.find(loc, needle, n)
            if found is None or at is None or found >= at:
                at = found or at
                break
    return dataclasses.replace(problem, line=at[0], column=at[1]) if at else problem


_DEEP_LINE = re.compile(r"^[ >*+\-0-9.)]{41,}", re.MULTILINE)  # MAX_DEPTH + 1 (markdown.py)


def check_nesting(data: dict, source: Source) -> list[Problem]:
    """Lists and quotes nested deeper than drafter prints are refused where they are, never
    cut off (markdown-it would drop them and the rest of the field without a word)."""
    problems = []
    for loc, text in prose_fields(data):
        # Each level of nesting needs a character before a line's text (a ">", a list marker
        # or a column of indentation): without a line starting with more than MAX_DEPTH of
        # them there is nothing to check, and Markdown's parser stays unloaded.
        if not _DEEP_LINE.search(text.expandtabs(4)):
            continue
        from ..compose.markdown import MAX_DEPTH, too_deep
        found = too_deep(text)
        if found:
            depth, line = found
            problems.append(source.problem(loc, (
                f"lists or quotes nested {depth} levels deep (line {line} of the text); "
                f"drafter prints at most {MAX_DEPTH} levels: move the deeper items up a level "
                "or write them as sentences")))
    return problems
