"""Time and memory budgets for rendering, so a hostile or broken letter cannot hang a workflow
or exhaust a machine.

The CLI renders in processes of its own and applies the budget there. Code that embeds
drafter calls `run_limited`, which renders in a forked child process so that the budget never
touches the caller's own process.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import signal
import sys
import threading
from dataclasses import dataclass

DEFAULT_SECONDS = 60.0
DEFAULT_MEMORY = 1 << 30  # 1 GiB of data (heap and private mappings), beyond shared libraries
REPEAT = 0.02  # seconds between raisings of an expired time limit that was swallowed


class LimitExceeded(Exception):
    """A render went over its time or memory budget."""


@dataclass(frozen=True)
class Limits:
    """A render's budget; None means no limit of that kind."""

    seconds: float | None = DEFAULT_SECONDS
    memory: int | None = DEFAULT_MEMORY

    def describe_memory(self) -> str:
        """The memory budget in words ("1 GiB")."""
        size = float(self.memory or 0)
        for unit in ("bytes", "KiB", "MiB", "GiB"):
            if size < 1024 or unit == "GiB":
                return f"{size:g} {unit}"
            size /= 1024
        return ""  # pragma: no cover


def apply_memory_limit(limits: Limits) -> None:
    """Cap this process's data size; allocations beyond it raise MemoryError."""
    if limits.memory is None:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    soft = limits.memory if hard == resource.RLIM_INFINITY else min(limits.memory, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))


@contextlib.contextmanager
def deadline(limits: Limits):
    """Raise LimitExceeded in this (main) thread when the time budget runs out."""
    if limits.seconds is None or threading.current_thread() is not threading.main_thread():
        yield
        return

    active = [True]

    def expired(signum, frame):
        if active[0]:
            raise LimitExceeded(f"stopped after {limits.seconds:g} s, the time limit; raise it "
                                "with --time-limit if the letter is really that large")

    previous = signal.signal(signal.SIGALRM, expired)
    # Raised again every REPEAT seconds: code that catches every Exception (Jinja's constant
    # folding, some of WeasyPrint's) would otherwise swallow it and render on.
    signal.setitimer(signal.ITIMER_REAL, limits.seconds, REPEAT)
    try:
        yield
    finally:
        active[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def hard_deadline(limits: Limits, grace: float = 5.0):
    """End this process `grace` seconds after the time budget if `deadline` could not stop
    it: a signal handler runs only between Python instructions, so one long C routine (a
    template's `9 ** (9 ** 9)`) would run on. Only for worker processes: faulthandler's
    watchdog thread needs no GIL and calls _exit()."""
    if limits.seconds is None:
        yield
        return
    import faulthandler
    import os
    with open(os.devnull, "w") as sink:
        faulthandler.dump_traceback_later(limits.seconds + grace, exit=True, file=sink)
        try:
            yield
        finally:
            faulthandler.cancel_dump_traceback_later()


def memory_message(limits: Limits) -> str:
    """What to say when a render ran out of its memory budget."""
    return (f"stopped at {limits.describe_memory()}, the memory limit; raise it with "
            "--memory-limit if the letter is really that large")


def near_memory_limit(limits: Limits) -> bool:
    """Whether this process is close to its memory budget: C code that runs out of memory
    often fails with some other error (SystemError, cffi errors) instead of MemoryError."""
    if limits.memory is None:
        return False
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024 > 0.9 * limits.memory
    except (OSError, ValueError):
        pass
    return False


def detach_from_parent(parent: int) -> None:
    """In a render child: die with `parent`, and hold none of the caller's terminal or pipes.

    A child that outlived a killed drafter would render on for up to the time limit, and a
    wrapper reading drafter's output would wait for an EOF that the child's copy of stdout
    holds back. Its output would reach no one anyway: results go back through a pipe.
    """
    if sys.platform.startswith("linux"):
        import ctypes
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
            pass
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)


def _child(conn, other_end, parent: int, function, args, limits: Limits) -> None:
    # Without its own copy of the reading end, the child's send fails (rather than blocks on a
    # full pipe) once the parent is gone.
    other_end.close()
    detach_from_parent(parent)
    try:
        apply_memory_limit(limits)
        with deadline(limits):
            conn.send(("ok", function(*args)))
    except LimitExceeded as exc:
        conn.send(("limit", str(exc)))
    except MemoryError:
        conn.send(("limit", memory_message(limits)))
    except BrokenPipeError:
        pass  # the parent stopped listening
    except BaseException as exc:  # noqa: BLE001 - carried to the parent and raised there
        conn.send(("raise", exc))
    finally:
        conn.close()


def run_limited(function, *args, limits: Limits = Limits()):
    """Call `function(*args)` in a forked child under `limits` and return its result; raise
    LimitExceeded when the budget runs out, or the child's own exception. The child dies with
    the calling process and its standard streams go to /dev/null."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, daemon=True,
                            args=(send, receive, os.getpid(), function, args, limits))
    child.start()
    send.close()
    grace = None if limits.seconds is None else limits.seconds + 5
    try:
        # Read before joining: a result larger than the pipe holds is sent only as it is read.
        if not receive.poll(grace):
            raise LimitExceeded(f"stopped after {limits.seconds:g} s, the time limit")
        kind, value = receive.recv()
    except EOFError:
        raise LimitExceeded(memory_message(limits)) from None  # killed by the kernel
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receive.close()
    if kind == "ok":
        return value
    if kind == "limit":
        raise LimitExceeded(value)
    raise value
