"""Hostile letter files: what the loader does with bombs, floods, broken encodings and
characters that have no business in a letter.

Decision on invisible characters (documented in SECURITY.md): drafter *refuses* C0/C1 control
characters, U+FFFE/U+FFFF and lone surrogates in every text value at validation, naming the
field, its line and column and the character's position, because they are nearly always a bad
copy and paste and silently changing a name is worse than asking. The DOCX writer still strips
XML-invalid characters as a last resort (text built by code that embeds drafter), and the text
printed in error messages has its control characters escaped so a letter cannot drive the
terminal. Tabs, line breaks (LF, CRLF, CR) and a UTF-8 byte order mark are ordinary text.

The loader cases are checked by one `drafter validate` run (a module fixture); each test reads
the lines about its own file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from readback import read_docx, read_pdf

from .helpers import BASE, render, run_cli

# Every text field of the format, as `(path in messages, YAML line(s))`; `{v}` is the value.
TEXT_FIELDS = """\
recipients:
  - name: {v}
    title: {v}
    organisation: {v}
    address: [{v}]
    salutation: {v}
cc:
  - name: {v}
place: {v}
subject: {v}
salutation: {v}
opening: {v}
concerns:
  - title: {v}
    text: {v}
demands:
  intro: {v}
  items: [{v}]
conclusion: {v}
closing: {v}
signatories:
  - organisation: {v}
    name: {v}
    role: {v}
    country: {v}
    group: {v}
  - name: Someone
    affiliation: {v}
notes:
  x: {v}
contact: {v}
"""
TEXT_PATHS = [
    "recipients[0].name", "recipients[0].title", "recipients[0].organisation",
    "recipients[0].address[0]", "recipients[0].salutation", "cc[0].name", "place", "subject",
    "salutation", "opening", "concerns[0].title", "concerns[0].text", "demands.intro",
    "demands.items[0]", "conclusion", "closing", "signatories[0].organisation",
    "signatories[0].name", "signatories[0].role", "signatories[0].country",
    "signatories[0].group", "signatories[1].affiliation", "notes.x", "contact",
]


def every_field(value: str) -> str:
    """A letter with `value` (a YAML scalar as written) in every text field; the note is cited
    from the opening so that the letter is valid when the value is harmless."""
    text = TEXT_FIELDS.replace("{v}", value)
    return text.replace(f"opening: {value}", f'opening: {value[:-1]} [^x]"'
                        if value.startswith('"') else f"opening: {value} [^x]", 1)


def _billion_laughs() -> str:
    lines = ['a0: &a0 "lol"']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    return "\n".join(lines) + "\n" + BASE + "opening: *a9\n"


# file name -> (bytes of the file, [expected text on the file's error lines] or None: valid)
LOADER_CASES: dict[str, tuple[bytes, list[str]]] = {
    "billion-laughs": (_billion_laughs().encode(), ["anchors (&a0) are not allowed",
                                                    "aliases (*a9) are not allowed"]),
    "merge-key": (b"base: &b {name: X}\nrecipients:\n  - <<: *b\n" + BASE.split("\n")[1].encode()
                  + b"\n", ["anchors (&b) are not allowed", "aliases (*b) are not allowed"]),
    "alias-as-key": (b"x: &k subject\n" + BASE.encode() + b"*k : hello\n",
                     ["aliases (*k) are not allowed"]),
    "deep-flow-nesting": (BASE.encode() + b"opening: " + b"[" * 20000 + b"]" * 20000 + b"\n",
                          ["nested more than 64 levels deep"]),
    "deep-block-nesting": (BASE.encode() + "".join(f"{'  ' * i}k{i}:\n" for i in range(200))
                           .encode() + b"  " * 200 + b"v\n", ["nested more than 64 levels deep"]),
    "50-mb-file": (BASE.encode() + b"opening: |\n" + b"  word word word word word\n" *
                   ((50 << 20) // 26), ["larger than 5 MB"]),
    "10-mb-single-line": (BASE.encode() + b"opening: " + b"x" * (10 << 20) + b"\n",
                          ["larger than 5 MB"]),
    "value-flood": (b"recipients: [" + b"a," * (2 << 20) + b"a]\nsignatories: [X]\n",
                    ["more than 250,000 keys and values"]),
    "duplicate-key-flood": (BASE.encode() + b"subject: x\n" * 200_000,
                            ["more than 250,000 keys and values"]),
    "raw-nul-byte": (BASE.encode() + b"subject: a\x00b\n", ["U+0000 is not allowed"]),
    "invalid-utf8": (BASE.encode() + b"subject: caf\xe9\n", ["not UTF-8 text (byte 0xe9)"]),
    "utf16-file": (("\ufeff" + BASE).encode("utf-16-le"), ["not UTF-8 text"]),
    "python-object-tag": (BASE.encode() + b"subject: !!python/object/apply:os.system "
                          b"['touch {pwned}']\n", []),
    "binary-tag": (BASE.encode() + b"subject: !!binary aGVsbG8=\n", None),  # text, as written
    "tag-directive": (b"%TAG !py! tag:yaml.org,2002:python/\n---\n" + BASE.encode() +
                      b"subject: !py!object/apply:os.system ['touch {pwned}']\n", []),
    "second-document": (BASE.encode() + b"---\nsubject: smuggled\n",
                        ["a letter is one YAML document"]),
    "complex-key": (BASE.encode() + b"? [a, b]\n: c\n", ["a key must be plain text"]),
    "terminal-escape-in-key": (BASE.encode() + b'"sub\\e[2J\\e]52;c;ZXZpbA==\\aject": x\n',
                               ["sub\\x1b[2J\\x1b]52;c;ZXZpbA==\\x07ject: unknown key"]),
    "line-break-in-key": (BASE.encode() + b'"subject\\ninjected: line": x\n',
                          ["subject\\x0ainjected: line: unknown key"]),
}

# Letters with one kind of character in every text field: every field is reported, located.
CHARACTER_CASES = {
    "nul-everywhere": ('"a\\0b"', "U+0000"),
    "escape-everywhere": ('"a\\e[31mb"', "U+001B"),
    "c1-csi-everywhere": ('"a\\x9b2Jb"', "U+009B"),
    "lone-surrogate-everywhere": ('"a\\ud800b"', "U+D800"),
    "noncharacter-everywhere": ('"a\\uffffb"', "U+FFFF"),
    "delete-everywhere": ('"a\\x7fb"', "U+007F"),
}


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    """Write every case and validate them all in one run: {file name: stderr lines}."""
    folder = tmp_path_factory.mktemp("hostile-yaml")
    pwned = folder / "pwned"
    files = []
    for name, (data, _) in LOADER_CASES.items():
        path = folder / f"{name}.yaml"
        path.write_bytes(data.replace(b"{pwned}", str(pwned).encode()))
        files.append(path)
    for name, (value, _) in CHARACTER_CASES.items():
        path = folder / f"{name}.yaml"
        path.write_text(every_field(value), encoding="utf-8")
        files.append(path)
    result = run_cli("validate", *files)
    assert result.returncode == 1, result
    lines: dict[str, list[str]] = {p.name: [] for p in files}
    for line in result.stderr.splitlines():
        name = Path(line.split(":", 1)[0]).name
        assert name in lines, f"a line about no file: {line!r}"
        lines[name].append(line)
    return lines, pwned, result


@pytest.mark.parametrize("name", LOADER_CASES)
def test_hostile_file_is_refused_with_a_located_message(validated, name):
    lines, pwned, result = validated
    mine = lines[f"{name}.yaml"]
    assert not pwned.exists(), "a YAML tag ran a command"
    if LOADER_CASES[name][1] is None:
        assert not mine and f"{name}.yaml: ok" in result.stdout
        return
    assert mine, f"{name} was not refused: {result}"
    for line in mine:
        position = line.split(":")[1:3]
        assert all(p.isdigit() and int(p) >= 1 for p in position), line
        assert len(line) < 1000, "a message must not echo a megabyte of input"
        assert "\x1b" not in line and "\x07" not in line
    for expected in LOADER_CASES[name][1]:
        assert any(expected in line for line in mine), (expected, mine)


@pytest.mark.parametrize("name", CHARACTER_CASES)
def test_invisible_characters_are_refused_in_every_text_field(validated, name):
    lines, _, _ = validated
    mine = lines[f"{name}.yaml"]
    char = CHARACTER_CASES[name][1]
    reported = {line.split(": ")[1] for line in mine if char in line}
    assert reported == set(TEXT_PATHS), set(TEXT_PATHS) ^ reported
    assert all("at position 2; remove it" in line for line in mine if char in line)


def test_crlf_and_a_bom_are_ordinary_text_in_every_field(place):
    """A file saved on Windows (BOM, CRLF line ends, CR and CRLF inside quoted values) renders,
    and PDF and DOCX read the same words; line breaks inside a one-line field become spaces."""
    text = every_field('"Crlf\\r\\nField\\rEnd"').replace("\n", "\r\n")
    letter = place.letter / "windows.yaml"
    letter.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    result = render(letter, place.out, formats="pdf,docx,txt")
    assert result.returncode == 0, result
    pdf, docx = read_pdf(place.out / "windows.pdf"), read_docx(place.out / "windows.docx")
    assert pdf.words == docx.words and pdf.notes == docx.notes
    assert pdf.words.count("Crlf") >= 20 and "\r" not in "".join(pdf.words + docx.words)
    txt = (place.out / "windows.txt").read_text("utf-8")
    assert "\r" not in txt and "\ufeff" not in txt and "Crlf Field End" in txt
