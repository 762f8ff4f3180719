"""The command line: thin Typer commands over load -> validate -> compose -> render -> write.

Exit status: 0 done; 1 the input needs fixing; 2 usage; 70 internal error; 130 interrupted.
Heavy modules (WeasyPrint, python-docx) are imported only inside the commands that render.
"""

from __future__ import annotations

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
) -> None:
    """Render letters to PDF and DOCX (and HTML, text): OUT/<name>.<ext>, written as a set."""
    from .render import FORMATS
    formats = [f.strip().lower() for f in format.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise typer.BadParameter(f"unknown format {', '.join(unknown) or '(none)'}; choose "
                                 f"from {', '.join(FORMATS)}", param_hint="--format")
    from .render.pdf import SUPPORTED_VARIANTS
    if pdf_variant is not None and pdf_variant not in SUPPORTED_VARIANTS:
        raise typer.BadParameter(f"choose one of {', '.join(SUPPORTED_VARIANTS)}",
                                 param_hint="--pdf-variant")
    stems: dict[str, Path] = {}
    for file in files:
        if file.stem in stems:
            _err(f"{file}: its outputs would overwrite those of {stems[file.stem]} in {out}; "
                 "render them to different folders")
            raise Failed()
        stems[file.stem] = file
    options = {"pdf_variant": pdf_variant} if pdf_variant else {}
    failed = False
    for file in files:
        failed |= not _render_one(file, formats, out, template, options)
    if failed:
        raise Failed()


def _render_one(file: Path, formats: list[str], out: Path, template: Optional[str],
                options: dict) -> bool:
    """Render one letter; report what was written or why not. True on success."""
    from . import io
    from .pipeline import RenderError, TemplateError, output_path, render_all, template_for
    from .validate import load_letter
    try:
        letter = load_letter(file)
        chosen = template_for(letter, template)
        shared, data = render_all(letter, formats, chosen, **options)
    except LetterError as exc:
        _err(str(exc))
        return False
    except (RenderError, TemplateError) as exc:
        _err(f"{file}: {exc}")
        return False
    for warning in shared.options.get("warnings", []):
        _err(f"{file}: warning: {warning}")
    paths = {output_path(out, file.stem, fmt): blob for fmt, blob in data.items()}
    io.clean_temporaries(out)
    io.write_set(paths)
    stats = shared.options.get("stats", {})
    words = _words(shared.html)
    for path in paths:
        pages = stats.get("pages") if path.suffix == ".pdf" else None
        extra = f"{_count(pages, 'page')}, " if pages else ""
        typer.echo(f"{path}: {extra}{_count(words, 'word')}, "
                   f"{_count(len(letter.signatories), 'signatory', 'signatories')}")
    return True


def _words(html: str) -> int:
    """Words of the letter's text (what a reader counts), from the template's HTML."""
    from lxml import html as lxml_html
    body = lxml_html.document_fromstring(html).find("body")
    return len(body.text_content().split()) if body is not None else 0


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


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
        app(args=args, prog_name="drafter", standalone_mode=False)
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
    sys.exit(0)
