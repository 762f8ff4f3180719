"""The command line: thin Typer commands over load -> validate -> compose -> render -> write.

Exit status: 0 done; 1 the input needs fixing; 2 usage; 70 internal error; 130 interrupted.
Heavy modules (WeasyPrint, python-docx) are imported only inside the commands that render.
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import Optional

import typer

from .errors import LetterError

app = typer.Typer(add_completion=True, pretty_exceptions_enable=False, no_args_is_help=True,
                  help="Draft joint letters: one YAML file in; PDF, DOCX, HTML and text out.")
templates_app = typer.Typer(help="List the letter templates, or copy one to restyle it.",
                            invoke_without_command=True, pretty_exceptions_enable=False)
app.add_typer(templates_app, name="templates")

_state = {"debug": False}


class Failed(Exception):
    """The input needs fixing; the message has already been printed."""


def _err(message: str) -> None:
    typer.echo(message, err=True)


@app.callback()
def _options(debug: bool = typer.Option(False, "--debug", help="Show tracebacks of "
                                                                "internal errors.")) -> None:
    _state["debug"] = debug


@app.command()
def validate(files: list[Path] = typer.Argument(..., help="Letter YAML files.")) -> None:
    """Check letters and report every problem as FILE:LINE:COL: path: message."""
    from .validate import load_letter
    failed = False
    for file in files:
        try:
            letter = load_letter(file)
        except LetterError as exc:
            failed = True
            _err(str(exc))
            continue
        typer.echo(f"{file}: ok ({_count(len(letter.recipients), 'recipient')}, "
                   f"{_count(len(letter.signatories), 'signatory', 'signatories')})")
    if failed:
        raise Failed()


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
    combined: bool = typer.Option(False, "--combined",
                                  help="With --each-recipient: also one PDF of them all, "
                                       "OUT/<name>-combined.pdf, for printing."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1,
                                       help="Worker processes (default: one per core)."),
) -> None:
    """Render letters to PDF and DOCX (and HTML, text): OUT/<name>.<ext>, written as a set."""
    from .plan import Request, make_plan
    from .render import FORMATS
    from .render.pdf import SUPPORTED_VARIANTS
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
    options = {"pdf_variant": pdf_variant} if pdf_variant else {}
    plan = make_plan(Request(files, formats, out, template, options,
                             each_recipient or recipients is not None, recipients, combined))
    for problem in plan.problems:
        _err(problem)
    _write_outcomes(plan, jobs)
    if plan.problems:
        raise Failed()


def _write_outcomes(plan, workers: Optional[int]) -> None:
    """Render the plan's jobs and write each finished set; report each letter's result."""
    from . import batch, io
    from .render.combine import combine_pdfs
    clashes = batch.clashes(plan.jobs)
    if clashes:
        for clash in clashes:
            _err(f"{clash}; render them to different folders")
        raise Failed()
    for folder in {p.parent for job in plan.jobs for p in job.paths.values()}:
        io.clean_temporaries(folder)
    failed, internal, parts = False, False, {}
    with _progress(len(plan.jobs)) as advance:
        for outcome in batch.run(plan.jobs, workers):
            job = plan.jobs[outcome.index]
            advance()
            if outcome.error:
                failed, internal = True, internal or outcome.trace is not None
                if outcome.trace and _state["debug"]:
                    _err(outcome.trace)
                _err(f"{job.label}: {outcome.error}")
                continue
            for warning in outcome.warnings:
                _err(f"{job.label}: warning: {warning}")
            io.write_set({job.paths[fmt]: blob for fmt, blob in outcome.data.items()})
            _report(job, outcome)
            if job.group in plan.combined:
                parts.setdefault(job.group, {})[outcome.index] = outcome.data["pdf"]
    for group, target in plan.combined.items():
        expected = [i for i, job in enumerate(plan.jobs) if job.group == group]
        pdfs = parts.get(group, {})
        if len(pdfs) == len(expected):
            io.write_set({target: combine_pdfs([pdfs[i] for i in expected], group)})
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
                   f"{_count(len(letter.signatories), 'signatory', 'signatories')}")


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
) -> None:
    """Re-check and re-render a letter on every save; preview it on http://127.0.0.1:PORT/."""
    from .watch import watch as run_watch
    formats = [f.strip().lower() for f in format.split(",") if f.strip()]
    try:
        run_watch(file, template, out, formats, port, say=_err,
                  ready=lambda url: typer.echo(f"Preview: {url}  (Ctrl-C to stop)"))
    except OSError as exc:
        _err(f"drafter watch: cannot serve on port {port}: {exc.strerror}; try --port 0")
        raise Failed() from None


@app.command()
def new(path: Path = typer.Argument(..., help="Where to write the starter letter."),
        force: bool = typer.Option(False, "--force", help="Overwrite an existing file.")) -> None:
    """Write a commented starter letter that validates and explains each field."""
    from . import io
    if path.exists() and not force:
        _err(f"{path}: already exists; choose another name or pass --force")
        raise Failed()
    starter = (Path(__file__).parent / "starter.yaml").read_text("utf-8")
    # Point editors at the schema file that ships with this installation.
    starter = starter.replace("https://drafter.invalid/letter.schema.json",
                              _schema_file().as_uri(), 1)
    io.write_set({path: starter.encode("utf-8")})
    typer.echo(f"{path}: written; edit it, then run: drafter validate {path}")


def _schema_file() -> Path:
    """The JSON Schema file: inside the installed package, or in the checkout."""
    packaged = Path(__file__).parent / "letter.schema.json"
    return packaged if packaged.is_file() else Path(__file__).parent.parent / "schema" / \
        "letter.schema.json"


@app.command()
def schema() -> None:
    """Print the JSON Schema of the letter format (for editors' completion and checks)."""
    from .model import json_schema
    typer.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))


@templates_app.callback()
def templates_list(ctx: typer.Context) -> None:
    """List the built-in letter templates with a one-line description."""
    if ctx.invoked_subcommand is None:
        from .templates import builtin_templates
        for template in builtin_templates():
            typer.echo(f"{template.name:<16} {template.description}")


@templates_app.command("copy")
def templates_copy(name: str = typer.Argument(..., help="A built-in template's name."),
                   dest: Path = typer.Argument(..., help="The new template folder.")) -> None:
    """Copy a built-in template to DEST, to restyle it and use it with --template DEST."""
    import shutil
    from .templates import TemplateError, find_template
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
