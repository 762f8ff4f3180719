"""The fixed set of count placeholders that prose may use; anything else in braces is text.

User text is never a template: only the exact names below are replaced, by plain string
substitution, so `{{ 7*7 }}` or `{doc.title}` print as written.
"""

from __future__ import annotations

import difflib
import re

NAMES = ("signatory_count", "individual_count")
_PLACEHOLDER = re.compile(r"\{(signatory_count|individual_count)\}")
_LOOKALIKE = re.compile(r"\{\s*([A-Za-z_]{4,30})\s*\}")


def fill(text: str | None, values: dict[str, str]) -> str | None:
    """`text` with each known placeholder replaced by its value (already formatted)."""
    if not text:
        return text
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


class Filled:
    """A Markdown converter whose prose has its placeholders filled in first."""

    def __init__(self, converter, values: dict[str, str]):
        self._converter, self._values = converter, values

    def blocks(self, text: str | None) -> tuple:
        """The converter's blocks of the filled-in text."""
        return self._converter.blocks(fill(text, self._values))


def placeholder_warnings(text: str) -> list[str]:
    """Messages for `{...}` that look like a misspelt placeholder (they would print as is)."""
    messages = []
    for found in _LOOKALIKE.finditer(text or ""):
        word = found.group(1)
        if f"{{{word}}}" == found.group() and word in NAMES:
            continue
        close = difflib.get_close_matches(word.lower(), NAMES, n=1, cutoff=0.75)
        if close:
            messages.append(f"'{found.group()}' is not a placeholder and prints as written; "
                            f"did you mean '{{{close[0]}}}'?")
    return messages
