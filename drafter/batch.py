"""Many letters at once: plan the output sets, render them across cores, report as they finish.

The parent process loads and checks every letter, decides every output name (a clash is an
error before anything is rendered) and writes each finished set atomically; worker processes
only render. Workers are forked after WeasyPrint and python-docx are imported, so no worker
pays for those imports again.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .errors import LetterError
from .model import Letter
from .pipeline import RenderError, TemplateError, output_path, render_all
from .templates import Template


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
        shared, data = render_all(job.letter, list(job.paths), job.template, **job.options)
        return Outcome(index, data, list(shared.options.get("warnings", [])),
                       dict(shared.options.get("stats", {})))
    except (LetterError, RenderError, TemplateError) as exc:
        return Outcome(index, error=str(exc))
    except Exception as exc:  # noqa: BLE001 - one letter's bug must not stop the others
        return Outcome(index, error=f"internal error ({type(exc).__name__}); please report "
                                    "it, with the output of the same command run with --debug",
                       trace=traceback.format_exc())


def _worker_init() -> None:
    # Ctrl-C reaches the whole process group: the parent alone decides how to stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_indexed(item: tuple[int, Job]) -> Outcome:
    return render_job(*item)


def preload(formats) -> None:
    """Import the renderers' heavy libraries once, before workers are forked."""
    if "pdf" in formats:
        from .render.weasy import import_weasyprint
        import_weasyprint()
    if "docx" in formats:
        import docx  # noqa: F401


def default_workers() -> int:
    """Worker processes: one per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def run(jobs: list[Job], workers: int | None = None) -> Iterator[Outcome]:
    """Render jobs, yielding outcomes as they finish (in-process for a single job).

    Interrupting the iteration (Ctrl-C) terminates the workers; nothing is written here.
    """
    workers = min(workers or default_workers(), len(jobs))
    if workers <= 1:
        for index, job in enumerate(jobs):
            yield render_job(index, job)
        return
    formats = {fmt for job in jobs for fmt in job.paths}
    preload(formats)
    context = multiprocessing.get_context("fork")
    pool = context.Pool(workers, initializer=_worker_init)
    try:
        yield from pool.imap_unordered(_run_indexed, list(enumerate(jobs)), chunksize=1)
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
