"""`drafter watch`: re-check and re-render a letter on every save, in one warm process, and
show it on a local page that reloads itself. Problems replace the letter on the page, so a
stale PDF is never mistaken for the current one."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

from . import io
from .errors import LetterError
from .pipeline import RenderError, TemplateError, output_path, render_all, template_for
from .validate import load_letter

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>drafter preview</title>
<style>
  html, body { margin: 0; height: 100%; font: 14px/1.4 system-ui, sans-serif; }
  header { padding: 6px 12px; background: #223; color: #eee; }
  pre { margin: 12px; padding: 12px; background: #fee; color: #600; white-space: pre-wrap; }
  iframe { border: 0; width: 100%; height: calc(100% - 34px); }
</style></head>
<body><header id="state">drafter: waiting for the first rendering…</header>
<pre id="problems" hidden></pre><iframe id="letter" title="letter" hidden></iframe>
<script>
let shown = -1;
async function poll() {
  try {
    const status = await (await fetch("/status", {cache: "no-store"})).json();
    if (status.version !== shown) {
      shown = status.version;
      const frame = document.getElementById("letter"), box = document.getElementById("problems");
      document.getElementById("state").textContent =
        "drafter: " + status.file + (status.ok ? " — rendered " : " — needs fixing ") + status.at;
      box.hidden = status.ok; frame.hidden = !status.ok;
      box.textContent = status.problems.join("\\n");
      if (status.ok) frame.src = "/letter.pdf?v=" + status.version;
    }
  } catch (e) { document.getElementById("state").textContent = "drafter: not running"; }
  setTimeout(poll, 200);
}
poll();
</script></body></html>
"""


@dataclass
class Preview:
    """The latest rendering of the letter, or the problems that stopped it."""

    file: str
    version: int = 0
    pdf: bytes | None = None
    problems: list = field(default_factory=list)
    at: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def update(self, pdf: bytes | None, problems: list) -> None:
        """Publish a new state; the page notices the new version and reloads."""
        with self.lock:
            self.pdf, self.problems = pdf, list(problems)
            self.version += 1
            self.at = time.strftime("%H:%M:%S")

    def status(self) -> dict:
        """What the page polls: version, whether the letter is fine, and its problems."""
        with self.lock:
            return {"version": self.version, "ok": self.pdf is not None, "file": self.file,
                    "problems": self.problems, "at": self.at}


def _handler(preview: Preview):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            route = self.path.split("?", 1)[0]
            if route == "/":
                self._send(200, "text/html; charset=utf-8", PAGE.encode("utf-8"))
            elif route == "/status":
                self._send(200, "application/json", json.dumps(preview.status()).encode())
            elif route == "/letter.pdf" and preview.pdf is not None:
                self._send(200, "application/pdf", preview.pdf)
            else:
                self._send(404, "text/plain", b"not found")

        def _send(self, code: int, kind: str, body: bytes) -> None:
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:  # the terminal shows renders, not requests
            pass

    return Handler


def serve(preview: Preview, port: int) -> ThreadingHTTPServer:
    """Serve the preview on this machine only (127.0.0.1), in a background thread."""
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(preview))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def render_once(file: Path, template: str | None, out: Path | None, formats: list[str],
                preview: Preview, say: Callable[[str], None]) -> set[Path]:
    """Check and render the letter; publish the PDF or the problems. Returns the files whose
    changes should trigger the next rendering (the letter, its template, its logos)."""
    started = time.perf_counter()
    watched = {file.resolve()}
    try:
        letter = load_letter(file)
        chosen = template_for(letter, template)
        watched |= {p.resolve() for p in chosen.folder.rglob("*") if p.is_file()}
        watched |= {(letter.folder / s.logo).resolve() for s in letter.signatories if s.logo}
        wanted = list(dict.fromkeys(["pdf", *(formats if out is not None else [])]))
        shared, data = render_all(letter, wanted, chosen)
    except LetterError as exc:
        problems = [str(p) for p in exc.problems]
    except (RenderError, TemplateError) as exc:
        problems = [f"{file}: {exc}"]
    else:
        if out is not None:
            io.write_set({output_path(out, file.stem, f): data[f] for f in formats})
        preview.update(data["pdf"], [])
        for warning in shared.options.get("warnings", []):
            say(f"{file}: warning: {warning}")
        say(f"{file}: rendered in {time.perf_counter() - started:.2f} s")
        return watched
    preview.update(None, problems)
    for problem in problems:
        say(problem)
    return watched


def watch(file: Path, template: str | None, out: Path | None, formats: list[str], port: int,
          say: Callable[[str], None], ready: Callable[[str], None]) -> None:
    """Render now and after every change, until interrupted."""
    from watchfiles import watch as file_changes
    from .render.weasy import import_weasyprint
    import_weasyprint()
    preview = Preview(str(file))
    server = serve(preview, port)
    try:
        watched = render_once(file, template, out, formats, preview, say)
        ready(f"http://127.0.0.1:{server.server_address[1]}/")
        folders = {p.parent for p in watched}
        # The folders of the watched files, not their whole trees: a letter may live in a
        # large folder; editors that save by renaming still show up as a change there.
        for changes in file_changes(*folders, step=30, debounce=1000, raise_interrupt=True,
                                    recursive=False,
                                    watch_filter=lambda _, path: Path(path).resolve() in watched):
            if changes:
                watched = render_once(file, template, out, formats, preview, say)
    finally:
        server.shutdown()
