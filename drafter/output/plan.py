"""What `drafter render` will write: one job per output set, named before anything renders."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .batch import Job, job_for
from ..letter.translations import ready_report
from ..errors import LetterError
from ..pipeline import TemplateError, template_for
from ..letter.recipients import personalised, read_recipients_csv, stems


@dataclass
class Request:
    """The render command's inputs."""

    files: list[Path]
    formats: list[str]
    out: Path
    template: str | None = None
    options: dict = field(default_factory=dict)
    each_recipient: bool = False
    recipients_csv: Path | None = None
    combined: bool = False
    languages: list[str] = field(default_factory=list)  # --lang: one edition per language
    recipient_columns: dict = field(default_factory=dict)  # --map: CSV header -> field


@dataclass
class Plan:
    """Jobs to run, problems found while planning, and the combined PDFs to assemble."""

    jobs: list[Job] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # the letters' own, printed once each
    combined: dict[str, Path] = field(default_factory=dict)  # job group -> combined PDF path


def make_plan(request: Request) -> Plan:
    """Load every letter and list its output sets; a bad letter is a problem, not a stop."""
    plan = Plan()
    people = None
    if request.recipients_csv is not None:
        try:
            people = read_recipients_csv(request.recipients_csv, request.recipient_columns)
        except LetterError as exc:
            plan.problems.append(str(exc))
            return plan
    for file in request.files:
        try:
            # The letter, or --lang's editions that are ready (the others are reported).
            editions, not_ready = ready_report(Path(file), request.languages)
            plan.problems += not_ready
            if not editions:
                continue
            template = template_for(editions[0][2], request.template)
        except LetterError as exc:
            plan.problems.append(str(exc))
            continue
        except TemplateError as exc:
            plan.problems.append(f"{file}: {exc}")
            continue
        for stem, label, letter in editions:
            plan.warnings += [str(w) for w in letter.warnings if str(w) not in plan.warnings]
            if not (request.each_recipient or people is not None):
                plan.jobs.append(job_for(label, letter, template, stem, request.out,
                                         request.formats, request.options))
                continue
            letters = personalised(letter, people)
            for number, (one, name) in enumerate(zip(letters, stems(stem, [
                    x.recipients[0] for x in letters])), start=1):
                who = _who(one)
                plan.jobs.append(job_for(f"{label} (recipient {number}: {who})", one, template,
                                         name, request.out, request.formats, request.options,
                                         group=label))
            if request.combined:
                plan.combined[label] = request.out / f"{stem}-combined.pdf"
    return plan


def _who(letter) -> str:
    party = letter.recipients[0]
    return party.name or party.title or party.organisation or "?"
