"""The coordinator's own file beside the letter, `<stem>.signon.json`: the key of the at-risk
names' fingerprints, the mappings decided for each form, the answers decided by hand, the
consent records and the names of anonymous signatories. Never shared, never in an output.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

VERSION = 1
REF = re.compile(r"anon-([0-9a-f]{16})")  # how an anonymous signatory is written in the letter


class CoordinatorFileError(Exception):
    """The coordinator's file cannot be read: drafter will not guess around it."""


def coordinator_path(letter: Path) -> Path:
    """`letter.yaml` -> `letter.signon.json`, beside it."""
    return letter.with_name(letter.stem + ".signon.json")


@dataclass
class CoordinatorFile:
    """What the coordinator decided and recorded; `fresh` when there was no file (or no key)."""

    key: str = ""
    forms: dict = field(default_factory=dict)       # form id -> {"headers": [...], "columns"}
    answers: dict = field(default_factory=dict)     # question -> {answer key: decision}
    signatories: dict = field(default_factory=dict)  # signatory id -> its details and records
    undecided: dict = field(default_factory=dict)   # export file name -> its rows left to decide
    fresh: bool = True
    lost_key: bool = False

    @classmethod
    def load(cls, path: Path) -> "CoordinatorFile":
        """Read the file; a missing one is a fresh start, a broken one an error."""
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return cls(key=secrets.token_hex(32))
        except OSError as exc:
            raise CoordinatorFileError(f"cannot read: {exc.strerror or exc}") from None
        try:
            data = json.loads(raw.decode("utf-8"))
            if not isinstance(data, dict) or data.get("version") != VERSION:
                raise ValueError("not a drafter coordinator file of version 1")
            out = cls(key=str(data.get("key") or ""), forms=dict(data.get("forms") or {}),
                      answers=dict(data.get("answers") or {}),
                      signatories=dict(data.get("signatories") or {}),
                      undecided=dict(data.get("undecided") or {}), fresh=False)
        except (ValueError, UnicodeDecodeError, TypeError) as exc:
            raise CoordinatorFileError(f"is not readable ({exc}); restore it from a copy, or "
                                       "move it away to start a new one") from None
        if not re.fullmatch(r"[0-9a-f]{64}", out.key):
            out.key, out.lost_key = secrets.token_hex(32), True
        return out

    def to_bytes(self) -> bytes:
        data = {"version": VERSION,
                "note": "drafter's coordinator file: contains the names of signatories at risk "
                        "and the key that hides them in the letter. Never share it.",
                "key": self.key, "forms": self.forms, "answers": self.answers,
                "signatories": self.signatories}
        if self.undecided:  # read by `render --final` (an earlier file stays as it was)
            data["undecided"] = self.undecided
        return (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()

    # --- at-risk names ------------------------------------------------------------------------

    def ref(self, key: tuple[str, str]) -> str:
        """The fingerprint written in the letter for a signatory (its matching key): an HMAC,
        so nobody without this file can test guessed names against it."""
        message = f"{key[0]}\0{key[1]}".encode("utf-8")
        return "anon-" + hmac.new(bytes.fromhex(self.key), message,
                                  hashlib.sha256).hexdigest()[:16]

    def hidden_name(self, ref: str) -> tuple[str, str] | None:
        """(organisation, name) kept for an anonymous signatory's fingerprint, if known."""
        entry = self.signatories.get(ref)
        if not entry:
            return None
        return entry.get("organisation", ""), entry.get("name", "")

    # --- decisions ----------------------------------------------------------------------------

    def decided_answer(self, question: str, answer_key: str) -> str | None:
        return (self.answers.get(question) or {}).get(answer_key)

    def record(self, sid: str, details: dict, record: dict) -> None:
        """Keep a row's verbatim answers under the signatory it concerns."""
        entry = self.signatories.setdefault(sid, {"records": []})
        for k, v in details.items():
            if v:
                entry[k] = v
        if record not in entry["records"]:
            entry["records"].append(record)


def form_id(headers: list[str]) -> str:
    """A form is its set of (normalised) headers: the same form exported again has the same
    id, whatever the column order."""
    from .export import header_key
    keys = sorted({header_key(h) for h in headers if header_key(h)})
    return hashlib.sha256("\n".join(keys).encode("utf-8")).hexdigest()[:16]
