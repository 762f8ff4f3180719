"""Decide, row by row, what an export adds to a letter: added, skipped (why), or left for a
person to decide (near matches, formula-like names, unclear answers).

Duplicates follow drafter.matching, the rules `drafter validate` uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..matching import NameIndex
from ..model import _WEB_URL
from .export import Row, Table, answer

FORMULA_START = ("=", "+", "-", "@")


@dataclass
class Entry:
    """A signatory that an export row adds to the letter, and its coordinator-only contacts."""

    row: int
    fields: dict  # organisation, name, role, ... (only what the letter may hold)
    contacts: dict  # email, phone, contact


@dataclass
class Outcome:
    """One export row that is not simply added: skipped or left for a decision."""

    row: int
    shown: str
    message: str


@dataclass
class Plan:
    """What an import would do."""

    added: list[Entry] = field(default_factory=list)
    skipped: list[Outcome] = field(default_factory=list)
    decide: list[Outcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Existing:
    """A signatory already in the letter, as a report names it."""

    index: int
    line: int
    shown: str
    status: str

    def __str__(self) -> str:
        return f"'{self.shown}' (signatories[{self.index}], line {self.line})"


@dataclass(frozen=True)
class Earlier:
    """A signatory that an earlier row of the same export adds."""

    row: int
    shown: str

    def __str__(self) -> str:
        return f"'{self.shown}' (row {self.row})"


def looks_like_formula(text: str) -> bool:
    """A cell a spreadsheet would run as a formula (=, +, -, @ first)."""
    return text.lstrip().startswith(FORMULA_START)


def existing_index(signatories: list, line_of) -> NameIndex:
    """The letter's signatories (raw YAML data) indexed for matching."""
    index = NameIndex()
    for i, sig in enumerate(signatories):
        if isinstance(sig, str):
            org, name, status = sig, "", "confirmed"
        elif isinstance(sig, dict):
            org, name = _text(sig.get("organisation")), _text(sig.get("name"))
            status = _text(sig.get("status")) or "confirmed"
        else:
            continue
        index.add(org, name, Existing(i, line_of(i), org or name, status))
    return index


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def plan_import(table: Table, index: NameIndex) -> Plan:
    """Classify every row of the export against the letter and the rows before it."""
    plan = Plan()
    refusals: list[tuple[Row, str]] = []
    for row in table.rows:
        org, name = row.get("organisation"), row.get("name")
        shown = org or name
        if not shown:
            plan.skipped.append(Outcome(row.number, "", "no organisation or name given"))
            continue
        if table.consent_header:
            said = answer(row.get("consent"))
            if said is False:
                refusals.append((row, shown))
                continue
            if said is None:
                given = row.get("consent")
                plan.decide.append(Outcome(row.number, shown, (
                    f"the answer to '{table.consent_header}' is unclear: '{given}'" if given
                    else f"no answer to '{table.consent_header}'")))
                continue
        formula = [f for f in ("organisation", "name") if row.get(f) and (
            looks_like_formula(row.get(f)) or f in row.formulas)]
        if formula:
            plan.decide.append(Outcome(row.number, shown, (
                f"the {'organisation' if formula[0] == 'organisation' else 'name'} "
                f"'{row.get(formula[0])}' looks like a spreadsheet formula; not added")))
            continue
        same = index.same(org, name)
        if same is not None:
            if isinstance(same, Existing) and same.status == "withdrawn":
                plan.decide.append(Outcome(row.number, shown, f"signs again, but {same} has "
                                                              "withdrawn"))
            elif isinstance(same, Existing):
                plan.skipped.append(Outcome(row.number, shown, f"already in the letter as "
                                                               f"{same}"))
            else:
                plan.skipped.append(Outcome(row.number, shown, f"same signatory as {same}"))
            continue
        near = index.near(org, name)
        if near is not None:
            reason, _, other = near
            where = "in the letter" if isinstance(other, Existing) else "in this export"
            plan.decide.append(Outcome(row.number, shown, f"{reason} {other} {where}; add it "
                                                          "by hand if it signs separately"))
            continue
        entry = _entry(row, plan)
        plan.added.append(entry)
        index.add(org, name, Earlier(row.number, shown))
    for row, shown in refusals:
        same = index.same(row.get("organisation"), row.get("name"))
        message = f"answered '{row.get('consent')}' to '{table.consent_header}'"
        if same is not None:
            plan.decide.append(Outcome(row.number, shown, f"{message}, but {same} signs; "
                                                          "check whether it withdrew"))
        else:
            plan.skipped.append(Outcome(row.number, shown, message))
    return plan


def _entry(row: Row, plan: Plan) -> Entry:
    """The letter fields and contacts of a row to add."""
    fields = {}
    for name in ("organisation", "name", "role", "country", "group", "affiliation"):
        if row.get(name):
            fields[name] = row.get(name)
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
    if answer(row.get("anonymous")) is True or answer(row.get("publish")) is False:
        fields["anonymous"] = "true"
    return Entry(row.number, fields, {k: row.get(k) for k in ("email", "phone", "contact")
                                      if row.get(k)})
