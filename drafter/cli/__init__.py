"""The command line: thin Typer commands over load -> validate -> compose -> render -> write.

Exit status: 0 done; 1 the input needs fixing; 2 usage; 70 internal error; 130 interrupted.
Heavy modules (WeasyPrint, python-docx) are imported only inside the commands that render.
"""

from __future__ import annotations

import contextlib
import gc
import json
import sys
from pathlib import Path
from typing import Optional

import typer

from ..errors import LetterError, warning_line
from .common import Failed, err

app = typer.Typer(add_completion=True, pretty_exceptions_enable=False, no_args_is_help=True,
                  help="Draft joint letters: one YAML file in; PDF, DOCX, HTML and text out.")
templates_app = typer.Typer(help="List the letter templates, or copy one to restyle it.",
                            invoke_without_command=True, pretty_exceptions_enable=False)
app.add_typer(templates_app, name="templates")
from .signatories import app as signatories_app  # noqa: E402 - registered beside the others
app.add_typer(signatories_app, name="signatories")
from .translations import app as translations_app  # noqa: E402 - language editions
app.add_typer(translations_app, name="translations")
from .feedback import feedback  # noqa: E402 - partners' feedback on a round
from .rounds import diff  # noqa: E402 - rounds of a letter
app.command("diff")(diff)
app.command("feedback")(feedback)
from .serve import serve  # noqa: E402 - the HTTP API
app.command("serve")(serve)

_state = {"debug": False}


_err = err


@app.callback()
def _options(debug: bool = typer.Option(False, "--debug", help="Show tracebacks of "
                                                                "internal errors.")) -> None:
    _state["debug"] = debug


@app.command()
def validate(files: list[Path] = typer.Argument(..., help="Letter YAML files (or translation "
                                                          "files, <letter>.<lang>.yaml)."),
             lang: Optional[str] = typer.Option(None, "--lang", help="Editions that must be "
                                                "complete and current, e.g. fr,de (without "
                                                "it, translations beside a letter are "
                                                "checked as warnings).")) -> None:
    """Check letters and report every problem as FILE:LINE:COL: path: message."""
    from ..letter.editions import overlay_of
    from ..letter.translations import edition_problems
    from ..letter.validate import load_letter
    failed, asked = False, _languages(lang)
    for file in files:
        overlay = overlay_of(file)
        target, languages = (overlay[0], [overlay[1]]) if overlay else (file, asked)
        try:
            letter = load_letter(target)
            problems = edition_problems(target, letter, languages)
            if any(p.severity != "warning" for p in problems):
                raise LetterError([p for p in problems if p.severity != "warning"])
        except LetterError as exc:
            failed = True
            _err(str(exc))
            continue
        typer.echo(f"{file}: ok ({_count(len(letter.recipients), 'recipient')}, "
                   f"{_signing(letter)}{_status(letter)})")
        for warning in sorted(letter.warnings + problems):  # never a failure
            _err(str(warning))
    if failed:
        raise Failed()


def _status(letter) -> str:
    """"; draft (Draft 3); embargoed until 5 December 2026, 10:00 CET", as far as it applies."""
    from ..compose.furniture import moment_text, now
    from ..compose.wording import locale_for
    parts = []
    if letter.status == "draft":
        parts.append(f"draft ({letter.version})" if letter.version else "draft")
    if letter.embargo is not None:
        when = moment_text(letter.embargo, locale_for("en"))
        parts.append(f"embargoed until {when}" if now() < letter.embargo
                     else f"embargo passed ({when}): not printed")
    return "".join(f"; {p}" for p in parts)


def _languages(value: Optional[str]) -> list[str]:
    """`--lang en,fr` as a list of language tags (a usage error for anything else)."""
    from ..letter.model import _LANGUAGE
    tags = list(dict.fromkeys(t.strip() for t in (value or "").split(",") if t.strip()))
    bad = [t for t in tags if not _LANGUAGE.fullmatch(t)]
    if bad or (value is not None and not tags):
        raise typer.BadParameter(f"{', '.join(bad) or '(none)'} is not a language tag such as "
                                 "en, fr or en-US", param_hint="--lang")
    return tags


@app.command()
def render(
    files: list[Path] = typer.Argument(..., help="Letter YAML files."),
    format: str = typer.Option("pdf,docx", "--format", "-f",
                               help="Comma-separated formats: pdf, docx, html, txt."),
    out: Path = typer.Option(Path("."), "--out", "-o", help="Folder for the outputs."),
    template: Optional[str] = typer.Option(None, "--template", "-t",
                                           help="A template name or folder (overrides the "
                                                "letter's)."),
    pdf_variant: Optional[str] = typer.Option(None, "--pdf-variant",
                                              help="pdf/a-3b (archives) or pdf/ua-1."),
    each_recipient: bool = typer.Option(False, "--each-recipient",
                                        help="One letter per recipient: "
                                             "OUT/<name>-<NN>-<recipient>.<ext>."),
    recipients: Optional[Path] = typer.Option(None, "--recipients",
                                              help="A CSV list of recipients (name, title, "
                                                   "organisation, address, salutation); "
                                                   "implies --each-recipient."),
    map_: list[str] = typer.Option([], "--map", metavar="COLUMN=FIELD",
                                   help="With --recipients: read a CSV column as a field (name, "
                                        "title, organisation, address, salutation), or "
                                        "COLUMN=ignore to drop it."),
    combined: bool = typer.Option(False, "--combined",
                                  help="With --each-recipient: also one PDF of them all, "
                                       "OUT/<name>-combined.pdf, for printing."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1,
                                       help="Worker processes (default: one per core)."),
    lang: Optional[str] = typer.Option(None, "--lang", help="Language editions, e.g. en,fr: "
                                       "OUT/<name>.<lang>.<ext> each (translations from "
                                       "<name>.<lang>.yaml)."),
    allow_missing_glyphs: bool = typer.Option(False, "--allow-missing-glyphs",
                                              help="Render even if some characters have no "
                                                   "glyph in any installed font (a warning)."),
    time_limit: float = typer.Option(60.0, "--time-limit", min=0,
                                     help="Seconds a letter may take to render (0: no limit)."),
    memory_limit: int = typer.Option(1024, "--memory-limit", min=0,
                                     help="MiB of memory a render may use (0: no limit)."),
    final: bool = typer.Option(False, "--final", help="The version to send: refuse a letter "
                               "still marked draft, with pending signatories or sign-on rows "
                               "left to decide (nothing is written)."),
    allow_pending: bool = typer.Option(False, "--allow-pending",
                                       help="With --final: send without the pending "
                                            "signatories and undecided rows."),
) -> None:
    """Render letters to PDF and DOCX (and HTML, text): OUT/<name>.<ext>, written as a set."""
    from ..output.plan import Request, make_plan
    from ..formats import FORMATS
    from ..formats.pdf import SUPPORTED_VARIANTS
    formats = [f.strip().lower() for f in format.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise typer.BadParameter(f"unknown format {', '.join(unknown) or '(none)'}; choose "
                                 f"from {', '.join(FORMATS)}", param_hint="--format")
    if pdf_variant is not None and pdf_variant not in SUPPORTED_VARIANTS:
        raise typer.BadParameter(f"choose one of {', '.join(SUPPORTED_VARIANTS)}",
                                 param_hint="--pdf-variant")
    if combined and not (each_recipient or recipients):
        raise typer.BadParameter("goes with --each-recipient or --recipients",
                                 param_hint="--combined")
    if combined and "pdf" not in formats:
        raise typer.BadParameter("needs pdf among the formats", param_hint="--combined")
    from ..letter.recipients import MapError, column_map
    if map_ and recipients is None:
        raise typer.BadParameter("goes with --recipients", param_hint="--map")
    if allow_pending and not final:
        raise typer.BadParameter("goes with --final", param_hint="--allow-pending")
    try:
        columns = column_map(map_)
    except MapError as exc:
        raise typer.BadParameter(str(exc), param_hint="--map") from None
    options = {"pdf_variant": pdf_variant} if pdf_variant else {}
    if allow_missing_glyphs:
        options["allow_missing_glyphs"] = True
    try:
        plan = make_plan(Request(files, formats, out, template, options,
                                 each_recipient or recipients is not None, recipients, combined,
                                 _languages(lang), recipient_columns=columns))
    except MapError as exc:  # --map names a column the list does not have
        raise typer.BadParameter(str(exc), param_hint="--map") from None
    for message in plan.warnings + plan.problems:  # a field left out is said at every render
        _err(message)
    if final:
        _refuse_unfinished(files, allow_pending)
    from ..output.limits import Limits
    limits = Limits(time_limit or None, memory_limit * 1024 * 1024 or None)
    _write_outcomes(plan, jobs, limits)
    from ..letter.translations import editions_summary
    summary = editions_summary(files, _languages(lang),
                               {job.group or job.label for job in plan.jobs})
    if summary:
        _err(summary)
    if plan.problems:
        raise Failed()


def _refuse_unfinished(files: list[Path], allow_pending: bool) -> None:
    """--final: every reason a letter is not ready to send, before anything is rendered."""
    from ..letter.final import final_problems
    problems = []
    for file in dict.fromkeys(files):
        try:
            problems += final_problems(file, allow_pending)
        except (OSError, LetterError):
            continue  # not readable or not a letter: its own error is already said
    for problem in problems:
        _err(str(problem))
    if problems:
        _err("--final: nothing was written")
        raise Failed()


def _write_outcomes(plan, workers: Optional[int], limits) -> None:
    """Render the plan's jobs and write each finished set; report each letter's result."""
    from ..output import batch
    from ..output import files as io
    from ..output.combine import combine_pdfs
    clashes = batch.clashes(plan.jobs)
    if clashes:
        for clash in clashes:
            _err(f"{clash}; render them to different folders")
        raise Failed()
    for folder in {p.parent for job in plan.jobs for p in job.paths.values()}:
        io.clean_temporaries(folder, say=_err)  # a set an earlier run left half replaced
    failed, internal, parts = False, False, {}
    with _progress(len(plan.jobs)) as advance:
        for outcome in batch.run(plan.jobs, workers, limits, freeze=_OWN_PROCESS):
            job = plan.jobs[outcome.index]
            advance()
            if outcome.error:
                failed, internal = True, internal or outcome.trace is not None
                if outcome.trace and _state["debug"]:
                    _err(outcome.trace)
                _err(outcome.error if outcome.located else f"{job.label}: {outcome.error}")
                continue
            for warning in outcome.warnings:
                _err(warning_line(job.label, warning))
            try:
                io.write_set({job.paths[fmt]: blob for fmt, blob in outcome.data.items()})
            except io.SetIncomplete as exc:  # neither new nor old: says what the next run does
                failed = True
                _err(f"{job.label}: not written whole ({exc})")
                continue
            except OSError as exc:  # a full disk, a read-only folder: the old set stays
                failed = True
                _err(f"{job.label}: not written ({exc.strerror or exc}); earlier outputs, "
                     "if any, are unchanged")
                continue
            _report(job, outcome)
            if job.group in plan.combined:
                parts.setdefault(job.group, {})[outcome.index] = outcome.data["pdf"]
    for group, target in plan.combined.items():
        expected = [i for i, job in enumerate(plan.jobs) if job.group == group]
        pdfs = parts.get(group, {})
        if len(pdfs) == len(expected):
            # Titled as its letters are (their subject), not by the YAML file it came from.
            combined = combine_pdfs([pdfs[i] for i in expected])
            io.write_set({target: combined})
            for warning in combined.warnings:
                _err(warning_line(str(target), warning))
            typer.echo(f"{target}: {_count(len(expected), 'letter')}")
        else:
            _err(f"{target}: not written, {len(expected) - len(pdfs)} of its letters failed")
    if internal:
        raise SystemExit(70)
    if failed:
        raise Failed()


def _report(job, outcome) -> None:
    stats, letter = outcome.stats, job.letter
    for fmt, path in job.paths.items():
        pages = stats.get("pages") if fmt == "pdf" else None
        extra = f"{_count(pages, 'page')}, " if pages else ""
        typer.echo(f"{path}: {extra}{_count(stats.get('words', 0), 'word')}, "
                   f"{_signing(letter)}")


def _progress(total: int):
    """A progress bar with counts and time left on a terminal; nothing in pipes and CI."""
    import os
    if total < 2 or not sys.stderr.isatty() or os.environ.get("CI"):
        return contextlib.nullcontext(lambda: None)
    return _rich_progress(total)


@contextlib.contextmanager
def _rich_progress(total: int):
    from rich.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                               TimeRemainingColumn)
    with Progress(TextColumn("rendering"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("letters", total=total)
        yield lambda: bar.advance(task)


def _signing(letter) -> str:
    """The signatories as the letter counts them: "20 signing, 1 pending, 2 withdrawn"."""
    from collections import Counter
    status = Counter(s.status for s in letter.signatories)
    text = f"{status['confirmed']} signing"
    for name in ("pending", "withdrawn"):
        if status[name]:
            text += f", {status[name]} {name}"
    return text


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


@app.command()
def watch(
    file: Path = typer.Argument(..., help="The letter YAML file."),
    port: int = typer.Option(8765, "--port", min=0, max=65535,
                             help="Local port of the preview page (0: any free port)."),
    template: Optional[str] = typer.Option(None, "--template", "-t",
                                           help="A template name or folder."),
    out: Optional[Path] = typer.Option(None, "--out", "-o",
                                       help="Also write the formats here on every save."),
    format: str = typer.Option("pdf,docx", "--format", "-f",
                               help="Formats written with --out."),
    lang: Optional[str] = typer.Option(None, "--lang", help="Preview this language edition "
                                       "(from <name>.<lang>.yaml), e.g. fr."),
) -> None:
    """Re-check and re-render a letter on every save; preview it on http://127.0.0.1:PORT/."""
    from ..letter.editions import overlay_of
    from ..preview import CannotServe, watch as run_watch
    formats = [f.strip().lower() for f in format.split(",") if f.strip()]
    languages = _languages(lang)
    if len(languages) > 1:
        raise typer.BadParameter("one language at a time", param_hint="--lang")
    overlay = overlay_of(file)  # a translation file previews its own edition
    if overlay and languages:
        raise typer.BadParameter(f"{file.name} is already the {overlay[1]} edition; watch "
                                 f"{overlay[0].name} --lang {languages[0]}", param_hint="--lang")
    file, language = overlay or (file, (languages or [None])[0])
    try:
        run_watch(file, template, out, formats, port, say=_err,
                  ready=lambda url: typer.echo(f"Preview: {url}  (Ctrl-C to stop)"),
                  language=language)
    except CannotServe as exc:
        _err(f"drafter watch: cannot serve on port {port}: {exc.strerror}; try --port 0")
        raise Failed() from None
    except OSError as exc:  # e.g. the letter's folder went away: watching cannot go on
        _err(f"drafter watch: stopped: {exc.strerror or exc}"
             f"{f' ({exc.filename})' if exc.filename else ''}")
        raise Failed() from None


@app.command()
def new(path: Path = typer.Argument(..., help="Where to write the starter letter."),
        force: bool = typer.Option(False, "--force", help="Overwrite an existing file.")) -> None:
    """Write a commented starter letter that validates and explains each field."""
    from ..output import files as io
    if path.exists() and not force:
        _err(f"{path}: already exists; choose another name or pass --force")
        raise Failed()
    starter = (Path(__file__).parent.parent / "starter.yaml").read_text("utf-8")
    # Point editors at the schema file that ships with this installation.
    starter = starter.replace("https://drafter.invalid/letter.schema.json",
                              _schema_file().as_uri(), 1)
    io.write_set({path: starter.encode("utf-8")})
    typer.echo(f"{path}: written; edit it, then run: drafter validate {path}")


def _schema_file() -> Path:
    """The JSON Schema file: inside the installed package, or in the checkout."""
    packaged = Path(__file__).parent.parent / "letter.schema.json"
    return packaged if packaged.is_file() else Path(__file__).parents[2] / "schema" / \
        "letter.schema.json"


@app.command()
def schema() -> None:
    """Print the JSON Schema of the letter format (for editors' completion and checks)."""
    from ..letter.model import json_schema
    typer.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))


@templates_app.callback()
def templates_list(ctx: typer.Context) -> None:
    """List the built-in letter templates with a one-line description."""
    if ctx.invoked_subcommand is None:
        from ..template.folder import builtin_templates
        for template in builtin_templates():
            typer.echo(f"{template.name:<16} {template.description}")


@templates_app.command("copy")
def templates_copy(name: str = typer.Argument(..., help="A built-in template's name."),
                   dest: Path = typer.Argument(..., help="The new template folder.")) -> None:
    """Copy a built-in template to DEST, to restyle it and use it with --template DEST."""
    import shutil
    from ..template.folder import TemplateError, find_template
    try:
        template = find_template(name)
    except TemplateError as exc:
        _err(str(exc))
        raise Failed() from None
    if dest.exists():
        _err(f"{dest}: already exists; choose a new folder")
        raise Failed()
    shutil.copytree(template.folder, dest)
    typer.echo(f"{dest}: copied from {template.name}; use it with --template {dest}")


_OWN_PROCESS = False  # set by console(): this process runs the `drafter` command and no more


def console() -> None:
    """The `drafter` command and `python -m drafter`: main() in a process of drafter's own.
    Its start-up objects live as long as the process, so they are hidden from the cyclic
    collector (gc.freeze), which otherwise walks them again in every full collection of a
    render; an application that calls main() keeps its collector as it set it."""
    global _OWN_PROCESS
    _OWN_PROCESS = True
    gc.freeze()
    main()


def main(argv: Optional[list[str]] = None) -> None:
    """Run the CLI with drafter's exit statuses; never a traceback unless --debug."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        status = app(args=args, prog_name="drafter", standalone_mode=False)
        # Typer turns Ctrl-C (and typer.Exit) into a returned status in this mode.
        if status == 130:
            _err("drafter: interrupted")
        sys.exit(status if isinstance(status, int) else 0)
    except Failed:
        sys.exit(1)
    except KeyboardInterrupt:
        _err("drafter: interrupted")
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # noqa: BLE001 - the one place that turns bugs into status 70
        # Typer vendors Click: its usage errors and aborts are reached through typer.
        from typer._click.exceptions import ClickException
        if isinstance(exc, typer.Abort):
            _err("drafter: interrupted")
            sys.exit(130)
        if isinstance(exc, ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if debug:
            raise
        _err(f"drafter: internal error ({type(exc).__name__}); please report it, with the "
             "output of the same command run with --debug")
        sys.exit(70)
