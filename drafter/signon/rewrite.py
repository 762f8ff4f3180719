"""Replace listed signatories' entries in the letter's YAML as text (a signatory made
anonymous by a later answer), every other byte unchanged, checked by parsing it again."""

from __future__ import annotations

from ..letter.source import Source, parse
from .splice import SpliceError, _after_item, _flow_item, _indents, _item_lines


def replace_entries(text: str, source: Source, new: dict[int, dict]) -> str:
    """The letter text with the signatories at the given indexes replaced by new fields.

    The whole entry goes, comments inside it included: they may name the organisation."""
    if not new:
        return text
    items = source.data["signatories"]
    start, _ = source.spans[("signatories",)]
    flow = text[start:start + 1] == "["
    edits = []
    for i, fields in new.items():
        begin, end = source.spans[("signatories", i)]
        if flow:
            edits.append((begin, end, _flow_item(fields, False)))
            continue
        dash, key_indent = _indents(text, source, i)
        line_start = text.rfind("\n", 0, begin) + 1
        newline = "\r\n" if "\r\n" in text else "\n"
        lines = _item_lines(fields, False, dash, key_indent)
        edits.append((line_start, _after_item(text, source, i), newline.join(lines) + newline))
    for begin, end, replacement in sorted(edits, reverse=True):
        text = text[:begin] + replacement + text[end:]
    after = parse(text, source.file).data
    expected = [({k: ("true" if k == "anonymous" else v) for k, v in new[i].items()}
                 if i in new else item) for i, item in enumerate(items)]
    rest = {k: v for k, v in source.data.items() if k != "signatories"}
    if after.get("signatories") != expected or \
            {k: v for k, v in after.items() if k != "signatories"} != rest:
        raise SpliceError("making a signatory anonymous would change other parts of the "
                          "letter; nothing was written (please report this)")
    return text
