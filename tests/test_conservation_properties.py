"""Two properties over generated letters (issue 11): every word written in the YAML appears, in
order, in every format; and every list is numbered the same in the PDF and the DOCX.

Each Markdown construct named in the issue has a strategy; every word is a unique token
("w12q"), so reading a format back is finding the tokens in its text. The comparison ignores
only whitespace, hyphenation at line ends and quote characters (typography may curl them). The
PDF is read by pdfplumber, the DOCX by docx2python, the HTML by the standard library's parser
and the list numbers of the DOCX by LibreOffice (one process for every example: tests/office.py).
"""

from __future__ import annotations

import io
import os
import re
from html.parser import HTMLParser

import pdfplumber
from docx2python import docx2python
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from drafter.pipeline import render_all
from drafter.letter.validate import letter_from_text

# At least 200 examples each in CI, where the suite runs once; DRAFTER_EXAMPLES lowers it for
# a quick local run.
EXAMPLES = int(os.environ.get("DRAFTER_EXAMPLES", "200"))
PROPERTY = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])
TOKEN = re.compile(r"[wn]\d+q")
UYGHUR = "\u0626\u06c7\u064a\u063a\u06c7\u0631"  # ئۇيغۇر


class Tokens:
    """Hands out unique words; `w` words are body text, `n` words are footnote text."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, kind: str = "w") -> str:
        self.count += 1
        return f"{kind}{self.count}q"


# -- one strategy per construct: each returns a function of Tokens giving Markdown -------------

def _words(n: int):
    return lambda t: " ".join(t() for _ in range(n))


def _inline():
    """A line of words with inline constructs: emphasis, code, links (titles are not printed),
    images (alt text), entities, escapes, raw HTML, text pasted from Word, a long word."""
    pieces = st.lists(st.sampled_from([
        lambda t: t(), lambda t: f"**{t()} {t()}**", lambda t: f"*{t()}*", lambda t: f"_{t()}_",
        lambda t: f"`{t()} [^x]`", lambda t: f"[{t()} {t()}](https://example.org/page)",
        lambda t: f'[{t()}](https://example.org/a "a title")', lambda t: f"![{t()}](pic.png)",
        lambda t: f"{t()}&amp;{t()}", lambda t: f"{t()}&nbsp;{t()}", lambda t: f"\\*{t()}\\*",
        lambda t: f"<b>{t()}</b>", lambda t: f"{t()}\u00a0{t()}\t{t()}",
        lambda t: f"\u201c{t()}\u201d \u2018{t()}\u2019", lambda t: f'"{t()}" {t()}\'s',
        lambda t: t() + "x" * 90, lambda t: f"https://example.org/{t()}/" + "y" * 70,
        lambda t: f"{t()}  \n{t()}", lambda t: f"{t()}\\\n{t()}",
        lambda t: f"\\[^x] {t()}", lambda t: f"<https://example.org/{t()}>",
    ]), min_size=1, max_size=5)
    return pieces.map(lambda ps: lambda t: " ".join(p(t) for p in ps))


def _nested_list(depth: int, ordered: bool, start: int = 1, with_after: bool = False,
                 loose: bool = False):
    """A list nested `depth` deep; `loose` puts blank lines between levels, so that a level
    starting at another number than 1 is a list (without them it continues the text above)."""
    def build(t):
        lines, indent = [], ""
        for level in range(depth):
            marker = f"{start}." if ordered else "-"
            lines += [""] * (loose and level > 0) + [f"{indent}{marker} {t()} {t()}"]
            indent += " " * (len(marker) + 1)
        if with_after:  # a paragraph of the first item after its sub-lists
            lines += ["", " " * (len(f"{start}.") + 1 if ordered else 2) + f"{t()} {t()}"]
        return "\n".join(lines)
    return build


def _quotes(depth: int):
    return lambda t: "\n".join("> " * (d + 1) + t() for d in range(depth))


BLOCKS = st.one_of(  # depths kept small for speed: the explicit DEEP example goes to 30 and 20
    _inline(),
    st.builds(_nested_list, st.integers(1, 8), st.booleans(), st.sampled_from([1, 3, 2030]),
              st.booleans()),
    st.builds(_quotes, st.integers(1, 8)),
    st.just(lambda t: f"# {t()} {t()}"), st.just(lambda t: f"{t()}\n---\n"),
    st.just(lambda t: f"```python\n{t()} {t()} [^x]\n```"),
    st.just(lambda t: f"    {t()} {t()}"),
    st.just(lambda t: f"| {t()} | {t()} |\n|---|---|\n| {t()} | {t()} |"),
    st.just(lambda t: f"[{t()}]: {t()} {t()}"),
    st.just(lambda t: f"{UYGHUR} {t()} {t()}"),
    st.just(lambda t: f"1. {t()}\n2.\n3. {t()}"),
    st.just(lambda t: f"- {t()}\n\n  - {t()}\n\n  {t()}"),
    st.just(lambda t: f"{t()} cites a note[^k]"),
)

DEMAND_ITEMS = st.sampled_from([
    lambda t: f"{t()} {t()}", lambda t: "---", lambda t: "-", lambda t: ">",
    lambda t: f"2030. {t()}", lambda t: f"1. {t()}", lambda t: f"**{t()}** {t()}",
    lambda t: f"{t()}\n\n- {t()}\n- {t()}", lambda t: f"- {t()}\n- {t()}",
])


@st.composite
def letters(draw):
    """(YAML text, body tokens in reading order, note tokens)."""
    t = Tokens()
    cc_name, cc_org, cc_line = t(), t(), t()
    fields = {"opening": draw(st.lists(BLOCKS, min_size=1, max_size=3)),
              "concern": draw(st.lists(BLOCKS, min_size=0, max_size=2))}
    texts = {key: "\n\n".join(block(t) for block in blocks) for key, blocks in fields.items()}
    items = [item(t) for item in draw(st.lists(DEMAND_ITEMS, min_size=1, max_size=5))]
    if not any(TOKEN.search(i) for i in items):
        items.append(f"{t()} {t()}")
    signer = t()
    note = f"{t('n')} {t('n')}"
    needs_note = "[^k]" in texts["opening"] + texts["concern"]
    if not needs_note:
        texts["opening"] += f"\n\n{t()} cites a note[^k]"
    yaml = "\n".join([
        "subject: Generated letter",
        "recipients: [{name: Jane Doe}]",
        f"cc:\n  - name: Person {cc_name}\n    organisation: Office {cc_org}\n"
        f"    address: [Street {cc_line}]",
        f"opening: {_block(texts['opening'], 2)}",
        "concerns:", f"  - text: {_block(texts['concern'] or t(), 6)}",
        "demands:", "  - intro: We ask you to", "    items:",
        *[f"      - {_block(item, 8)}" for item in items],
        f"signatories: [Organisation {signer}]",
        f"notes:\n  k: {note}",
    ]) + "\n"
    return yaml


def _block(text: str, indent: int) -> str:
    """A YAML block scalar holding `text` exactly, its lines indented by `indent`."""
    # The indentation indicator (2) lets the text start with spaces (an indented code block).
    return "|2-\n" + "\n".join(" " * indent + line if line else "" for line in text.split("\n"))


def _expected(yaml: str) -> tuple[list[str], list[str]]:
    """Tokens a reader must see: body ones in order, note ones anywhere. Tokens only in a link
    title, a fence info string or a URL are not words of the letter."""
    visible = re.sub(r'"a title"|https://example\.org/\S*', " ", yaml)
    tokens = TOKEN.findall(visible)
    return [w for w in tokens if w[0] == "w"], [w for w in tokens if w[0] == "n"]


def _squeeze(text: str) -> str:
    """The text with whitespace, line-end hyphens, soft hyphens and quotes removed."""
    text = re.sub(r"-\s*\n", "", text.replace("\u00ad", ""))
    return re.sub(r"[\s\"'\u2018\u2019\u201a\u201c\u201d\u201e\u00ab\u00bb]", "", text)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("style", "title", "script")

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "title", "script")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _format_texts(outputs: dict[str, bytes]) -> dict[str, str]:
    with pdfplumber.open(io.BytesIO(outputs["pdf"])) as pdf:
        pdf_text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    with docx2python(io.BytesIO(outputs["docx"])) as docx:
        docx_text = docx.text
    parser = _Text()
    parser.feed(outputs["html"].decode("utf-8"))
    return {"pdf": pdf_text, "docx": docx_text, "html": "".join(parser.parts),
            "txt": outputs["txt"].decode("utf-8")}


def _in_order(tokens: list[str], text: str) -> list[str]:
    """The tokens missing from `text`, or found out of order."""
    missing, at = [], 0
    for token in tokens:
        found = text.find(token, at)
        if found < 0:
            missing.append(token)
        else:
            at = found + len(token)
    return missing


DEEP = ("recipients: [{name: Jane Doe}]\nopening: |-\n" +
        "\n".join("  " + "  " * d + f"- w{d + 2}q" for d in range(30)) + "\n\n  w40q after\n"
        "concerns:\n  - text: |-\n" + "\n".join("      " + "> " * (d + 1) + f"w{d + 50}q"
                                               for d in range(20)) + "\n\n      w80q after\n"
        "signatories: [Organisation w90q]\n")
CASES = {  # one letter per bullet of the "Why" that loses or reorders words
    "calls as text": "opening: |-\n  `w2q [^x]` w3q \\[^x] w4q\n\n  ```py\n  w5q [^x]\n  ```",
    "reference line": "opening: |-\n  [w2q]: w3q w4q",
    "titles": 'opening: |-\n  [w2q](https://example.org/p "a title") ![w3q](i.png "a title")',
    "cc in full": "cc:\n  - name: w2q\n    title: w3q\n    organisation: w4q\n"
                  "    address: [w5q, w6q]\nopening: w7q",
    "empty demands": "opening: w2q\ndemands:\n  - w3q\n  - '---'\n  - '-'\n  - '>'\n  - w4q",
    "hand numbers": "opening: w2q\ndemands:\n  - '2030. w3q'\n  - '1. w4q'",
    "item order": "opening: |-\n  1. w2q\n\n     - w3q\n\n     w4q\n  2. w5q",
    "uyghur start": f"opening: {UYGHUR} w2q w3q w4q",
    "long words": "opening: w2q" + "x" * 150 + " https://example.org/" + "y" * 150 + " w3q",
}


def _case(body: str) -> str:
    return "recipients: [{name: Jane Doe}]\n" + body + "\nsignatories: [Organisation w1q]\n"


@PROPERTY
@given(letters())
@example(DEEP)
@example(_case(CASES["calls as text"]))
@example(_case(CASES["reference line"]))
@example(_case(CASES["titles"]))
@example(_case(CASES["cc in full"]))
@example(_case(CASES["empty demands"]))
@example(_case(CASES["hand numbers"]))
@example(_case(CASES["item order"]))
@example(_case(CASES["uyghur start"]))
@example(_case(CASES["long words"]))
def test_every_word_appears_in_order_in_every_format(yaml):
    letter = letter_from_text(yaml, "generated.yaml")
    body, notes = _expected(yaml)
    texts = _format_texts(render_all(letter, ("pdf", "docx", "html", "txt")).formats)
    for fmt, text in texts.items():
        squeezed = _squeeze(text)
        assert _in_order(body, squeezed) == [], (fmt, yaml)
        assert [n for n in notes if n not in squeezed] == [], (fmt, yaml)


# -- list numbers ---------------------------------------------------------------------------

LIST_LINE = re.compile(r"^(\d+)\.$")


def _numbers(line: list[str]) -> list[tuple[str, str | None]]:
    """(number, the word it numbers) for a line's leading numbers: "3. 1. w4q" (a hand-written
    number after the list's) and "1. 1. w3q" (an item starting with a sub-list) give two."""
    found = []
    for i, word in enumerate(line):
        if not LIST_LINE.match(word):
            break
        after = line[i + 1] if i + 1 < len(line) else ""
        found.append((word, after if TOKEN.fullmatch(after) else None))
    return found


def _pdf_numbers(data: bytes) -> list[tuple[str, str | None]]:
    """The numbers starting the PDF's lines, in reading order."""
    numbers = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            rows: list[list[dict]] = []  # markers are drawn after their text: sort by place
            for word in sorted(page.extract_words(), key=lambda w: w["bottom"]):
                if not rows or word["bottom"] - rows[-1][0]["bottom"] > 3:
                    rows.append([])
                rows[-1].append(word)
            for row in rows:
                numbers += _numbers([w["text"] for w in sorted(row, key=lambda w: w["x0"])])
    return numbers


def _office_numbers(office, path) -> list[tuple[str, str | None]]:
    """The same from the DOCX: each paragraph's label as LibreOffice numbers it, then its text."""
    numbers = []
    for label, text in office.paragraphs(path):
        numbers += _numbers([label, *text.split()] if label else text.split())
    return numbers


LIST_BLOCKS = st.one_of(  # no "N." inside a paragraph, where a line could start with it
    st.builds(_nested_list, st.integers(1, 10), st.booleans(), st.sampled_from([1, 2, 7, 2030]),
              st.booleans(), st.just(True)),
    st.just(lambda t: f"1. {t()}\n2.\n3. {t()}"),
    st.just(lambda t: f"1. {t()}\n\n   - {t()}\n\n   {t()}\n2. {t()}"),
    st.just(lambda t: f"- {t()}\n\n  2030. {t()}\n  2031. {t()}"),
    st.just(lambda t: f"3) {t()}\n4) {t()}\n\n   1. {t()}"),
    st.just(lambda t: f"1. - {t()}\n   - {t()}\n2. {t()}"),  # an item that starts with a list
)


@st.composite
def list_letters(draw):
    t = Tokens()
    opening = "\n\n".join(block(t) for block in draw(st.lists(LIST_BLOCKS, min_size=1,
                                                               max_size=3)))
    items = [item(t) for item in draw(st.lists(DEMAND_ITEMS, min_size=1, max_size=6))]
    numbered = draw(st.booleans())
    return "\n".join([
        "recipients: [{name: Jane Doe}]", "signatories: [Amnesty International]",
        f"opening: {_block(opening, 2)}", "demands:", f"  - numbered: {str(numbered).lower()}",
        "    items:", *[f"      - {_block(item, 8)}" for item in items],
    ]) + "\n"


@PROPERTY
@given(yaml=list_letters())
@example(yaml=_case(CASES["empty demands"]))
@example(yaml=_case(CASES["hand numbers"]))
@example(yaml=_case(CASES["item order"]))
@example(yaml=_case("opening: |-\n  1. w2q\n     1. w3q\n        1. w4q\n  2. w5q"))
@example(yaml=_case("opening: |-\n  - w2q\n\n    2030. w3q\n    2031. w4q"))
def test_lists_are_numbered_alike_in_pdf_and_docx(yaml, office, tmp_path_factory):
    letter = letter_from_text(yaml, "generated.yaml")
    outputs = render_all(letter, ("pdf", "docx")).formats
    path = tmp_path_factory.mktemp("numbers") / "letter.docx"
    path.write_bytes(outputs["docx"])
    pdf, docx = _pdf_numbers(outputs["pdf"]), _office_numbers(office, path)
    assert pdf == docx, yaml
