"""The commands' side of editions: which editions a command means, starting a translation
file (`translations new`) and stamping its fingerprints (`stamp`).

Stamping edits the file as text, value by value, so the translator's comments, quoting, line
wrapping and key order stay exactly as they were.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

from . import io
from .editions import (Edition, check, discover, edition_path, fields, fingerprint,
                       load_edition, overlay_of, read_edition, same_language)
from .errors import LetterError, Problem
from .yamlsource import MAX_BYTES, Source, decode, parse

_PLAIN_KEY = re.compile(r"[A-Za-z_][\w.\[\]-]*")
# Signatory details repeat across a long list: they are translated once, as terms.
_TERM_KEYS = ("country", "group", "role", "affiliation")


def _letter_source(letter: Path) -> Source:
    return parse(decode(io.read_bytes(letter, MAX_BYTES), str(letter)), str(letter))


def stamp(letter: Path, language: str, only: list[str] | None = None) -> list[str]:
    """Write the current source fingerprint beside each translation (or those named in `only`);
    return the paths whose stamp changed."""
    from .validate import load_letter
    load_letter(letter)  # a broken letter is reported, never stamped against
    source = _letter_source(letter)
    edition = read_edition(letter, language)
    current = {f.name: fingerprint(f.text) for f in fields(source.data)}
    entries = edition.source.data.get("translations") or {}
    unknown = [name for name in (only or []) if name not in entries]
    if unknown:
        raise LetterError([Problem(str(edition.path), 1, 1, "", f"no translation of '{name}' "
                                   "in this file to stamp") for name in unknown])
    gone = [k for k in entries if k not in current and (not only or k in only)]
    if gone:
        raise LetterError([edition.source.problem(("translations", k), "no such text in the "
                                                  "letter (any more); remove this translation "
                                                  "before stamping", key=True) for k in gone])
    edits, changed = [], []
    for key, entry in entries.items():
        if (only and key not in only) or entry.get("source") == current[key]:
            continue
        changed.append(key)
        edits.append(_stamp_edit(edition, key, current[key]))
    if edits:
        _write(edition.path, edition.source.text, edits)
    return changed


def _stamp_edit(edition: Edition, key: str, value: str) -> tuple[int, int, str]:
    """(start, end, new text): replace the `source:` value, or insert a `source:` line just
    above `text:` with its indentation."""
    src, at = edition.source, ("translations", key)
    if "source" in src.data["translations"][key]:
        start, end = src.spans[at + ("source",)]
        return start, end, value
    line, column = src.keys[at + ("text",)]
    start = _offset(src.text, line)
    indent = src.text[start:start + column - 1]
    if indent.strip():
        raise LetterError([src.problem(at, "write this translation as an indented block "
                                       "(text: on its own line) to stamp it")])
    newline = "\r\n" if "\r\n" in src.text else "\n"
    return start, start, f"{indent}source: {value}{newline}"


def _offset(text: str, line: int) -> int:
    """Index of the first character of a line (from 1)."""
    at = 0
    for _ in range(line - 1):
        at = text.index("\n", at) + 1
    return at


def _write(path: Path, text: str, edits: list[tuple[int, int, str]]) -> None:
    for start, end, new in sorted(edits, reverse=True):  # from the end: offsets stay valid
        text = text[:start] + new + text[end:]
    raw = io.read_bytes(path, MAX_BYTES)
    bom = "\ufeff" if raw.startswith(b"\xef\xbb\xbf") else ""
    io.write_set({path: (bom + text).encode("utf-8")})


def new_edition(letter: Path, language: str) -> Path:
    """Write `<stem>.<language>.yaml` with every text to translate, the source text in place
    of each translation, and no stamps (validate reports them until they are stamped)."""
    from .validate import load_letter
    source_letter = load_letter(letter)
    if same_language(language, source_letter.language):
        raise LetterError([Problem(str(letter), 1, 1, "language", f"the letter itself is the "
                                   f"'{source_letter.language}' edition")])
    path = edition_path(letter, language)
    if path.exists():
        raise LetterError([Problem(str(path), 1, 1, "", "already exists; edit it, or remove it "
                                   "to start again")])
    data = _letter_source(letter).data
    lines = [f"# The '{language}' edition of {letter.name}: translate each text below, then run",
             f"#   drafter translations stamp {letter.name} --lang {language}",
             "# which writes beside each translation the fingerprint of the text it translates,",
             "# so that drafter can tell when the source changes. Names, dates and logos come",
             "# from the letter; a name or an address may be translated too, under its path.",
             f"language: {language}", "translations:"]
    terms: dict[str, str] = {}
    for f in fields(data):
        if f.path[0] == "signatories" and f.path[-1] in _TERM_KEYS:
            terms.setdefault(f.text, f.text)
        elif f.required or f.path == ("place",):
            lines += [f"  {_key(f.name)}:", "    text:" + _scalar(f.text, 6)]
    if terms:
        lines += ["# Short texts that repeat in the signatory list, translated once each.",
                  "terms:"] + [f"  {_quoted(k)}: {_quoted(v)}" for k, v in terms.items()]
    io.write_set({path: ("\n".join(lines) + "\n").encode("utf-8")})
    return path


def _key(name: str) -> str:
    return name if _PLAIN_KEY.fullmatch(name) else _quoted(name)


def _quoted(text: str) -> str:
    """A double-quoted YAML scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _scalar(text: str, indent: int) -> str:
    """` value` on the key's line, or a literal block below it for text of several lines."""
    if "\n" not in text or text[:1].isspace():
        return " " + _quoted(text)
    chomp = "" if text.endswith("\n") else "-"
    body = "\n".join((" " * indent + line) if line.strip() else ""
                     for line in text.rstrip("\n").split("\n"))
    return f" |{chomp}\n{body}"


# --- what the commands ask for ----------------------------------------------------------------

def letters_for(file: Path, languages: list[str] | None = None) -> list[tuple[str, str, object]]:
    """(output stem, label, Letter) for each edition asked for: a translation file names its
    own; `languages` gives `<stem>.<lang>` for each; else the letter itself as `<stem>`."""
    from .validate import load_letter
    file = Path(file)
    overlay = overlay_of(file)
    if overlay is not None:
        letter_path, language = overlay
        return [(file.stem, f"{file}", load_edition(letter_path, language))]
    if not languages:
        return [(file.stem, str(file), load_letter(file))]
    out, problems = [], []
    for language in languages:
        try:
            out.append((f"{file.stem}.{language}", f"{file} ({language} edition)",
                        load_edition(file, language)))
        except LetterError as exc:
            problems += exc.problems
    if problems:
        raise LetterError(list(dict.fromkeys(problems)))
    return out


def edition_problems(file: Path, letter, languages: list[str] | None = None) -> list[Problem]:
    """Problems of a letter's editions: those asked for (errors), or else those found beside
    it (warnings: the source letter is fine, its translations need work)."""
    from . import io
    from .locale import language_problems
    file = Path(file)
    strict = bool(languages)
    wanted = [x for x in (languages or discover(file)) if not same_language(x, letter.language)]
    if not wanted:
        return []
    source = parse(decode(io.read_bytes(file, MAX_BYTES), str(file)), str(file))
    problems = []
    for language in wanted:
        try:
            edition = read_edition(file, language)
        except LetterError as exc:
            problems += [p if strict else replace(p, severity="warning") for p in exc.problems]
            continue
        problems += check(source, edition, "error" if strict else "warning")
        problems += language_problems({"language": language}, edition.source)
    return problems
