"""Add signatories to a letter's YAML as text, so that every byte outside the new lines stays
as it was: comments, key order, quoting, indentation and line width.

The new entries are written after the last signatory in the file's own indentation (block
lists) or inside the brackets (flow lists), and the result is parsed again and compared with
the original before anything is written.
"""

from __future__ import annotations

import json
import re

from ..yamlsource import Source, parse

KEY_ORDER = ("organisation", "name", "role", "affiliation", "country", "group", "url",
             "anonymous")
_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`=+~][^\n]*")
_RESERVED = re.compile(r"(?i)(true|false|yes|no|on|off|y|n|null|~|[-+.\d][\d._:eE+-]*)")


class SpliceError(Exception):
    """The new text would not be the old letter plus the new signatories (a drafter bug)."""


def scalar(text: str, flow: bool = False) -> str:
    """`text` as a YAML scalar: plain when it reads back unchanged, else double-quoted."""
    plain = (_PLAIN.fullmatch(text) and text == text.strip() and ": " not in text
             and " #" not in text and not text.endswith(":") and not _RESERVED.fullmatch(text)
             and not (flow and re.search(r"[,\[\]{}]", text)))
    return text if plain else json.dumps(text, ensure_ascii=False)


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
    existing = source.data.get("signatories") if isinstance(source.data, dict) else None
    items = existing if isinstance(existing, list) else []
    strings = not items or any(isinstance(s, str) for s in items)
    if "signatories" not in (source.data or {}):
        body = [f"  - {scalar(e['organisation'])}" if strings and _plain_only(e) else None
                for e in entries]
        lines = ["signatories:"]
        for entry, line in zip(entries, body):
            lines += [line] if line else _item_lines(entry, False, "  - ", "    ")
        sep = "" if not text or text.endswith("\n") else newline
        return text + sep + newline.join(lines) + newline
    start, end = source.spans[("signatories",)]
    if text[start:start + 1] == "[":  # a flow list: [A, B]
        new = ", ".join(_flow_item(e, strings and _plain_only(e)) for e in entries)
        if items:
            at = source.spans[("signatories", len(items) - 1)][1]
            return text[:at] + ", " + new + text[at:]
        close = text.rindex("]", start, end)
        return text[:close] + new + text[close:]
    if not items:  # `signatories:` with nothing after it
        line_end = _line_end(text, _index(text, source.keys[("signatories",)]))
        lines = [ln for e in entries
                 for ln in _item_lines(e, strings and _plain_only(e), "  - ", "    ")]
        return text[:line_end] + newline + newline.join(lines) + text[line_end:]
    last = len(items) - 1
    dash, key_indent = _indents(text, source, last)
    at = _after_item(text, source, last)
    lines = [ln for e in entries
             for ln in _item_lines(e, strings and _plain_only(e), dash, key_indent)]
    block = newline.join(lines) + newline
    if at == len(text) and not text.endswith("\n"):
        block = newline + block
    return text[:at] + block + text[at:]


def _index(text: str, where: tuple[int, int]) -> int:
    """The character index of a (line, column) position, both from 1."""
    line, column = where
    offset = 0
    for _ in range(line - 1):
        offset = text.index("\n", offset) + 1
    return offset + column - 1


def _line_end(text: str, index: int) -> int:
    """Index of the newline ending the line that holds `index` (or the end of the text)."""
    end = text.find("\n", index)
    if end < 0:
        return len(text)
    return end - 1 if end > 0 and text[end - 1] == "\r" else end


def _indents(text: str, source: Source, item: int) -> tuple[str, str]:
    """The dash prefix ("  - ") and the key indentation of the list's entries, as written."""
    node = source.spans[("signatories", item)][0]
    dash = text.rfind("-", 0, node)
    line_start = text.rfind("\n", 0, dash) + 1
    prefix = text[line_start:dash]
    if prefix.strip():  # "- - x" or other nesting: fall back to the usual form
        return "  - ", "    "
    return prefix + text[dash:node], " " * (node - line_start)


def _after_item(text: str, source: Source, item: int) -> int:
    """Where the line after the entry's last line starts (its trailing comment included)."""
    prefix = ("signatories", item)
    last = 0
    # Scalars' ends are exact; a mapping's own end lies after any comments that follow it.
    scalar_node = not isinstance(source.data["signatories"][item], (dict, list))
    for path, (begin, end) in source.spans.items():
        if path[:2] == prefix and end > begin and (len(path) > 2 or scalar_node):
            last = max(last, end)
    for path, where in source.keys.items():
        if path[:2] == prefix:
            last = max(last, _index(text, where))
    while last > 0 and text[last - 1] in " \t\r\n":
        last -= 1
    newline = text.find("\n", last)
    return len(text) if newline < 0 else newline + 1


def check(old: str, new: str, file: str, entries: list[dict]) -> None:
    """Raise SpliceError unless `new` reads as `old` with exactly `entries` appended."""
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
    # Only an insertion: the old text is a prefix of the new, then the rest of it its suffix.
    same = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))
    if not new.endswith(old[same:]) or len(new) <= len(old):
        raise SpliceError("the merged letter would change text outside the signatory list; "
                          "nothing was written (please report this)")
