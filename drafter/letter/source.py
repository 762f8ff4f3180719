"""Read a letter's YAML as plain text data, remembering where every key and value stands.

Every scalar is read as a string (no YAML 1.1 surprises such as `NO` -> False); typing is the
model's job. Anchors and aliases are refused before anything is expanded (alias bombs), and
duplicate keys are reported with both lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer, MaxDepthExceededError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from ..errors import LetterError, Problem, format_path

MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64
# Keys and values: a letter with 5,000 signatories has about 40,000. Reading a node costs
# ruamel some 30 microseconds and 1 kB, so 5 MB of "a," (2.5 million nodes) would take a
# minute and gigabytes before any check ran.
MAX_NODES = 250_000
_NULLS = {"", "~", "null", "Null", "NULL"}


@dataclass
class Source:
    """A parsed YAML document: plain data plus the position of every key and value."""

    file: str
    data: object
    values: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    keys: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    text: str = ""
    spans: dict[tuple, tuple[int, int]] = field(default_factory=dict)

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

    def find(self, path: tuple, needle: str, occurrence: int = 0) -> tuple[int, int] | None:
        """Line and column of the `occurrence`-th `needle` as written inside the value at
        `path` (e.g. a footnote reference in a block of text), or None if not found verbatim."""
        start, end = self.spans.get(path, (0, 0))
        at = start - 1
        for _ in range(occurrence + 1):
            at = self.text.find(needle, at + 1, end)
            if at < 0:
                return None
        return _line_col(self.text, at)

    def position(self, index: int) -> tuple[int, int]:
        """Line and column (from 1) of a character index of the text."""
        return _line_col(self.text, index)


def _line_col(text: str, index: int) -> tuple[int, int]:
    """Line and column (from 1) of a character index, counting only newlines as breaks."""
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def decode(raw: bytes, file: str) -> str:
    """Decode UTF-8 (a BOM is allowed), reporting the position of the first bad byte."""
    if len(raw) > MAX_BYTES:
        raise LetterError([_too_large(file)])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[:exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise LetterError([Problem(file, line, col, "", "not UTF-8 text (byte "
                                   f"0x{raw[exc.start]:02x}); save the file as UTF-8")]) from None


def _too_large(file: str) -> Problem:
    return Problem(file, 1, 1, "", f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB; "
                   "letters that large are refused")


class _AliasNode(ScalarNode):
    """Stands where an alias (*name) was written; the aliased node is never looked up."""

    __slots__ = ("alias",)


class _TooManyNodes(Exception):
    """The document has more than MAX_NODES keys and values; `mark` is where it went over."""

    def __init__(self, mark):
        super().__init__("too many nodes")
        self.mark = mark


class _Composer(Composer):
    """ruamel's composer, except that an alias becomes an _AliasNode at the alias's own
    position (so it can be refused there) instead of a second reference to the anchored node,
    and that it stops after MAX_NODES nodes."""

    def __init__(self, loader=None):
        super().__init__(loader)
        self.warn_double_anchors = False  # every anchor is refused anyway
        self.nodes = 0

    def compose_node(self, parent, index):
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooManyNodes(self.parser.peek_event().start_mark)
        if self.parser.check_event(AliasEvent):
            event = self.parser.get_event()
            node = _AliasNode("tag:yaml.org,2002:str", "", event.start_mark, event.end_mark)
            node.alias = event.anchor
            return node
        return super().compose_node(parent, index)


# The last texts parsed, and what they read as: an import reads the letter, then checks the
# merged text, then validates it; a letter of 40,000 signatories takes ruamel 15 s a reading.
_PARSED: dict[tuple, Source] = {}
_REMEMBERED = 2


def parse(text: str, file: str) -> Source:
    """Parse YAML text into a Source, or raise LetterError with the syntax problem.

    The same text (and file name, and limits) parsed again is not read again: each caller gets
    a copy of the Source of the last reading of it, to change as it likes."""
    key = (file, MAX_BYTES, MAX_DEPTH, MAX_NODES, text)
    known = _PARSED.get(key)
    if known is None:
        known = _parse(text, file)
        while len(_PARSED) >= _REMEMBERED:
            del _PARSED[next(iter(_PARSED))]
        _PARSED[key] = known
    return Source(known.file, _copy(known.data), dict(known.values), dict(known.keys),
                  known.text, dict(known.spans))


def _copy(data):
    """Plain data (str, list, dict, None) copied all the way down."""
    if isinstance(data, dict):
        return {k: _copy(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_copy(v) for v in data]
    return data


def _parse(text: str, file: str) -> Source:
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise LetterError([_too_large(file)])
    # The safe parser: the round-trip one also tracks comments, and crashes on some broken
    # input (NotImplementedError "overlap in comment") instead of reporting a syntax error.
    yaml = YAML(typ="safe", pure=True)
    yaml.Composer = _Composer
    yaml.max_depth = MAX_DEPTH  # ruamel then refuses deeper nesting, with its position
    try:
        root = yaml.compose(text)
    except ReaderError as exc:
        line, col = _line_col(text, min(exc.position, len(text)))
        char = exc.character if isinstance(exc.character, int) else 0
        raise LetterError([Problem(file, line, col, "", f"the character U+{char:04X} is not "
                                   "allowed in a YAML file; remove it")]) from None
    except MarkedYAMLError as exc:
        raise LetterError([_syntax_problem(exc, file, text)]) from None
    except YAMLError as exc:
        raise LetterError([Problem(file, 1, 1, "", "YAML syntax: " + " ".join(str(exc).split()))
                           ]) from None
    except RecursionError:
        raise LetterError([Problem(file, 1, 1, "", "the YAML is nested too deeply")]) from None
    except _TooManyNodes as exc:
        raise LetterError([Problem(file, exc.mark.line + 1, exc.mark.column + 1, "",
                                   f"the file holds more than {MAX_NODES:,} keys and values "
                                   "(a letter needs far fewer); files that large are refused")
                           ]) from None
    source = Source(file, None, text=text)
    if root is None or (isinstance(root, ScalarNode) and root.style is None
                        and root.value in _NULLS):
        raise LetterError([Problem(file, 1, 1, "", "the file is empty; a letter needs at least "
                                   "'recipients' and 'signatories'")])
    problems: list[Problem] = []
    source.data = _walk(root, (), source, problems)
    if problems:
        raise LetterError(problems)
    return source


_QUOTE_IT = "put the whole value in quotes"
# A value that starts with one of these is not read as plain text by YAML.
_STARTERS = {"*": "an alias", "&": "an anchor", "!": "a tag", "'": "quoted text",
             '"': "quoted text", "%": "a directive", "@": "reserved", "`": "reserved"}


def _syntax_problem(exc: MarkedYAMLError, file: str, text: str) -> Problem:
    """A YAML syntax error in a user's words, at the place the user has to look."""
    mark = exc.problem_mark or exc.context_mark
    context, problem = str(exc.context or ""), str(exc.problem or "")
    what = " ".join(x for x in (context, problem) if x)
    value_start = _value_start(text, mark.index) if mark else None
    if isinstance(exc, MaxDepthExceededError):
        what = f"nested more than {MAX_DEPTH} levels deep; a letter needs only a few"
    elif "quoted scalar" in context and exc.context_mark is not None:
        # The scanner fails at the end of the file; the user needs the opening quote.
        mark = exc.context_mark
        what = "this quoted text is never closed (missing closing quote)"
    elif "flow sequence" in context or "flow mapping" in context:
        mark = exc.context_mark or mark
        bracket = "[" if "sequence" in context else "{"
        closing = "]" if bracket == "[" else "}"
        what = f"this '{bracket}' is never closed (missing '{closing}' or ',')"
    elif "'\\t'" in problem or "\t" in problem:
        line_start = text.rfind("\n", 0, mark.index) + 1 if mark else 0
        if mark is not None and not text[line_start:mark.index].strip(" \t"):
            what = "a tab is used for indentation; indent with spaces, not tabs"
        else:
            what = "a tab character cannot stand here; use spaces (or put the text in quotes)"
    elif ("scanning an anchor" in context or "scanning an alias" in context
          or "scanning a directive" in context or "scanning an directive" in context
          or "that cannot start any token" in problem):
        mark = exc.context_mark or mark
        char = text[mark.index] if mark and mark.index < len(text) else "this character"
        what = f"a value cannot start with '{char}' unless it is quoted; {_QUOTE_IT}"
    elif "scanning a block scalar" in context:
        what = "after '|' or '>' the text must start on the next line, indented"
    elif "mapping values are not allowed here" in problem:
        what = ("a ':' followed by a space inside a value; put the value in quotes, or "
                "check the indentation")
    elif "but found '<scalar>'" in problem and value_start is not None:
        # Text after a complete value: `- *italic* text`, `name: "Jane" Doe`.
        line_start = text.rfind("\n", 0, mark.index) + 1
        first = text[value_start]
        line, col = text.count("\n", 0, value_start) + 1, value_start - line_start + 1
        kind = _STARTERS.get(first)
        if first in "'\"":
            what = (f"the value starts with {first}, so it must also end with it; {_QUOTE_IT} "
                    f"(inside {first}...{first}, use the other kind of quote)")
        elif kind:
            what = f"YAML reads a value that starts with '{first}' as {kind}; {_QUOTE_IT}"
        else:
            what = f"unexpected text after the value; {_QUOTE_IT}"
        return Problem(file, line, col, "", f"YAML syntax: {what}")
    elif "expected" in problem and mark and text[mark.index:mark.index + 1] in ("]", "}"):
        what = f"unexpected '{text[mark.index]}' (it closes no bracket)"
    elif ("expected <block end>" in problem or "are not allowed here" in problem
          or "<document start>" in problem):
        what = "this line is not indented like the lines above it"
    elif "could not find expected ':'" in problem:
        mark = exc.context_mark or mark
        what = "expected 'key: value' here (a ':' is missing, or the indentation is off)"
    elif "expected the node content" in problem:
        what = "a value is missing here"
    elif "expected a single document" in context:
        what = "a letter is one YAML document; remove the second '---' and what follows"
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return Problem(file, line, col, "", f"YAML syntax: {what}")


def _value_start(text: str, index: int) -> int | None:
    """Where the value that the text at `index` follows begins on its line (after '- ' or
    ': '), if the line has one."""
    line_start = text.rfind("\n", 0, index) + 1
    before = text[line_start:index]
    # The first value on the line: a later ': ' may be inside the bad value.
    match = re.search(r"(?:^\s*-|:)\s+(?=\S)", before)
    return line_start + match.end() if match else None


def _refused(node) -> str | None:
    """Why a node cannot be used as written: anchors and aliases (they allow exponential
    expansion, and a letter never needs them)."""
    if isinstance(node, _AliasNode):
        return (f"YAML aliases (*{node.alias}) are not allowed; write the value out here "
                "instead of referring to an anchor (text that starts with '*', such as "
                "*italic*, must be put in quotes)")
    if node.anchor is not None:
        return (f"YAML anchors (&{node.anchor}) are not allowed; remove the anchor and write "
                "the value out wherever it is needed (text that starts with '&' must be put "
                "in quotes)")
    return None


def _pos(node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _walk(node, path: tuple, source: Source, problems: list[Problem]):
    """Turn a node into str / list / dict (or None), recording positions and refusals."""
    source.values[path] = _pos(node)
    source.spans[path] = (node.start_mark.index, node.end_mark.index)
    refused = _refused(node)
    if refused:
        problems.append(Problem(source.file, *_pos(node), format_path(path), refused))
        return None
    if isinstance(node, ScalarNode):
        # (The safe parser folds `>` scalars cleanly; the round-trip one left BEL marks.)
        return None if node.style is None and node.value in _NULLS else node.value
    if isinstance(node, SequenceNode):
        return [_walk(item, path + (i,), source, problems) for i, item in enumerate(node.value)]
    if isinstance(node, MappingNode):
        out: dict = {}
        first: dict[str, tuple[int, int]] = {}
        for key_node, value_node in node.value:
            kpos = _pos(key_node)
            refused = _refused(key_node) or (
                None if isinstance(key_node, ScalarNode) else "a key must be plain text")
            if refused:
                problems.append(Problem(source.file, *kpos, format_path(path), refused))
                continue
            key = key_node.value
            if key in first:
                problems.append(Problem(source.file, *kpos, format_path(path + (key,)),
                                        f"duplicate key '{key}' (first given at line "
                                        f"{first[key][0]})"))
                continue
            first[key] = kpos
            source.keys[path + (key,)] = kpos
            out[key] = _walk(value_node, path + (key,), source, problems)
            if (isinstance(value_node, ScalarNode) and value_node.style is None
                    and value_node.value == ""):
                # An empty value has no position of its own (ruamel puts it on the next line).
                source.values[path + (key,)] = kpos
        return out
    return None  # pragma: no cover - ruamel composes only the three node kinds
