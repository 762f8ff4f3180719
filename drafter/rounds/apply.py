"""Partners' tracked changes into the letter's YAML: a text edit of exactly the words they touch.

Each change is located in the value it came from by the words drafter wrote (a quote matches
any quote, as typography may have curled it; a space matches any run of spaces and line
breaks, as a folded or multi-line scalar breaks lines), with as many neighbouring words as it
takes to find one place only; the new words are written in the scalar's own quoting. Every
other byte of the file stays as it was. Then the letter is read and composed again: the
edited paragraphs must read as the partners' copies do, and every other paragraph as before.
A change that cannot be placed for certain (its words cross Markdown markup or a footnote
call, occur twice, or the letter has changed since the copy was made), and changes by two
partners to the same words, are refused, each with its reason: a human decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..compose.typography import NNBSP, QUOTES
from ..errors import LetterError
from .feedback import Feedback, origin_path

_CONTEXT = 8  # neighbouring words tried on each side to find a change's one place
_SPACES = " \t\u00a0"


@dataclass(frozen=True)
class Change:
    """A tracked change chosen for applying, with its feedback id."""

    ident: str
    item: Feedback

    @property
    def span(self) -> tuple[int, int]:
        return self.item.at, self.item.at + len(self.item.old)

    def same_edit(self, other: "Change") -> bool:
        a, b = self.item, other.item
        return (a.origin, a.at, a.old, a.new) == (b.origin, b.at, b.old, b.new)


@dataclass
class Outcome:
    """The new letter text (None: nothing to write), the ids applied and those refused."""

    text: str | None
    applied: list[str] = field(default_factory=list)
    refused: list[tuple[Change, str]] = field(default_factory=list)


def apply_changes(text: str, source, changes: list[Change], written: list[tuple[str, str]],
                  compose) -> Outcome:
    """Apply `changes` to the letter `text` (parsed as `source`). `written` is (origin, text)
    of each paragraph drafter wrote, in order; `compose(text)` gives the same for a new
    letter text, or raises LetterError. Nothing is applied unless every change can be: one
    refusal stops all, so that the coordinator decides with the whole picture."""
    refused = _conflicts(changes)
    chosen: dict[str, Change] = {}  # one of each identical edit (two partners, same words)
    for change in changes:
        if any(change is c for c, _ in refused):
            continue
        twin = next((c for c in chosen.values() if c.same_edit(change)), None)
        if twin is None:
            reason = _unplaceable(change, source, written)
            if reason:
                refused.append((change, reason))
            else:
                chosen[change.ident] = change
    edits = []
    for change in chosen.values():
        where = place(text, source, change.item)
        if isinstance(where, str):
            refused.append((change, where))
        else:
            edits.append((where, change))
    if refused:
        return Outcome(None, refused=refused)
    new_text = text
    for (begin, end, style), change in sorted(edits, key=lambda e: e[0][0], reverse=True):
        new_text = new_text[:begin] + _quoted(change.item.new, style) + new_text[end:]
    problem = _check(new_text, source, [c for _, c in edits], written, compose)
    if problem:
        return Outcome(None, refused=[(c, problem) for _, c in edits])
    applied = [c.ident for c in changes]
    return Outcome(new_text, applied=applied)


def _conflicts(changes: list[Change]) -> list[tuple[Change, str]]:
    """Changes from different copies to overlapping words (or at the same place) that do not
    say the same thing: each refused, naming the other's author."""
    out: list[tuple[Change, str]] = []
    for a in changes:
        for b in changes:
            if a is b or a.item.origin != b.item.origin or a.item.returned == b.item.returned \
                    or a.same_edit(b):
                continue
            (a0, a1), (b0, b1) = a.span, b.span
            touching = a0 == a1 or b0 == b1  # an insertion next to an edit: which goes first?
            if (a0 <= b1 and b0 <= a1) if touching else (a0 < b1 and b0 < a1):
                out.append((a, f"conflicts with {_by(b)} ({b.ident}), on the same words: "
                               f"{_by(a)} would {a.item.text}, {_by(b)} would {b.item.text}; "
                               "choose one with --only, or edit the YAML by hand"))
                break
    return out


def _by(change: Change) -> str:
    return (change.item.author or "an unknown author") + f" [{Path(change.item.returned).name}]"


def _unplaceable(change: Change, source, written: list[tuple[str, str]]) -> str | None:
    item = change.item
    if not item.origin:
        return "it touches no field of the letter (drafter's own words): edit by hand"
    if item.at < 0:
        return "its place in the paragraph is unknown: edit by hand"
    drafted = [t for o, t in written if o == item.origin]
    if len(drafted) != 1 or not _same(drafted[0], item.context):
        return ("the letter's text here is no longer what this copy was made from (a later "
                "round, or an edit without tracking): apply it by hand")
    value = _value(source, origin_path(item.origin))
    if not isinstance(value, str):
        return "its field is not one text (an address, a signatory): edit the YAML by hand"
    if "\n" in item.new or "\r" in item.new:
        return "it inserts a line break: edit the YAML by hand"
    return None


def _value(source, path: tuple):
    node = source.data
    for key in path:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def place(text: str, source, item: Feedback) -> tuple[int, int, str] | str:
    """(start, end, scalar style) of the one place in the YAML where the words an item
    touches (`item.old`, at `item.at` of its paragraph) stand, found with the fewest
    neighbouring words; or why there is none."""
    path = origin_path(item.origin)
    start, end = source.spans.get(path, (0, 0))
    style = text[start:start + 1] if text[start:start + 1] in "'\"|>" else ""
    before, after = item.context[:item.at], item.context[item.at + len(item.old):]
    tries = [(n, m) for total in range(2 * _CONTEXT + 1) for n in range(total + 1)
             for m in [total - n] if n <= _CONTEXT and m <= _CONTEXT]
    if not item.old:  # an insertion is placed by the words around it
        tries = [t for t in tries if t != (0, 0)]
    many = 0
    for n, m in tries:
        tail, head = _last_words(before, n), _first_words(after, m)
        if len(tail) < n or len(head) < m:
            continue
        pattern = _pattern("".join(tail), style) + "(" + _pattern(item.old, style) + ")" + \
            _pattern("".join(head), style)
        found = list(re.finditer(pattern, text[start:end]))
        if len(found) == 1:
            return start + found[0].start(1), start + found[0].end(1), style
        many = max(many, len(found))
    if many:
        return (f"its words occur {many} times in {_field(item)} even with the words around "
                "them: apply it by hand")
    return (f"its words are not written as such in {_field(item)} (Markdown markup, a "
            "footnote call or an escape among them): apply it by hand")


def _field(item: Feedback) -> str:
    from ..errors import format_path
    return format_path(origin_path(item.origin))


def _last_words(text: str, n: int) -> list[str]:
    return re.findall(r"\S+\s*|\s+", text)[-n:] if n else []


def _first_words(text: str, n: int) -> list[str]:
    return re.findall(r"\s*\S+|\s+", text)[:n] if n else []


def _pattern(words: str, style: str) -> str:
    """A regular expression for rendered words as the YAML may spell them."""
    out = []
    for part in re.findall(r"[\s\u00a0\u202f]+|.", words):
        if part.strip(_SPACES + "\n\r" + NNBSP) == "":
            out.append(r"\s*" if NNBSP in part and not part.strip(NNBSP) else r"\s+")
        elif part in QUOTES:
            out.append(r"(?:\\\"|''|[" + re.escape(QUOTES) + "])")
        elif part == "\\" and style == '"':
            out.append(r"\\\\")
        else:
            out.append(re.escape(part))
    return "".join(out)


def _quoted(words: str, style: str) -> str:
    """New words as written inside a scalar of this style."""
    if style == '"':
        return words.replace("\\", "\\\\").replace('"', '\\"')
    if style == "'":
        return words.replace("'", "''")
    return words


def _check(new_text: str, source, changes: list[Change], written: list[tuple[str, str]],
           compose) -> str | None:
    """Why the edited letter is not the old one with exactly these changes, or None."""
    from ..letter.source import parse
    try:
        after = parse(new_text, source.file)
    except LetterError as exc:
        return f"the edited YAML would not read ({exc.problems[0].message}): apply it by hand"
    edited = {origin_path(c.item.origin) for c in changes}
    if _without(after.data, edited) != _without(source.data, edited):
        return ("the new words would change the YAML's structure (they need quoting): "
                "apply it by hand")
    edited_origins = {c.item.origin for c in changes}
    expected = {}
    for origin in {c.item.origin for c in changes}:
        words = next(c.item.context for c in changes if c.item.origin == origin)
        for c in sorted((c for c in changes if c.item.origin == origin),
                        key=lambda c: c.item.at, reverse=True):
            words = words[:c.item.at] + c.item.new + words[c.item.at + len(c.item.old):]
        expected[origin] = words
    try:
        now = compose(new_text)
    except LetterError as exc:
        first = exc.problems[0]
        return f"the edited letter would not validate ({first.path}: {first.message})"
    if [o for o, _ in now] != [o for o, _ in written]:
        return "the edited letter would have other paragraphs: apply it by hand"
    for (origin, was), (_, text) in zip(written, now):
        if not _same(expected[origin] if origin in edited_origins else was, text):
            return (f"the edited letter would not read as the copy does at "
                    f"{origin.split('#')[0]} (the new words hold Markdown, or typography "
                    "changes them): apply it by hand")
    return None


def _without(data, paths: set[tuple], here: tuple = ()):
    """The data with the values at `paths` blanked, for comparing everything else."""
    if here in paths:
        return None
    if isinstance(data, dict):
        return {k: _without(v, paths, here + (k,)) for k, v in data.items()}
    if isinstance(data, list):
        return [_without(v, paths, here + (i,)) for i, v in enumerate(data)]
    return data


def _squash(text: str) -> str:
    return " ".join(text.split())


_ONE_QUOTE = str.maketrans({q: "'" for q in QUOTES} | {NNBSP: " "})


def _same(a: str, b: str) -> bool:
    """The same words, whichever quotes typography chose and however lines were broken."""
    return _squash(a.translate(_ONE_QUOTE)).replace("' ", "'").replace(" '", "'") == \
        _squash(b.translate(_ONE_QUOTE)).replace("' ", "'").replace(" '", "'")
