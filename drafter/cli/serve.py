"""`drafter serve`: the HTTP API (drafter/serve/), on loopback unless given a token."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Optional

import typer

from .common import Failed, err


def serve(host: str = typer.Option("127.0.0.1", "--host", help="The address to listen on: "
                                   "loopback unless --token-file is given."),
          port: int = typer.Option(8080, "--port", min=0, max=65535),
          workers: Optional[int] = typer.Option(None, "--workers", min=1,
                                                help="Render processes (default: one a core)."),
          queue: int = typer.Option(8, "--queue", min=0, help="Requests that may wait for a "
                                    "worker; beyond them, 503 with Retry-After."),
          token_file: Optional[Path] = typer.Option(None, "--token-file", help="A file holding "
                                                    "the bearer token every /v1 request must "
                                                    "send (required off loopback)."),
          templates: Optional[Path] = typer.Option(None, "--templates", help="A folder of "
                                                   "template folders letters may name."),
          cors: Optional[str] = typer.Option(None, "--cors", metavar="ORIGIN,...",
                                             help="Allow browsers on these origins."),
          max_mb: float = typer.Option(10, "--max-mb", min=0.001,
                                       help="The largest request body, in MB."),
          time_limit: float = typer.Option(60, "--time-limit", min=0.1,
                                           help="Seconds a request's render may take."),
          memory_limit: int = typer.Option(1024, "--memory-limit", min=64,
                                           help="MiB of memory a worker may use.")) -> None:
    """Serve drafter's HTTP API: validate and render letters for websites, forms and scripts."""
    from ..output.batch import default_workers, preload
    from ..output.limits import Limits
    from ..serve.app import Settings, create_app
    from ..serve.pool import Pool
    from ..serve.work import handle
    token = _token(token_file) if token_file is not None else None
    if token is None and not _loopback(host):
        raise typer.BadParameter(f"{host} is reachable from other machines: give "
                                 "--token-file (or listen on 127.0.0.1)", param_hint="--host")
    if templates is not None and not templates.is_dir():
        raise typer.BadParameter(f"{templates} is not a folder", param_hint="--templates")
    settings = Settings(host=host, port=port, workers=workers or default_workers(),
                        queue=queue, token=token, templates=templates.resolve() if templates
                        else None, cors=tuple(o.strip() for o in (cors or "").split(",")
                                              if o.strip()),
                        max_bytes=int(max_mb * 1024 * 1024),
                        limits=Limits(time_limit, memory_limit * 1024 * 1024))
    import logging
    import uvicorn
    logging.basicConfig(format="%(message)s", level=logging.INFO)
    # The workers are forked now, before uvicorn's loop and threads exist.
    pool = Pool(settings.workers, settings.queue, settings.limits, handle,
                preload=[lambda: preload({"pdf", "docx"}, freeze=True)])
    try:
        config = uvicorn.Config(create_app(settings, pool), host=host, port=port,
                                log_config=None, access_log=False, lifespan="on",
                                server_header=False)
        server = _server_class()(config)
        server.run()
        if not server.started:
            err(f"drafter serve: could not listen on {host}:{port}")
            raise Failed()
    finally:
        pool.close()
    if server.interrupted:
        raise KeyboardInterrupt  # Ctrl-C: the CLI's status 130 (a SIGTERM ends with 0)


def _server_class():
    import contextlib
    import signal
    import threading
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn's server, except that a SIGTERM, once every request in flight is
        answered, ends the process with status 0 (uvicorn raises the signal again)."""

        interrupted = False

        @contextlib.contextmanager
        def capture_signals(self):
            if threading.current_thread() is not threading.main_thread():
                yield
                return
            handled = (signal.SIGINT, signal.SIGTERM)

            def stop(sig, frame):
                self.interrupted = self.interrupted or sig == signal.SIGINT
                self.handle_exit(sig, frame)

            previous = {sig: signal.signal(sig, stop) for sig in handled}
            try:
                yield
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)

    return Server


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _token(path: Path) -> str:
    try:
        token = path.read_text("utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise typer.BadParameter(f"cannot read {path}: {exc}", param_hint="--token-file")
    if len(token) < 16 or any(c.isspace() for c in token):
        raise typer.BadParameter("the token must be at least 16 characters, without spaces",
                                 param_hint="--token-file")
    return token
