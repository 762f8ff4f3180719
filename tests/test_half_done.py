"""Nothing half-done: a `drafter render` killed at any moment leaves no process behind and no
caller waiting for its output; a set of outputs is old or new on disk, never mixed, once the
next drafter command has run in its folder (which says what it repaired); a set whose second
file cannot be replaced is put back, and the message says so truthfully; two runs into one
folder never remove each other's temporaries.

Moments are made exact by running drafter under a hook (HOOK) that acts at the n-th call of a
function: os.fork (before the render child exists), WeasyPrint's layout (in the child, which
then stands for a long layout) or os.replace (1: the set's journal, 2: the PDF, 3: the DOCX).
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from readback import read_docx, read_pdf

REPO = Path(__file__).resolve().parent.parent
TEMP = ".drafter-tmp-"
GONE_WITHIN = 5.0  # seconds after drafter's death: no process of it left, its output at EOF

HOOK = r'''
import os, signal, sys, time
point, nths, action = os.environ["HALFDONE_HOOK"].split(":")
nths, me, calls = {int(n) for n in nths.split(",")}, os.getpid(), [0]

def trap(real, in_child=False):
    def hooked(*args, **kwargs):
        calls[0] += 1
        if calls[0] in nths:
            if action == "fail":
                raise PermissionError(13, "Permission denied (test)")
            os.kill(me, int(action))  # the drafter process the user started
            if in_child:
                time.sleep(60)  # a layout that goes on long after its parent is gone
        return real(*args, **kwargs)
    return hooked

if point == "fork":
    os.fork = trap(os.fork)
elif point == "layout":
    import weasyprint.document
    weasyprint.document.layout_document = trap(weasyprint.document.layout_document, True)
else:
    os.replace = trap(os.replace)
from drafter.cli import main
main(sys.argv[1:])
'''


def _letter(folder: Path, version: str, name: str = "letter") -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(f"subject: Version {version} of {name}\nrecipients: [{{name: Jane Doe}}]\n"
                    f"signatories: [Amnesty International]\nopening: This is version "
                    f"{version}.\n", "utf-8")
    return path


def _drafter(*args, hook: str | None = None, **popen) -> subprocess.Popen:
    """`drafter ARGS` (under HOOK when `hook` is given) in a session of its own."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1"}
    command = [sys.executable, "-m", "drafter"]
    if hook:
        env["HALFDONE_HOOK"] = hook
        command = [sys.executable, "-c", HOOK]
    popen = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **popen}
    return subprocess.Popen(command + [str(a) for a in args], cwd=REPO, env=env,
                            start_new_session=True, **popen)


def _run(*args, hook: str | None = None) -> tuple[int, str]:
    proc = _drafter(*args, hook=hook, text=True)
    _, stderr = proc.communicate(timeout=240)  # a safety net, not a speed test
    assert "Traceback" not in stderr, stderr
    return proc.returncode, stderr


def _version(path: Path) -> str:
    """Which version ('A' or 'B') a complete output holds; fails on a broken file."""
    words = " ".join((read_pdf(path) if path.suffix == ".pdf" else read_docx(path)).words)
    return "A" if "version A." in words else "B" if "version B." in words else "?"


def _set(out: Path) -> tuple[str, str]:
    return _version(out / "letter.pdf"), _version(out / "letter.docx")


def _session(sid: int) -> list[int]:
    """The live (not zombie) processes of session `sid`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == sid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def _wait_output_eof(fd: int, until: float) -> bool:
    while (left := until - time.monotonic()) > 0:
        if select.select([fd], [], [], left)[0] and not os.read(fd, 1 << 16):
            return True
    return False


def _wait_session_gone(sid: int, until: float) -> list[int]:
    """Wait (on pidfds, no polling) until session `sid` has no process or `until` passes."""
    for pid in _session(sid):
        try:
            handle = os.pidfd_open(pid)
        except ProcessLookupError:
            continue
        try:
            select.select([handle], [], [], max(0.0, until - time.monotonic()))
        finally:
            os.close(handle)
    return _session(sid)


@contextlib.contextmanager
def _reaped(proc: subprocess.Popen):
    """Whatever the test finds, no process of `proc`'s session outlives it."""
    try:
        yield
    finally:
        proc.stdout.close()
        for pid in _session(proc.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def old_set(tmp_path_factory) -> Path:
    """A folder with version A of letter.pdf and letter.docx, rendered once for the module."""
    root = tmp_path_factory.mktemp("old-set")
    code, stderr = _run("render", _letter(root, "A"), "--out", root / "out")
    assert code == 0, stderr
    return root / "out"


@pytest.fixture
def place(tmp_path, old_set):
    """(letter.yaml now at version B, an out folder holding the A set)."""
    out = tmp_path / "out"
    shutil.copytree(old_set, out)
    return _letter(tmp_path, "B"), out


def _next_command(tmp_path: Path, out: Path) -> str:
    """Another letter rendered into the same folder; its stderr."""
    code, stderr = _run("render", _letter(tmp_path, "B", "other"), "--out", out, "-f", "txt")
    assert code == 0, stderr
    return stderr


KILLS = [("fork", 1, signal.SIGTERM, "A"), ("fork", 1, signal.SIGKILL, "A"),
         ("layout", 1, signal.SIGTERM, "A"), ("layout", 1, signal.SIGKILL, "A"),
         ("layout", 1, signal.SIGHUP, "A"),
         # Between the PDF's and the DOCX's rename: SIGTERM waits for the set to be whole;
         # after SIGKILL the next command finishes it from its journal.
         ("replace", 3, signal.SIGTERM, "B"), ("replace", 3, signal.SIGKILL, "B")]


@pytest.mark.parametrize("point, nth, sig, after", KILLS,
                         ids=[f"{p}-{s.name}" for p, _, s, _ in KILLS])
def test_a_killed_render_leaves_no_process_no_open_pipe_and_no_mixed_set(place, tmp_path,
                                                                        point, nth, sig, after):
    letter, out = place
    # A wrapper that reads drafter's output until EOF, as scripts and CI runners do.
    proc = _drafter("render", letter, "--out", out, hook=f"{point}:{nth}:{int(sig)}",
                    stderr=subprocess.DEVNULL)
    with _reaped(proc):
        assert proc.wait(timeout=240) == -sig
        until = time.monotonic() + GONE_WITHIN
        assert _wait_output_eof(proc.stdout.fileno(), until), "the output never reached EOF"
        assert _wait_session_gone(proc.pid, until) == [], "a drafter process was left running"
    stderr = _next_command(tmp_path, out)
    assert _set(out) == (after, after)
    assert not list(out.glob(TEMP + "*"))
    mixed_on_disk = point == "replace" and sig == signal.SIGKILL
    assert ("finished replacing this set" in stderr) == mixed_on_disk, stderr


def test_a_set_whose_second_file_cannot_be_replaced_is_put_back(place):
    letter, out = place
    code, stderr = _run("render", letter, "--out", out, hook="replace:3:fail")
    assert code == 1
    assert "not written (Permission denied (test)); earlier outputs, if any, are unchanged" \
        in stderr
    assert _set(out) == ("A", "A")
    assert not list(out.glob(TEMP + "*"))


def test_a_set_that_cannot_be_put_back_says_so_and_the_next_command_finishes_it(place,
                                                                               tmp_path):
    letter, out = place
    # The DOCX's rename fails, then so does putting the old PDF back.
    code, stderr = _run("render", letter, "--out", out, hook="replace:3,4:fail")
    assert code == 1
    assert "unchanged" not in stderr and "not written whole" in stderr, stderr
    assert "the next drafter command writing to" in stderr and "finishes or restores" in stderr
    assert _set(out) == ("B", "A")  # what the message said: mixed, for now
    stderr = _next_command(tmp_path, out)
    assert f"{out / 'letter.pdf'}, {out / 'letter.docx'}: finished replacing this set" in stderr
    assert _set(out) == ("B", "B")
    assert not list(out.glob(TEMP + "*"))


def test_a_killed_set_whose_new_file_is_lost_is_restored_by_the_next_command(place, tmp_path):
    letter, out = place
    code, _ = _run("render", letter, "--out", out, hook="replace:3:9")
    assert code == -signal.SIGKILL
    assert _set(out) == ("B", "A")
    [pending] = [p for p in out.glob(TEMP + "*.docx") if ".old." not in p.name]
    pending.unlink()  # the new DOCX is gone (a user's clean-up, a full disk's victim)
    stderr = _next_command(tmp_path, out)
    assert "restored the earlier version of this set" in stderr, stderr
    assert _set(out) == ("A", "A")
    assert not list(out.glob(TEMP + "*"))


def test_a_running_renders_temporaries_survive_another_runs_clean_up(place, tmp_path):
    letter, out = place
    # The first render stops itself (SIGSTOP) with its set's files written, journal next.
    first = _drafter("render", letter, "--out", out, hook=f"replace:1:{int(signal.SIGSTOP)}")
    try:
        _, status = os.waitpid(first.pid, os.WUNTRACED)
        assert os.WIFSTOPPED(status)
        theirs = sorted(p.name for p in out.glob(TEMP + "*"))
        assert any(name.endswith(".pdf") for name in theirs), theirs  # its new PDF, not in place
        stderr = _next_command(tmp_path, out)
        assert sorted(p.name for p in out.glob(TEMP + "*")) == theirs
        assert "restored" not in stderr and "finished" not in stderr
    except BaseException:
        os.killpg(first.pid, signal.SIGKILL)  # never a stopped drafter left behind
        raise
    finally:
        os.kill(first.pid, signal.SIGCONT)
    _, stderr = first.communicate(timeout=240)
    assert first.returncode == 0, stderr
    assert _set(out) == ("B", "B") and (out / "other.txt").is_file()
    assert not list(out.glob(TEMP + "*"))


def test_a_killed_batch_leaves_no_worker_behind(place, tmp_path):
    letter, out = place
    second = _letter(tmp_path, "B", "second")
    proc = _drafter("render", letter, second, "--out", out, "--jobs", "2",
                    hook=f"layout:1:{int(signal.SIGTERM)}", stderr=subprocess.DEVNULL)
    with _reaped(proc):
        assert proc.wait(timeout=240) == -signal.SIGTERM
        until = time.monotonic() + GONE_WITHIN
        assert _wait_output_eof(proc.stdout.fileno(), until), "the output never reached EOF"
        assert _wait_session_gone(proc.pid, until) == [], "a render worker was left running"
    assert _set(out) == ("A", "A") and not (out / "second.pdf").exists()


def _swallows_the_first_interruption() -> str:
    """Work inside code that catches every Exception (as Jinja's constant folding does)."""
    try:
        time.sleep(30)  # stands for work that outlasts the limit
    except Exception:  # noqa: BLE001 - the point: the limit's exception is swallowed here
        pass
    time.sleep(1)  # then the rest, done well before the parent's own 5 s grace
    return "rendered on"


def test_a_time_limit_swallowed_once_still_stops_the_render():
    from drafter.output.limits import LimitExceeded, Limits, run_limited
    with pytest.raises(LimitExceeded, match="stopped after 0.1 s, the time limit"):
        run_limited(_swallows_the_first_interruption, limits=Limits(seconds=0.1, memory=None))


def test_a_ctrl_c_just_after_a_temporary_is_created_leaves_no_temporary(tmp_path, monkeypatch):
    """Ctrl-C can arrive between a temporary's creation and the line that lists it for the
    clean-up (a batch interrupted while its parent writes a set)."""
    from drafter.output import files
    real = files._create_locked

    def interrupted(path, held):
        real(path, held)
        raise KeyboardInterrupt

    monkeypatch.setattr(files, "_create_locked", interrupted)
    with pytest.raises(KeyboardInterrupt):
        files.write_set({tmp_path / "letter.pdf": b"%PDF-", tmp_path / "letter.docx": b"PK"})
    assert list(tmp_path.iterdir()) == []
