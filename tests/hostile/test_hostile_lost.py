"""Nothing lost: a render or an import killed with SIGKILL (or failing to write) never leaves a
half-written file under a real name, leaves the previous outputs as matched sets, names its
temporaries `.drafter-tmp-*`, and the next run removes them (finishing a set whose renames a
kill interrupted, from its journal).

Kills at exact moments are made deterministic by running drafter in a process whose
`os.replace` or `os.fsync` sends SIGKILL to itself at the n-th call.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pikepdf
import pytest
from readback import read_docx, read_pdf

from .helpers import REPO, run_cli

TEMP = ".drafter-tmp-"


def _letter(version: str, number: int) -> str:
    return (f"subject: Version {version} of letter {number}\n"
            "recipients: [{name: Jane Doe}]\nsignatories: [Amnesty International]\n"
            f"opening: This is version {version}.\n")


def _write_letters(folder: Path, version: str, count: int) -> list[Path]:
    files = []
    for number in range(count):
        path = folder / f"letter{number}.yaml"
        path.write_text(_letter(version, number), "utf-8")
        files.append(path)
    return files


def _version(path: Path) -> str:
    """Which version a complete output file holds ('A' or 'B'); fails on a broken file."""
    reading = read_pdf(path) if path.suffix == ".pdf" else read_docx(path)
    words = " ".join(reading.words)
    return "A" if "version A." in words else "B" if "version B." in words else "?"


def _check_sets(out: Path, count: int, allowed=("A", "B")) -> dict[int, str]:
    """Every letter's PDF and DOCX are complete and of the same version."""
    versions = {}
    for number in range(count):
        pdf, docx = out / f"letter{number}.pdf", out / f"letter{number}.docx"
        with pikepdf.open(pdf):
            pass
        with zipfile.ZipFile(docx) as package:
            assert package.testzip() is None
        pair = (_version(pdf), _version(docx))
        assert pair[0] == pair[1] and pair[0] in allowed, f"letter{number}: {pair}"
        versions[number] = pair[0]
    return versions


def _dying_drafter(function: str, nth: int, *args) -> subprocess.CompletedProcess:
    """drafter whose n-th call of os.<function> (in the process that writes) is a SIGKILL."""
    code = (
        "import os, signal, sys\n"
        f"real, calls = os.{function}, [0]\n"
        "def dying(*a, **k):\n"
        "    calls[0] += 1\n"
        f"    if calls[0] == {nth}:\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "    return real(*a, **k)\n"
        f"os.{function} = dying\n"
        "from drafter.cli import main\n"
        "main(sys.argv[1:])\n")
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, timeout=240)


def test_a_batch_killed_when_its_first_new_file_appears_loses_nothing(tmp_path):
    count = 8
    letters, out = tmp_path / "letters", tmp_path / "out"
    letters.mkdir()
    files = _write_letters(letters, "A", count)
    assert run_cli("render", *files, "--out", out).returncode == 0
    assert set(_check_sets(out, count).values()) == {"A"}
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    _write_letters(letters, "B", count)
    proc = subprocess.Popen([sys.executable, "-m", "drafter", "render", *map(str, files),
                             "--out", str(out)], cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 180  # a safety net, not a speed test
    while time.monotonic() < deadline and proc.poll() is None:
        now = {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.exists()}
        if now != before:
            break
        time.sleep(0.002)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    # Whatever the moment: every file under a real name is complete (A or B), every other file
    # is a recognisable temporary.
    for path in out.iterdir():
        assert path.name.startswith(TEMP) or path.name in before, path.name
    for number in range(count):
        for ext in ("pdf", "docx"):
            assert _version(out / f"letter{number}.{ext}") in ("A", "B")
    # The next run (here: one other letter into the same folder) tidies up; every set matches.
    other = letters / "other.yaml"
    other.write_text(_letter("B", 99), "utf-8")
    assert run_cli("render", other, "--out", out).returncode == 0
    assert not list(out.glob(TEMP + "*"))
    _check_sets(out, count)


# os.replace calls of a two-file set: 1 puts the set's journal in place, 2 and 3 rename the
# PDF and the DOCX.
@pytest.mark.parametrize("nth, now, after", [(1, "A", "A"), (2, "A", "B"), (3, "mixed", "B")])
def test_a_kill_during_the_renames_is_repaired_by_the_next_run(tmp_path, nth, now, after):
    """Killed before its journal is in place: the old set stays. Killed after it, before or
    between the renames (microseconds, but possible): the next run finishes the new set."""
    letters, out = tmp_path / "letters", tmp_path / "out"
    letters.mkdir()
    [letter] = _write_letters(letters, "A", 1)
    assert run_cli("render", letter, "--out", out).returncode == 0
    _write_letters(letters, "B", 1)
    died = _dying_drafter("replace", nth, "render", letter, "--out", out)
    assert died.returncode == -signal.SIGKILL
    # (the `.old.` backup links of the previous files aside)
    leftovers = sorted(p.name for p in out.glob(TEMP + "*") if ".old." not in p.name)
    pdf, docx = _version(out / "letter0.pdf"), _version(out / "letter0.docx")
    assert {pdf, docx} == ({"A", "B"} if now == "mixed" else {now})
    assert len(leftovers) == (2 if now == "mixed" else 3)  # temporaries and the journal
    assert any(name.endswith(".set") for name in leftovers) == (nth > 1)
    other = letters / "other.yaml"
    other.write_text(_letter("B", 99), "utf-8")
    assert run_cli("render", other, "--out", out).returncode == 0
    assert not list(out.glob(TEMP + "*"))
    assert _check_sets(out, 1) == {0: after}


def test_a_kill_while_temporaries_are_written_leaves_the_old_set(tmp_path):
    letters, out = tmp_path / "letters", tmp_path / "out"
    letters.mkdir()
    [letter] = _write_letters(letters, "A", 1)
    assert run_cli("render", letter, "--out", out).returncode == 0
    _write_letters(letters, "B", 1)
    died = _dying_drafter("fsync", 2, "render", letter, "--out", out)  # the 2nd temporary
    assert died.returncode == -signal.SIGKILL
    assert _check_sets(out, 1) == {0: "A"}
    assert [p.name.startswith(TEMP) for p in out.iterdir()].count(True) == 2
    assert run_cli("render", letter, "--out", out).returncode == 0
    assert not list(out.glob(TEMP + "*"))
    assert _check_sets(out, 1) == {0: "B"}


def _import_setup(tmp_path: Path) -> tuple[Path, Path, bytes]:
    letter = tmp_path / "letter.yaml"
    original = ("# the coordinator's comments stay\nrecipients: [{name: Jane Doe}]\n"
                "signatories:\n  - Amnesty International\n").encode()
    letter.write_bytes(original)
    export = tmp_path / "export.csv"
    export.write_text("Organisation,Email\n" + "".join(f"Org {i},o{i}@example.org\n"
                                                      for i in range(300)), "utf-8")
    return letter, export, original


@pytest.mark.parametrize("function, nth", [("fsync", 1), ("fsync", 2), ("replace", 1),
                                           ("replace", 2), ("replace", 3)])
def test_a_killed_import_never_leaves_the_letter_half_written(tmp_path, function, nth):
    letter, export, original = _import_setup(tmp_path)
    died = _dying_drafter(function, nth, "signatories", "import", letter, export)
    assert died.returncode == -signal.SIGKILL
    text = letter.read_bytes()
    sidecar = tmp_path / "letter.contacts.csv"
    # The letter is the old one or the whole new one, never a part; it always parses.
    assert text == original or (text.startswith(original) and b"Org 299" in text)
    assert run_cli("validate", letter).returncode == 0
    assert not sidecar.exists() or text != original
    assert all(p.name.startswith(TEMP) for p in tmp_path.iterdir()
               if p.name not in ("letter.yaml", "export.csv", "letter.contacts.csv"))
    # The next import finishes or drops what the killed one left, and adds nothing twice.
    again = run_cli("signatories", "import", letter, export)
    assert again.returncode == 0, again
    assert not list(tmp_path.glob(TEMP + "*"))
    final = letter.read_text("utf-8")
    assert final.count("Org 299") == 1 and final.startswith(original.decode())
    assert sidecar.read_text("utf-8-sig").count("o299@example.org") == 1


def test_an_import_that_cannot_write_reports_it_and_keeps_the_letter(tmp_path):
    """A full disk (simulated: every fsync fails with ENOSPC): exit 1 with a message, the
    letter byte for byte as it was, no temporary left."""
    letter, export, original = _import_setup(tmp_path)
    code = ("import errno, os, sys\n"
            "def full(fd):\n"
            "    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))\n"
            "os.fsync = full\n"
            "from drafter.cli import main\n"
            "main(sys.argv[1:])\n")
    result = subprocess.run([sys.executable, "-c", code, "signatories", "import", str(letter),
                             str(export)], cwd=REPO, capture_output=True, text=True,
                            timeout=240)
    assert result.returncode == 1, result.stderr
    assert "No space left on device" in result.stderr and "Traceback" not in result.stderr
    assert letter.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.csv", "letter.yaml"]


def test_a_render_that_cannot_write_reports_it_and_keeps_the_old_set(tmp_path):
    letters, out = tmp_path / "letters", tmp_path / "out"
    letters.mkdir()
    [letter] = _write_letters(letters, "A", 1)
    assert run_cli("render", letter, "--out", out).returncode == 0
    _write_letters(letters, "B", 1)
    code = ("import errno, os, sys\n"
            "def full(fd):\n"
            "    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))\n"
            "os.fsync = full\n"
            "from drafter.cli import main\n"
            "main(sys.argv[1:])\n")
    result = subprocess.run([sys.executable, "-c", code, "render", str(letter), "--out",
                             str(out)], cwd=REPO, capture_output=True, text=True, timeout=240)
    assert result.returncode == 1, result.stderr
    assert "No space left on device" in result.stderr and "Traceback" not in result.stderr
    assert _check_sets(out, 1) == {0: "A"} and not list(out.glob(TEMP + "*"))
