"""What a user is told about a broken letter: exact place (line, column, path) and the point of
the message, each problem exactly once and all of them at once.

Every case is written from the user's side: where would I look, and what would I need to read
to fix it? The expectations were not copied from drafter's output.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from drafter import LetterError, Problem, load_letter
from drafter.letter.validate import letter_from_text

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
FIVE_MB = 5 * 1024 * 1024


def Y(*lines: str) -> str:
    """YAML text from its lines, so that line numbers can be read off the test."""
    return "\n".join(lines) + "\n"


# A minimal valid letter: line 1 recipients, 2 Jane Doe, 3 signatories, 4 Human Rights Watch.
BASE = Y("recipients:",
         "  - name: Jane Doe",
         "signatories:",
         "  - Human Rights Watch")


@dataclass
class Expect:
    """One problem a user must be shown: where, under which path, and what it must say."""

    line: int
    column: int
    path: str
    says: tuple[str, ...]

    def __init__(self, line: int, column: int, path: str, *says: str):
        self.line, self.column, self.path, self.says = line, column, path, says

    def matches(self, problem: Problem) -> bool:
        return ((problem.line, problem.column, problem.path) == (self.line, self.column, self.path)
                and all(s in problem.message for s in self.says))


@dataclass
class Case:
    id: str
    content: str | bytes
    expect: list[Expect]
    setup: Callable[[Path], None] | None = None  # prepares the letter's folder
    cli: bool = False  # also checked in its own `drafter validate` process (one per class)
    marks: tuple = field(default_factory=tuple)


def _symlink_out(folder: Path) -> None:
    outside = folder.parent / "outside"
    outside.mkdir()
    (outside / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (folder / "logos").mkdir()
    (folder / "logos" / "wuc.png").symlink_to(outside / "secret.png")


def _secret_next_to_folder(folder: Path) -> None:
    (folder.parent / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\n")


def _logo(path: str) -> str:
    return Y("recipients:",
             "  - name: Jane Doe",
             "signatories:",
             "  - organisation: World Uyghur Congress",
             f"    logo: {path}")


_BOMB = Y('a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
          *(f"{n}: &{n} [{', '.join(['*' + p] * 9)}]" for p, n in zip("abcdefgh", "bcdefghi")))

CASES = [
    # ------------------------------------------- invisible characters written as escapes
    Case("escaped-bell-in-a-name",
         Y("recipients:", '  - name: "Jane\\a Doe"', "signatories:", "  - Human Rights Watch"),
         [Expect(2, 11, "recipients[0].name", "invisible character U+0007", "position 5")],
         cli=True),
    Case("escaped-vertical-tab-in-a-signatory",
         Y("recipients:", "  - name: Jane Doe", "signatories:", '  - "Human\\x0bRights Watch"'),
         [Expect(4, 5, "signatories[0]", "invisible character U+000B")]),
    # ---------------------------------------------------------------- typos, at every level
    Case("typo-top-level",
         Y("recipients:", "  - name: Jane Doe", "signatores:", "  - Human Rights Watch"),
         [Expect(3, 1, "signatores", "unknown key", "did you mean 'signatories'?")], cli=True),
    Case("typo-top-level-no-close-match", BASE + "flavour: vanilla\n",
         [Expect(5, 1, "flavour", "unknown key", "expected one of", "subject", "signatories")]),
    Case("typo-recipient",
         Y("recipients:", "  - nme: Ursula von der Leyen",
           "    title: President of the European Commission",
           "signatories:", "  - Human Rights Watch"),
         [Expect(2, 5, "recipients[0].nme", "unknown key", "did you mean 'name'?")]),
    Case("typo-cc", BASE + Y("cc:", "  - name: Josep Borrell", "    titel: High Representative"),
         [Expect(7, 5, "cc[0].titel", "unknown key", "did you mean 'title'?")]),
    Case("typo-signatory",
         Y("recipients:", "  - name: Jane Doe", "signatories:",
           "  - organisaton: World Uyghur Congress"),
         [Expect(4, 5, "signatories[0].organisaton", "unknown key",
                 "did you mean 'organisation'?")]),
    Case("typo-signatory-second-key",
         Y("recipients:", "  - name: Jane Doe", "signatories:",
           "  - organisation: World Uyghur Congress", "    contry: Germany"),
         [Expect(5, 5, "signatories[0].contry", "unknown key", "did you mean 'country'?")]),
    Case("typo-concern",
         BASE + Y("concerns:", "  - title: Tibet", "    txt: Tibetans face restrictions."),
         [Expect(7, 5, "concerns[0].txt", "unknown key", "did you mean 'text'?")]),
    Case("typo-demand-block",
         BASE + Y("demands:", '  intro: "We urge you to:"', "  itemz:", "    - Act now."),
         [Expect(7, 3, "demands.itemz", "unknown key", "did you mean 'items'?")]),
    Case("typo-demand-block-numbered",
         BASE + Y("demands:", "  numbred: false", "  items:", "    - Act now."),
         [Expect(6, 3, "demands.numbred", "unknown key", "did you mean 'numbered'?")]),
    Case("typo-second-demand-block",
         BASE + Y("demands:", "  - intro: First", "    items: [Act.]",
                  "  - intor: Second", "    items: [Act again.]"),
         [Expect(8, 5, "demands[1].intor", "unknown key", "did you mean 'intro'?")]),
    # ---------------------------------------------------------------- wrong types
    Case("recipients-is-text",
         Y("recipients: Ursula von der Leyen", "signatories:", "  - Human Rights Watch"),
         [Expect(1, 13, "recipients", "expected a list", "'- '", "not text")], cli=True),
    Case("signatories-is-text",
         Y("recipients:", "  - name: Jane Doe", "signatories: Human Rights Watch"),
         [Expect(3, 14, "signatories", "expected a list", "not text")]),
    Case("opening-is-a-list", BASE + Y("opening:", "  - We are writing", "  - to you."),
         [Expect(6, 3, "opening", "expected text", "not a list")]),
    Case("subject-is-a-mapping", BASE + Y("subject:", "  en: Human rights"),
         [Expect(6, 3, "subject", "expected text", "not a mapping")]),
    Case("name-is-a-list",
         Y("recipients:", "  - name: [Ursula, von der Leyen]", "signatories:",
           "  - Human Rights Watch"),
         [Expect(2, 11, "recipients[0].name", "expected text", "not a list")]),
    Case("concerns-is-text", BASE + "concerns: Xinjiang\n",
         [Expect(5, 11, "concerns", "expected a list", "not text")]),
    Case("concern-is-text", BASE + Y("concerns:", "  - Xinjiang"),
         [Expect(6, 5, "concerns[0]", "expected a mapping", "title:", "text:", "not text")]),
    Case("notes-is-a-list", BASE + Y("notes:", "  - A note."),
         [Expect(6, 3, "notes", "expected a mapping", "not a list")]),
    # ---------------------------------------------------------------- values
    Case("date-day-first", BASE + "date: 18/03/2022\n",
         [Expect(5, 7, "date", "'18/03/2022'", "YYYY-MM-DD")], cli=True),
    Case("date-not-zero-padded", BASE + "date: 2022-3-18\n",
         [Expect(5, 7, "date", "'2022-3-18'", "YYYY-MM-DD")]),
    Case("date-impossible", BASE + "date: 2024-13-45\n",
         [Expect(5, 7, "date", "'2024-13-45'", "not a real date")]),
    Case("date-not-a-leap-year", BASE + "date: 2023-02-29\n",
         [Expect(5, 7, "date", "'2023-02-29'", "not a real date")]),
    Case("language-name-not-tag", BASE + "language: English\n",
         [Expect(5, 11, "language", "'English'", "language tag", "en-US")]),
    Case("language-underscore", BASE + "language: en_GB\n",
         [Expect(5, 11, "language", "'en_GB'", "language tag")]),
    Case("numbered-yes",
         BASE + Y("demands:", "  numbered: yes", "  items:", "    - Act now."),
         [Expect(6, 13, "demands.numbered", "true or false", "'yes'")]),
    Case("url-without-scheme",
         Y("recipients:", "  - name: Jane Doe", "signatories:",
           "  - organisation: Human Rights Watch", "    url: www.hrw.org"),
         [Expect(5, 10, "signatories[0].url", "'www.hrw.org'", "https://")]),
    # ---------------------------------------------------------------- duplicates and aliases
    Case("duplicate-key-top-level", BASE + Y("subject: First try", "subject: Second try"),
         [Expect(6, 1, "subject", "duplicate key", "line 5")], cli=True),
    Case("duplicate-key-nested",
         Y("recipients:", "  - name: Jane Doe", "    title: Minister", "    name: Joan Doe",
           "signatories:", "  - Human Rights Watch"),
         [Expect(4, 5, "recipients[0].name", "duplicate key", "line 2")]),
    Case("anchor-and-alias", BASE + Y("place: &city Brussels", "subject: *city"),
         [Expect(5, 8, "place", "anchor", "&city", "not allowed"),
          Expect(6, 10, "subject", "alias", "*city", "not allowed")]),
    Case("alias-bomb", _BOMB,
         [Expect(i + 1, 4, name, "anchor", f"&{name}", "not allowed")
          for i, name in enumerate("abcdefghi")], cli=True),
    # ---------------------------------------------------------------- footnotes
    Case("footnote-without-note",
         BASE + Y("opening: |", "  We write to you.", "  As reported,[^report] it worsened."),
         [Expect(7, 15, "opening", "[^report]", "no text under 'notes:'")], cli=True),
    Case("note-never-cited",
         BASE + Y("opening: Cited.[^a]", "notes:", "  a: Used.", "  b: Never cited."),
         [Expect(8, 3, "notes.b", "never cited", "[^b]")]),
    # ---------------------------------------------------------------- logos
    Case("logo-parent-folder", _logo("../secret.png"),
         [Expect(5, 11, "signatories[0].logo", "'../secret.png'", "outside the letter's folder")],
         setup=_secret_next_to_folder),
    Case("logo-absolute-path", _logo("/etc/passwd"),
         [Expect(5, 11, "signatories[0].logo", "'/etc/passwd'",
                 "relative to the letter's folder")]),
    Case("logo-file-url", _logo("file:///etc/passwd"),
         [Expect(5, 11, "signatories[0].logo", "'file:///etc/passwd'", "not a URL")]),
    Case("logo-symlink-leaving-folder", _logo("logos/wuc.png"),
         [Expect(5, 11, "signatories[0].logo", "'logos/wuc.png'", "outside the letter's folder")],
         setup=_symlink_out, cli=True),
    Case("logo-windows-path", _logo("C:\\Users\\me\\wuc.png"),
         [Expect(5, 11, "signatories[0].logo", "relative to the letter's folder")]),
    Case("logo-with-nul-escape", _logo('"logos/wuc\\0.png"'),
         [Expect(5, 11, "signatories[0].logo", "invisible character U+0000")]),
    Case("logo-is-a-folder", _logo("logos"),
         [Expect(5, 11, "signatories[0].logo", "'logos'", "not a file")],
         setup=lambda folder: (folder / "logos").mkdir()),
    Case("logo-empty", _logo('""'),
         [Expect(5, 11, "signatories[0].logo", "empty")]),
    Case("logo-missing", _logo("logos/missing.png"),
         [Expect(5, 11, "signatories[0].logo", "'logos/missing.png'", "does not exist")]),
    # ---------------------------------------------------------------- a signatory twice
    Case("signatory-twice-case",
         Y("recipients:", "  - name: Jane Doe", "signatories:", "  - Human Rights Watch",
           "  - HUMAN RIGHTS WATCH"),
         [Expect(5, 5, "signatories[1]", "listed twice", "signatories[0]", "line 4")], cli=True),
    Case("signatory-twice-accents",
         Y("recipients:", "  - name: Jane Doe", "signatories:",
           "  - Fundación Voces del Valle", "  - Fundacion Voces del Valle"),
         [Expect(5, 5, "signatories[1]", "listed twice", "signatories[0]", "line 4")]),
    Case("signatory-twice-article-and-acronym",
         Y("recipients:", "  - name: Jane Doe", "signatories:",
           "  - organisation: International Federation for Human Rights (FIDH)",
           "    country: France",
           "  - The International Federation for Human Rights"),
         [Expect(6, 5, "signatories[1]", "listed twice", "signatories[0]", "line 4")]),
    Case("signatory-twice-hrw",
         Y("recipients:", "  - name: Jane Doe", "signatories:", "  - Human Rights Watch (HRW)",
           "  - World Uyghur Congress", "  - organisation: human rights watch"),
         [Expect(6, 5, "signatories[2]", "listed twice", "signatories[0]", "line 4")]),
    # ---------------------------------------------------------------- not a letter at all
    Case("empty-file", b"", [Expect(1, 1, "", "empty", "recipients", "signatories")], cli=True),
    Case("only-comments", Y("# A letter to the Commission", "# (to be written)"),
         [Expect(1, 1, "", "empty")]),
    Case("only-document-marker", "---\n", [Expect(1, 1, "", "empty")]),
    Case("binary-garbage-png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
         [Expect(1, 1, "", "UTF-8")], cli=True),
    Case("invalid-utf8-latin1", (BASE + "subject: café\n").encode("latin-1"),
         [Expect(5, 13, "", "UTF-8", "0xe9")]),
    Case("nul-byte", BASE + "subject: a\x00b\n", [Expect(5, 11, "", "U+0000")], cli=True),
    Case("top-level-list", Y("- Human Rights Watch", "- Amnesty International"),
         [Expect(1, 1, "", "mapping of keys", "not a list")], cli=True),
    Case("top-level-scalar", "Dear President,\n",
         [Expect(1, 1, "", "mapping of keys", "not text")]),
    # ---------------------------------------------------------------- YAML syntax
    Case("tab-indented",
         Y("recipients:", "\t- name: Jane Doe", "signatories:", "  - Human Rights Watch"),
         [Expect(2, 1, "", "tab", "spaces")], cli=True),
    Case("unclosed-quote",
         Y("recipients:", '  - name: "Jane Doe', "signatories:", "  - Human Rights Watch"),
         [Expect(2, 11, "", "quote", "never closed")], cli=True),
    Case("unclosed-bracket", BASE + "cc: [Josep Borrell, Kaja Kallas\n",
         [Expect(5, 5, "", "'['", "never closed")]),
    Case("colon-in-unquoted-value", BASE + "subject: Re: the summit\n",
         [Expect(5, 12, "", "quotes")]),
    Case("misaligned-indent",
         Y("recipients:", "  - name: Jane Doe", "   title: Minister", "signatories:",
           "  - Human Rights Watch"),
         [Expect(3, 4, "", "indented")]),
    Case("markdown-italics-starting-an-item",
         BASE + Y("demands:", "  - *Immediately* release all detained defenders."),
         [Expect(6, 5, "", "starts with '*'", "alias", "quotes")]),
    Case("markdown-italics-as-whole-item", BASE + Y("demands:", "  - *Immediately*"),
         [Expect(6, 5, "demands[0]", "alias", "*italic*", "quotes")]),
    Case("ampersand-starting-a-value", BASE + "subject: & partners\n",
         [Expect(5, 10, "", "'&'", "quotes")]),
    Case("quote-closing-before-the-value-ends", BASE + 'subject: "Shadow" dialogue\n',
         [Expect(5, 10, "", 'starts with "', "whole value in quotes")]),
    Case("stray-closing-bracket", BASE + "cc: [Josep Borrell]]\n",
         [Expect(5, 20, "", "']'", "closes no bracket")]),
    Case("text-right-after-block-indicator", BASE + "opening: |We are writing.\n",
         [Expect(5, 11, "", "'|'", "next line")]),
    Case("two-documents", BASE + "---\n" + BASE,
         [Expect(5, 1, "", "one YAML document")]),
    Case("too-deep", BASE + "subject: " + "[" * 100 + "]" * 100 + "\n",
         [Expect(5, 73, "", "nested", "64")], cli=True),
    Case("over-5-mb", BASE + "# " + "x" * FIVE_MB + "\n",
         [Expect(1, 1, "", "larger than 5 MB")], cli=True),
    # ---------------------------------------------------------------- required parts
    Case("missing-recipients", Y("signatories:", "  - Human Rights Watch"),
         [Expect(1, 1, "", "'recipients' is required")], cli=True),
    Case("missing-signatories", Y("recipients:", "  - name: Jane Doe"),
         [Expect(1, 1, "", "'signatories' is required")]),
    Case("missing-concern-text", BASE + Y("concerns:", "  - title: Tibet"),
         [Expect(6, 5, "concerns[0]", "'text' is required")]),
    Case("empty-recipients-list", Y("recipients: []", "signatories:", "  - Human Rights Watch"),
         [Expect(1, 13, "recipients", "at least one")]),
    Case("recipients-key-without-value",
         Y("recipients:", "signatories:", "  - Human Rights Watch"),
         [Expect(1, 1, "recipients", "empty", "list")]),
    Case("recipient-with-only-an-address",
         Y("recipients:", "  - address: [Rue de la Loi 200, 1049 Brussels]", "signatories:",
           "  - Human Rights Watch"),
         [Expect(2, 5, "recipients[0]", "a name, a title or an organisation")]),
    Case("signatory-empty-entry",
         Y("recipients:", "  - name: Jane Doe", "signatories:", "  -", "  - Human Rights Watch"),
         [Expect(4, 4, "signatories[0]", "empty", "organisation")]),
    # ---------------------------------------------------------------- all problems at once
    Case("many-problems-at-once",
         Y("signatores:",                        # 1 typo (and so no signatories)
           "  - Human Rights Watch",
           "recipients:",
           "  - nme: Jane Doe",                  # 4 typo
           "date: 18/03/2022",                   # 5 not ISO
           "language: english",                  # 6 not a tag
           "opening: Hello.[^z]",                # 7 no such note
           "demands:",
           "  numbered: yes",                    # 9 not a boolean
           "  items: [Act.]",
           "notes:",
           "  unused: Never cited."),            # 12 never cited
         [Expect(1, 1, "signatores", "did you mean 'signatories'?"),
          Expect(4, 5, "recipients[0].nme", "did you mean 'name'?"),
          Expect(5, 7, "date", "YYYY-MM-DD"),
          Expect(6, 11, "language", "language tag"),
          Expect(7, 16, "opening", "[^z]"),
          Expect(9, 13, "demands.numbered", "true or false"),
          Expect(12, 3, "notes.unused", "never cited")], cli=True),
]


def _write(case: Case, base: Path) -> Path:
    folder = base / "letter"
    folder.mkdir(parents=True)
    if case.setup:
        case.setup(folder)
    path = folder / "letter.yaml"
    content = case.content
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def _mismatch(expected: list[Expect], problems: list[Problem]) -> str:
    return ("expected exactly:\n  " + "\n  ".join(map(str, expected)) +
            "\ngot:\n  " + "\n  ".join(map(str, problems)))


def test_the_table_is_big_enough():
    assert len(CASES) >= 35
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_letter_is_reported_exactly(case: Case, tmp_path: Path):
    path = _write(case, tmp_path)
    with pytest.raises(LetterError) as caught:
        load_letter(path)
    problems = caught.value.problems
    assert len(problems) == len(case.expect), _mismatch(case.expect, problems)
    for expect, problem in zip(case.expect, problems):  # problems come sorted by position
        assert expect.matches(problem), _mismatch(case.expect, problems)
        assert problem.file == str(path)
        assert problem.severity == "error"
        assert "\n" not in problem.message


CLI_CASES = [case for case in CASES if case.cli]


def _line_for(file: Path, expect: Expect) -> str:
    path = f" {expect.path}:" if expect.path else ""
    return f"{file}:{expect.line}:{expect.column}:{path} "


def _assert_reported(stderr: str, file: Path, expect: Expect) -> None:
    prefix = _line_for(file, expect)
    lines = [line for line in stderr.splitlines() if line.startswith(prefix)]
    assert any(all(s in line for s in expect.says) for line in lines), (
        f"no line starting {prefix!r} saying {expect.says} in:\n{stderr}")


@pytest.mark.parametrize("case", CLI_CASES, ids=[case.id for case in CLI_CASES])
def test_cli_reports_each_class_of_problem(case: Case, tmp_path: Path, drafter_cli):
    path = _write(case, tmp_path)
    result = drafter_cli("validate", path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""
    for expect in case.expect:
        _assert_reported(result.stderr, path, expect)
    assert len(result.stderr.strip().splitlines()) == len(case.expect), result.stderr


def test_cli_reports_every_table_case_in_one_run(tmp_path: Path, drafter_cli):
    """All the table's files at once: every problem printed, and a good file still says ok."""
    files = [_write(case, tmp_path / case.id) for case in CASES]
    good = tmp_path / "good.yaml"
    good.write_text(BASE, encoding="utf-8")
    result = drafter_cli("validate", *files, good)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    for case, path in zip(CASES, files):
        for expect in case.expect:
            _assert_reported(result.stderr, path, expect)
    assert result.stdout.strip() == f"{good}: ok (1 recipient, 1 signing)"


def test_alias_bomb_is_refused_before_expansion():
    deeper = _BOMB + "".join(
        f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("ijklmnop", "jklmnopq"))
    deeper += "recipients: [*q]\nsignatories: [*q]\n"  # 9**17 strings if it were expanded
    start = time.perf_counter()
    with pytest.raises(LetterError) as caught:
        letter_from_text(deeper, "bomb.yaml")
    assert time.perf_counter() - start < 2
    messages = [p.message for p in caught.value.problems]
    assert all("not allowed" in m for m in messages)
    assert any("alias" in m and "*q" in m for m in messages)


def test_undefined_alias_is_refused_as_an_alias():
    with pytest.raises(LetterError) as caught:
        letter_from_text(BASE + "subject: *nowhere\n", "letter.yaml")
    [problem] = caught.value.problems
    assert (problem.line, problem.column, problem.path) == (5, 10, "subject")
    assert "alias" in problem.message


def test_missing_file_is_reported_not_raised(tmp_path: Path):
    with pytest.raises(LetterError) as caught:
        load_letter(tmp_path / "nowhere.yaml")
    [problem] = caught.value.problems
    assert (problem.line, problem.column) == (1, 1)
    assert "cannot read" in problem.message


# -------------------------------------------------------------------- what must stay valid


def _load(text: str, tmp_path: Path):
    path = tmp_path / "letter.yaml"
    path.write_text(text, encoding="utf-8")
    return load_letter(path)


def test_scalars_stay_text_no_yaml_1_1_surprises(tmp_path: Path):
    letter = _load(Y("recipients:", "  - name: NO", "    title: 0123", "    organisation: 1:30",
                     "signatories:", "  - 0123", "  - organisation: Yes", "    country: NO",
                     "subject: true"), tmp_path)
    assert letter.recipients[0].name == "NO"
    assert letter.recipients[0].title == "0123"
    assert letter.recipients[0].organisation == "1:30"
    assert letter.signatories[0].organisation == "0123"
    assert letter.signatories[1].organisation == "Yes"
    assert letter.signatories[1].country == "NO"
    assert letter.subject == "true"


def test_empty_date_means_no_date(tmp_path: Path):
    assert _load(BASE + "date:\n", tmp_path).date is None


def test_empty_optional_keys_mean_absent(tmp_path: Path):
    letter = _load(BASE + Y("cc:", "concerns:", "demands:", "notes:", "language:", "place:"),
                   tmp_path)
    assert (letter.cc, letter.concerns, letter.demands, letter.notes) == ([], [], [], {})
    assert letter.language == "en" and letter.place is None


def test_iso_date_is_read_as_a_date(tmp_path: Path):
    import datetime
    assert _load(BASE + "date: 2022-03-18\n", tmp_path).date == datetime.date(2022, 3, 18)


def test_numbered_false_and_demand_shapes(tmp_path: Path):
    letter = _load(BASE + Y("demands:", "  numbered: false", "  items: [One., Two.]"), tmp_path)
    assert letter.demands[0].numbered is False
    assert [len(b.items) for b in _load(BASE + "demands: [One., Two.]\n", tmp_path).demands] == [2]


def test_logo_inside_the_folder_is_accepted(tmp_path: Path):
    (tmp_path / "logos").mkdir()
    (tmp_path / "logos" / "wuc.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    letter = _load(_logo("logos/wuc.png"), tmp_path)
    assert letter.signatories[0].logo == "logos/wuc.png"


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_examples_are_valid(example: Path):
    letter = load_letter(example)
    assert letter.recipients and letter.signatories


def test_starter_from_drafter_new_is_valid(tmp_path: Path, drafter_cli):
    target = tmp_path / "my-letter.yaml"
    result = drafter_cli("new", target)
    assert result.returncode == 0, result.stderr
    letter = load_letter(target)
    assert letter.recipients and letter.signatories
