"""The contract check: markup and CSS the DOCX and text would flatten or drop are warnings,
located in the template's files; the builtin template gives none."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAIN = ROOT / "examples" / "eu-china-summit.yaml"


def _copy_template(tmp_path: Path) -> Path:
    copy = tmp_path / "tpl"
    shutil.copytree(ROOT / "letter_templates" / "joint-letter", copy)
    return copy


def _warnings(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if ": warning: " in line]


def test_the_builtin_template_keeps_its_contract(drafter_cli, tmp_path):
    result = drafter_cli("render", MAIN, "--out", tmp_path, "--format", "pdf,docx,txt")
    assert result.returncode == 0, result.stderr
    assert not [w for w in _warnings(result) if "letter_templates" in w], result.stderr


def test_markup_the_docx_flattens_is_a_warning_at_its_template_line(drafter_cli, tmp_path):
    tpl = _copy_template(tmp_path)
    page = tpl / "letter.html.j2"
    text = page.read_text("utf-8").replace(
        '<p class="salutation"',
        '<table><tr><td>Ref.</td><td>EU-CN</td></tr></table>\n'
        '<p style="color: red; text-align: center">We <q>urge</q> you.</p>\n'
        '<p class="salutation"')
    page.write_text(text, "utf-8")
    (tpl / "style.css").write_text((tpl / "style.css").read_text("utf-8")
                                   + '\n.subject::before { content: "URGENT: "; }\n', "utf-8")
    line = text[:text.index("<table>")].count("\n") + 1
    result = drafter_cli("render", MAIN, "--out", tmp_path / "out", "--template", tpl,
                         "--format", "pdf,docx,txt")
    assert result.returncode == 0, result.stderr  # warnings never change the exit status
    warnings = _warnings(result)
    assert any(w.startswith(f"{page}:{line}:1: warning: a table") for w in warnings), warnings
    assert any(f"{page}:{line + 1}:" in w and "<q>" in w for w in warnings), warnings
    assert any(f"{page}:{line + 1}:" in w and "ignore color" in w for w in warnings), warnings
    css_line = (tpl / "style.css").read_text("utf-8").count("\n")
    assert any(w.startswith(f"{tpl / 'style.css'}:{css_line}:") and "content:" in w
               for w in warnings), warnings
    # The PDF shows what the DOCX cannot: the words are the reason for the warning.
    from readback import read_docx, read_pdf
    assert "URGENT:" in read_pdf(tmp_path / "out" / "eu-china-summit.pdf").words
    assert "URGENT:" not in read_docx(tmp_path / "out" / "eu-china-summit.docx").words
