"""Decide, row by row, what an export does to a letter: add a signatory, skip a row (why), make
a listed signatory anonymous, or leave the row to the coordinator (near matches, formula-like
names, answers that are not a clear yes or no).

Only a clear yes signs and only a clear yes publishes a name (questions.py); an answer the
coordinator decided once (`--answer`) is read as decided. Duplicates follow drafter.letter.matching,
the rules `drafter validate` uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..letter.matching import NameIndex, signatory_key
from ..letter.model import _WEB_URL
from .coordinator import REF, CoordinatorFile
from .export import Row, Table
from .questions import answer_key, clear_answer

FORMULA_START = ("=", "+", "-", "@")
DETAILS = ("organisation", "name", "role", "country", "group", "affiliation", "url", "logo")


@dataclass
class Entry:
    """A signatory that an export row adds to the letter, and its coordinator-only data."""

    row: int
    fields: dict  # what the letter holds: for an anonymous one, its fingerprint only
    contacts: dict  # email, phone, contact, contact_position
    hidden: dict = field(default_factory=dict)  # an anonymous one's details (coordinator only)
    shown: str = ""

    @property
    def anonymous(self) -> bool:
        return bool(self.fields.get("anonymous"))


@dataclass
class Outcome:
    """One export row that is not simply added: skipped or left for a decision."""

    row: int
    shown: str
    message: str
    hidden: bool = False  # the name is at risk: masked where the report may be logged


@dataclass
class Plan:
    """What an import would do."""

    added: list[Entry] = field(default_factory=list)
    skipped: list[Outcome] = field(default_factory=list)
    decide: list[Outcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    hide: dict = field(default_factory=dict)  # letter index -> the entry's new fields
    records: list[tuple[str, dict, dict]] = field(default_factory=list)  # (id, details, record)


@dataclass(frozen=True)
class Existing:
    """A signatory already in the letter, as a report names it."""

    index: int
    line: int
    shown: str
    status: str
    anonymous: bool = False
    ref: str = ""

    def __str__(self) -> str:
        return f"'{self.shown}' (signatories[{self.index}], line {self.line})"


@dataclass(frozen=True)
class Earlier:
    """A signatory that an earlier row of the same export adds."""

    row: int
    shown: str
    anonymous: bool = False

    def __str__(self) -> str:
        return f"'{self.shown}' (row {self.row})"


def looks_like_formula(text: str) -> bool:
    """A cell a spreadsheet would run as a formula (=, +, -, @ first)."""
    return text.lstrip().startswith(FORMULA_START)


@dataclass
class Letter:
    """The letter's signatories as an import sees them."""

    raw: list
    index: NameIndex
    refs: dict  # fingerprint -> Existing (anonymous signatories written as "anon-...")
    unknown_refs: int = 0  # fingerprints the coordinator's file has no name for


def existing(signatories: list, line_of, coord: CoordinatorFile) -> Letter:
    """The letter's signatories (raw YAML data) indexed for matching; an anonymous one known
    by its fingerprint is indexed under the name the coordinator's file keeps for it."""
    letter = Letter(signatories, NameIndex(), {})
    for i, sig in enumerate(signatories):
        if isinstance(sig, str):
            org, name, status, anonymous = sig, "", "confirmed", False
        elif isinstance(sig, dict):
            org, name = _text(sig.get("organisation")), _text(sig.get("name"))
            status = _text(sig.get("status")) or "confirmed"
            anonymous = _text(sig.get("anonymous")) == "true"
        else:
            continue
        ref = next((t for t in (org, name) if REF.fullmatch(t)), "")
        if ref:
            payload = Existing(i, line_of(i), ref, status, True, ref)
            letter.refs[ref] = payload
            known = coord.hidden_name(ref)
            if known is None:
                letter.unknown_refs += 1
            else:
                letter.index.add(known[0], known[1], payload)
            continue
        letter.index.add(org, name, Existing(i, line_of(i), org or name, status, anonymous))
    return letter


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def hint(question: str, given: str, choices: str) -> str:
    """The option that records the coordinator's reading of an answer."""
    text = given.replace('"', '\\"')
    return f'--answer "{question}:{text}={choices}"'


class _Reader:
    """Reads one row's answers: the coordinator's recorded decision, else the clear word."""

    def __init__(self, table: Table, coord: CoordinatorFile):
        self.table, self.coord = table, coord

    def said(self, row: Row, question: str) -> tuple[str | None, str]:
        given = row.get(question)
        decided = self.coord.decided_answer(question, answer_key(given))
        return decided or clear_answer(given), given

    def consent(self, row: Row) -> tuple[str | None, str]:
        """("yes" | "no" | "pending" | None, the answer as written); yes without a question."""
        if not self.table.header_of("consent"):
            return "yes", ""
        return self.said(row, "consent")

    def published(self, row: Row) -> tuple[bool, list[str]]:
        """Whether the name may be printed, and why not for certain (unclear answers)."""
        named, unclear = True, []
        for question, yes_names in (("publish", True), ("anonymous", False)):
            header = self.table.header_of(question)
            if not header:
                continue
            said, given = self.said(row, question)
            if said not in ("yes", "no"):
                named = False
                what = f"the answer '{given}' to '{header}' is not a clear yes or no" if given \
                    else f"no answer to '{header}'"
                unclear.append(f"{what} ({hint(question, given, 'yes|no')})")
            elif (said == "yes") != yes_names:
                named = False
        return named, unclear

    def record(self, row: Row, export: str, outcome: str) -> dict:
        answers = {self.table.header_of(q): row.get(q) for q in ("consent", "publish",
                                                                 "anonymous")
                   if self.table.header_of(q)}
        return {"export": export, "row": row.number, "timestamp": row.get("timestamp"),
                "answers": answers, "outcome": outcome}


def plan_import(table: Table, letter: Letter, coord: CoordinatorFile, export: str = "",
                group: str | None = None) -> Plan:
    """Classify every row of the export against the letter and the rows before it."""
    plan, read = Plan(), _Reader(table, coord)
    index, consent_header = letter.index, table.header_of("consent")
    refusals: list[tuple[Row, str, str]] = []
    for row in table.rows:
        org, name = row.get("organisation"), row.get("name")
        shown = org or name
        if not shown:
            plan.skipped.append(Outcome(row.number, "", "no organisation or name given"))
            continue
        key = signatory_key(org, name)
        ref = coord.ref(key)
        named, unclear = read.published(row)
        hidden = not named
        said, given = read.consent(row)
        if said == "no":
            refusals.append((row, shown, given))
            plan.records.append(_record(row, ref, hidden, read.record(row, export, "declined")))
            continue
        if said not in ("yes", "pending"):
            what = f"the answer '{given}' to '{consent_header}' is not a clear yes" if given \
                else f"no answer to '{consent_header}'"
            plan.decide.append(Outcome(row.number, shown, (
                f"{what}: not added ({hint('consent', given, 'yes|no|pending')})"), hidden))
            plan.records.append(_record(row, ref, hidden, read.record(row, export,
                                                                      "needs a decision")))
            continue
        formula = [f for f in ("organisation", "name") if row.get(f) and (
            looks_like_formula(row.get(f)) or f in row.formulas)]
        if formula:
            plan.decide.append(Outcome(row.number, shown, (
                f"the {formula[0]} '{row.get(formula[0])}' looks like a spreadsheet "
                "formula; not added"), hidden))
            continue
        same = letter.refs.get(ref) or index.same(org, name)
        if same is not None:
            _again(plan, row, shown, same, named, unclear, letter, coord)
            plan.records.append(_record(row, ref, hidden or getattr(same, "anonymous", False),
                                        read.record(row, export, "already listed")))
            continue
        near = index.near(org, name)
        if near is not None:
            reason, _, other = near
            where = "in the letter" if isinstance(other, Existing) else "in this export"
            plan.decide.append(Outcome(row.number, shown, f"{reason} {other} {where}; add it "
                                                          "by hand if it signs separately",
                                       hidden))
            continue
        entry = _entry(row, plan, ref if hidden else "", said == "pending", group)
        plan.added.append(entry)
        for message in unclear:
            plan.decide.append(Outcome(row.number, shown, f"added as anonymous until you "
                                       f"decide: {message}", True))
        plan.records.append(_record(row, ref, hidden, read.record(row, export, "added")))
        index.add(org, name, Earlier(row.number, ref if hidden else shown, hidden))
    for row, shown, given in refusals:
        same = letter.refs.get(coord.ref(signatory_key(row.get("organisation"),
                                                         row.get("name")))) or \
            index.same(row.get("organisation"), row.get("name"))
        message = f"declined: answered '{given}' to '{consent_header}'"
        if isinstance(same, Existing) and same.status != "withdrawn":
            plan.decide.append(Outcome(row.number, shown, f"answered '{given}' to "
                                       f"'{consent_header}' (row {row.number}), but it signs "
                                       f"as {same}{_origin(coord, row)}: if it withdrew, set "
                                       "status: withdrawn"))
        elif isinstance(same, Earlier):
            plan.decide.append(Outcome(row.number, shown, f"answered '{given}' here, but "
                                       f"{same} signs: which row is its answer?"))
        else:
            plan.skipped.append(Outcome(row.number, shown, message))
    return plan


def _record(row: Row, ref: str, hidden: bool, record: dict) -> tuple[str, dict, dict]:
    """A consent record, under the fingerprint for an at-risk name, else the name's key."""
    org, name = row.get("organisation"), row.get("name")
    sid = ref if hidden else "{}:{}".format(*signatory_key(org, name))
    details = {k: row.get(k) for k in DETAILS if row.get(k)}
    return sid, details, record


def _again(plan: Plan, row: Row, shown: str, same, named: bool, unclear: list[str],
           letter: Letter, coord: CoordinatorFile) -> None:
    """A row for a signatory already listed: skipped, unless its answers changed."""
    if isinstance(same, Earlier):
        plan.skipped.append(Outcome(row.number, shown, f"same signatory as {same}",
                                    same.anonymous or not named))
        return
    if same.status == "withdrawn":
        plan.decide.append(Outcome(row.number, shown, f"signs again, but {same} has withdrawn",
                                   same.anonymous or not named))
        return
    if not named and not same.anonymous:
        plan.hide[same.index] = _hidden_fields(letter.raw[same.index], coord, plan)
        why = "; ".join(unclear) if unclear else "its answer now withholds publication"
        plan.decide.append(Outcome(row.number, shown, (
            f"listed by name as {same}{_origin(coord, row)}, but row {row.number} does not "
            "allow publishing it: "
            f"made anonymous in the letter until you decide; {why}"), True))
        return
    if named and same.anonymous:
        plan.decide.append(Outcome(row.number, shown, (
            f"now allows publication, but {same} is anonymous: it stays anonymous unless you "
            "name it by hand"), True))
        return
    plan.skipped.append(Outcome(row.number, shown, f"already in the letter as {same}",
                                same.anonymous))


def _origin(coord: CoordinatorFile, row: Row) -> str:
    """"; added from row 5 of week1.csv": where the consent record says a signatory came from."""
    sid = "{}:{}".format(*signatory_key(row.get("organisation"), row.get("name")))
    entry = coord.signatories.get(sid) or coord.signatories.get(
        coord.ref(signatory_key(row.get("organisation"), row.get("name")))) or {}
    for record in entry.get("records", []):
        if record.get("outcome") == "added" and record.get("row"):
            return f", added from row {record['row']} of {record.get('export')}"
    return ""


def _hidden_fields(raw, coord: CoordinatorFile, plan: Plan) -> dict:
    """A listed signatory's entry made anonymous: its fingerprint only in the letter, every
    detail in the coordinator's file."""
    sig = {"organisation": raw} if isinstance(raw, str) else dict(raw)
    org, name = _text(sig.get("organisation")), _text(sig.get("name"))
    ref = coord.ref(signatory_key(org, name))
    fields = {"organisation" if org else "name": ref, "anonymous": "true"}
    if _text(sig.get("status")) not in ("", "confirmed"):
        fields["status"] = sig["status"]
    plan.records.append((ref, {k: _text(sig.get(k)) for k in DETAILS}, {
        "outcome": "made anonymous: its answers withhold publication"}))
    return fields


def _entry(row: Row, plan: Plan, ref: str, pending: bool, group: str | None) -> Entry:
    """The letter fields and coordinator-only data of a row to add."""
    fields = {}
    for name in ("organisation", "name", "role", "country", "group", "affiliation"):
        if row.get(name):
            fields[name] = row.get(name)
    if group:
        fields["group"] = group
    if "organisation" in fields:
        fields.pop("affiliation", None)  # an organisation's signer has no affiliation
    url = row.get("url")
    if url:
        if not re.match(r"https?://", url, re.I) and re.fullmatch(r"[\w.-]+\.[a-z]{2,}(/\S*)?",
                                                                   url, re.I):
            url = "https://" + url  # "www.example.org" as forms collect it
        if _WEB_URL.fullmatch(url):
            fields["url"] = url
        else:
            plan.notes.append(f"row {row.number}: website '{row.get('url')}' is not a web "
                              "address; left out")
    contacts = {k: row.get(k) for k in ("email", "phone", "contact", "contact_position")
                if row.get(k)}
    shown = fields.get("organisation") or fields.get("name", "")
    if ref:  # at risk: the letter holds its fingerprint, the coordinator's file the rest
        hidden = dict(fields)
        fields = {"organisation" if "organisation" in fields else "name": ref,
                  "anonymous": "true"}
        if pending:
            fields["status"] = "pending"
        return Entry(row.number, fields, contacts, hidden, shown)
    if pending:
        fields["status"] = "pending"
    return Entry(row.number, fields, contacts, {}, shown)
