"""The one place (besides the CLI) that touches the file system: reading inputs, writing
outputs atomically and as a matched set."""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
from pathlib import Path

TEMP_PREFIX = ".drafter-tmp-"


def read_bytes(path: Path, limit: int) -> bytes:
    """Read at most `limit` + 1 bytes, so a huge file is refused without loading it whole."""
    with open(path, "rb") as handle:
        return handle.read(limit + 1)


def write_set(files: dict[Path, bytes]) -> None:
    """Write every file to a temporary name in its folder, then rename them all.

    Nothing is renamed until every temporary file is complete and flushed, so an error or a
    kill leaves the previous outputs as they were (as a matched set) and no partial file under
    a real name. Leftover temporaries carry TEMP_PREFIX and are removed by `clean_temporaries`.
    """
    written: list[tuple[str, Path]] = []
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
        with _interrupts_deferred():
            for tmp, target in written:
                os.replace(tmp, target)
            written.clear()
    finally:
        for tmp, _ in written:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
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
        for leftover in folder.glob(TEMP_PREFIX + "*"):
            try:
                leftover.unlink()
                removed.append(leftover)
            except OSError:
                pass
    return removed
