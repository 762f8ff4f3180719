"""Personalised letters, batches across cores, interruption, failures, progress, and watch."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import run_on_terminal
from readback import read_docx, read_pdf

ROOT = Path(__file__).resolve().parent.parent
MAIN = ROOT / "examples" / "eu-china-summit.yaml"
DRAFTER = [sys.executable, "-m", "drafter"]


def run_cli(*args, **kwargs):
    return subprocess.run([*DRAFTER, *map(str, args)], capture_output=True, text=True, **kwargs)


def _recipients_csv(path: Path, count: int) -> Path:
    rows = ["name,title,organisation,address"]
    for i in range(1, count + 1):
        rows.append(f'Minister Number{i},Minister of Foreign Affairs,Ministry {i},'
                    f'"{i} Example Street\n{1000 + i} Capital"')
    path.write_text("\n".join(rows) + "\n", "utf-8")
    return path


def test_each_recipient_gets_a_letter_naming_only_them(tmp_path):
    result = run_cli("render", MAIN, "--each-recipient", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["eu-china-summit-01-ursula-von-der-leyen.docx",
                     "eu-china-summit-01-ursula-von-der-leyen.pdf",
                     "eu-china-summit-02-charles-michel.docx",
                     "eu-china-summit-02-charles-michel.pdf"]
    for stem, own, other in (("01-ursula-von-der-leyen", "von der Leyen", "Michel"),
                             ("02-charles-michel", "Michel", "von der Leyen")):
        for reading in (read_pdf(tmp_path / f"eu-china-summit-{stem}.pdf"),
                        read_docx(tmp_path / f"eu-china-summit-{stem}.docx")):
            text = " ".join(reading.words)
            head = text[:text.index("We are writing")]
            assert f"Dear President {own}," in head
            assert other not in head, f"{stem} still names {other} before the letter's text"
            assert "Josep Borrell" in head  # the cc block is shared


def test_recipients_from_a_csv_list_and_a_combined_pdf(tmp_path):
    csv_file = _recipients_csv(tmp_path / "ministers.csv", 3)
    out = tmp_path / "out"
    result = run_cli("render", MAIN, "--recipients", csv_file, "--combined", "--format", "pdf",
                     "--out", out)
    assert result.returncode == 0, result.stderr
    letters = sorted(out.glob("eu-china-summit-0*.pdf"))
    assert [p.name for p in letters] == [f"eu-china-summit-0{i}-minister-number{i}.pdf"
                                         for i in (1, 2, 3)]
    for i, pdf in enumerate(letters, start=1):
        text = " ".join(read_pdf(pdf).words)
        assert f"Minister Number{i}" in text and f"{1000 + i} Capital" in text
        assert "Dear Minister Number" + str(i) in text
        assert "Ursula" not in text
    combined = PdfReader(out / "eu-china-summit-combined.pdf")
    assert len(combined.pages) == sum(len(PdfReader(p).pages) for p in letters)
    first_pages = [combined.pages[0].extract_text(), combined.pages[-1].extract_text()]
    assert "Minister Number1" in first_pages[0]
    # A viewer shows the file's title (DisplayDocTitle): its letters' own, not the YAML path.
    assert combined.metadata.title == PdfReader(letters[0]).metadata.title
    assert combined.metadata.title.startswith("Human rights concerns")


def test_a_bad_recipients_list_is_located(tmp_path):
    bad = tmp_path / "list.csv"
    bad.write_text("name,titel\nJane Doe,Minister\n,\n", "utf-8")
    result = run_cli("render", MAIN, "--recipients", bad, "--out", tmp_path / "out")
    assert result.returncode == 1
    assert re.search(r"list\.csv:1:2: titel: unknown column; did you mean 'title'\?",
                     result.stderr), result.stderr
    assert not (tmp_path / "out").exists()


def test_one_failing_letter_does_not_stop_the_others(tmp_path):
    good = tmp_path / "good.yaml"
    shutil.copy(MAIN, good)
    invalid = tmp_path / "invalid.yaml"
    invalid.write_text("recipients: [{name: Jane}]\nsignatores: [X]\n", "utf-8")
    broken = tmp_path / "broken-template"
    shutil.copytree(ROOT / "letter_templates" / "joint-letter", broken)
    (broken / "letter.html.j2").write_text("{{ doc.missing_thing }}", "utf-8")
    fails = tmp_path / "fails-at-render.yaml"
    fails.write_text(f"template: {broken}\nrecipients: [{{name: Jane}}]\nsignatories: [X]\n",
                     "utf-8")
    out = tmp_path / "out"
    result = run_cli("render", invalid, good, fails, "--out", out, "--jobs", "2")
    assert result.returncode == 1
    assert "invalid.yaml:2:1: signatores: unknown key" in result.stderr
    assert re.search(r"fails-at-render\.yaml: .*missing_thing", result.stderr), result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["good.docx", "good.pdf"]


def test_output_name_clash_is_refused_before_anything_is_written(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for folder in ("a", "b"):
        shutil.copy(MAIN, tmp_path / folder / "letter.yaml")
    out = tmp_path / "out"
    result = run_cli("render", tmp_path / "a" / "letter.yaml", tmp_path / "b" / "letter.yaml",
                     "--out", out)
    assert result.returncode == 1 and "written by both" in result.stderr
    assert not out.exists() or not any(out.iterdir())


def test_no_progress_bar_when_not_on_a_terminal(tmp_path):
    csv_file = _recipients_csv(tmp_path / "list.csv", 3)
    result = run_cli("render", MAIN, "--recipients", csv_file, "--format", "txt", "--out",
                     tmp_path / "out")
    assert result.returncode == 0
    assert result.stderr == ""
    assert len(result.stdout.splitlines()) == 3


def test_progress_bar_on_a_terminal(tmp_path):
    csv_file = _recipients_csv(tmp_path / "list.csv", 4)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["COLUMNS"] = "100"
    status, screen = run_on_terminal("render", MAIN, "--recipients", csv_file, "--format",
                                     "txt", "--out", tmp_path / "out", env=env)
    assert status == 0
    assert b"rendering" in screen and b"/4" in screen


def test_interrupting_a_batch_leaves_only_complete_sets(tmp_path):
    csv_file = _recipients_csv(tmp_path / "list.csv", 12)
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.Popen([*DRAFTER, "render", str(MAIN), "--recipients", str(csv_file),
                             "--out", str(out), "--jobs", "2"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    # A finished letter: its files under their real names (not the .drafter-tmp-* ones).
    while not list(out.glob("eu-china-summit-*.docx")) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "interrupted" in stderr
    files = sorted(p.name for p in out.iterdir())
    assert not [f for f in files if f.startswith(".drafter-tmp-")], files
    stems = {f.rsplit(".", 1)[0] for f in files}
    assert 1 <= len(stems) < 12
    for stem in stems:  # every letter written is a whole set of valid files
        assert {f"{stem}.pdf", f"{stem}.docx"} <= set(files)
        assert len(PdfReader(out / f"{stem}.pdf").pages) >= 1


def test_help_and_completion_do_not_load_the_pdf_or_word_libraries():
    for args, env in ((["--help"], {}),
                      ([], {"_DRAFTER_COMPLETE": "complete_bash", "COMP_WORDS": "drafter re",
                            "COMP_CWORD": "1"})):
        result = subprocess.run([sys.executable, "-X", "importtime", "-m", "drafter", *args],
                                capture_output=True, text=True, env={**os.environ, **env})
        imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines()
                    if line.startswith("import time:")}
        assert imported, result.stderr[-500:]
        assert not {m for m in imported if m.split(".")[0] in ("weasyprint", "docx")}


def _get(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def _wait_for(url: str, predicate, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = json.loads(_get(url + "status"))
        if predicate(status):
            return status
        time.sleep(0.05)
    raise AssertionError(f"preview never reached the expected state: {status}")


def test_watch_re_renders_after_each_save_and_shows_problems_instead_of_a_stale_letter(
        tmp_path):
    letter = tmp_path / "letter.yaml"
    shutil.copy(MAIN, letter)
    proc = subprocess.Popen([*DRAFTER, "watch", str(letter), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/", line).group(0)
        first = _wait_for(url, lambda s: s["version"] >= 1)
        assert first["ok"] and b"drafter preview" in _get(url)
        text = letter.read_text("utf-8").replace("subject: Human rights concerns",
                                                 "subject: Urgent human rights concerns")
        letter.write_text(text, "utf-8")
        _wait_for(url, lambda s: s["version"] > first["version"] and s["ok"])
        pdf = tmp_path / "seen.pdf"
        pdf.write_bytes(_get(url + "letter.pdf"))
        assert "Urgent human rights concerns" in " ".join(read_pdf(pdf).words)
        page = _get(url + "page/1.png")  # what the preview page shows, in any browser
        assert page.startswith(b"\x89PNG") and len(page) > 20_000
        letter.write_text(text.replace("subject:", "subjct:"), "utf-8")
        broken = _wait_for(url, lambda s: not s["ok"])
        assert any("subjct: unknown key" in p for p in broken["problems"])
        with pytest.raises(urllib.error.HTTPError):
            _get(url + "letter.pdf")  # no stale letter while the file is broken
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
    assert proc.returncode == 130


def test_a_combined_pdf_gives_every_font_subset_a_tag_of_its_own():
    # WeasyPrint tags a subset by its font, not by the glyphs kept: two letters gave two
    # different subsets of Noto Serif one name in the combined file (PDF/A forbids that).
    import hashlib
    import io
    from collections import defaultdict

    import pikepdf
    from drafter.letter.validate import letter_from_text
    from drafter.output.combine import combine_pdfs
    from drafter.pipeline import render

    def letter(text):
        return render(letter_from_text("recipients: [{name: Jane Doe}]\nsignatories: [Foo]\n"
                                       f"opening: {text}\n", "x.yaml"), "pdf")

    combined = combine_pdfs([letter("Alpha beta gamma."), letter("Quick brown fox jumps.")])
    programs = defaultdict(set)
    with pikepdf.open(io.BytesIO(combined)) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                font = obj.get("/FontFile2") or obj.get("/FontFile3") or obj.get("/FontFile")
                programs[str(obj.FontName)].add(hashlib.sha256(font.read_bytes()).hexdigest())
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(combined)).pages)
    assert len(programs) >= 3 and all(len(p) == 1 for p in programs.values()), programs
    assert "Alpha beta gamma." in text and "Quick brown fox jumps." in text
    once = letter("Alpha beta gamma.")
    assert combine_pdfs([once]) == combine_pdfs([once])  # reproducible
