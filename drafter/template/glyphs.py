"""No tofu: before rendering, every printed character must have a glyph in a font the PDF uses.

The printed text is read from the template's HTML (what WeasyPrint lays out), each character
is looked up in the template's font chain as fontconfig resolves it on this machine
(drafter/template/fonts.py), and a character no font has is reported where it stands in the YAML, with
a Debian font package that would cover it. Runs at render time only: `drafter validate` never
imports this module.
"""

from __future__ import annotations

import html.entities
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem
from .fonts import FontChain, FontconfigMissing, font_chain

MAX_LISTED = 30  # characters reported one by one; the rest are summed up per script
# Printed by the template or the PDF renderer itself: page numbers, list and note markers.
_MARKERS = "0123456789.\u2022"
# Characters Pango draws without a glyph of their own, or never draws.
_SILENT = frozenset(("Cc", "Cf", "Zl", "Zp"))
_ANYWAY = "; or render anyway with --allow-missing-glyphs"

# Debian packages by code point range, first match wins (checked with `fc-list :charset=...` and
# `dpkg -S` on Debian 12). CJK first: several CJK blocks sit inside the Noto core ranges.
_CJK, _CORE, _EMOJI = "fonts-noto-cjk", "fonts-noto-core", "fonts-noto-color-emoji"
_PACKAGES = (
    (0x1100, 0x11FF, _CJK), (0x2E80, 0x2FDF, _CJK), (0x2FF0, 0x4DBF, _CJK),
    (0x4E00, 0x9FFF, _CJK), (0xA960, 0xA97F, _CJK), (0xAC00, 0xD7FF, _CJK),
    (0xF900, 0xFAFF, _CJK), (0xFE30, 0xFE4F, _CJK), (0xFF00, 0xFFEF, _CJK),
    (0x1F200, 0x1F2FF, _CJK), (0x20000, 0x3FFFF, _CJK),
    (0x1F000, 0x1FAFF, _EMOJI), (0x0000, 0x1FFFF, _CORE),
)
_NAME_STOPS = ("LETTER", "SIGN", "DIGIT", "SYLLABLE", "CHARACTER", "IDEOGRAPH", "VOWEL", "MARK",
               "CAPITAL", "SMALL", "NUMBER", "PUNCTUATION", "LIGATURE", "SUBJOINED", "CONSONANT",
               "FULL STOP", "COMMA", "TONE")


_FURNITURE = ("drafter:draft-mark", "drafter:draft-notice", "drafter:embargo")


@dataclass(frozen=True)
class Place:
    """Where text came from: a parsed YAML file (letter.source.Source) and the value's path;
    `text` stands for a value drafter made from it (a date written out in words)."""

    source: object
    path: tuple
    text: str | None = None


def printed_text(root) -> str:
    """Everything the PDF prints from the template's parsed HTML: body text, the page label,
    markers."""
    parts = [_MARKERS]
    for meta in root.iterfind(".//head/meta"):
        if meta.get("name") == "drafter:page-label":
            parts.append((meta.get("content") or "").replace("{pages}", "").replace("{page}", ""))
        elif meta.get("name") in _FURNITURE:  # printed at the top of every page
            parts.append(meta.get("content") or "")
    body = root.find("body")
    if body is not None:
        parts.extend(body.xpath("descendant::text()[not(ancestor::script or ancestor::style "
                                "or ancestor::template)]"))
    return "".join(parts)


def missing_characters(text: str, chain: FontChain) -> list[str]:
    """Characters of `text` that no font of the chain (nor fontconfig's fallback) has, in order."""
    out = []
    for char in dict.fromkeys(text):
        if char in " \t\n\r" or unicodedata.category(char) in _SILENT:
            continue
        if chain.face_for(char) is None:
            out.append(char)
    return out


def fallback_warnings(text: str, chain: FontChain) -> list[str]:
    """Characters drawn by a font the template does not name (fontconfig chose it)."""
    borrowed: dict[str, list[str]] = {}
    for char in dict.fromkeys(text):
        if char.isspace() or unicodedata.category(char) in _SILENT:
            continue
        face = chain.face_for(char)
        if face is not None and not face.in_chain:
            borrowed.setdefault(face.family, []).append(char)
    return [f"{len(chars)} character{'s' if len(chars) > 1 else ''} ({' '.join(chars[:6])}"
            f"{' ...' if len(chars) > 6 else ''}) {'are' if len(chars) > 1 else 'is'} in no font "
            f"of the template's font-family; the PDF takes {'them' if len(chars) > 1 else 'it'} "
            f"from {family} (add it to the template's font-family to choose the font yourself)"
            for family, chars in borrowed.items()]


def check_letter(letter, r, formats) -> list[str]:
    """Stop (LetterError) when a PDF or DOCX would show a character no font has, unless the
    rendition's options allow missing glyphs; return the other findings as warnings."""
    warnings: list[str] = []
    if not {"pdf", "docx"} & set(formats):
        return warnings
    try:
        chain = font_chain(r.style.font_chain, r.stylesheet,
                           r.template_dir, r.language)
    except FontconfigMissing as exc:
        warnings.append(f"cannot check that every character has a glyph: {exc}")
        return warnings
    text = printed_text(r.tree)
    warnings.extend(fallback_warnings(text, chain))
    missing = missing_characters(text, chain)
    if not missing:
        return warnings
    problems = describe(missing, letter_places(letter), str(r.template_dir / "letter.html.j2"),
                        {face.file for face in chain.faces})
    if not r.options.get("allow_missing_glyphs"):
        from ..errors import LetterError
        raise LetterError(problems)
    warnings.extend(f"{p.message.removesuffix(_ANYWAY)} (at {p.path or 'the template'}, "
                    f"{Path(p.file).name} line {p.line} column {p.column}; rendered anyway: "
                    "--allow-missing-glyphs)" for p in problems)
    return warnings


def letter_places(letter) -> list[Place]:
    """Where a letter's printed text comes from: its edition's translations, its YAML file,
    its date, and the word lists of its language."""
    from ..output import files as io
    from ..compose.wording import locale_for, source as locale_source
    from ..letter.source import MAX_BYTES, decode, parse
    places = []
    edition = getattr(letter, "_edition", None)
    if edition is not None:
        places += [Place(edition.source, ("translations",)), Place(edition.source, ("terms",))]
    if letter.file and Path(letter.file).is_file():
        source = parse(decode(io.read_bytes(Path(letter.file), MAX_BYTES), letter.file),
                       letter.file)
        places.append(Place(source, ()))
        if letter.date is not None:
            places.append(Place(source, ("date",), locale_for(letter.language).date(letter.date)))
    tag = letter.language
    for name in dict.fromkeys((tag, tag.split("-")[0].lower(), "en")):
        parsed = locale_source(name)
        if parsed is not None:
            places.append(Place(parsed, ()))
    return places


def describe(missing: list[str], places: list[Place], fallback_file: str,
             visible: set[str] = frozenset()) -> list[Problem]:
    """One located problem per missing character (the first MAX_LISTED), then one per script;
    `visible` holds the font files fontconfig offers (to tell installed from usable)."""
    problems, rest = [], {}
    for char in missing:
        if len(problems) >= MAX_LISTED:
            rest.setdefault(script_of(char), []).append(char)
            continue
        found = list(_occurrences(char, places))
        more = f"; also in {len(found) - 1} other place{'s' if len(found) > 2 else ''}" \
            if len(found) > 1 else ""
        message = (f"{_shown(char)}: no installed font has it (the PDF would show an empty "
                   f"box{more}); {install_hint(char, visible)}{_ANYWAY}")
        problems.append(_located(found[0] if found else None, message, fallback_file))
    for script, chars in rest.items():
        found = next((p for c in chars for p in _occurrences(c, places)), None)
        problems.append(_located(found, f"and {len(chars)} more {script} character"
                                        f"{'s' if len(chars) > 1 else ''} that no installed "
                                        f"font has; {install_hint(chars[0], visible)}"
                                        f"{_ANYWAY}", fallback_file))
    return problems


def _located(found, message: str, fallback_file: str) -> Problem:
    if found is None:  # printed by the template itself
        return Problem(fallback_file, 1, 1, "", message)
    place, line, column = found
    problem = place.source.problem(place.path, message)
    return Problem(problem.file, line or problem.line, column or problem.column, problem.path,
                   message)


def _occurrences(char: str, places: list[Place]):
    """(place, line, column) of every text value holding `char`, in the order of `places`."""
    for place in places:
        if place.text is not None:
            if char in place.text:
                yield place, 0, 0
            continue
        written = _written_forms(char)
        for path, value in _strings(_value_at(place.source.data, place.path), place.path):
            found = written.search(value)
            if found:
                at = place.source.find(path, found.group())
                yield Place(place.source, path), *(at or (0, 0))


def _written_forms(char: str) -> re.Pattern:
    """The character as a letter may write it: itself, or a Markdown (HTML) character
    reference such as `&#xE000;`, `&#57344;` or `&eacute;`, which prints as the character."""
    names = [name for name, value in html.entities.html5.items() if value == char]
    forms = [re.escape(char), f"&#[xX]0*(?i:{ord(char):x});", f"&#0*{ord(char)};"]
    forms += [re.escape("&" + name.rstrip(";") + ";") for name in names]
    return re.compile("|".join(forms))


def _value_at(data, path: tuple):
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _strings(value, path: tuple):
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, path + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, path + (i,))


def _shown(char: str) -> str:
    name = unicodedata.name(char, "") or "(no name in this Python's Unicode tables)"
    return f"'{char}' U+{ord(char):04X} {name}"


def script_of(char: str) -> str:
    """A readable script name from the character's Unicode name ("Old Uyghur", "CJK")."""
    name = unicodedata.name(char, "")
    if name.startswith("CJK") or "IDEOGRAPH" in name:
        return "CJK"
    cut = min((name.find(f" {w}") for w in _NAME_STOPS if f" {w}" in name), default=-1)
    return name[:cut].title() if cut > 0 else "symbol"


def package_for(char: str) -> str | None:
    """The Debian font package whose fonts cover this character's range."""
    code = ord(char)
    return next((pkg for first, last, pkg in _PACKAGES if first <= code <= last), None)


def install_hint(char: str, visible: set[str] = frozenset()) -> str:
    """What to install: a package that covers the character's range, unless fontconfig already
    offers that package's fonts (then no package known to drafter has it)."""
    package, script = package_for(char), script_of(char)
    if package is None:
        return f"install a font that has the {script} script"
    files = _package_files(package)
    if not files:
        return f"install a font for it, e.g. Debian's {package} (apt install {package})"
    if files & visible:
        return (f"no Debian font package known to drafter covers the {script} script ({package} "
                f"is installed and lacks it); install a font that has it")
    if _files_cover(files, char, script):
        return (f"Debian's {package} covers it and is installed, but fontconfig does not offer "
                f"its fonts: check the fontconfig configuration (FONTCONFIG_FILE) or run "
                f"fc-cache")
    return (f"no font known to drafter covers the {script} script ({package} is installed but "
            f"fontconfig does not offer its fonts); install a font that has it")


def _files_cover(files: set[str], char: str, script: str) -> bool:
    """Whether one of the package's font files named after the script has the character
    (only asked when fontconfig hides the package, e.g. a narrowed FONTCONFIG_FILE)."""
    from .fonts import _cmap
    word = script.replace(" ", "").lower()
    named = sorted(f for f in files if word in Path(f).name.lower()
                   and f.endswith((".ttf", ".otf", ".ttc")))
    return any(ord(char) in _cmap(Path(f)) for f in named[:4])


def _package_files(package: str) -> set[str]:
    """Font files of an installed Debian package (empty: not installed, or not Debian)."""
    if shutil.which("dpkg") is None:
        return set()
    try:
        listed = subprocess.run(["dpkg", "-L", package], capture_output=True, text=True,
                                timeout=10)
    except (OSError, subprocess.SubprocessError):
        return set()
    return set(listed.stdout.split("\n")) if listed.returncode == 0 else set()
