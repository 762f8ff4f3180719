"""The one place (besides the CLI) that touches the file system: reading inputs, writing
outputs atomically and as a matched set."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import tempfile
import threading
from pathlib import Path

TEMP_PREFIX = ".drafter-tmp-"
JOURNAL_SUFFIX = ".set"  # `.drafter-tmp-*.set`: the renames of a set still to be done


def read_bytes(path: Path, limit: int) -> bytes:
    """Read at most `limit` + 1 bytes, so a huge file is refused without loading it whole."""
    with open(path, "rb") as handle:
        return handle.read(limit + 1)


def write_set(files: dict[Path, bytes]) -> None:
    """Write every file to a temporary name in its folder, then rename them all.

    Nothing is renamed until every temporary file is complete and flushed, so an error or a
    kill leaves the previous outputs as they were (as a matched set) and no partial file under
    a real name. Leftover temporaries carry TEMP_PREFIX and are removed by `clean_temporaries`.
    A kill between two renames (microseconds) is repaired by the next `clean_temporaries`: the
    set's journal, written once every temporary is complete, lets it finish the renames.
    """
    written: list[tuple[str, Path]] = []
    journals: list[Path] = []
    try:
        for target, data in files.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=target.suffix,
                                       dir=target.parent)
            written.append((tmp, target))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o644)
        if len(written) > 1:
            folders = {target.parent for _, target in written}
            journals = [_journal(folder, [(tmp, target) for tmp, target in written
                                          if target.parent == folder]) for folder in folders]
        with _interrupts_deferred():
            for tmp, target in written:
                os.replace(tmp, target)
            written.clear()
    finally:
        for tmp in [tmp for tmp, _ in written] + journals:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass


def _journal(folder: Path, pairs: list[tuple[str, Path]]) -> Path:
    """Record (atomically) which temporary becomes which file of the set in `folder`."""
    fd, part = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".part", dir=folder)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump([[Path(tmp).name, target.name] for tmp, target in pairs], handle)
        handle.flush()
        os.fsync(handle.fileno())
    journal = Path(part[: -len(".part")] + JOURNAL_SUFFIX)
    os.replace(part, journal)
    return journal


def _finish_set(folder: Path, journal: Path) -> None:
    """Roll a set interrupted between its renames forward: its temporaries were complete before
    the journal was written. Only plain names inside `folder` are followed (a journal planted
    in a folder from elsewhere cannot move other files), and a file that a later run rewrote
    is left alone."""
    try:
        pairs = json.loads(journal.read_text("utf-8"))
    except (OSError, ValueError):
        return
    for pair in pairs if isinstance(pairs, list) else []:
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(n, str) and n
                                                                  for n in pair)):
            continue
        tmp, name = pair
        if (os.sep in tmp + name or "/" in tmp + name or not tmp.startswith(TEMP_PREFIX)
                or name.startswith(TEMP_PREFIX) or name in (".", "..")):
            continue
        source, target = folder / tmp, folder / name
        try:
            if source.is_symlink() or not source.is_file():
                continue
            if target.exists() and target.stat().st_mtime_ns > source.stat().st_mtime_ns:
                continue
            os.replace(source, target)
        except OSError:
            pass


@contextlib.contextmanager
def _interrupts_deferred():
    """Hold Ctrl-C until the renames are done, so a set is never left half renamed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def clean_temporaries(folder: Path) -> list[Path]:
    """Remove temporaries that an interrupted earlier run left in `folder`."""
    removed = []
    if folder.is_dir():
        for journal in sorted(folder.glob(TEMP_PREFIX + "*" + JOURNAL_SUFFIX)):
            _finish_set(folder, journal)
        for leftover in folder.glob(TEMP_PREFIX + "*"):
            try:
                leftover.unlink()
                removed.append(leftover)
            except OSError:
                pass
    return removed
