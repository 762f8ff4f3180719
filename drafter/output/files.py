"""The one place (besides the CLI) that touches the file system: reading inputs, writing
outputs atomically and as a matched set."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import secrets
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

TEMP_PREFIX = ".drafter-tmp-"
JOURNAL_SUFFIX = ".set"  # `.drafter-tmp-<owner>.set`: what a set's renames are, until done
# `.drafter-tmp-<pid>-<random>-...`: one run's files; <pid> names the owner for the clean-up.
_OWNED = re.compile(re.escape(TEMP_PREFIX) + r"(\d{1,10})-([0-9a-f]{8})(?=[-.])")
# A run holds locks on its temporaries; one that has not taken its lock yet (microseconds after
# creating the file) is recognised by its owner being alive and its file this young.
_YOUNG = 60.0
_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class SetIncomplete(OSError):
    """A set could be neither replaced nor restored whole; its journal stays for the next run."""

    def __str__(self) -> str:
        return str(self.strerror)


def read_bytes(path: Path, limit: int) -> bytes:
    """Read at most `limit` + 1 bytes, so a huge file is refused without loading it whole."""
    with open(path, "rb") as handle:
        return handle.read(limit + 1)


@dataclass
class _Entry:
    """One file of a set: its temporary, its real name, the old file's backup link."""

    tmp: Path
    target: Path
    ino: int = 0  # the temporary's inode: the target has it once replaced
    backup: Path | None = None
    old_ino: int | None = None  # the old file's inode (None: there was no old file)
    done: bool = False


def write_set(files: dict[Path, bytes]) -> None:
    """Write every file to a temporary name in its folder, then rename them all.

    Nothing is renamed until every temporary is complete and flushed, so an error or a kill
    before the renames leaves the previous outputs as they were. For a set of several files
    the old files get backup links and a journal is written first: a rename that fails is
    undone (the old set stands, and the error says so), and a kill between two renames is
    repaired by the next `clean_temporaries` (finished from the journal, or restored). The
    temporaries carry TEMP_PREFIX, this process's id and locks, so that a concurrent run's
    clean-up never takes them for leftovers.
    """
    token = f"{TEMP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
    entries: list[_Entry] = []
    held: list[int] = []  # locked descriptors, released (closed) when the set is done
    journals: list[Path] = []
    keep = [False]  # the set is mixed: its journal, backups and temporaries must stay
    try:
        for target, data in files.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            entry = _Entry(target.parent / f"{token}-{len(entries)}{target.suffix}", target)
            # Listed before it exists: a Ctrl-C between its creation and this line would leave
            # a temporary that no one tidies (its name is this run's alone).
            entries.append(entry)
            fd = _create_locked(entry.tmp, held)
            with open(fd, "wb", closefd=False) as handle:
                handle.write(data)
                handle.flush()
                os.fsync(fd)
            os.fchmod(fd, 0o644)
            entry.ino = os.fstat(fd).st_ino
        with _signals_deferred():
            try:
                if len(entries) > 1:
                    for number, entry in enumerate(entries):
                        _back_up(entry, f"{token}-{number}.old{entry.target.suffix}")
                    journals = [_journal(folder, token, [e for e in entries
                                                         if e.target.parent == folder], held)
                                for folder in dict.fromkeys(e.target.parent for e in entries)]
                _replace_all(entries, keep)
            finally:  # tidy before a deferred signal ends the process
                _tidy(entries, journals, keep[0])
    finally:
        _tidy(entries, journals, keep[0])  # after a failure while writing the temporaries
        for fd in held:
            os.close(fd)


def _tidy(entries: list[_Entry], journals: list[Path], keep: bool) -> None:
    """Remove the set's journals (first: the set on disk is whole), temporaries and backups."""
    if keep:
        return
    for path in journals + [e.tmp for e in entries if not e.done] + \
            [e.backup for e in entries if e.backup]:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def _create_locked(path: Path, held: list[int]) -> int:
    """Create `path` (never an existing file or link) and lock it as this run's."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    held.append(fd)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def _back_up(entry: _Entry, name: str) -> None:
    """A second name for the old file (a hard link: no copy), to restore it from."""
    try:
        old = os.lstat(entry.target)
    except FileNotFoundError:
        return
    backup = entry.target.parent / name
    try:
        os.link(entry.target, backup, follow_symlinks=False)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
            raise
        with open(backup, "xb") as copy:  # a file system without hard links
            copy.write(entry.target.read_bytes())
            copy.flush()
            os.fsync(copy.fileno())
    entry.backup, entry.old_ino = backup, old.st_ino


def _journal(folder: Path, token: str, entries: list[_Entry], held: list[int]) -> Path:
    """Record (atomically) which temporary becomes which file of the set in `folder`."""
    part = folder / f"{token}.part"
    fd = _create_locked(part, held)
    with open(fd, "w", encoding="utf-8", closefd=False) as handle:
        json.dump([[e.tmp.name, e.target.name, e.backup.name if e.backup else None, e.ino,
                    e.old_ino] for e in entries], handle)
        handle.flush()
        os.fsync(fd)
    journal = folder / f"{token}{JOURNAL_SUFFIX}"
    os.replace(part, journal)
    return journal


def _replace_all(entries: list[_Entry], keep: list[bool]) -> None:
    """Rename every temporary over its target; on an error, restore the old files and raise
    it, or raise SetIncomplete (and set `keep`) when they cannot all be restored."""
    try:
        for entry in entries:
            os.replace(entry.tmp, entry.target)
            entry.done = True
    except OSError as exc:
        done = [e for e in entries if e.done]
        if not done or _restore(done):
            raise  # the old set stands: the caller may say "unchanged"
        keep[0] = True
        new = ", ".join(str(e.target) for e in done)
        raise SetIncomplete(exc.errno, f"{exc.strerror or exc}; only {new} could be replaced "
                            "and not restored: the next drafter command writing to "
                            f"{entries[0].target.parent} finishes or restores the set") from exc


def _restore(done: list[_Entry]) -> bool:
    """Put the old files back (remove new ones that had none); whether all went back."""
    whole = True
    for entry in reversed(done):
        try:
            if entry.backup is not None:
                os.replace(entry.backup, entry.target)
                entry.backup = None
            else:
                os.unlink(entry.target)
            entry.done = False
        except OSError:
            whole = False
    return whole


@contextlib.contextmanager
def _signals_deferred():
    """Hold Ctrl-C, SIGTERM and SIGHUP until the renames are done (then act on them), so a
    set is never left half renamed by anything but SIGKILL (which the journal repairs)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {sig: signal.signal(sig, lambda signum, frame: caught.append(signum))
                for sig in _SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if signal.SIGINT in caught:
        raise KeyboardInterrupt
    for sig in dict.fromkeys(caught):
        os.kill(os.getpid(), sig)  # the handler the process had: by default, it ends


def clean_temporaries(folder: Path, say: Callable[[str], None] | None = None) -> list[Path]:
    """Finish or restore the sets that interrupted earlier runs left half replaced in `folder`
    (`say` tells which), and remove their temporaries. Files of runs still going are kept."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    groups: dict[str, list[Path]] = {}
    for path in folder.glob(TEMP_PREFIX + "*"):
        owned = _OWNED.match(path.name)
        # Files of older drafter versions carry no owner: one group, journals first.
        groups.setdefault(owned.group(0) if owned else TEMP_PREFIX, []).append(path)
    for key, paths in sorted(groups.items()):
        if _alive(key, paths):
            continue
        journals = [p for p in paths if p.name.endswith(JOURNAL_SUFFIX)]
        if any(not _repair(folder, journal, say) for journal in journals):
            continue  # still mixed: its journal and backups stay for the next try
        for path in sorted(paths, key=lambda p: not p.name.endswith(JOURNAL_SUFFIX)):
            try:
                path.unlink()
                removed.append(path)
            except OSError:
                pass
    return removed


def _alive(key: str, paths: list[Path]) -> bool:
    """Whether the run that made these files may still be using them: it holds a lock on
    one of them, or it is alive and made them just now (before it could take its lock)."""
    newest = 0.0
    for path in paths:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            continue  # a link, a folder: nobody's lock
        try:
            newest = max(newest, os.fstat(fd).st_ctime)
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        except OSError:
            pass
        finally:
            os.close(fd)
    owned = _OWNED.match(key)
    return bool(owned) and time.time() - newest < _YOUNG and _pid_alive(int(owned.group(1)))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process
    return True


def _repair(folder: Path, journal: Path, say: Callable[[str], None] | None) -> bool:
    """Make the set of a dead run's journal whole: finish it when every temporary still to be
    renamed is there (they were complete before the journal was written), else restore the
    old files. Only plain names inside `folder` are followed, so a journal planted in a folder
    from elsewhere cannot move other files; a file a later run rewrote is left alone. Returns
    False when the set stays mixed."""
    if _OWNED.match(journal.name) is None:
        return _finish_legacy(folder, journal, say)
    entries = _read_journal(folder, journal)
    done, pending, other = [], [], []
    for entry in entries:
        target = _ino(entry.target)
        if target is not None and target == entry.ino:
            done.append(entry)
        elif _ino(entry.tmp) == entry.ino and target == entry.old_ino:
            pending.append(entry)
        else:
            other.append(entry)  # superseded by a later run, or its temporary is gone
    if not other:
        finished = [e for e in pending if _quietly(os.replace, e.tmp, e.target)]
        if len(finished) < len(pending) and done + finished:
            return _report(say, entries, False, "could not finish it (render again)")
        if finished and len(finished) == len(pending):
            _report(say, entries, True, "finished replacing this set, which an interrupted "
                                        "drafter run had begun to replace: all of it is now "
                                        "the new version")
        return True
    if not done:
        return True
    if not all(e.backup is None or _ino(e.backup) == e.old_ino for e in done) or \
            not _restore(done):
        return _report(say, entries, False, "could not restore it (render again)")
    _report(say, entries, True, "restored the earlier version of this set, which an "
                                "interrupted drafter run had left half replaced (the rest of "
                                "the new version was lost)")
    return True


def _read_journal(folder: Path, journal: Path) -> list[_Entry]:
    try:
        rows = json.loads(journal.read_text("utf-8"))
    except (OSError, ValueError):
        return []
    own = journal.name[: -len(JOURNAL_SUFFIX)] + "-"  # a journal moves only its run's files
    entries = []
    for row in rows if isinstance(rows, list) else []:
        if not (isinstance(row, list) and len(row) == 5):
            continue
        tmp, name, backup, ino, old = row
        names = [tmp, name] + ([backup] if backup is not None else [])
        if not (all(isinstance(n, str) and _plain(n) for n in names) and isinstance(ino, int)
                and (old is None or isinstance(old, int)) and (backup is None) == (old is None)
                and tmp.startswith(own) and not name.startswith(TEMP_PREFIX)
                and (backup is None or backup.startswith(own))):
            continue
        entries.append(_Entry(folder / tmp, folder / name, ino,
                              folder / backup if backup else None, old))
    return entries


def _finish_legacy(folder: Path, journal: Path, say) -> bool:
    """A journal of drafter before backups ([temporary, name] rows): finish its renames."""
    try:
        rows = json.loads(journal.read_text("utf-8"))
    except (OSError, ValueError):
        return True
    pairs = [(folder / t, folder / n) for t, n in (r for r in rows if isinstance(r, list)
                                                   and len(r) == 2)
             if isinstance(t, str) and isinstance(n, str) and _plain(t) and _plain(n)
             and t.startswith(TEMP_PREFIX) and not n.startswith(TEMP_PREFIX)]
    entries = [_Entry(t, n) for t, n in pairs]
    pending = [e for e in entries if _ino(e.tmp) is not None]
    if not all([_quietly(os.replace, e.tmp, e.target) for e in pending]):
        return _report(say, entries, False, "could not finish it (render again)")
    if pending:
        _report(say, entries, True, "finished replacing this set, which an interrupted "
                                    "drafter run had begun to replace: all of it is now the "
                                    "new version")
    return True


def _plain(name: str) -> bool:
    return bool(name) and "/" not in name and os.sep not in name and name not in (".", "..")


def _ino(path: Path) -> int | None:
    """The inode of a regular file at `path` (not following links), or None."""
    try:
        stat = os.lstat(path)
    except OSError:
        return None
    return stat.st_ino if (stat.st_mode & 0o170000) == 0o100000 else None


def _quietly(function, *args) -> bool:
    try:
        function(*args)
    except OSError:
        return False
    return True


def _report(say, entries: list[_Entry], repaired: bool, message: str) -> bool:
    if say is not None:
        say(f"{', '.join(str(e.target) for e in entries)}: {message}")
    return repaired
