"""No tofu: a character that no font the PDF uses can draw stops the render with its name, its
place in the YAML and a font package that has it; --allow-missing-glyphs renders anyway."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# Old Uyghur (Unicode 14): no font of Debian 12 has it, fonts-noto-core included.
OLD_UYGHUR = """\
recipients:
  - name: Jane Doe
subject: "The word \U00010F70\U00010F71 in Old Uyghur"
opening: |
  First paragraph.

  The letter \U00010F70 again, in the second paragraph.
signatories:
  - Example Rights Organisation
  - organisation: Old Script Society
    name: Ann \U00010F72
"""


def drafter(*args, env: dict | None = None, cwd: Path | None = None):
    environment = {**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}
    return subprocess.run([sys.executable, "-m", "drafter", *map(str, args)], cwd=cwd or REPO,
                          env=environment, capture_output=True, text=True, encoding="utf-8",
                          timeout=120)


def _letter(folder: Path, text: str) -> Path:
    path = folder / "letter.yaml"
    path.write_text(text, "utf-8")
    return path


def test_a_script_no_installed_font_has_stops_the_render_naming_each_character(tmp_path):
    letter = _letter(tmp_path, OLD_UYGHUR)
    out = tmp_path / "out"
    result = drafter("render", letter, "--out", out)
    assert result.returncode == 1
    # (the language warning for Old Uyghur text aside)
    lines = [line for line in result.stderr.splitlines() if ": warning: " not in line]
    assert len(lines) == 3, result.stderr  # one per missing character
    first, second, third = lines
    assert first.startswith(f"{letter}:3:20: subject: '\U00010F70' U+10F70 OLD UYGHUR LETTER "
                            "ALEPH: no installed font has it")
    assert "also in 1 other place" in first  # the second paragraph
    assert second.startswith(f"{letter}:3:21: subject: '\U00010F71' U+10F71 OLD UYGHUR LETTER "
                             "BETH:")
    assert third.startswith(f"{letter}:11:15: signatories[1].name: '\U00010F72' U+10F72 OLD "
                            "UYGHUR LETTER GIMEL-HETH:")
    for line in lines:
        assert "no Debian font package known to drafter covers the Old Uyghur script" in line
        assert line.endswith("or render anyway with --allow-missing-glyphs")
    assert not out.exists() or not any(out.iterdir())


def test_allow_missing_glyphs_renders_with_a_warning(tmp_path):
    letter = _letter(tmp_path, OLD_UYGHUR)
    result = drafter("render", letter, "--out", tmp_path, "--allow-missing-glyphs",
                     "--format", "pdf")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "letter.pdf").stat().st_size > 1000
    assert re.search(r"warning: '\U00010F70' U\+10F70 OLD UYGHUR LETTER ALEPH: .*\(at subject, "
                     r"letter\.yaml line 3 column 20; rendered anyway", result.stderr)


def test_the_check_runs_at_render_time_only(tmp_path):
    letter = _letter(tmp_path, OLD_UYGHUR)
    assert drafter("validate", letter).returncode == 0
    assert drafter("render", letter, "--out", tmp_path, "--format", "txt,html").returncode == 0


@pytest.fixture
def dejavu_only(dejavu_fonts_conf):
    """The environment of a machine without the Noto packages: WeasyPrint and drafter's check
    both read its fontconfig set-up."""
    return {"FONTCONFIG_FILE": str(dejavu_fonts_conf)}


def test_with_fewer_fonts_chinese_and_tibetan_names_are_reported_with_their_package(
        tmp_path, dejavu_only):
    letter = _letter(tmp_path, """\
recipients:
  - name: Xi Jinping 习近平
signatories:
  - organisation: Tibetan Language Advocacy Network
    name: Tenzin བསྟན
""")
    result = drafter("render", letter, "--out", tmp_path / "out", env=dejavu_only)
    assert result.returncode == 1
    reported = re.findall(r"^(\S+?):(\d+):(\d+): (\S+): '(.)' U\+([0-9A-F]+) ([A-Z -]+[A-Z0-9-]*)",
                          result.stderr, re.M)
    assert [(line, col, path, char) for _, line, col, path, char, *_ in reported] == [
        ("2", "22", "recipients[0].name", "习"), ("2", "23", "recipients[0].name", "近"),
        ("2", "24", "recipients[0].name", "平"), ("5", "18", "signatories[0].name", "བ"),
        ("5", "19", "signatories[0].name", "ས"), ("5", "20", "signatories[0].name", "\u0f9f"),
        ("5", "21", "signatories[0].name", "ན")]
    assert reported[0][6] == "CJK UNIFIED IDEOGRAPH-4E60"
    assert reported[3][6] == "TIBETAN LETTER BA"
    lines = [line for line in result.stderr.splitlines() if ": warning: " not in line]
    assert all("fonts-noto-cjk" in line for line in lines[:3])
    assert all("fonts-noto-core" in line for line in lines[3:])


def test_fixed_words_of_the_language_are_checked_and_located_in_their_word_list(
        tmp_path, dejavu_only):
    letter = _letter(tmp_path, "language: zh\nrecipients: [{name: Jane Doe}]\n"
                               "salutation: Dear Jane,\nclosing: Yours,\n"
                               "signatories: [Example Rights Organisation]\n")
    result = drafter("render", letter, "--out", tmp_path / "out", "--format", "pdf",
                     env=dejavu_only)
    assert result.returncode == 1
    words = REPO / "drafter" / "compose" / "locales" / "zh.yaml"
    to_line = next(i for i, line in enumerate(words.read_text("utf-8").splitlines(), start=1)
                   if line.startswith("to:"))
    assert f"{words}:{to_line}:6: to: '致' U+81F4 CJK UNIFIED IDEOGRAPH-81F4" in result.stderr


def test_many_missing_characters_are_listed_then_summed_up_per_script(tmp_path, dejavu_only):
    text = "".join(chr(0x4E00 + i * 7) for i in range(40))
    letter = _letter(tmp_path, f"recipients: [{{name: Jane Doe}}]\nopening: {text}\n"
                               "signatories: [Example Rights Organisation]\n")
    result = drafter("render", letter, "--out", tmp_path / "out", "--format", "pdf",
                     env=dejavu_only)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 31
    # At the first character of the ten: the 31st of the text, which starts in column 10.
    assert lines[-1].startswith(f"{letter}:2:40: opening: and 10 more CJK characters that no "
                                "installed font has")


def test_a_script_outside_the_templates_fonts_renders_from_a_fallback_font_with_a_warning(
        tmp_path):
    letter = _letter(tmp_path, "recipients: [{name: Jane Doe}]\nopening: \"Amharic: ጤና\"\n"
                               "signatories: [Example Rights Organisation]\n")
    result = drafter("render", letter, "--out", tmp_path, "--format", "pdf")
    assert result.returncode == 0, result.stderr
    assert re.search(r"warning: 2 characters \(ጤ ና\) are in no font of the template's "
                     r"font-family; the PDF takes them from Noto S\w+ Ethiopic", result.stderr)


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\ufff9", "\ufffa", "\ufffb"])
def test_characters_pango_draws_as_boxes_are_refused_where_they_are(tmp_path, char):
    from drafter import LetterError, load_letter
    letter = tmp_path / "letter.yaml"
    escaped = f"\\u{ord(char):04x}"
    letter.write_text('recipients:\n  - name: Jane Doe\n'
                      f'opening: "We write{escaped} to you."\nsignatories: [Foo]\n', "utf-8")
    with pytest.raises(LetterError) as caught:
        load_letter(letter)
    (problem,) = caught.value.problems
    assert (problem.line, problem.column, problem.path) == (3, 10, "opening")
    assert f"U+{ord(char):04X}" in problem.message and "at position 9" in problem.message


@pytest.mark.parametrize("written", ["&#xE000;", "&#XE000;", "&#57344;", "\ue000"])
def test_a_character_written_as_a_reference_is_located_in_the_letter_not_the_template(
        tmp_path, written):
    # A private-use character has no glyph in any font; written as a Markdown character
    # reference it prints as the character, and the problem names where it was written.
    letter = _letter(tmp_path, "recipients: [{name: Jane Doe}]\nsignatories: [Foo]\n"
                               f"opening: |\n  First.\n\n  A mark {written} here.\n")
    result = drafter("render", letter, "--out", tmp_path / "out", "--format", "pdf")
    assert result.returncode == 1
    assert result.stderr.startswith(f"{letter}:6:10: opening: '\ue000' U+E000"), result.stderr
    assert "letter.html.j2" not in result.stderr
