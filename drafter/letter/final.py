"""What `drafter render --final` refuses: a letter whose status is still draft, signatories
still pending, sign-on rows still waiting for the coordinator's decision, and partners'
feedback still open. A draft mark must never reach a head of state by accident, nor a list
that is not settled, nor a partner's objection nobody answered.

Pending signatories and undecided rows are not printed anyway; `--allow-pending` sends the
letter without them when that is the decision. A draft is never final: change its `status:`.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import Problem
from .source import MAX_BYTES, decode, parse


def final_problems(path: Path, allow_pending: bool = False) -> list[Problem]:
    """Every reason the letter at `path` (already validated) is not ready to send, located."""
    from ..output import files as io
    source = parse(decode(io.read_bytes(path, MAX_BYTES), str(path)), str(path))
    data = source.data if isinstance(source.data, dict) else {}
    problems = []
    if data.get("status") == "draft":
        problems.append(source.problem(("status",), "the letter is still a draft; set "
                                       "`status: final` when it is ready to send"))
    if allow_pending:
        return problems
    signatories = data.get("signatories") if isinstance(data.get("signatories"), list) else []
    for i, sig in enumerate(signatories):
        if isinstance(sig, dict) and sig.get("status") == "pending":
            shown = sig.get("organisation") or sig.get("name") or "(anonymous)"
            problems.append(source.problem(("signatories", i), f"'{shown}' is still pending: "
                                           "confirm it, withdraw it, or send without it "
                                           "(--final --allow-pending)"))
    problems += _undecided(path)
    return problems + _open_feedback(path)


def _open_feedback(path: Path) -> list[Problem]:
    """Partners' feedback still open in the letter's feedback file (drafter feedback)."""
    from ..rounds import ledger
    record = ledger.ledger_path(path)
    try:
        items = ledger.load(record)
    except ledger.LedgerError as exc:
        return [Problem(str(record), 1, 1, "", str(exc))]
    return [Problem(str(record), 1, 1, f"feedback {i['id']}", f"still open: {i['kind']} by "
                    f"{i['author'] or 'an unknown author'} on {i['path'] or 'no field'}; "
                    f"resolve or reject it (drafter feedback {path.name} --resolve {i['id']})")
            for i in items if i["status"] == "open"]


def _undecided(path: Path) -> list[Problem]:
    """Sign-on rows the last import of each export left for a decision (the coordinator's
    file beside the letter records them; no file, no rows)."""
    from ..signon.coordinator import CoordinatorFile, CoordinatorFileError, coordinator_path
    sidecar = coordinator_path(path)
    if not sidecar.is_file():
        return []
    try:
        coord = CoordinatorFile.load(sidecar)
    except CoordinatorFileError as exc:
        return [Problem(str(sidecar), 1, 1, "", str(exc))]
    return [Problem(str(sidecar), 1, 1, "undecided", f"{len(rows)} row"
                    f"{'s' if len(rows) != 1 else ''} of {export} still "
                    f"need{'' if len(rows) != 1 else 's'} a decision (row"
                    f"{'s' if len(rows) != 1 else ''} {', '.join(map(str, rows[:10]))}"
                    f"{', …' if len(rows) > 10 else ''}): import it again to see them, and "
                    "decide them with --answer or --map, or send without them "
                    "(--final --allow-pending)")
            for export, rows in sorted(coord.undecided.items()) if rows]
