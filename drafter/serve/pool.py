"""Warm render workers for the server, forked before its event loop exists.

One keeper process is forked from the server before uvicorn starts (no event loop, no threads
yet); it imports WeasyPrint and python-docx once and forks the workers, and it alone forks
again when a worker must be replaced (a client gave up on its request, or it died), so the
server process never forks after its loop and threads started. The server sends the keeper a
task with an id and receives the reply with that id; the keeper hands each task to an idle
worker. The server admits at most `workers` tasks at a time and `queue` more waiting: beyond
that a request is refused (503), never queued without bound.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import logging
import multiprocessing
import os
import shutil
import signal
import tempfile
from multiprocessing.connection import wait
from pathlib import Path

from ..output.limits import Limits, detach_from_parent

log = logging.getLogger("drafter.serve")


class Busy(Exception):
    """Every worker is busy and the queue is full."""


class Pool:
    """The server's side: admission, and futures for the keeper's replies."""

    def __init__(self, workers: int, queue: int, limits: Limits, handler, preload=()) -> None:
        self.workers, self.queue = workers, queue
        context = multiprocessing.get_context("fork")
        self._conn, keeper_end = context.Pipe()
        # Not a daemon: a daemon may not fork, and the keeper forks the workers. It ends with
        # the server all the same (close(), or PR_SET_PDEATHSIG if the server is killed).
        self._keeper = context.Process(target=_keeper, daemon=False, name="drafter-keeper",
                                       args=(keeper_end, self._conn, os.getpid(), workers,
                                             limits, handler, tuple(preload)))
        self._keeper.start()
        keeper_end.close()
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future] = {}
        self._admitted = 0  # running and waiting
        self.running = 0
        self._slots: asyncio.Semaphore | None = None
        self._sending: asyncio.Lock | None = None
        self._warm = False

    @property
    def warm(self) -> bool:
        """Whether every worker has started and imported its libraries."""
        return self._warm

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Listen for the keeper's replies on the running loop."""
        self._slots = asyncio.Semaphore(self.workers)
        self._sending = asyncio.Lock()
        loop.add_reader(self._conn.fileno(), self._received)

    async def _send(self, message) -> None:
        # From a thread: a large task written while the keeper writes a large reply would
        # otherwise block the loop that has to read that reply (each side waiting on the other).
        async with self._sending:
            await asyncio.get_running_loop().run_in_executor(None, self._conn.send, message)

    async def run(self, task) -> object:
        """The reply to `task`; Busy when no worker is free and the queue is full. A task whose
        caller gives up (a client that disconnected) stops its worker, which is replaced."""
        if self._admitted >= self.workers + self.queue:
            raise Busy()
        self._admitted += 1
        try:
            async with self._slots:
                self.running += 1
                ident = next(self._ids)
                future = asyncio.get_running_loop().create_future()
                self._pending[ident] = future
                try:
                    await self._send(("task", ident, task))
                    return await future
                except asyncio.CancelledError:
                    asyncio.ensure_future(self._send(("cancel", ident)))
                    raise
                finally:
                    self._pending.pop(ident, None)
                    self.running -= 1
        finally:
            self._admitted -= 1

    @property
    def waiting(self) -> int:
        """Requests admitted that wait for a worker."""
        return self._admitted - self.running

    def _received(self) -> None:
        try:
            message = self._conn.recv()
        except (EOFError, OSError):
            asyncio.get_running_loop().remove_reader(self._conn.fileno())
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(RuntimeError("the render keeper stopped"))
            return
        if message[0] == "warm":
            self._warm = True
            log.info("drafter serve: %d workers warm", self.workers)
            return
        _, ident, reply = message
        future = self._pending.get(ident)
        if future is not None and not future.done():
            future.set_result(reply)

    def close(self, timeout: float = 30) -> None:
        """Let running tasks finish (the server stopped sending), then end the keeper."""
        try:
            self._conn.send(("stop",))
        except OSError:
            pass
        self._keeper.join(timeout)
        if self._keeper.is_alive():
            self._keeper.kill()
            self._keeper.join()


def _keeper(conn, other_end, server: int, size: int, limits: Limits, handler,
            preload: tuple) -> None:
    """The keeper's loop: start the workers, hand out tasks, replace stopped workers."""
    other_end.close()
    detach_from_parent(server)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server alone decides when to stop
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # (a SIGTERM to the group: it finishes)
    for load in preload:
        load()
    workers = [_Worker(limits, handler) for _ in range(size)]
    conn.send(("warm",))
    waiting: list[tuple[int, object]] = []
    stopping = False
    while True:
        busy = [w for w in workers if w.task is not None]
        if stopping and not busy and not waiting:
            break
        ready = wait([conn] + [w.conn for w in busy] + [w.process.sentinel for w in busy])
        if conn in ready:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                break  # the server is gone
            if message[0] == "task":
                waiting.append((message[1], message[2]))
            elif message[0] == "cancel":
                waiting = [t for t in waiting if t[0] != message[1]]
                for i, w in enumerate(workers):
                    if w.task == message[1]:
                        w.stop()
                        workers[i] = _Worker(limits, handler)
            elif message[0] == "stop":
                stopping = True
        for i, w in enumerate(workers):
            if w.task is None:
                continue
            if w.conn in ready or w.process.sentinel in ready:
                reply = w.collect()
                conn.send(("reply", w.task, reply))
                if reply is _DIED or not w.process.is_alive():
                    w.stop()
                    workers[i] = _Worker(limits, handler)
                else:
                    w.task = None
        for w in workers:
            if w.task is None and waiting:
                w.give(*waiting.pop(0))
    for w in workers:
        w.stop()
    conn.close()


_DIED = ("died",)  # a worker that ended without replying (over its memory, or a crash)


class _Worker:
    """One render process of the keeper's, with its pipe and its current task id."""

    def __init__(self, limits: Limits, handler) -> None:
        context = multiprocessing.get_context("fork")
        self.conn, child_end = context.Pipe()
        # Its private folder (0700, a random name): the keeper removes it when the worker
        # stops, so a request's files never outlive a worker stopped in the middle of it.
        self.home = Path(tempfile.mkdtemp(prefix="drafter-worker-"))
        self.process = context.Process(target=_work, daemon=True,
                                       args=(child_end, self.conn, os.getpid(), limits, handler,
                                             self.home))
        self.process.start()
        child_end.close()
        self.task: int | None = None

    def give(self, ident: int, task) -> None:
        self.task = ident
        self.conn.send(task)

    def collect(self):
        try:
            return self.conn.recv() if self.conn.poll() else _DIED
        except (EOFError, OSError):
            return _DIED

    def stop(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()
        shutil.rmtree(self.home, ignore_errors=True)


def _work(conn, other_end, keeper: int, limits: Limits, handler, home: Path) -> None:
    """A worker: one task at a time, each under the render limits, until the pipe closes."""
    other_end.close()
    detach_from_parent(keeper)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    from ..formats.pdf import reuse_stylesheets
    from ..output.limits import apply_memory_limit
    apply_memory_limit(limits)
    reuse_stylesheets()  # every request renders with the server's templates
    first = True
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(handler(task, limits, home))
        if first:  # what the first request left (imports, caches): out of the collector's way
            gc.collect()
            gc.freeze()
            first = False
