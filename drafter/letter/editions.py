"""Language editions: a letter's translations, one overlay file per language beside it.

`letter.fr.yaml` holds the French text of `letter.yaml`, field by field, under the field's path
(the path drafter's messages use), each with a fingerprint of the source text it translates:

    language: fr
    translations:
      opening:
        source: 3f9a0c1b2d4e        # written by `drafter translations stamp letter.yaml --lang fr`
        text: |
          Nous vous écrivons ...
    terms:                          # short values that repeat: countries, groups, roles
      Germany: Allemagne

An edition is the source letter with those texts put in: names, dates, logos and everything
not translated stay the source's. A translation whose source text changed since it was
stamped is stale; a field with neither a translation nor a term is missing. `letter.fr.stamps.json`
(stamps.py) remembers the source text stamped, so a stale message can show what changed.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import LetterError, Problem, format_path
from .model import is_item_list
from .source import MAX_BYTES, Source, decode, parse

FINGERPRINT = re.compile(r"[0-9a-f]{12}")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_TOP_KEYS = ("language", "translations", "terms")
_ENTRY_KEYS = ("source", "text")
# Fields a reader sees as words of the letter; names, addresses and the place may be translated.
_REQUIRED_TOP = ("subject", "salutation", "opening", "conclusion", "closing", "contact")
_PARTY_REQUIRED, _PARTY_OPTIONAL = ("title", "salutation"), ("name", "organisation", "address")
_SIGNER_REQUIRED, _SIGNER_OPTIONAL = ("role", "country", "group", "affiliation"), \
    ("organisation", "name", "logo_alt")


@dataclass(frozen=True)
class Field:
    """One translatable value of the source letter."""

    path: tuple
    text: str
    required: bool

    @property
    def name(self) -> str:
        return format_path(self.path)


@dataclass(frozen=True)
class Edition:
    """A parsed translation file: its language, where it is, and its YAML with positions."""

    language: str
    path: Path
    source: Source
    stamps: dict = field(default_factory=dict)  # stamps.read_stamps: key -> record
    stamp_warnings: tuple = ()  # the record file could not be read


def fingerprint(text: str) -> str:
    """12 hex digits identifying a source text; re-wrapping lines does not change it."""
    paragraphs = [" ".join(p.split()) for p in _PARAGRAPH_BREAK.split(text.strip())]
    return hashlib.sha256("\n\n".join(paragraphs).encode("utf-8")).hexdigest()[:12]


def edition_path(letter: Path, language: str) -> Path:
    """`<folder>/<stem>.<language>.yaml` beside the letter."""
    return letter.with_name(f"{letter.stem}.{language}.yaml")


def edition_files(letter: Path, language: str | None) -> set[Path]:
    """The files an edition is made of besides the letter: its translation and stamp record."""
    if not language:
        return set()
    from .stamps import stamps_path
    path = edition_path(letter, language)
    return {path.resolve(), stamps_path(path).resolve()}


def same_language(a: str, b: str) -> bool:
    """en and en-GB name the source edition of an en-GB letter (case does not matter)."""
    a, b = a.lower(), b.lower()
    return a == b or a == b.split("-")[0] or b == a.split("-")[0]


def discover(letter: Path) -> list[str]:
    """Languages of the translation files beside a letter (`<stem>.<tag>.yaml`)."""
    from .model import _LANGUAGE
    found = []
    for path in sorted(letter.parent.glob(f"{letter.stem}.*.yaml")):
        tag = path.name[len(letter.stem) + 1:-len(".yaml")]
        if _LANGUAGE.fullmatch(tag) and _is_language(tag):
            found.append(tag)
    return found


def _is_language(tag: str) -> bool:
    from babel import Locale, UnknownLocaleError
    try:
        Locale.parse(tag, sep="-")
        return True
    except (UnknownLocaleError, ValueError):
        return False


def overlay_of(path: Path) -> tuple[Path, str] | None:
    """(letter, language) when `path` is a translation file beside its letter."""
    match = re.fullmatch(r"(.+)\.([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\.yaml", path.name)
    if not match:
        return None
    letter = path.with_name(match.group(1) + ".yaml")
    return (letter, match.group(2)) if letter.is_file() and _is_language(match.group(2)) else None


# --- the source letter's translatable fields ----------------------------------------------------

def fields(data: dict) -> list[Field]:
    """Every translatable text of the raw letter, in reading order."""
    out: list[Field] = []

    def add(path: tuple, value, required: bool) -> None:
        if isinstance(value, str) and value.strip():
            out.append(Field(path, value, required))

    add(("place",), data.get("place"), False)
    for key in ("subject", "salutation", "opening"):
        add((key,), data.get(key), True)
    for part in ("recipients", "cc"):
        for i, party in enumerate(_list(data.get(part))):
            for key in _PARTY_REQUIRED + _PARTY_OPTIONAL:
                value = party.get(key) if isinstance(party, dict) else None
                if key == "address" and isinstance(value, list):
                    for j, line in enumerate(value):
                        add((part, i, key, j), line, False)
                else:
                    add((part, i, key), value, key in _PARTY_REQUIRED)
    for i, concern in enumerate(_list(data.get("concerns"))):
        if isinstance(concern, dict):
            add(("concerns", i, "title"), concern.get("title"), True)
            add(("concerns", i, "text"), concern.get("text"), True)
    out += [Field(p, t, True) for p, t in _demand_texts(data.get("demands")) if t.strip()]
    for key in ("conclusion", "closing"):
        add((key,), data.get(key), True)
    for i, signer in enumerate(_list(data.get("signatories"))):
        if isinstance(signer, str):
            add(("signatories", i), signer, False)
        elif isinstance(signer, dict) and signer.get("anonymous") == "true":
            continue  # never printed: nothing of it goes to a translator
        elif isinstance(signer, dict):
            for key in _SIGNER_OPTIONAL + _SIGNER_REQUIRED:
                add(("signatories", i, key), signer.get(key), key in _SIGNER_REQUIRED)
    notes = data.get("notes")
    for key, text in (notes.items() if isinstance(notes, dict) else ()):
        add(("notes", key), text, True)
    add(("contact",), data.get("contact"), True)
    return out


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _demand_texts(demands):
    """Demands in their three written forms: items, one block, or a list of blocks."""
    if isinstance(demands, dict):
        blocks, prefix = [demands], lambda i: ("demands",)
    elif is_item_list(demands):
        yield from ((("demands", j), v) for j, v in enumerate(demands) if isinstance(v, str))
        return
    else:
        blocks, prefix = _list(demands), lambda i: ("demands", i)
    for i, block in enumerate(blocks):
        if isinstance(block, dict):
            if isinstance(block.get("intro"), str):
                yield prefix(i) + ("intro",), block["intro"]
            for j, item in enumerate(_list(block.get("items"))):
                if isinstance(item, str):
                    yield prefix(i) + ("items", j), item


# --- reading and checking a translation file ----------------------------------------------------

def read_edition(letter: Path, language: str) -> Edition:
    """Parse `<stem>.<language>.yaml`; LetterError if it is missing or not an edition file."""
    path = edition_path(letter, language)
    if not path.is_file():
        raise LetterError([Problem(str(letter), 1, 1, "", f"no '{language}' edition: "
                                   f"{path.name} does not exist; start one with: drafter "
                                   f"translations new {letter} --lang {language}")])
    from ..output import files as io
    raw = io.read_bytes(path, MAX_BYTES)
    source = parse(decode(raw, str(path)), str(path))
    problems = _shape_problems(source, language)
    if problems:
        raise LetterError(problems)
    from .stamps import read_stamps
    records, warnings = read_stamps(path)
    return Edition(language, path, source, records, tuple(warnings))


def _shape_problems(source: Source, language: str) -> list[Problem]:
    """The file is a mapping of language/translations/terms with text entries."""
    from .validate import check_characters
    data = source.data
    if not isinstance(data, dict):
        return [source.problem((), "a translation file is a mapping with 'translations:'")]
    problems = check_characters(data, (), source)
    for key in data:
        if key not in _TOP_KEYS:
            close = difflib.get_close_matches(key, _TOP_KEYS, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"expected one of: " \
                f"{', '.join(_TOP_KEYS)}"
            problems.append(source.problem((key,), f"unknown key; {hint}", key=True))
    if data.get("language") not in (None, language):
        problems.append(source.problem(("language",), f"says '{data['language']}' but the "
                                       f"file name says '{language}'; make them the same"))
    entries = data.get("translations")
    if entries is not None and not isinstance(entries, dict):
        problems.append(source.problem(("translations",), "expected a mapping of field "
                                       "paths (opening:, concerns[0].text:, ...)"))
    for key, entry in (entries.items() if isinstance(entries, dict) else ()):
        at = ("translations", key)
        if isinstance(entry, str):
            problems.append(source.problem(at, "write the translation under 'text:', with "
                                           "'source:' beside it (see drafter translations "
                                           "stamp)"))
        elif not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
            problems.append(source.problem(at, "needs 'text:', the translated text"))
        else:
            problems += [source.problem(at + (k,), f"unknown key; expected one of: "
                                        f"{', '.join(_ENTRY_KEYS)}", key=True)
                         for k in entry if k not in _ENTRY_KEYS]
            fp = entry.get("source")
            if fp is not None and not (isinstance(fp, str) and FINGERPRINT.fullmatch(fp)):
                problems.append(source.problem(at + ("source",), "is not a fingerprint "
                                               "written by drafter translations stamp"))
    terms = data.get("terms")
    if terms is not None and not (isinstance(terms, dict)
                                  and all(isinstance(v, str) for v in terms.values())):
        problems.append(source.problem(("terms",), "expected source text: translation pairs"))
    return problems


def _language_name(tag: str) -> str:
    from babel import Locale, UnknownLocaleError
    try:
        return Locale.parse(tag, sep="-").get_display_name("en") or tag
    except (UnknownLocaleError, ValueError):
        return tag


def check(letter_source: Source, edition: Edition, severity: str = "error") -> list[Problem]:
    """Missing, stale, unstamped and unknown translations of one edition."""
    data = edition.source.data
    entries = data.get("translations") or {}
    terms = data.get("terms") or {}
    known = {f.name: f for f in fields(letter_source.data)}
    name, file = _language_name(edition.language), edition.path.name
    problems, used_terms, unstamped = [], set(), []
    for f in known.values():
        if f.name in entries:
            continue
        if f.text in terms:
            used_terms.add(f.text)
        elif f.required:
            problems.append(letter_source.problem(f.path, f"not translated in the {name} "
                                                  f"edition ({file})", severity=severity))
    for key, entry in entries.items():
        at = ("translations", key)
        field_ = known.get(key)
        if field_ is None:
            close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.7)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            problems.append(edition.source.problem(at, "no such text in the letter (any more)"
                                                   f"{hint}; remove this translation",
                                                   key=True, severity=severity))
            continue
        stamp = entry.get("source")
        now = fingerprint(field_.text)
        if stamp is None:
            unstamped.append(key)
        elif stamp != now:
            line, f_t = letter_source.where(field_.path)[0], field_.text
            problems.append(edition.source.problem(at + ("source",), f"stale: the text at "
                                                   f"{key} (line {line} of "
                                                   f"{Path(letter_source.file).name}) changed "
                                                   "since this translation was stamped"
                                                   f"{_said(source_change(edition, key, f_t))}"
                                                   "; update the translation, then stamp it",
                                                   severity=severity))
        problems += _note_problems(field_, entry["text"], edition.source, at, severity)
    if unstamped:
        # One line for a file that was never stamped, one per entry for a few new ones.
        run = (f"after translating, run drafter translations stamp "
               f"{Path(letter_source.file).name} --lang {edition.language}")
        if len(unstamped) > 3:
            listed = ", ".join(unstamped[:4]) + (", ..." if len(unstamped) > 4 else "")
            problems.append(edition.source.problem(("translations",), f"{len(unstamped)} "
                                                   f"translations are not stamped ({listed}); "
                                                   f"{run}", key=True, severity=severity))
        else:
            problems += [edition.source.problem(("translations", key), f"not stamped; {run}",
                                                key=True, severity=severity)
                         for key in unstamped]
    problems += list(edition.stamp_warnings)
    problems += [edition.source.problem(("terms", term), "not used: no field of the letter "
                                        "has this exact text", key=True, severity="warning")
                 for term in terms if term not in used_terms
                 and not any(f.text == term for f in known.values())]
    return problems


def _said(change: str) -> str:
    """`: diff`, or ` (why there is none)`."""
    return f" {change}" if change.startswith("(") else f": {change}"


def source_change(edition: Edition, key: str, now: str) -> str:
    """The source's word diff since the translation at `key` was stamped, or why not."""
    from .stamps import stamps_path, word_diff
    record = edition.stamps.get(key)
    stamp = (edition.source.data.get("translations") or {}).get(key, {}).get("source")
    if record is None or record["source"] != stamp:
        name = stamps_path(edition.path).name
        return f"(no word diff: {name} has no record of the text stamped)"
    return word_diff(record["source_text"], now)


def _note_problems(field_: Field, text: str, source: Source, at: tuple,
                   severity: str) -> list[Problem]:
    """A translation cites the same footnotes as its source text."""
    from .validate import NOTE_REF
    before, after = set(NOTE_REF.findall(field_.text)), set(NOTE_REF.findall(text))
    problems = [source.problem(at + ("text",), f"the source cites [^{ref}] but this "
                               "translation does not", severity=severity)
                for ref in sorted(before - after)]
    return problems + [source.problem(at + ("text",), f"cites [^{ref}], which the source "
                                      "text does not", severity=severity)
                       for ref in sorted(after - before)]


# --- building an edition ------------------------------------------------------------------------

def load_edition(letter_path: str | Path, language: str):
    """The letter as its `language` edition: a Letter, or LetterError with every problem."""
    from .validate import load_letter
    letter_path = Path(letter_path)
    letter = load_letter(letter_path)
    if same_language(language, letter.language):
        return letter
    from ..output import files as io
    source = parse(decode(io.read_bytes(letter_path, MAX_BYTES), str(letter_path)),
                   str(letter_path))
    edition = read_edition(letter_path, language)
    problems = [p for p in check(source, edition) if p.severity != "warning"]
    if problems:
        raise LetterError(problems)
    return build(letter, source, edition)


def build(letter, source: Source, edition: Edition):
    """A Letter whose texts are the edition's (everything else is the source letter's)."""
    from pydantic import ValidationError
    from .model import Letter
    data = copy.deepcopy(source.data)
    entries = edition.source.data.get("translations") or {}
    terms = edition.source.data.get("terms") or {}
    for f in fields(source.data):
        text = entries[f.name]["text"] if f.name in entries else terms.get(f.text)
        if text is not None:
            _put(data, f.path, text)
    data["language"] = edition.language
    try:
        translated = Letter.model_validate(data)
    except ValidationError as exc:
        raise LetterError([edition.source.problem((), f"the {edition.language} edition is not "
                                                  f"a valid letter: {err['msg']} at "
                                                  f"{format_path(tuple(err['loc']))}")
                           for err in exc.errors()]) from None
    translated._file, translated._folder = letter.file, letter.folder
    translated._warnings[:] = [replace(w) for w in letter.warnings]
    translated._edition = edition
    return translated


def _put(data, path: tuple, value) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value

