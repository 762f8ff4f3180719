"""What changed between two rounds of a letter, field by field, as a coordinator reads it.

Two letters' YAML (already validated) are compared by their paths: a text field's words
(`concerns[1].text: 2 words replaced`), a list's items matched by their text so that a moved
demand reads as moved and an added concern as added (not as a wall of changed items), and the
signatories by who they are (the matching rules of validation and imports) with their status:
added, removed, withdrawn, pending -> confirmed. Pure code: no files.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from ..errors import format_path
from ..letter.matching import signatory_key

_SIMILAR = 0.6  # word-level similarity above which two items are one item changed
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Change:
    """One line of the summary: a YAML path and what happened to it."""

    path: str
    what: str

    def __str__(self) -> str:
        return f"{self.path}: {self.what}"


def changes(old: dict, new: dict) -> list[Change]:
    """Every changed path of `new` against `old`, in the order of the letter's keys."""
    out: list[Change] = []
    keys = list(dict.fromkeys([*old, *new]))
    for key in keys:
        if key == "signatories":
            out += signatory_changes(old.get(key) or [], new.get(key) or [])
        else:
            out += _value((key,), old.get(key), new.get(key))
    return out


def _value(path: tuple, old, new) -> list[Change]:
    if old == new:
        return []
    if old is None:
        return [Change(format_path(path), "added")]
    if new is None:
        return [Change(format_path(path), "removed")]
    if isinstance(old, str) and isinstance(new, str):
        return [Change(format_path(path), words_changed(old, new))]
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[Change] = []
        for key in dict.fromkeys([*old, *new]):
            out += _value((*path, key), old.get(key), new.get(key))
        return out
    if isinstance(old, list) and isinstance(new, list):
        return _list(path, old, new)
    return [Change(format_path(path), "changed")]


def words_changed(old: str, new: str) -> str:
    """"2 words replaced, 1 added": word-level, as a reader compares two sentences."""
    a, b = _WORD.findall(old), _WORD.findall(new)
    replaced = added = removed = 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "replace":
            common = min(i2 - i1, j2 - j1)
            replaced += common
            added += (j2 - j1) - common
            removed += (i2 - i1) - common
        elif op == "insert":
            added += j2 - j1
        elif op == "delete":
            removed += i2 - i1
    parts = [f"{n} {what}" for n, what in ((replaced, "replaced"), (added, "added"),
                                           (removed, "removed")) if n]
    if not parts:
        return "spacing or line breaks changed"
    first = parts[0].split(" ", 1)
    parts[0] = f"{first[0]} word{'s' if first[0] != '1' else ''} {first[1]}"
    return ", ".join(parts)


def _text_of(item) -> str:
    if isinstance(item, str):
        return item
    if isinstance(item, dict):
        return " ".join(_text_of(v) for v in item.values() if v is not None)
    if isinstance(item, list):
        return " ".join(_text_of(v) for v in item)
    return str(item)


def word_similarity(a: str, b: str) -> float:
    """How alike two texts read, word by word (1.0: the same words in the same order)."""
    x, y = _WORD.findall(a), _WORD.findall(b)
    return difflib.SequenceMatcher(None, x, y, autojunk=False).ratio() if x or y else 1.0


def _similarity(a, b) -> float:
    return word_similarity(_text_of(a), _text_of(b))


def match_items(old: list, new: list) -> list[tuple[int | None, int | None]]:
    """Pairs (old index, new index) of the same item: equal first, then the most similar above
    _SIMILAR; an unmatched old item is (i, None) (removed), a new one (None, j) (added)."""
    pairs: dict[int, int] = {}
    taken: set[int] = set()
    for j, item in enumerate(new):
        for i, before in enumerate(old):
            if i not in pairs and before == item:
                pairs[i] = j
                taken.add(j)
                break
    scored = sorted(((_similarity(old[i], new[j]), i, j) for i in range(len(old))
                     if i not in pairs for j in range(len(new)) if j not in taken), reverse=True)
    for score, i, j in scored:
        if score >= _SIMILAR and i not in pairs and j not in taken:
            pairs[i] = j
            taken.add(j)
    out = [(i, pairs.get(i)) for i in range(len(old))]
    out += [(None, j) for j in range(len(new)) if j not in taken]
    return out


def _list(path: tuple, old: list, new: list) -> list[Change]:
    """Items matched by their words: added, removed, moved (its place among the others changed),
    or changed in place."""
    pairs = match_items(old, new)
    kept = [(i, j) for i, j in pairs if i is not None and j is not None]
    # Moved: out of the longest run of items that kept their relative order.
    order = _longest_increasing([j for _, j in sorted(kept)])
    out: list[Change] = []
    for i, j in sorted(pairs, key=lambda p: (p[1] if p[1] is not None else p[0] - 0.5)):
        if j is None:
            out.append(Change(format_path((*path, i)), "removed"))
        elif i is None:
            out.append(Change(format_path((*path, j)), "added"))
        else:
            moved = j not in order
            inner = _value((*path, j), old[i], new[j])
            if moved:
                out.append(Change(format_path((*path, j)), f"moved from {format_path((*path, i))}"
                                  + ("" if not inner else f", and changed")))
            out += inner
    return out


def _longest_increasing(values: list[int]) -> set[int]:
    """The values of a longest increasing subsequence (the items that did not move)."""
    best: list[list[int]] = []
    for v in values:
        chains = [c for c in best if c[-1] < v]
        best.append((max(chains, key=len) if chains else []) + [v])
    return set(max(best, key=len)) if best else set()


# --- signatories --------------------------------------------------------------------------

def _signatory(entry) -> tuple[tuple[str, str], str, str]:
    """(matching key, printed name, status) of a signatory entry as written."""
    if isinstance(entry, str):
        return signatory_key(entry, None), entry, "confirmed"
    if not isinstance(entry, dict):
        return ("", str(entry)), str(entry), "confirmed"
    organisation, name = entry.get("organisation"), entry.get("name")
    shown = organisation or name or "(anonymous)"
    return signatory_key(organisation, name), shown, entry.get("status") or "confirmed"


def signatory_changes(old: list, new: list) -> list[Change]:
    """`signatories: +2 added, 1 withdrawn` and one line for each signatory that changed."""
    before = {_signatory(e)[0]: (i, _signatory(e)) for i, e in enumerate(old)}
    lines: list[Change] = []
    counts: dict[str, int] = {}

    def note(kind: str, path: str, what: str) -> None:
        counts[kind] = counts.get(kind, 0) + 1
        lines.append(Change(path, what))

    seen = set()
    for j, entry in enumerate(new):
        key, shown, status = _signatory(entry)
        seen.add(key)
        path = format_path(("signatories", j))
        if key not in before:
            note("added", path, f"'{shown}' added" + ("" if status == "confirmed"
                                                       else f" ({status})"))
            continue
        i, (_, _, was) = before[key]
        if was != status:
            kind = "withdrawn" if status == "withdrawn" else "confirmed" if status == \
                "confirmed" else status
            note(kind, path, f"'{shown}' {was} -> {status}")
        elif old[i] != entry:
            note("changed", path, f"'{shown}' details changed")
    for key, (i, (_, shown, _)) in before.items():
        if key not in seen:
            note("removed", format_path(("signatories", i)), f"'{shown}' removed")
    if not counts:
        return []
    order = ("added", "removed", "withdrawn", "confirmed", "pending", "changed")
    summary = ", ".join(f"{'+' if kind == 'added' else ''}{counts[kind]} {kind}"
                        for kind in order if kind in counts)
    return [Change("signatories", summary)] + lines
