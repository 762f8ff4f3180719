"""Language editions: `--lang en,fr,de` writes one letter per language from the translation files
beside the source; a translation whose source changed, or a text left untranslated, is
reported and never rendered; stamping records the source without touching anything else."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from drafter import LetterError
from drafter.letter.editions import load_edition
from drafter.pipeline import write_letter

from readback import read_docx, read_pdf

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "examples" / "editions" / "forced-labour.yaml"  # the `editions` fixture copies it
PARAGRAPH = "The regulation expressly covers forced labour imposed by state authorities."


def test_render_lang_writes_one_letter_per_language(editions, drafter_cli):
    out = editions.parent / "out"
    result = drafter_cli("render", editions, "--lang", "en,fr,de", "--out", out)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        f"forced-labour.{lang}.{ext}" for lang in ("de", "en", "fr") for ext in ("docx", "pdf")]
    expected = {
        "en": ["Brussels, 10 February 2025", "Re: Implementing the EU ban", "Austria",
               "Yours sincerely,"],
        "fr": ["Bruxelles, 10 février 2025", "Objet : Mise en œuvre", "Autriche",
               "Anna Jansen, coordinatrice", "Contact : forced-labour@example.org"],
        "de": ["Brüssel, 10. Februar 2025", "Betreff: Umsetzung des EU-Verbots", "Österreich",
               "Mit freundlichen Grüßen", "Anna Jansen, Koordinatorin"],
    }
    for lang, phrases in expected.items():
        pdf = " ".join(read_pdf(out / f"forced-labour.{lang}.pdf").words)
        docx = " ".join(read_docx(out / f"forced-labour.{lang}.docx").words)
        for phrase in phrases:
            assert phrase in pdf and phrase in docx, (lang, phrase)
    # Names and organisations are not translated: they come from the source letter.
    assert "Coalition for Forced-Labour-Free Supply Chains" in docx


def test_a_translation_file_renders_as_its_own_edition(editions, drafter_cli):
    result = drafter_cli("render", editions.with_name("forced-labour.fr.yaml"), "--out",
                         editions.parent / "out", "--format", "txt")
    assert result.returncode == 0, result.stderr
    text = (editions.parent / "out" / "forced-labour.fr.txt").read_text("utf-8")
    assert "Le règlement vise expressément" in text and "10 février 2025" in text


def _change_source_paragraph(source: Path) -> int:
    """Edit the English concern text; return the line where its value starts (`text: |`)."""
    text = source.read_text("utf-8")
    assert PARAGRAPH in text
    source.write_text(text.replace(PARAGRAPH, PARAGRAPH.replace("expressly", "explicitly")),
                      "utf-8")
    return _line_of(source, "text: |", after="- title: Forced labour")[0]


def _line_of(path: Path, needle: str, after: str = "") -> tuple[int, int]:
    lines = path.read_text("utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    i = next(i for i in range(start, len(lines)) if needle in lines[i])
    return i + 1, lines[i].index(needle) + 1


def test_a_changed_source_makes_its_translations_stale(editions, drafter_cli):
    source_line = _change_source_paragraph(editions)
    french = editions.with_name("forced-labour.fr.yaml")
    line, column = _line_of(french, "source:", after="concerns[0].text:")
    result = drafter_cli("validate", editions)
    assert result.returncode == 0  # the English letter itself is fine: warnings only
    assert (f"{french}:{line}:{column + 8}: translations.concerns[0].text.source: warning: stale: "
            f"the text at concerns[0].text (line {source_line} of forced-labour.yaml) changed "
            "since this translation was stamped") in result.stderr
    assert "forced-labour.de.yaml" in result.stderr
    strict = drafter_cli("validate", editions, "--lang", "fr")
    assert strict.returncode == 1 and "forced-labour.de.yaml" not in strict.stderr
    out = editions.parent / "out"
    rendered = drafter_cli("render", editions, "--lang", "en,fr", "--out", out)
    assert rendered.returncode == 1
    assert "translations.concerns[0].text.source: stale" in rendered.stderr
    # The ready English edition is written; the stale French one is not.
    assert sorted(p.name for p in out.iterdir()) == ["forced-labour.en.docx",
                                                     "forced-labour.en.pdf"]


def test_update_and_stamp_makes_the_edition_current_again(editions, drafter_cli):
    _change_source_paragraph(editions)
    french = editions.with_name("forced-labour.fr.yaml")
    before = french.read_text("utf-8")
    stamped = drafter_cli("translations", "stamp", editions, "--lang", "fr", "--field",
                          "concerns[0].text", "--force")  # the French was checked: still right
    assert stamped.returncode == 0, stamped.stderr
    assert stamped.stdout.strip().endswith("stamped 1 translation (concerns[0].text)")
    after = french.read_text("utf-8")
    changes = [line for line in difflib.ndiff(before.splitlines(), after.splitlines())
               if line[:1] in "+-"]
    assert len(changes) == 2 and all(c.strip(" +-").startswith("source: ") for c in changes)
    assert drafter_cli("validate", editions, "--lang", "fr").returncode == 0
    assert drafter_cli("translations", "stamp", editions, "--lang", "fr").stdout.endswith(
        "every translation was already stamped\n")


def test_an_untranslated_text_is_reported_at_its_place_in_the_source(editions, drafter_cli):
    french = editions.with_name("forced-labour.fr.yaml")
    text = french.read_text("utf-8")
    start = text.index("  conclusion:\n")
    end = text.index("  notes.regulation:\n")
    french.write_text(text[:start] + text[end:], "utf-8")
    line, column = _line_of(editions, "|", after="conclusion:")
    result = drafter_cli("validate", editions, "--lang", "fr")
    assert result.returncode == 1
    assert (f"{editions}:{line}:{column}: conclusion: not translated in the French edition "
            "(forced-labour.fr.yaml)") in result.stderr
    with pytest.raises(LetterError):
        load_edition(editions, "fr")


def test_a_translation_of_a_text_the_letter_no_longer_has_is_an_error(editions):
    french = editions.with_name("forced-labour.fr.yaml")
    french.write_text(french.read_text("utf-8").replace("  concerns[0].title:",
                                                        "  concerns[0].titel:"), "utf-8")
    with pytest.raises(LetterError) as caught:
        load_edition(editions, "fr")
    messages = [p.message for p in caught.value.problems]
    assert "no such text in the letter (any more); did you mean 'concerns[0].title'?; remove " \
           "this translation" in messages
    assert "not translated in the French edition (forced-labour.fr.yaml)" in messages


def test_a_translation_must_cite_the_same_footnotes(editions):
    french = editions.with_name("forced-labour.fr.yaml")
    french.write_text(french.read_text("utf-8").replace("[^regulation]", ""), "utf-8")
    with pytest.raises(LetterError) as caught:
        load_edition(editions, "fr")
    assert [str(p).split(": ", 1)[1] for p in caught.value.problems] == [
        "translations.opening.text: the source cites [^regulation] but this translation "
        "does not"]


def test_a_new_edition_starts_from_the_source_and_renders_once_stamped(editions, drafter_cli,
                                                                      tmp_path):
    created = drafter_cli("translations", "new", editions, "--lang", "it")
    assert created.returncode == 0, created.stderr
    italian = editions.with_name("forced-labour.it.yaml")
    assert "  concerns[0].text:\n    text: |\n      The regulation expressly" in \
        italian.read_text("utf-8")
    assert drafter_cli("translations", "new", editions, "--lang", "it").returncode == 1
    unstamped = drafter_cli("render", editions, "--lang", "it", "--out", tmp_path / "out")
    assert unstamped.returncode == 1 and "translations are not stamped" in unstamped.stderr
    italian.write_text(italian.read_text("utf-8").replace(
        "text: \"We therefore ask you to:\"", "text: \"Vi chiediamo pertanto di:\""), "utf-8")
    assert drafter_cli("translations", "stamp", editions, "--lang", "it").returncode == 0
    letter = load_edition(editions, "it")
    write_letter(letter, tmp_path, ("txt",))
    text = (tmp_path / "forced-labour.txt").read_text("utf-8")
    assert "Vi chiediamo pertanto di:" in text and "10 febbraio 2025" in text
    assert "Oggetto: Implementing" in text  # not yet translated, but stamped: the user's call
