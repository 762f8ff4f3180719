"""Many letters at once: plan the output sets, render them across cores, report as they finish.

The parent process loads and checks every letter, decides every output name (a clash is an
error before anything is rendered) and writes each finished set atomically; worker processes
only render. Workers are forked after WeasyPrint and python-docx are imported, so no worker
pays for those imports again.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from ..errors import LetterError
from .limits import (LimitExceeded, Limits, apply_memory_limit, deadline, detach_from_parent,
                     hard_deadline, memory_message, near_memory_limit, run_limited)
from ..letter.model import Letter
from ..pipeline import RenderError, TemplateError, output_path, render_all
from ..template.folder import Template


@dataclass(frozen=True)
class Job:
    """One output set: a letter (perhaps personalised for one recipient) in some formats."""

    label: str
    letter: Letter
    template: Template
    paths: dict  # format -> output Path
    options: dict = field(default_factory=dict)
    group: str = ""  # jobs of one letter file, for --combined


@dataclass
class Outcome:
    """What rendering one job gave: the bytes of each format, or why not."""

    index: int
    data: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    stats: dict = field(default_factory=dict)
    error: str | None = None
    trace: str | None = None  # set for internal errors (bugs), shown with --debug
    located: bool = False  # the error's lines already start with FILE:LINE:COL


def job_for(label: str, letter: Letter, template: Template, stem: str, out_dir: Path,
            formats, options: dict, group: str = "") -> Job:
    """A job writing `<out_dir>/<stem>.<ext>` for each format."""
    paths = {fmt: output_path(out_dir, stem, fmt) for fmt in formats}
    return Job(label, letter, template, paths, dict(options), group)


def clashes(jobs: list[Job]) -> list[str]:
    """Output paths that two jobs would both write (checked before anything is written)."""
    seen: dict[Path, str] = {}
    found = []
    for job in jobs:
        for path in job.paths.values():
            key = path.resolve()
            if key in seen:
                found.append(f"{path}: written by both {seen[key]} and {job.label}")
            seen[key] = job.label
    return found


def render_job(index: int, job: Job) -> Outcome:
    """Render one job; a problem with this letter is reported on its Outcome, not raised."""
    try:
        result = render_all(job.letter, list(job.paths), job.template, **job.options)
        return Outcome(index, {fmt: r.data for fmt, r in result.formats.items()},
                       list(result.warnings), dict(result.stats))
    except LetterError as exc:  # e.g. a character no font has, located in the YAML
        return Outcome(index, error=str(exc), located=True)
    except (RenderError, TemplateError, LimitExceeded) as exc:
        return Outcome(index, error=str(exc))
    except MemoryError:
        return Outcome(index, error=memory_message(_LIMITS[0]))
    except Exception as exc:  # noqa: BLE001 - one letter's bug must not stop the others
        if near_memory_limit(_LIMITS[0]):
            return Outcome(index, error=memory_message(_LIMITS[0]))
        return Outcome(index, error=f"internal error ({type(exc).__name__}); please report "
                                    "it, with the output of the same command run with --debug",
                       trace=traceback.format_exc())


_LIMITS = [Limits()]  # the budget of this process's renders (set per worker)


def _quiet_stderr() -> None:
    """Render processes report through their results only: what Python itself prints when
    memory runs out during clean-up ("Exception ignored in ... Traceback ... MemoryError")
    must not reach the user's terminal."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def _render_alone(index: int, job: Job) -> Outcome:
    """render_job in the forked child of a single letter."""
    _quiet_stderr()
    return render_job(index, job)


def _worker_init(limits: Limits, parent: int) -> None:
    # Ctrl-C reaches the whole process group: the parent alone decides how to stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    detach_from_parent(parent)  # a killed parent's workers do not render on
    from ..formats.pdf import reuse_stylesheets
    reuse_stylesheets()  # a worker renders one batch: its letters share their templates
    _LIMITS[0] = limits
    apply_memory_limit(limits)


def _run_indexed(item: tuple[int, Job]) -> Outcome:
    with hard_deadline(_LIMITS[0]), deadline(_LIMITS[0]):
        outcome = render_job(*item)
    if not _SETTLED:
        _settle()
    return outcome


_SETTLED: list[bool] = []  # this worker has frozen what its first letter left (_settle)


def _settle() -> None:
    """After a worker's first letter, hide what stays from the cyclic collector: modules
    imported on first use, the parsed stylesheet and its fonts. Each later collection then
    visits one letter's objects only (5% of a batch). The first letter's garbage is collected
    first, so nothing of it is kept."""
    gc.collect()
    gc.freeze()
    _SETTLED.append(True)


def preload(formats, freeze: bool = False) -> None:
    """Import the renderers' heavy libraries once, before workers are forked. With `freeze`
    (a process of drafter's own: the CLI), what they create is imported without the cyclic
    collector and then hidden from it (gc.freeze), as drafter's __main__ does for its own
    modules: a tenth of a cold render, and pages the forked workers share instead of copy.
    An application that embeds drafter keeps its collector as it set it."""
    if not freeze:
        _import_renderers(formats)
        return
    gc.disable()
    try:
        _import_renderers(formats)
    finally:
        gc.freeze()
        gc.enable()


def _import_renderers(formats) -> None:
    if "pdf" in formats:
        from ..formats.weasy import import_weasyprint
        import_weasyprint()
    if "docx" in formats:
        import docx  # noqa: F401


def default_workers() -> int:
    """Worker processes: one per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def run(jobs: list[Job], workers: int | None = None, limits: Limits = Limits(),
        freeze: bool = False) -> Iterator[Outcome]:
    """Render jobs in worker processes, yielding outcomes as they finish, each within
    `limits` (time per letter, memory per worker). Even a single letter renders in a worker:
    the process that reports must never be the one that ran out of memory.

    Interrupting the iteration (Ctrl-C) terminates the workers; nothing is written here.
    `freeze` as for preload.
    """
    if not jobs:
        return
    workers = min(workers or default_workers(), len(jobs))
    preload({fmt for job in jobs for fmt in job.paths}, freeze)
    _LIMITS[0] = limits
    if len(jobs) == 1:  # one letter: one forked child, without a pool's machinery
        try:
            yield run_limited(_render_alone, 0, jobs[0], limits=limits)
        except LimitExceeded as exc:
            yield Outcome(0, error=str(exc))
        return
    executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_worker_init, initargs=(limits, os.getpid()))
    futures = {executor.submit(_run_indexed, item): item[0] for item in enumerate(jobs)}
    try:
        for future in as_completed(futures):
            try:
                yield future.result()
            except BrokenProcessPool:
                # The kernel (or a crash) ended a worker: its letters cannot be rendered here.
                yield Outcome(futures[future], error="the rendering process stopped (over "
                              f"the time limit, out of memory beyond {limits.describe_memory()}"
                              ", or crashed)")
        executor.shutdown()
    except BaseException:
        # Workers ignore Ctrl-C; stop them now rather than after their current letter.
        for process in list(getattr(executor, "_processes", {}).values()):
            process.terminate()
        executor.shutdown(wait=True, cancel_futures=True)
        raise
