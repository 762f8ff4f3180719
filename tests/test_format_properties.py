"""Whatever a hand edit does to a letter, loading it gives a Letter or a LetterError: never
another exception, never a traceback. And no blanket `except Exception` hides bugs behind
LetterError in the loading code."""

from __future__ import annotations

import ast
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drafter import LetterError, load_letter
from drafter.compose.composer import compose
from drafter.letter.model import Letter
from drafter.letter.validate import letter_from_text

REPO = Path(__file__).resolve().parent.parent
SEEDS = [p.read_text(encoding="utf-8") for p in sorted((REPO / "examples").glob("*.yaml"))]
SEEDS.append((REPO / "drafter" / "starter.yaml").read_text(encoding="utf-8"))
SEEDS.append("""\
recipients:
  - title: President of the European Council
    address: "Rue de la Loi 175\\n1048 Brussels"
signatories:
  - organisation: World Uyghur Congress
    logo: logos/wuc.png
    url: https://www.uyghurcongress.org
  - organisation: Human Rights Watch
    logo: "logos/hrw.png"
    group: Co-signatories
demands: ["One.", "Two."]
date: 2022-03-18
""")

# Things hands and tools insert into YAML: structure characters, anchors and aliases, tabs,
# quotes, NULs, footnote references, document markers, odd Unicode.
TOKENS = ["&a ", "*a", "&a", ":", ": ", "- ", "-", "\t", "'", '"', "\x00", "[", "]", "{", "}",
          "#", "|", ">", "? ", "!!str ", "!x ", "%", "@", "`", "\n", "  ", "---\n", "...\n",
          "[^x]", "[^borrell]", "<<: *a\n", "~", "null", "true", "yes", "0123", "2022-02-30",
          "\r", "\ufeff", "\u2028", "\x85", "é", "\U0001F600", "\\", "\\x", ",", "&", "*",
          '"\\0"', '"\\ud800"', '"\\x07"', "\\0", "../", "/", "file://", "C:\\", "logos/",
          "*italic* ", "**bold**", "'quoted' ", '"quoted" ',
          # hostile text (tests/hostile): template and format syntax, markup, schemes, bidi
          "{{ ''.__class__ }}", "{% include 'x' %}", "{0.__class__}", "{signatory_count}",
          "{signatory_count!r:>9}", "%s", "</p><script>", '"><img src=x>', "</style>",
          "javascript:", "[x](javascript:y)", "![i](file:///etc/passwd)", "<http://127.0.0.1>",
          "\u202e", "\x1b[2J", "[^", "]: file:///x\n", "&#0;", "=HYPERLINK(", "@SUM("]

# Whole values put in place of a `key: value` line's value.
VALUES = ['""', "''", '"\\0"', '"logos/\\0.png"', '"\\ud800"', '"\\udc80"', '"\\x07"', "../x.png",
          "/etc/passwd", "file:///etc/passwd", "C:\\x.png", "logos", ".", "..", "[]", "{}", "~",
          "*a", "&a x", "|", ">-", "[a, [b]]", "{a: b}", "- x", "yes", "true", "2024-13-45",
          "0x1F", "1e3", '"' + "a" * 300 + '"', "a" * 5000, "[^x]", "https://", "mailto:x",
          '"\\u2028"', "!!binary aGVsbG8=", "'", '"']

# (operation, position, payload)
_positions = st.integers(min_value=0, max_value=1 << 20)
_operation = st.one_of(
    st.tuples(st.just("delete"), _positions, st.integers(1, 40)),
    st.tuples(st.just("insert"), _positions, st.sampled_from(TOKENS)),
    st.tuples(st.just("insert"), _positions, st.text(max_size=8)),
    st.tuples(st.just("replace"), _positions, st.characters()),
    st.tuples(st.just("dup_line"), _positions, st.none()),
    st.tuples(st.just("drop_line"), _positions, st.none()),
    st.tuples(st.just("swap_lines"), _positions, _positions),
    st.tuples(st.just("indent"), _positions, st.sampled_from(["", " ", "  ", "    ", "\t",
                                                              "      "])),
    st.tuples(st.just("revalue"), _positions, st.sampled_from(VALUES)),
)
mutations = st.lists(_operation, min_size=1, max_size=6)


def mutate(text: str, operations) -> str:
    for op, pos, arg in operations:
        at = pos % (len(text) + 1)
        lines = text.split("\n")
        line = pos % len(lines)
        if op == "delete":
            text = text[:at] + text[at + arg:]
        elif op == "insert":
            text = text[:at] + arg + text[at:]
        elif op == "replace" and text:
            at = pos % len(text)
            text = text[:at] + arg + text[at + 1:]
        elif op == "dup_line":
            text = "\n".join(lines[:line + 1] + lines[line:])
        elif op == "drop_line":
            text = "\n".join(lines[:line] + lines[line + 1:])
        elif op == "swap_lines":
            other = arg % len(lines)
            lines[line], lines[other] = lines[other], lines[line]
            text = "\n".join(lines)
        elif op == "indent":
            lines[line] = arg + lines[line].lstrip(" \t")
            text = "\n".join(lines)
        elif op == "revalue":
            keyed = [i for i, text_line in enumerate(lines) if ": " in text_line]
            if keyed:
                i = keyed[pos % len(keyed)]
                lines[i] = lines[i].split(": ", 1)[0] + ": " + arg
                text = "\n".join(lines)
    return text


def _check(result_or_error, breaks: int | None = None) -> None:
    if isinstance(result_or_error, LetterError):
        problems = result_or_error.problems
        assert problems, "a LetterError must say what is wrong"
        for problem in problems:
            assert problem.line >= 1 and problem.column >= 1, problem
            assert "\n" not in problem.message, problem
            if breaks is not None:  # the position lies inside the text
                assert problem.line <= breaks + 1, problem
    else:
        assert isinstance(result_or_error, Letter)


def _breaks(text: str) -> int:
    """Line breaks as YAML counts them (\\n, \\r, \\r\\n, NEL, LS, PS)."""
    return (text.count("\n") + text.count("\r") - text.count("\r\n") + text.count("\x85")
            + text.count("\u2028") + text.count("\u2029"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.sampled_from(SEEDS), operations=mutations)
def test_mutated_text_gives_a_letter_or_a_letter_error(seed, operations):
    text = mutate(seed, operations)
    try:
        outcome = letter_from_text(text, "mutated.yaml", REPO / "examples")
    except LetterError as exc:
        outcome = exc
    _check(outcome, _breaks(text))
    if isinstance(outcome, Letter):
        compose(outcome)  # a valid letter always composes (placeholders, Markdown, notes)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.sampled_from(SEEDS), operations=mutations,
       garbage=st.binary(max_size=16), where=_positions)
def test_mutated_bytes_on_disk_give_a_letter_or_a_letter_error(seed, operations, garbage,
                                                               where):
    raw = mutate(seed, operations).encode("utf-8", "surrogatepass")
    at = where % (len(raw) + 1)
    raw = raw[:at] + garbage + raw[at:]
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "logos").mkdir()
        (Path(folder) / "logos" / "wuc.png").write_bytes(b"\x89PNG\r\n\x1a\n")
        path = Path(folder) / "letter.yaml"
        path.write_bytes(raw)
        try:
            outcome = load_letter(path)
        except LetterError as exc:
            outcome = exc
    _check(outcome)


# One field at a time, given any value: `{v}` is replaced by the value as written in YAML.
FIELDS = [
    "recipients:\n  - name: {v}\nsignatories: [X]\n",
    "recipients:\n  - title: T\n    address: {v}\nsignatories: [X]\n",
    "recipients: {v}\nsignatories: [X]\n",
    "recipients: [{{name: J}}]\nsignatories:\n  - organisation: X\n    logo: {v}\n",
    "recipients: [{{name: J}}]\nsignatories:\n  - organisation: X\n    url: {v}\n",
    "recipients: [{{name: J}}]\nsignatories:\n  - {v}\n  - X\n",
    "recipients: [{{name: J}}]\nsignatories: [X]\ndate: {v}\n",
    "recipients: [{{name: J}}]\nsignatories: [X]\nlanguage: {v}\n",
    "recipients: [{{name: J}}]\nsignatories: [X]\ntemplate: {v}\n",
    "recipients: [{{name: J}}]\nsignatories: [X]\ndemands:\n  numbered: {v}\n  items: [a]\n",
    "recipients: [{{name: J}}]\nsignatories: [X]\ndemands: {v}\n",
    "recipients: [{{name: J}}]\nsignatories: [X]\ndemands:\n  - {v}\n",
    "recipients: [{{name: J}}]\nsignatories: [X]\nopening: {v}\nnotes:\n  x: {v}\n",
    "recipients: [{{name: J}}]\nsignatories: [X]\nconcerns:\n  - text: {v}\n",
    "recipients: [{{name: J}}]\nsignatories: [X]\nnotes: {v}\n",
    "recipients: [{{name: J}}]\nsignatories: [X]\n{v}: x\n",
]
_values = st.one_of(st.sampled_from(VALUES), st.text(max_size=20).map(json.dumps),
                    st.text(max_size=20))


@pytest.fixture(scope="module")
def letter_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("letter")
    (folder / "logos").mkdir()
    (folder / "logos" / "wuc.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (folder.parent / "outside.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return folder


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(template=st.sampled_from(FIELDS), value=_values)
def test_any_value_in_any_field_gives_a_letter_or_a_letter_error(letter_folder, template,
                                                                 value):
    text = template.replace("{v}", value).replace("{{", "{").replace("}}", "}")
    try:
        outcome = letter_from_text(text, "field.yaml", letter_folder)
    except LetterError as exc:
        outcome = exc
    _check(outcome, _breaks(text))


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=300))
def test_arbitrary_text_gives_a_letter_error(text):
    try:
        outcome = letter_from_text(text, "random.yaml")
    except LetterError as exc:
        outcome = exc
    _check(outcome)


# -------------------------------------------------------------------- no blanket handlers

LOADING_CODE = ["letter/source.py", "letter/validate.py", "letter/model.py", "letter/matching.py",
                "errors.py", "output/files.py"]
BLANKET = {"Exception", "BaseException"}


def _handlers(source: str):
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ExceptHandler):
            yield node


def _is_blanket(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(n, ast.Name) and n.id in BLANKET or
               isinstance(n, ast.Attribute) and n.attr in BLANKET for n in names)


def test_loading_code_has_no_blanket_except():
    for name in LOADING_CODE:
        source = (REPO / "drafter" / name).read_text(encoding="utf-8")
        blanket = [h.lineno for h in _handlers(source) if _is_blanket(h)]
        assert not blanket, (f"drafter/{name} lines {blanket}: a blanket except would turn "
                             "bugs into LetterError; catch the specific exceptions")


def test_cli_has_exactly_one_blanket_handler_in_main():
    tree = ast.parse((REPO / "drafter" / "cli" / "__init__.py").read_text(encoding="utf-8"))
    found = []
    for func in ast.walk(tree):
        if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found += [func.name for h in _handlers(ast.unparse(func)) if _is_blanket(h)]
    assert found == ["main"], f"blanket handlers in {found}; only main() may have one (status 70)"
