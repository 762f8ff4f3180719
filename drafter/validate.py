"""load -> validate: from a YAML file to a checked Letter, or every problem at once."""

from __future__ import annotations

import difflib
import re
import typing
from pathlib import Path

from pydantic import BaseModel, ValidationError

from . import io
from .errors import LetterError, Problem
from .matching import name_key
from .model import Letter
from .yamlsource import MAX_BYTES, Source, decode, parse

NOTE_REF = re.compile(r"\[\^([^\]\s]+)\]")
_TYPE_WORDS = {str: "text", list: "a list", dict: "a mapping of keys", type(None): "nothing"}


def load_letter(path: str | Path) -> Letter:
    """Read and check a letter file; raise LetterError listing every problem."""
    path = Path(path)
    try:
        raw = io.read_bytes(path, MAX_BYTES)
    except OSError as exc:
        raise LetterError([Problem(str(path), 1, 1, "", f"cannot read: {exc.strerror}")]) from None
    return letter_from_text(decode(raw, str(path)), str(path), path.resolve().parent)


def letter_from_text(text: str, file: str = "<letter>", folder: Path | None = None) -> Letter:
    """Check YAML text as a letter whose relative files live in `folder`."""
    source = parse(text, file)
    if not isinstance(source.data, dict):
        kind = _TYPE_WORDS.get(type(source.data), "a value")
        raise LetterError([source.problem((), f"a letter must be a mapping of keys "
                                              f"(recipients:, signatories:, ...), not {kind}")])
    problems = cross_check(source, folder)
    try:
        letter = Letter.model_validate(source.data)
    except ValidationError as exc:
        problems += [_problem(err, source) for err in exc.errors()]
    if problems:
        raise LetterError(problems)
    letter._file, letter._folder = file, folder
    return letter


def _problem(err: dict, source: Source) -> Problem:
    """Turn one pydantic error into a located, plain-words Problem."""
    loc = _yaml_path(tuple(err["loc"]), source.data)
    kind = err["type"]
    if kind == "extra_forbidden":
        return source.problem(loc, _unknown_key(loc), key=True)
    if kind == "missing":
        return source.problem(loc[:-1], f"'{loc[-1]}' is required", key=True)
    got = _TYPE_WORDS.get(type(err.get("input")), "something else")
    messages = {
        "string_type": f"expected text, not {got}",
        "list_type": f"expected a list (lines starting with '- '), not {got}",
        "dict_type": f"expected a mapping of keys, not {got}",
        "model_type": f"expected a mapping of keys, not {got}",
        "model_attributes_type": f"expected a mapping of keys, not {got}",
        "too_short": "needs at least one entry",
    }
    message = messages.get(kind) or err["msg"].removeprefix("Value error, ")
    return source.problem(loc, message)


def _yaml_path(loc: tuple, data) -> tuple:
    """Map a model location back to where it stands in the YAML (demands' short forms)."""
    if loc[:1] == ("demands",) and len(loc) > 1:
        raw = data.get("demands")
        if isinstance(raw, dict):
            return ("demands",) + loc[2:]
        if isinstance(raw, list) and raw and all(isinstance(v, str) for v in raw):
            return ("demands",) + loc[3:]
    return loc


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The model class whose keys are valid at `loc` (for 'did you mean')."""
    model: typing.Any = Letter
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if isinstance(model, type) else None
        if field is None:
            return None
        model = _unwrap(field.annotation)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _unwrap(annotation):
    while typing.get_origin(annotation) is not None:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        annotation = next((a for a in args if isinstance(a, type) and
                           issubclass(a, BaseModel)), args[-1] if args else None)
    return annotation


def _unknown_key(loc: tuple) -> str:
    model = _model_at(loc[:-1])
    known = list(model.model_fields) if model else []
    close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else (
        f"; expected one of: {', '.join(known)}" if known else "")
    return f"unknown key{hint}"


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _items(value) -> list:
    return value if isinstance(value, list) else []


def prose_fields(data: dict):
    """Every Markdown field of the raw letter with its YAML location, in reading order.

    Works on the raw data so cross-checks run even when the model found other problems.
    """
    yield ("opening",), _text(data.get("opening"))
    for i, concern in enumerate(_items(data.get("concerns"))):
        if isinstance(concern, dict):
            yield ("concerns", i, "text"), _text(concern.get("text"))
    demands = data.get("demands")
    if isinstance(demands, dict):
        demands, prefix = [demands], lambda i: ("demands",)
    elif isinstance(demands, list) and all(isinstance(v, str) for v in demands):
        yield from ((("demands", j), _text(v)) for j, v in enumerate(demands))
        demands = []
    else:
        prefix = lambda i: ("demands", i)  # noqa: E731
    for i, block in enumerate(_items(demands)):
        if isinstance(block, dict):
            yield prefix(i) + ("intro",), _text(block.get("intro"))
            for j, item in enumerate(_items(block.get("items"))):
                yield prefix(i) + ("items", j), _text(item)
    yield ("conclusion",), _text(data.get("conclusion"))
    yield ("contact",), _text(data.get("contact"))


def cross_check(source: Source, folder: Path | None) -> list[Problem]:
    """Checks across fields: footnotes, duplicate signatories, logo files."""
    data = source.data
    signatories = [(i, s) for i, s in enumerate(_items(data.get("signatories")))
                   if isinstance(s, (str, dict))]
    problems = check_notes(data, source) + check_signatories(signatories, source)
    if folder is not None:
        problems += check_logos(signatories, source, folder)
    return problems


def check_notes(data: dict, source: Source) -> list[Problem]:
    """Every [^id] has a note, and every note is cited."""
    notes = data.get("notes") if isinstance(data.get("notes"), dict) else {}
    problems, cited = [], set()
    for loc, text in prose_fields(data):
        for ref in NOTE_REF.findall(text):
            cited.add(ref)
            if ref not in notes:
                problems.append(source.problem(loc, f"footnote [^{ref}] has no text under "
                                                    "'notes:'"))
    for note_id in notes:
        if note_id not in cited:
            problems.append(source.problem(("notes", note_id), f"note '{note_id}' is never "
                                           f"cited; add [^{note_id}] to the text or remove it",
                                           key=True))
    return problems


def check_signatories(signatories: list, source: Source) -> list[Problem]:
    """A signatory listed twice (by the shared matching rules) is an error naming both."""
    problems, seen = [], {}
    for i, sig in signatories:
        org, person = (sig, "") if isinstance(sig, str) else (
            _text(sig.get("organisation")), _text(sig.get("name")))
        key = (name_key(org), name_key(person))
        if key == ("", ""):
            continue
        if key in seen:
            first = seen[key]
            line = source.where(("signatories", first))[0]
            problems.append(source.problem(("signatories", i), f"'{org or person}' is listed "
                                           f"twice (also signatories[{first}], line {line})"))
        else:
            seen[key] = i
    return problems


def check_logos(signatories: list, source: Source, folder: Path) -> list[Problem]:
    """Logos are files inside the letter's folder (after following links), and exist."""
    problems = []
    for i, sig in signatories:
        logo = sig.get("logo") if isinstance(sig, dict) else None
        reason = logo_problem(logo, folder) if isinstance(logo, str) else None
        if reason:
            problems.append(source.problem(("signatories", i, "logo"), reason))
    return problems


def logo_problem(logo: str, folder: Path) -> str | None:
    """Why a logo path is refused, or None when it is a file inside `folder`."""
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", logo):
        return f"logo {logo!r} must be a file path inside the letter's folder, not a URL"
    relative = Path(logo)
    if relative.is_absolute():
        return f"logo {logo!r} must be a path relative to the letter's folder"
    try:
        target = (folder / relative).resolve()
    except (OSError, RuntimeError):
        return f"logo {logo!r} cannot be resolved"
    if not target.is_relative_to(folder.resolve()):
        return f"logo {logo!r} lies outside the letter's folder; copy it into the folder"
    if not target.is_file():
        return f"logo file {logo!r} does not exist"
    return None
