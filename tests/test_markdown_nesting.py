"""Lists and quotes nested in prose: every level up to the depth drafter prints reaches every
format with the text after it; deeper nesting is refused at its field, never cut off (markdown-it
would drop it, and the rest of the field, without a word)."""

from __future__ import annotations

import io
import re
import zipfile

import pdfplumber
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from drafter import LetterError, load_letter
from drafter.compose.markdown import MAX_DEPTH, too_deep
from drafter.pipeline import render
from drafter.letter.prosecheck import _DEEP_LINE


def _letter(tmp_path, depth: int):
    lines = ["recipients:", "  - name: Jane Doe", "opening: |"]
    lines += ["  " + "  " * d + f"- level{d}x" for d in range(depth)]
    lines += ["", "  Closingparagraph survives.", "concerns:", "  - text: |"]
    lines += ["      " + "> " * (d + 1) + f"quote{d}x" for d in range(depth)]
    lines += ["", "      Afterquotes survives.", "signatories: [Foo]", ""]
    path = tmp_path / "deep.yaml"
    path.write_text("\n".join(lines), "utf-8")
    return path


def test_every_level_up_to_the_limit_reaches_every_format(tmp_path):
    letter = load_letter(_letter(tmp_path, MAX_DEPTH))
    texts = {}
    with pdfplumber.open(io.BytesIO(render(letter, "pdf"))) as pdf:
        texts["pdf"] = " ".join(p.extract_text() or "" for p in pdf.pages)
    with zipfile.ZipFile(io.BytesIO(render(letter, "docx"))) as z:
        texts["docx"] = re.sub(r"<[^>]+>", " ", z.read("word/document.xml").decode())
    texts["html"] = render(letter, "html").decode()
    texts["txt"] = render(letter, "txt").decode()
    for fmt, text in texts.items():
        for d in range(MAX_DEPTH):
            assert f"level{d}x" in text and f"quote{d}x" in text, (fmt, d)
        assert "Closingparagraph survives" in " ".join(text.split()), fmt
        assert "Afterquotes survives" in " ".join(text.split()), fmt


def test_one_level_more_is_refused_where_it_is(tmp_path):
    path = _letter(tmp_path, MAX_DEPTH + 1)
    with pytest.raises(LetterError) as caught:
        load_letter(path)
    found = [(p.line, p.path, p.message) for p in caught.value.problems]
    assert [(line, where) for line, where, _ in found] == [(3, "opening"),
                                                          (MAX_DEPTH + 8, "concerns[0].text")]
    assert all(f"nested {MAX_DEPTH + 1} levels deep (line {MAX_DEPTH + 1} of the text)" in m
               for _, _, m in found)


@st.composite
def nested(draw):
    """Markdown with lists and quotes inside each other, indented with spaces or tabs."""
    lines, prefix = [], ""
    for _ in range(draw(st.integers(1, MAX_DEPTH + 6))):
        step = draw(st.sampled_from(["- ", "* ", "1. ", "2) ", "> ", "\t- ", "   > "]))
        prefix = prefix + (" " * len(step) if draw(st.booleans()) and not step.strip(
        ).startswith(">") else "") if draw(st.booleans()) else prefix
        lines.append(prefix + step + "word")
        prefix = prefix + " " * len(step.expandtabs(4)) if not step.strip().startswith(
            ">") else prefix + "> "
    return "\n".join(lines)


@settings(max_examples=300, deadline=None)
@given(nested())
@example("\n".join("\t" * (d // 2) + ("  " if d % 2 else "") + "- w" for d in range(MAX_DEPTH + 2)))
@example("- " * (MAX_DEPTH + 2) + "w")
@example("> - " * (MAX_DEPTH // 2 + 1) + "w")
def test_the_quick_look_never_misses_a_field_that_is_too_deep(text):
    # validate parses Markdown only for fields with a line _DEEP_LINE finds: that must hold
    # for every field markdown-it reads as nested too deep.
    if too_deep(text) is not None:
        assert _DEEP_LINE.search(text.expandtabs(4)), text


def test_a_200_level_list_is_refused_at_its_line_and_nothing_is_written(tmp_path, drafter_cli):
    lines = ["recipients: [{name: Jane Doe}]", "signatories: [Foo]", "conclusion: Thanks.",
             "opening: |", "  Before the list."]
    lines += ["  " + "  " * d + f"- level{d}" for d in range(200)]
    lines += ["", "  After the list."]
    path = tmp_path / "deep.yaml"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    result = drafter_cli("render", path, "--out", tmp_path / "out")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"{path}:4:10: opening: lists or quotes nested "
                                    f"{MAX_DEPTH + 1} levels deep (line {MAX_DEPTH + 2} of the "
                                    "text)"), result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
