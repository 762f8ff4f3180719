"""The stamp record beside a translation file: what each translation was stamped against.

`letter.fr.yaml` keeps only a fingerprint of the source text (`source:`), which tells that the
source changed but not how, nor whether the translation was touched since. `drafter
translations stamp` therefore also writes `letter.fr.stamps.json` beside it: for each stamped
translation, the source text and the fingerprints of both texts at stamp time. A missing or
unreadable record only makes word diffs unavailable; the translation file stays the authority.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

from ..errors import Problem

DIFF_LIMIT = 200  # characters of a word diff in a message
_CONTEXT = 3  # unchanged words shown around each change
_ABOUT = ("Written by drafter translations stamp: the source text each translation of {name} "
          "was stamped against, for word diffs when the source changes. Keep it beside {name}.")


def stamps_path(edition: Path) -> Path:
    """`<stem>.<lang>.stamps.json` beside `<stem>.<lang>.yaml`."""
    return edition.with_name(edition.name[:-len(".yaml")] + ".stamps.json")


def read_stamps(edition: Path) -> tuple[dict, list[Problem]]:
    """The records that agree with their own fingerprints, and a warning if the file is
    unreadable (no file at all is no record, said where a record is needed)."""
    from ..output import files as io
    from .editions import FINGERPRINT, fingerprint
    from .source import MAX_BYTES
    path = stamps_path(edition)
    if not path.is_file():
        return {}, []
    try:
        raw = io.read_bytes(path, 4 * MAX_BYTES)
        data = json.loads(raw.decode("utf-8")) if len(raw) <= 4 * MAX_BYTES else None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        data = exc
    entries = data.get("stamps") if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        return {}, [Problem(str(path), 1, 1, "", "cannot be read as drafter's stamp record; "
                            "word diffs of stale translations are unavailable until the next "
                            "stamp rewrites it", "warning")]
    records = {}
    for key, record in entries.items():
        if isinstance(record, dict) and all(isinstance(record.get(k), str) and
                                            FINGERPRINT.fullmatch(record[k])
                                            for k in ("source", "translation")) \
                and isinstance(record.get("source_text"), str) \
                and fingerprint(record["source_text"]) == record["source"]:
            records[key] = record
    return records, []


def record(source_text: str, translation: str) -> dict:
    """The record of one translation stamped now."""
    from .editions import fingerprint
    return {"source": fingerprint(source_text), "translation": fingerprint(translation),
            "source_text": source_text}


def stamps_file(edition: Path, records: dict) -> bytes:
    """The record file's bytes (sorted keys: a re-stamp changes only what changed)."""
    body = {"about": _ABOUT.format(name=edition.name), "stamps": dict(sorted(records.items()))}
    return (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def word_diff(old: str, new: str, limit: int = DIFF_LIMIT) -> str:
    """`[-old words-]{+new words+}` with a few unchanged words around each change; at most
    `limit` characters, "…" where cut."""
    a, b = old.split(), new.split()
    if a == b:
        return "(the same words; only the paragraph breaks changed)"
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    parts = []
    for n, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            words = a[i1:i2]
            head = [] if n == 0 else words[:_CONTEXT]  # after the change before it
            tail = [] if n == len(opcodes) - 1 else words[-_CONTEXT:]  # before the next
            parts += words if len(words) <= len(head) + len(tail) else head + ["…"] + tail
            continue
        parts.append(("[-" + " ".join(a[i1:i2]) + "-]" if i2 > i1 else "")
                     + ("{+" + " ".join(b[j1:j2]) + "+}" if j2 > j1 else ""))
    text = " ".join(parts)
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"
