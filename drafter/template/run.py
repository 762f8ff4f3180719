"""TEMPLATE: the composed letter through its template, once per rendition: the one HTML (parsed
once, checked against the contract) that every format is made from."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError as JinjaError
from jinja2.sandbox import SandboxedEnvironment

from ..compose.composer import compose
from ..compose.document import Document
from ..formats.base import Rendition
from ..letter.model import Letter
from .check import check_html, checked_filters, utf8_text
from .filters import NOTEBOOK, NoteBook, filters
from .folder import Template, TemplateError, confined_file, find_template


def template_for(letter: Letter, override: str | Path | None = None) -> Template:
    """The template named on the command line, else by the letter, else the default."""
    if override is not None:
        return find_template(str(override))
    return find_template(letter.template, letter.folder)


def rendition(letter: Letter, template: Template | None = None, **options) -> Rendition:
    """Compose the letter and run its template: the one HTML every format is made from."""
    template = template or template_for(letter)
    doc = compose(letter)
    html = template_html(doc, template)
    stylesheet_path = template.file("style.css")
    stylesheet = utf8_text(stylesheet_path.read_bytes(), stylesheet_path) \
        if stylesheet_path else ""
    folder = Path(letter.folder) if letter.folder else Path.cwd()
    shared = Rendition(html=html, stylesheet=stylesheet, letter_dir=folder,
                       template_dir=template.folder, title=doc.title, author=doc.author,
                       language=doc.language, direction=doc.direction, date=doc.date,
                       reference_docx=template.reference_docx, options=dict(options))
    check_html(shared, template.folder / "letter.html.j2")
    return shared


@lru_cache(maxsize=16)
def _environment(folder: Path) -> SandboxedEnvironment:
    """One sandboxed, autoescaping, strict environment per template folder; kept for the
    process (batches, watch) — Jinja reloads a template whose file changed."""
    env = SandboxedEnvironment(loader=_ConfinedLoader(str(folder)), autoescape=True,
                               undefined=StrictUndefined, auto_reload=True)
    env.filters.update(checked_filters(filters()))
    return env


class _ConfinedLoader(FileSystemLoader):
    """Jinja's file loader, except that a file which a symbolic link takes out of the template
    folder (or that is not a regular file) is not found: `{% include %}` reads only the
    template's own files. (Jinja itself already refuses `..` and absolute names.)"""

    def get_source(self, environment, template):
        from jinja2 import TemplateNotFound
        from jinja2.loaders import split_template_path
        root = Path(self.searchpath[0])
        try:
            confined_file(root, "/".join(split_template_path(template)))
        except TemplateError:
            raise TemplateNotFound(template, f"{template!r} is not a file inside the template "
                                             "folder (templates may read only their own files)"
                                   ) from None
        try:
            return super().get_source(environment, template)
        except UnicodeDecodeError:  # located in the file that is not UTF-8 (an include's too)
            path = root / "/".join(split_template_path(template))
            utf8_text(path.read_bytes(), path)
            raise


# Errors that a template's own expressions raise ({{ 1/0 }}, a range over the sandbox's limit,
# [].pop()): the template needs fixing. Raised by drafter's own code, they are bugs.
_EXPRESSION_ERRORS = (ArithmeticError, LookupError, TypeError, ValueError, RecursionError)


def template_html(doc: Document, template: Template) -> str:
    """Render a template with the composed document."""
    main = template.folder / "letter.html.j2"
    try:
        page = _environment(template.folder).get_template("letter.html.j2")
        return page.render(doc=doc, labels=doc.labels, **{NOTEBOOK: NoteBook()})
    except JinjaError as exc:
        line = getattr(exc, "lineno", None)
        where = ((getattr(exc, "filename", None) or str(main), line) if line
                 else _template_frame(exc, template.folder, blame_drafter=False))
        raise TemplateError(f"{where[0]}:{where[1]}:1: {exc}" if where else f"{main}: {exc}"
                            ) from None
    except UnicodeDecodeError:
        raise TemplateError(f"{main}: a template file is not UTF-8 text") from None
    except _EXPRESSION_ERRORS as exc:
        where = _template_frame(exc, template.folder)
        if where is None:
            raise  # not from the template's code: a drafter bug, reported as one
        raise TemplateError(f"{where[0]}:{where[1]}:1: {type(exc).__name__}: "
                            f"{' '.join(str(exc).split())[:300]}") from None


def _template_frame(exc: BaseException, folder: Path,
                    blame_drafter: bool = True) -> tuple[str, int] | None:
    """The template file and line where `exc` was raised, or None when there is none or (with
    `blame_drafter`) when drafter's own code (a filter) raised it below the template's frame."""
    root, package = str(folder.resolve()), str(Path(__file__).resolve().parent.parent)
    found, ours = None, False
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.startswith(root + "/") or name.startswith(str(folder) + "/"):
            found, ours = (name, tb.tb_lineno), False
        elif name.startswith(package + "/"):
            ours = True
        tb = tb.tb_next
    return None if found is None or (ours and blame_drafter) else found
