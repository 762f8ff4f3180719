"""Read a letter's YAML as plain text data, remembering where every key and value stands.

Every scalar is read as a string (no YAML 1.1 surprises such as `NO` -> False); typing is the
model's job. Anchors and aliases are refused before anything is expanded (alias bombs), and
duplicate keys are reported with both lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

from .errors import LetterError, Problem, format_path

MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64
_NULLS = {"", "~", "null", "Null", "NULL"}


@dataclass
class Source:
    """A parsed YAML document: plain data plus the position of every key and value."""

    file: str
    data: object
    values: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    keys: dict[tuple, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: tuple, key: bool = False) -> tuple[int, int]:
        """Line and column (from 1) of the value at `path`, or of its nearest known parent."""
        table = self.keys if key else self.values
        while path:
            if path in table:
                return table[path]
            if not key and path in self.keys:
                return self.keys[path]
            path = path[:-1]
        return self.values.get((), (1, 1))

    def problem(self, path: tuple, message: str, key: bool = False,
                severity: str = "error") -> Problem:
        """A Problem located at `path` in this file."""
        line, col = self.where(path, key)
        return Problem(self.file, line, col, format_path(path), message, severity)


def decode(raw: bytes, file: str) -> str:
    """Decode UTF-8 (a BOM is allowed), reporting the position of the first bad byte."""
    if len(raw) > MAX_BYTES:
        raise LetterError([Problem(file, 1, 1, "", f"file is {len(raw):,} bytes; letters "
                                   f"larger than {MAX_BYTES // (1024 * 1024)} MB are refused")])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[:exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise LetterError([Problem(file, line, col, "", "not UTF-8 text (byte "
                                   f"0x{raw[exc.start]:02x}); save the file as UTF-8")]) from None


def parse(text: str, file: str) -> Source:
    """Parse YAML text into a Source, or raise LetterError with the syntax problem."""
    yaml = YAML(typ="rt", pure=True)
    try:
        root = yaml.compose(text)
    except MarkedYAMLError as exc:
        raise LetterError([_syntax_problem(exc, file)]) from None
    except YAMLError as exc:
        raise LetterError([Problem(file, 1, 1, "", f"YAML syntax: {exc}")]) from None
    except RecursionError:
        raise LetterError([Problem(file, 1, 1, "", "the YAML is nested too deeply")]) from None
    source = Source(file, None)
    if root is None:
        raise LetterError([Problem(file, 1, 1, "", "the file is empty; a letter needs at least "
                                   "'recipients' and 'signatories'")])
    problems: list[Problem] = []
    source.data = _walk(root, (), source, problems, 0)
    if problems:
        raise LetterError(problems)
    return source


def _syntax_problem(exc: MarkedYAMLError, file: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    what = " ".join(str(x) for x in (exc.context, exc.problem) if x)
    if "quoted scalar" in what and exc.context_mark is not None:
        # The scanner fails at the end of the file; the user needs the opening quote.
        mark = exc.context_mark
        what = "this quoted text is never closed (missing closing quote)"
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    if "\\t" in what or "\t" in what:
        what += " (indent with spaces, not tabs)"
    if "duplicate key" in what:
        what = "duplicate key"
    return Problem(file, line, col, "", f"YAML syntax: {what}")


def _pos(node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _walk(node, path: tuple, source: Source, problems: list[Problem], depth: int):
    """Turn a node into str / list / dict (or None), recording positions and refusals."""
    source.values[path] = _pos(node)
    line, col = _pos(node)
    if getattr(node, "anchor", None) is not None:
        problems.append(Problem(source.file, line, col, format_path(path),
                                "YAML anchors and aliases (&name, *name) are not allowed; "
                                "write the value out"))
        return None
    if depth > MAX_DEPTH:
        problems.append(Problem(source.file, line, col, format_path(path),
                                "nested too deeply"))
        return None
    if isinstance(node, ScalarNode):
        plain = node.style is None
        return None if plain and node.value in _NULLS else node.value
    if isinstance(node, SequenceNode):
        return [_walk(item, path + (i,), source, problems, depth + 1)
                for i, item in enumerate(node.value)]
    if isinstance(node, MappingNode):
        out: dict = {}
        first: dict[str, tuple[int, int]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                kl, kc = _pos(key_node)
                problems.append(Problem(source.file, kl, kc, format_path(path),
                                        "a key must be plain text"))
                continue
            key = key_node.value
            kpos = _pos(key_node)
            if key in first:
                problems.append(Problem(source.file, *kpos, format_path(path + (key,)),
                                        f"duplicate key '{key}' (first given at line "
                                        f"{first[key][0]})"))
                continue
            first[key] = kpos
            source.keys[path + (key,)] = kpos
            out[key] = _walk(value_node, path + (key,), source, problems, depth + 1)
            if isinstance(value_node, ScalarNode) and value_node.value == "":
                # An empty value has no position of its own (ruamel puts it on the next line).
                source.values[path + (key,)] = kpos
        return out
    return None  # pragma: no cover - ruamel composes only the three node kinds
