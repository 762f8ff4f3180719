"""Letter templates: folders holding letter.html.j2, style.css, template.yaml and an
optional reference.docx. Built-in ones ship inside the package."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

DEFAULT = "joint-letter"
_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


class TemplateError(Exception):
    """A template cannot be found or is incomplete."""


def builtin_root() -> Path:
    """Where the built-in templates live: inside the installed package, or the checkout."""
    packaged = Path(__file__).parents[1] / "letter_templates"
    return packaged if packaged.is_dir() else Path(__file__).parents[2] / "letter_templates"


@dataclass(frozen=True)
class Template:
    """A template folder and what its template.yaml says about it."""

    name: str
    folder: Path
    description: str

    @property
    def reference_docx(self) -> Path | None:
        """The Word document the DOCX takes its styles, page and letterhead from, if any."""
        return self.file("reference.docx")

    def file(self, name: str) -> Path | None:
        """The template's own file `name`, or None if it has none (see `confined_file`)."""
        return confined_file(self.folder, name)


def confined_file(folder: Path, name: str) -> Path | None:
    """The template's file `name` (None if there is none), refused unless it is a regular file
    inside the folder once links are followed: a template folder from elsewhere (an unpacked
    archive, a clone) must not read the rest of the disk through a symbolic link."""
    path = folder / name
    if not (path.exists() or path.is_symlink()):
        return None
    try:
        real, root = path.resolve(), folder.resolve()
    except (OSError, RuntimeError):  # a link loop
        real = root = None
    if real is None or not real.is_relative_to(root) or not real.is_file():
        raise TemplateError(f"{path}: not a file inside the template folder (a link out of "
                            "the folder, or not a regular file); templates may read only "
                            "their own files")
    return real


def _describe(folder: Path) -> Template:
    from ..errors import LetterError
    from ..output.files import read_bytes
    from ..letter.source import MAX_BYTES, decode, parse
    meta = confined_file(folder, "template.yaml")
    if confined_file(folder, "letter.html.j2") is None or meta is None:
        raise TemplateError(f"{folder}: not a letter template (needs letter.html.j2 and "
                            "template.yaml)")
    try:
        data = parse(decode(read_bytes(meta, MAX_BYTES), str(meta)), str(meta)).data
    except LetterError as exc:
        raise TemplateError(str(exc)) from None
    data = data if isinstance(data, dict) else {}
    return Template(str(data.get("name") or folder.name), folder,
                    str(data.get("description") or ""))


def builtin_templates() -> list[Template]:
    """Every built-in template, by name."""
    root = builtin_root()
    return [_describe(d) for d in sorted(root.iterdir()) if (d / "template.yaml").is_file()]


def find_template(spec: str | None, letter_folder: Path | None = None) -> Template:
    """A built-in template by name, or a template folder given as a path.

    A relative path is taken from the letter's folder (where the letter names it) or from the
    current folder (on the command line); names never contain slashes or dots, so a template
    name cannot walk out of the built-in folder.
    """
    spec = spec or DEFAULT
    if _NAME.fullmatch(spec):
        folder = builtin_root() / spec
        if folder.is_dir():
            return _describe(folder)
        names = ", ".join(t.name for t in builtin_templates())
        raise TemplateError(f"no template named {spec!r} (built in: {names}); "
                            "a folder path must contain a '/'")
    path = Path(spec)
    if not path.is_absolute() and letter_folder is not None:
        path = letter_folder / path
    if not path.is_dir():
        raise TemplateError(f"template folder {spec!r} does not exist")
    return _describe(path.resolve())
