"""Translations that cannot be stamped stale: `stamp` refuses a translation left as it was while
its source changed (with the source's word diff), warns about one that is still the source
text; `render --lang` writes the editions that are ready and reports the others; `watch --lang`
previews an edition."""

from __future__ import annotations

import queue
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "examples" / "editions" / "forced-labour.yaml"  # the `editions` fixture copies it
PARAGRAPH = "The regulation expressly covers forced labour imposed by state authorities."
FRENCH = "Le règlement vise expressément le travail forcé imposé par les autorités publiques."


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), "utf-8")


def _where(path: Path, needle: str, after: str) -> tuple[int, int]:
    """Line and column (from 1) of `needle` on the first line containing it after `after`."""
    lines = path.read_text("utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if after in line)
    i = next(i for i in range(start, len(lines)) if needle in lines[i])
    return i + 1, lines[i].index(needle) + 1


def _words(path: Path) -> str:
    return " ".join(path.read_text("utf-8").split())


def _render_txt(drafter_cli, letter: Path, lang: str, out: Path):
    return drafter_cli("render", letter, "--lang", lang, "--format", "txt", "--out", out)


def test_stamp_refuses_translations_left_as_they_were_while_the_source_changed(editions,
                                                                               drafter_cli):
    _replace(editions, PARAGRAPH, PARAGRAPH.replace("expressly", "explicitly"))
    _replace(editions, "We would welcome the opportunity", "We would welcome an opportunity")
    french = editions.with_name("forced-labour.fr.yaml")
    before = french.read_bytes()
    refused = drafter_cli("translations", "stamp", editions, "--lang", "fr")
    assert refused.returncode == 1
    concern = _where(french, "|", after="concerns[0].text:")
    conclusion = _where(french, "|", after="  conclusion:")
    # Both at once, each at its translation's text, with what changed in the English.
    assert (f"{french}:{concern[0]}:{concern[1]}: translations.concerns[0].text.text: not "
            "updated since it was stamped, but its source changed: The regulation "
            "[-expressly-]{+explicitly+} covers forced labour …; update the translation, then "
            "stamp again (or, if it still says the same, stamp it with --force)"
            in refused.stderr)
    assert (f"{french}:{conclusion[0]}:{conclusion[1]}: translations.conclusion.text: not "
            "updated since it was stamped, but its source changed: We would welcome "
            "[-the-]{+an+} opportunity to discuss …;" in refused.stderr)
    assert f"{french}: nothing stamped" in refused.stderr
    assert french.read_bytes() == before
    out = editions.parent / "out"
    assert _render_txt(drafter_cli, editions, "fr", out).returncode == 1
    assert not (out / "forced-labour.fr.txt").exists()  # still stale: never rendered

    forced = drafter_cli("translations", "stamp", editions, "--lang", "fr", "--force")
    assert forced.returncode == 0, forced.stderr
    assert "stamped 2 translations (concerns[0].text, conclusion)" in forced.stdout
    assert _render_txt(drafter_cli, editions, "fr", out).returncode == 0
    assert FRENCH in _words(out / "forced-labour.fr.txt")


def test_an_updated_translation_is_stamped_and_rendered(editions, drafter_cli, tmp_path):
    _replace(editions, PARAGRAPH, PARAGRAPH.replace("expressly covers", "covers"))
    french = editions.with_name("forced-labour.fr.yaml")
    _replace(french, "vise expressément", "vise")
    stamped = drafter_cli("translations", "stamp", editions, "--lang", "fr")
    assert stamped.returncode == 0, stamped.stderr
    assert stamped.stdout.strip().endswith("stamped 1 translation (concerns[0].text)")
    assert stamped.stderr == ""
    assert _render_txt(drafter_cli, editions, "fr", tmp_path).returncode == 0
    assert FRENCH.replace("vise expressément", "vise") in _words(tmp_path / "forced-labour.fr.txt")
    # Re-wrapping the paragraph is not updating it: the next English change is refused again.
    _replace(editions, "covers forced labour", "covers all forced labour")
    _replace(french, "Le règlement vise le travail", "Le règlement vise\n      le travail")
    again = drafter_cli("translations", "stamp", editions, "--lang", "fr")
    assert again.returncode == 1 and "{+all+}" in again.stderr


def test_validate_and_render_show_the_source_word_diff_since_the_stamp(editions, drafter_cli):
    long = " ".join(f"word{n}" for n in range(80))
    _replace(editions, PARAGRAPH, long)
    french = editions.with_name("forced-labour.fr.yaml")
    line, column = _where(french, "source:", after="concerns[0].text:")
    result = drafter_cli("validate", editions, "--lang", "fr")
    assert result.returncode == 1
    message = next(m for m in result.stderr.splitlines()
                   if m.startswith(f"{french}:{line}:{column + 8}: "))
    diff = message.split("was stamped: ", 1)[1].split("; update the translation", 1)[0]
    assert diff.startswith("[-The regulation expressly covers forced labour imposed by state "
                           "authorities.-]{+word0 word1 word2")
    assert len(diff) == 200 and diff.endswith("…")


def test_an_old_stamp_without_a_record_is_refused_until_checked(editions, drafter_cli):
    french = editions.with_name("forced-labour.fr.yaml")
    record = editions.with_name("forced-labour.fr.stamps.json")
    record.unlink()  # stamped by a drafter that kept only fingerprints
    _replace(editions, PARAGRAPH, PARAGRAPH.replace("expressly", "explicitly"))
    stale = drafter_cli("validate", editions, "--lang", "fr")
    assert ("changed since this translation was stamped (no word diff: "
            "forced-labour.fr.stamps.json has no record of the text stamped); update the "
            "translation, then stamp it") in stale.stderr
    refused = drafter_cli("translations", "stamp", editions, "--lang", "fr")
    line, column = _where(french, "|", after="concerns[0].text:")
    assert refused.returncode == 1
    assert (f"{french}:{line}:{column}: translations.concerns[0].text.text: its source changed "
            "since it was stamped (no word diff: forced-labour.fr.stamps.json has no record of "
            "the text stamped), so drafter cannot tell whether this translation was updated; "
            "update the translation, then stamp again") in refused.stderr
    assert not record.exists()
    forced = drafter_cli("translations", "stamp", editions, "--lang", "fr", "--force")
    assert forced.returncode == 0, forced.stderr
    assert f"{record}: written" in forced.stdout
    # From now on the record tells: the next change shows its words.
    _replace(editions, "explicitly", "clearly")
    diff = drafter_cli("validate", editions, "--lang", "fr")
    assert "stamped: The regulation [-explicitly-]{+clearly+} covers" in diff.stderr


def test_stamping_a_translation_that_is_still_the_source_text_warns(editions, drafter_cli,
                                                                    tmp_path):
    created = drafter_cli("translations", "new", editions, "--lang", "it")
    assert created.returncode == 0, created.stderr
    italian = editions.with_name("forced-labour.it.yaml")
    stamped = drafter_cli("translations", "stamp", editions, "--lang", "it")
    assert stamped.returncode == 0, stamped.stderr  # a warning never fails
    line, column = _where(italian, '"', after="  place:")
    assert re.search(rf"^{re.escape(str(italian))}:{line}:{column}: translations\.place\.text: "
                     r"warning: 1\d translations are the same as the source text, not "
                     r"translated \(fine only if it reads the same\): place, subject, "
                     r"salutation, opening, \.\.\.$", stamped.stderr, re.M), stamped.stderr
    # One text left in English in a translated edition: a warning at that text.
    french = editions.with_name("forced-labour.fr.yaml")
    _replace(french, "text: Bruxelles", "text: Brussels")
    brussels = drafter_cli("translations", "stamp", editions, "--lang", "fr")
    line, column = _where(french, "Brussels", after="  place:")
    assert brussels.returncode == 0
    assert brussels.stderr == (f"{french}:{line}:{column}: translations.place.text: warning: "
                               "the same as the source text, not translated (fine only if it "
                               "reads the same)\n")
    assert _render_txt(drafter_cli, editions, "fr", tmp_path).returncode == 0
    assert "Brussels, 10 février 2025" in _words(tmp_path / "forced-labour.fr.txt")


def test_render_lang_writes_the_ready_editions_and_reports_the_others(editions, drafter_cli):
    _replace(editions, PARAGRAPH, PARAGRAPH.replace("expressly", "explicitly"))
    _replace(editions.with_name("forced-labour.fr.yaml"), "vise expressément",
             "vise explicitement")
    assert drafter_cli("translations", "stamp", editions, "--lang", "fr").returncode == 0
    german = editions.with_name("forced-labour.de.yaml")
    out = editions.parent / "out"
    result = _render_txt(drafter_cli, editions, "en,fr,de", out)
    assert result.returncode == 1
    assert sorted(p.name for p in out.iterdir()) == ["forced-labour.en.txt",
                                                     "forced-labour.fr.txt"]
    assert "The regulation explicitly covers" in _words(out / "forced-labour.en.txt")
    assert "Le règlement vise explicitement" in _words(out / "forced-labour.fr.txt")
    line, column = _where(german, "source:", after="concerns[0].text:")
    assert (f"{german}:{line}:{column + 8}: translations.concerns[0].text.source: stale: the "
            "text at concerns[0].text") in result.stderr
    assert "[-expressly-]{+explicitly+}" in result.stderr
    assert f"{editions} (de edition): not ready, not rendered" in result.stderr
    assert (f"drafter render: written: {editions} (en edition); {editions} (fr edition); not "
            f"ready, not written: {editions} (de edition)") in result.stderr
    assert f"{out / 'forced-labour.en.txt'}:" in result.stdout
    assert f"{out / 'forced-labour.fr.txt'}:" in result.stdout


class _Watch:
    """`drafter watch` in a child process, its stderr lines read as they come."""

    def __init__(self, *args: str):
        self.proc = subprocess.Popen([sys.executable, "-m", "drafter", "watch", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     encoding="utf-8", cwd=ROOT)
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            self.lines.put(line)
        self.lines.put("")  # the end: watch stopped

    def rendering(self, change=None, until=lambda said: True) -> str:
        """Make `change` (again, until watch notices: it may start watching just after the
        first write) and return what watch said up to the rendering after which `until(said)`
        holds (a rendering of an earlier change may come first)."""
        said = []
        for _ in range(12):
            if change is not None:
                change()
            try:
                while True:
                    said.append(self.lines.get(timeout=10))
                    assert said[-1], "drafter watch stopped: " + "".join(said)
                    if (" rendered in " in said[-1] or ": stale: " in said[-1]) and \
                            until("".join(said)):
                        return "".join(said)
            except queue.Empty:
                continue
        raise AssertionError("drafter watch never showed the change: " + "".join(said))

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGINT)
        self.proc.communicate(timeout=60)
        return self.proc.returncode


def test_watch_lang_previews_the_edition_and_follows_both_files(editions, tmp_path):
    out = tmp_path / "preview"
    watch = _Watch(str(editions), "--lang", "fr", "--port", "0", "--out", str(out),
                   "--format", "txt")
    french = editions.with_name("forced-labour.fr.yaml")
    try:
        watch.rendering()
        assert re.match(r"Preview: http://127\.0\.0\.1:\d+/", watch.proc.stdout.readline())
        preview = out / "forced-labour.fr.txt"
        assert FRENCH in _words(preview)
        watch.rendering(lambda: _edit(french, "text: Bruxelles\n", "text: Bruxelles-Capitale\n"),
                        lambda _: "Bruxelles-Capitale, 10 février 2025" in _words(preview))
        watch.rendering(lambda: _edit(editions, "name: Anna Jansen", "name: Anna Janssens"),
                        lambda _: "Anna Janssens, coordinatrice" in _words(preview))
        stale = watch.rendering(lambda: _edit(editions, "expressly covers", "explicitly covers"),
                                lambda said: ": stale: " in said)
        assert "translations.concerns[0].text.source: stale" in stale
        assert "[-expressly-]{+explicitly+}" in stale
    finally:
        status = watch.stop()
    assert status == 130
    assert sorted(p.name for p in out.iterdir()) == ["forced-labour.fr.txt"]


def _edit(path: Path, old: str, new: str) -> None:
    """Replace `old` (or write `new` again: a retried change is the same change)."""
    text = path.read_text("utf-8")
    path.write_text(text.replace(old, new) if old in text else text, "utf-8")
