"""The coordinator's record of partners' feedback: `LETTER.feedback.yaml` beside the letter.

Each comment, tracked change and untracked edit read from a returned copy gets an id (a digest
of what it is, so reading the same copy again finds the same item) and a status: open until the
coordinator resolves or rejects it (or applies it, later). "Open feedback" is what
`render --final` refuses. The file names partners and quotes their words: it is coordinator
data, never shared with the letter, never in an output.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from .feedback import Feedback

STATUSES = ("open", "applied", "rejected", "resolved")
_FIELDS = ("id", "status", "kind", "path", "author", "date", "text", "words", "returned")


class LedgerError(Exception):
    """The feedback file cannot be read: drafter will not guess around it."""


def ledger_path(letter: Path) -> Path:
    """`letter.yaml` -> `letter.feedback.yaml`, beside it."""
    return letter.with_name(letter.stem + ".feedback.yaml")


def item_id(item: Feedback, path: str) -> str:
    """The same feedback read again (from the same copy) has the same id."""
    key = "\0".join((Path(item.returned).name, item.kind, path, item.author, item.date,
                     item.text, item.words))
    return "fb-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]


def load(path: Path) -> list[dict]:
    """The recorded items, in order; a missing file is none, a broken one an error."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise LedgerError(f"cannot read: {exc}") from None
    try:
        data = YAML(typ="safe", pure=True).load(text) or {}
    except YAMLError as exc:
        raise LedgerError(f"is not readable YAML ({str(exc).splitlines()[0]}); restore it "
                          "from a copy, or move it away to start a new one") from None
    items = data.get("feedback") if isinstance(data, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, dict) and i.get("status") in
                                              STATUSES and i.get("id") for i in items):
        raise LedgerError("is not drafter's feedback file (a `feedback:` list of items with "
                          f"an id and a status: {', '.join(STATUSES)})")
    return [{k: str(i.get(k, "")) for k in _FIELDS} for i in items]


def merged(recorded: list[dict], found: list[tuple[Feedback, str]]) -> list[dict]:
    """The recorded items, then each newly found one (open); one found again keeps its status."""
    out = [dict(i) for i in recorded]  # copies: a status set on them is a change to write
    known = {i["id"] for i in recorded}
    for item, path in found:
        ident = item_id(item, path)
        if ident in known:
            continue
        known.add(ident)
        out.append({"id": ident, "status": "open", "kind": item.kind, "path": path,
                    "author": item.author, "date": item.date, "text": item.text,
                    "words": item.words, "returned": Path(item.returned).name})
    return out


def dump(items: list[dict]) -> bytes:
    """The file's bytes: a note saying what it is, then the items."""
    from ruamel.yaml import YAML
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    out = io.StringIO()
    out.write("# drafter's record of partners' feedback on the letter beside it: who said what,\n"
              "# and what became of it. It names partners: never share or commit it.\n")
    yaml.dump({"feedback": items}, out)
    return out.getvalue().encode("utf-8")


def set_status(items: list[dict], ids: list[str], status: str) -> list[str]:
    """Set the status of the items named; the ids that name none."""
    unknown = [i for i in ids if i not in {item["id"] for item in items}]
    for item in items:
        if item["id"] in ids:
            item["status"] = status
    return unknown
