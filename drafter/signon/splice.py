"""Add signatories to a letter's YAML as text, so that every byte outside the new lines stays
as it was: comments, key order, quoting, indentation and line width.

The new entries are written after the last signatory in the file's own indentation (block
lists, an entry's dash alone on its line included) or inside the brackets (flow lists), and the
result is parsed again and compared with the original before anything is written.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

from ..letter.source import Source, parse

KEY_ORDER = ("organisation", "name", "role", "affiliation", "country", "group", "url",
             "anonymous", "status")
_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`=+~][^\n]*")
_RESERVED = re.compile(r"(?i)(true|false|yes|no|on|off|y|n|null|~|[-+.\d][\d._:eE+-]*)")
# What YAML does not take raw inside a scalar (control characters, NEL, the line and paragraph
# separators, a BOM, non-characters): written as escapes in double quotes.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]")
_DOCUMENT_END = re.compile(r"^\.\.\.(?=[ \t\r\n]|$)", re.MULTILINE)
_BREAK = re.compile("\r\n|[\n\r]")  # line breaks as ruamel's reader counts lines (not NEL, U+2028)
_KEEP = re.compile(r"[|>][1-9]?\+")  # a block scalar that keeps its trailing blank lines


class SpliceError(Exception):
    """The new text would not be the old letter plus the new signatories (a drafter bug)."""


def scalar(text: str, flow: bool = False) -> str:
    """`text` as a YAML scalar: plain when it reads back unchanged, else double-quoted."""
    plain = (_PLAIN.fullmatch(text) and not _UNSAFE.search(text) and text == text.strip()
             and ": " not in text and " #" not in text and not text.endswith(":")
             and not _RESERVED.fullmatch(text) and not (flow and re.search(r"[,\[\]{}:#]", text)))
    if plain:
        return text
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=False))


def _item_lines(fields: dict, as_string: bool, dash: str, key_indent: str) -> list[str]:
    """One block-list entry as lines."""
    if as_string:
        return [f"{dash}{scalar(fields['organisation'])}"]
    keys = [k for k in KEY_ORDER if k in fields]
    lines = []
    for i, key in enumerate(keys):
        value = scalar(fields[key]) if key != "anonymous" else "true"
        lines.append(f"{dash if i == 0 else key_indent}{key}: {value}")
    return lines


def _flow_item(fields: dict, as_string: bool) -> str:
    if as_string:
        return scalar(fields["organisation"], flow=True)
    keys = [k for k in KEY_ORDER if k in fields]
    return "{" + ", ".join(f"{k}: {scalar(fields[k], True) if k != 'anonymous' else 'true'}"
                           for k in keys) + "}"


def _plain_only(fields: dict) -> bool:
    return set(fields) == {"organisation"}


def splice(text: str, source: Source, entries: list[dict]) -> str:
    """The letter text with `entries` (signatory fields) added at the end of its list."""
    if not entries:
        return text
    newline = "\r\n" if "\r\n" in text else "\n"
    data = source.data if isinstance(source.data, dict) else {}
    existing = data.get("signatories")
    items = existing if isinstance(existing, list) else []
    strings = not items or any(isinstance(s, str) for s in items)
    if "signatories" not in data:
        return _new_list(text, source, entries, newline)
    start, end = source.spans[("signatories",)]
    if isinstance(existing, list) and text[start:start + 1] == "[":  # a flow list: [A, B]
        new = [_flow_item(e, strings and _plain_only(e)) for e in entries]
        if not items:
            close = text.rindex("]", start, end)
            return text[:close] + ", ".join(new) + text[close:]
        begin, at = source.spans[("signatories", len(items) - 1)]
        indent = text[_line_start(text, begin):begin]
        if "\n" in text[start:end] and not indent.strip():
            # One entry a line, as the list is written.
            return text[:at] + "".join(f",{newline}{indent}{item}" for item in new) + text[at:]
        return text[:at] + "".join(f", {item}" for item in new) + text[at:]
    if not items:  # `signatories:` with nothing after it
        if end > start and existing is None:
            raise SpliceError(f"signatories: is written as '{text[start:end]}' (nothing); "
                              "remove that word so that the list can be written under it")
        where = source.keys[("signatories",)]
        line_end = _line_end(text, _index(text, where))
        indent = " " * (where[1] - 1)
        lines = [ln for e in entries
                 for ln in _item_lines(e, strings and _plain_only(e), indent + "  - ",
                                       indent + "    ")]
        return text[:line_end] + newline + newline.join(lines) + text[line_end:]
    last = len(items) - 1
    dash, key_indent, string_dash = _layout(text, source, last, newline)
    at = _after_item(text, source, last)
    lines = []
    for e in entries:
        plain = strings and _plain_only(e)
        lines += _item_lines(e, plain, string_dash if plain else dash, key_indent)
    block = newline.join(lines) + newline
    if at == len(text) and not text.endswith("\n"):
        block = newline + block
    return text[:at] + block + text[at:]


def _new_list(text: str, source: Source, entries: list[dict], newline: str) -> str:
    """A letter without `signatories:`: the list added after its last key."""
    root, root_end = source.spans[()]
    if text[root:root + 1] == "{":  # the whole letter is one flow mapping
        close = text.rindex("}", root, root_end)
        items = ", ".join(_flow_item(e, _plain_only(e)) for e in entries)
        comma = "" if text[:close].rstrip().endswith((",", "{")) else ", "
        return text[:close] + f"{comma}signatories: [{items}]" + text[close:]
    indent = " " * (source.values[()][1] - 1)
    lines = [indent + "signatories:"] + [
        ln for e in entries
        for ln in _item_lines(e, _plain_only(e), indent + "  - ", indent + "    ")]
    marker = _DOCUMENT_END.search(text, root)  # `...`: the list goes before it
    at = marker.start() if marker else len(text)
    sep = "" if at == 0 or text[at - 1] == "\n" else newline
    return text[:at] + sep + newline.join(lines) + newline + text[at:]


@lru_cache(maxsize=2)
def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in _BREAK.finditer(text)]


def _index(text: str, where: tuple[int, int]) -> int:
    """The character index of a (line, column) position of ruamel's, both from 1."""
    line, column = where
    start = _line_starts(text)[line - 1]
    if "\ufeff" not in text:
        return start + column - 1
    at = start  # ruamel does not count a BOM inside a line as a column
    while column > 1 or text[at] == "\ufeff":
        column -= text[at] != "\ufeff"
        at += 1
    return at


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _next_line(text: str, index: int) -> int:
    """Where the line after the one holding `index` starts (or the end of the text)."""
    end = text.find("\n", index)
    return len(text) if end < 0 else end + 1


def _line_end(text: str, index: int) -> int:
    """Index of the newline ending the line that holds `index` (or the end of the text)."""
    end = text.find("\n", index)
    if end < 0:
        return len(text)
    return end - 1 if end > 0 and text[end - 1] == "\r" else end


def _layout(text: str, source: Source, item: int, newline: str) -> tuple[str, str, str]:
    """How the list's entries are written, from its entry `item`: the start of a mapping
    entry's first line ("  - ", or "  -" and a line break and the indentation when the entry
    starts on the line after its dash), its keys' indentation, and the start of a plain
    string entry."""
    node = source.spans[("signatories", item)][0]
    line_start = _line_start(text, node)
    before = text[line_start:node]
    if not before.strip():  # the dash alone on a line above the entry
        dash_line = _dash_line(text, line_start)
        if dash_line is None:
            return "  - ", "    ", "  - "
        prefix = text[dash_line:text.index("-", dash_line)]
        return f"{prefix}-{newline}{before}", before, prefix + "- "
    dash = text.rfind("-", line_start, node)
    prefix = text[line_start:dash]
    if dash < 0 or prefix.strip():  # "- - x" or other nesting: fall back to the usual form
        return "  - ", "    ", "  - "
    if dash + 1 == node:  # an empty entry, "-" and nothing after it
        return prefix + "- ", " " * (len(prefix) + 2), prefix + "- "
    return prefix + text[dash:node], " " * (node - line_start), prefix + text[dash:node]


def _dash_line(text: str, line_start: int) -> int | None:
    """The start of the line above `line_start` that holds the entry's dash (blank lines and
    comments between them skipped), or None."""
    end = line_start
    while end > 0:
        begin = _line_start(text, end - 1)
        content = text[begin:end].strip()
        if content and not content.startswith("#"):
            return begin if content.startswith("-") else None
        end = begin
    return None


def _indents(text: str, source: Source, item: int) -> tuple[str, str]:
    """The start of the first line of entry `item` as written ("  - "; its indentation alone
    when its dash stands on a line above) and the indentation of its keys."""
    node = source.spans[("signatories", item)][0]
    before = text[_line_start(text, node):node]
    if not before.strip():
        return before, before
    dash, key_indent, _ = _layout(text, source, item, "\n")
    return dash, key_indent


def _after_item(text: str, source: Source, item: int) -> int:
    """Where the line after the entry's last line starts (its trailing comment included)."""
    path = ("signatories", item)
    at = _next_line(text, source.spans[path][0])
    for sub, value in _nodes(source.data["signatories"][item], path):
        at = max(at, _after_node(text, source, sub, value))
    return at


def _nodes(value, path: tuple):
    """(path, value) of a node and of every node inside it."""
    yield path, value
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _nodes(child, path + (key,))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from _nodes(child, path + (i,))


def _after_node(text: str, source: Source, path: tuple, value) -> int:
    """Where the line after the last line of one node (and of its key) starts, as far as the
    node itself tells: 0 when its lines are those of the nodes inside it."""
    at = _next_line(text, _index(text, source.keys[path])) if path in source.keys else 0
    begin, end = source.spans[path]
    if isinstance(value, (dict, list)):
        # A flow collection ends at its bracket; a block one's end mark lies after the blank
        # lines and comments that follow it, so its children say where it ends.
        return max(at, _next_line(text, end - 1)) if text[begin:begin + 1] in "[{" else at
    if end == begin:
        # An empty value: a list entry's stands right after its dash; a key's, at whatever
        # comes next (the key's line is the value's line).
        return max(at, _next_line(text, begin)) if isinstance(path[-1], int) else at
    if _KEEP.match(text, begin):  # `|+`: the blank lines up to its end mark are its text
        return max(at, end if end == len(text) or text[end - 1] == "\n"
                   else _next_line(text, end))
    while end > begin and text[end - 1] in " \t\r\n":
        end -= 1
    return max(at, _next_line(text, end))


def _common_prefix(a: str, b: str) -> int:
    """The length of the longest common prefix of two texts."""
    n, at, step = min(len(a), len(b)), 0, 4096
    while at < n and a[at:at + step] == b[at:at + step]:
        at += step
    at = min(at, n)
    while at < n and a[at] == b[at]:
        at += 1
    return at


def check(old: str, new: str, file: str, entries: list[dict]) -> None:
    """Raise SpliceError unless `new` reads as `old` with exactly `entries` appended."""
    same = _common_prefix(old, new)
    if not new.endswith(old[same:]) or len(new) <= len(old):
        raise SpliceError("the merged letter would change text outside the signatory list; "
                          "nothing was written (please report this)")
    if _reads_alike_in_c(old, new, file, entries):
        return
    before, after = parse(old, file).data, parse(new, file).data
    was = before.get("signatories") or []
    now = after.get("signatories") or []
    added = [{k: v for k, v in (item.items() if isinstance(item, dict) else
                                [("organisation", item)])} for item in now[len(was):]]
    expected = [{k: (v if k != "anonymous" else "true") for k, v in e.items()} for e in entries]
    rest_before = {k: v for k, v in before.items() if k != "signatories"}
    rest_after = {k: v for k, v in after.items() if k != "signatories"}
    if now[:len(was)] != was or added != expected or rest_before != rest_after:
        raise SpliceError("the merged letter would not read back as the old one plus the new "
                          "signatories; nothing was written (please report this)")


def _reads_alike_in_c(old: str, new: str, file: str, entries: list[dict]) -> bool:
    """The same check with libyaml (PyYAML's C parser, every scalar read as text), 50 times
    faster than the position-keeping pure-Python parser on a letter of 40,000 signatories.

    It is trusted only when it reads the old letter exactly as drafter's own parser does (so
    the two agree on every construct the file uses) and reads the new text as the old plus
    exactly the new entries, which drafter wrote itself as plain or JSON-quoted scalars that
    YAML 1.1 and 1.2 read alike. Anything else (no libyaml, a disagreement, an error) falls
    back to the full check."""
    try:
        import yaml
        loader = yaml.CBaseLoader
    except (ImportError, AttributeError):  # PyYAML built without libyaml
        return False
    try:
        c_old, c_new = yaml.load(old, Loader=loader), yaml.load(new, Loader=loader)
    except (yaml.YAMLError, RecursionError, ValueError, TypeError):
        return False
    if not isinstance(c_old, dict) or not isinstance(c_new, dict) or \
            c_old != parse(old, file).data:
        return False
    was, now = c_old.get("signatories") or [], c_new.get("signatories") or []
    if not isinstance(was, list) or not isinstance(now, list) or now[:len(was)] != was:
        return False
    added = [item if isinstance(item, dict) else {"organisation": item}
             for item in now[len(was):]]
    expected = [{k: (v if k != "anonymous" else "true") for k, v in e.items()} for e in entries]
    rest = {k: v for k, v in c_old.items() if k != "signatories"}
    return added == expected and rest == {k: v for k, v in c_new.items() if k != "signatories"}
