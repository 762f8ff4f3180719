"""The commands' side of editions: which editions a command means, starting a translation
file (`translations new`) and stamping its fingerprints (`stamp`).

Stamping edits the file as text, value by value, so the translator's comments, quoting, line
wrapping and key order stay exactly as they were.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

from ..output import files as io
from .editions import (Edition, check, discover, edition_path, fields, fingerprint,
                       load_edition, overlay_of, read_edition, same_language, source_change)
from ..errors import LetterError, Problem
from .stamps import record, stamps_file, stamps_path
from .source import MAX_BYTES, Source, decode, parse

_PLAIN_KEY = re.compile(r"[A-Za-z_][\w.\[\]-]*")
# Signatory details repeat across a long list: they are translated once, as terms.
_TERM_KEYS = ("country", "group", "role", "affiliation")


def _letter_source(letter: Path) -> Source:
    return parse(decode(io.read_bytes(letter, MAX_BYTES), str(letter)), str(letter))


@dataclass
class Stamped:
    """What `stamp` did: the paths whose stamp changed, and warnings to show."""

    changed: list[str]
    warnings: list[Problem]
    started: Path | None = None  # the stamp record, when this stamp created it


def stamp(letter: Path, language: str, only: list[str] | None = None,
          force: bool = False) -> Stamped:
    """Write the current source fingerprint beside each translation (or those named in `only`)
    and record the texts stamped; refuse (LetterError, nothing written) a translation left as
    it was while its source changed, unless `force`."""
    from .validate import load_letter
    load_letter(letter)  # a broken letter is reported, never stamped against
    source = _letter_source(letter)
    edition = read_edition(letter, language)
    texts = {f.name: f.text for f in fields(source.data)}
    current = {name: fingerprint(text) for name, text in texts.items()}
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
    wanted = [k for k in entries if not only or k in only]
    refused = [] if force else _not_updated(edition, wanted, texts)
    edits, changed, problems = [], [], []
    for key in wanted:
        if entries[key].get("source") != current[key]:
            changed.append(key)
            try:
                edits.append(_stamp_edit(edition, key, current[key]))
            except LetterError as exc:
                problems += exc.problems
    if refused or problems:
        raise LetterError(refused + problems + _same_as_source(edition, wanted, texts)
                          + list(edition.stamp_warnings))
    records = {k: r for k, r in edition.stamps.items() if k in entries}
    records.update({k: record(texts[k], entries[k]["text"]) for k in wanted})
    started = None if stamps_path(edition.path).is_file() else stamps_path(edition.path)
    unreadable = [replace(w, message="could not be read as drafter's stamp record; written "
                          "again, with the translations stamped now")
                  for w in edition.stamp_warnings]
    _write(edition.path, edition.source.text, edits, records)
    if edits:  # warnings at the lines as they are now, below the `source:` lines added
        edition = read_edition(letter, language)
    return Stamped(changed, _same_as_source(edition, wanted, texts) + unreadable, started)


def _not_updated(edition: Edition, keys: list[str], texts: dict) -> list[Problem]:
    """Stale translations whose text is as it was at their stamp (or may be: an old stamp
    did not record it); each with the source's word diff."""
    entries, out = edition.source.data["translations"], []
    for key in keys:
        stamp, text = entries[key].get("source"), entries[key]["text"]
        if stamp is None or stamp == fingerprint(texts[key]):
            continue
        record_ = edition.stamps.get(key)
        change = source_change(edition, key, texts[key])
        ask = ("update the translation, then stamp again (or, if it still says the same, "
               "stamp it with --force)")
        if record_ is None or record_["source"] != stamp:
            out.append(edition.source.problem(("translations", key, "text"), "its source "
                                              f"changed since it was stamped {change}, so "
                                              "drafter cannot tell whether this translation "
                                              f"was updated; {ask}"))
        elif record_["translation"] == fingerprint(text):
            out.append(edition.source.problem(("translations", key, "text"), "not updated "
                                              "since it was stamped, but its source changed: "
                                              f"{change}; {ask}"))
    return out


def _same_as_source(edition: Edition, keys: list[str], texts: dict) -> list[Problem]:
    """Warnings for translations that are still the source text (as `new` writes them)."""
    entries = edition.source.data["translations"]
    same = [k for k in keys if fingerprint(entries[k]["text"]) == fingerprint(texts[k])]
    why = "the same as the source text, not translated (fine only if it reads the same)"
    if len(same) > 3:  # a file fresh from `translations new`: one line, not one per text
        listed = ", ".join(same[:4]) + (", ..." if len(same) > 4 else "")
        return [edition.source.problem(("translations", same[0], "text"), f"{len(same)} "
                                       f"translations are {why}: {listed}",
                                       severity="warning")]
    return [edition.source.problem(("translations", k, "text"), f"{why}",
                                   severity="warning") for k in same]


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


def _write(path: Path, text: str, edits: list[tuple[int, int, str]], records: dict) -> None:
    """The stamped translation file and its record, as one set; unchanged files untouched."""
    files = {}
    if edits:
        for start, end, new in sorted(edits, reverse=True):  # from the end: offsets stay valid
            text = text[:start] + new + text[end:]
        raw = io.read_bytes(path, MAX_BYTES)
        bom = "\ufeff" if raw.startswith(b"\xef\xbb\xbf") else ""
        files[path] = (bom + text).encode("utf-8")
    side, blob = stamps_path(path), stamps_file(path, records)
    if not side.is_file() or io.read_bytes(side, len(blob)) != blob:
        files[side] = blob
    if files:
        io.write_set(files)


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
    out, problems = ready_editions(file, languages)
    if problems:
        raise LetterError(list(dict.fromkeys(p for _, found in problems for p in found)))
    return out


def ready_editions(file: Path, languages: list[str]) -> tuple[list, list[tuple[str, list]]]:
    """letters_for's editions that are ready, and (label, problems) for each that is not."""
    out, not_ready = [], []
    for language in languages:
        label = _label(file, language)
        try:
            out.append((f"{file.stem}.{language}", label, load_edition(file, language)))
        except LetterError as exc:
            not_ready.append((label, exc.problems))
    return out, not_ready


def _label(file: Path, language: str) -> str:
    return f"{file} ({language} edition)"


def ready_report(file: Path, languages: list[str]) -> tuple[list, list[str]]:
    """For `render`: the editions that are ready, and one report per edition that is not (its
    problems, each said once for all editions, and that it is not rendered)."""
    file = Path(file)
    if not languages or overlay_of(file) is not None:
        try:
            return letters_for(file, languages), []
        except LetterError as exc:
            return [], [str(exc)]
    out, not_ready = ready_editions(file, languages)
    reports, said = [], set()
    for label, problems in not_ready:
        lines = [str(p) for p in problems if p not in said]
        said.update(problems)
        reports.append("\n".join(lines + [f"{label}: not ready, not rendered"]))
    return out, reports


def editions_summary(files: list[Path], languages: list[str], written: set[str]) -> str | None:
    """`render --lang`'s last line when some edition was not ready: which were written."""
    asked = [_label(Path(f), x) for f in files if overlay_of(Path(f)) is None
             for x in languages]
    missing = [a for a in asked if a not in written]
    if not languages or not missing:
        return None
    done = [a for a in asked if a in written]
    return (f"drafter render: written: {'; '.join(done) or 'none'}; not ready, not written: "
            f"{'; '.join(missing)}")


def edition_problems(file: Path, letter, languages: list[str] | None = None) -> list[Problem]:
    """Problems of a letter's editions: those asked for (errors), or else those found beside
    it (warnings: the source letter is fine, its translations need work)."""
    from ..output import files as io
    from ..compose.wording import language_problems
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
