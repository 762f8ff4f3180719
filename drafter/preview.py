"""`drafter watch`: re-check and re-render a letter on every save, in one warm process, and
show it on a local page that reloads itself. Problems replace the letter on the page, so a
stale PDF is never mistaken for the current one."""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

from .output import files as io
from .letter.editions import edition_files, load_edition
from .errors import LetterError, warning_line
from .pipeline import RenderError, TemplateError, output_path, render_all, template_for
from .letter.validate import load_letter

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>drafter preview</title>
<style>
  body { margin: 0; background: #8a8f98; font: 14px/1.4 system-ui, sans-serif; }
  header { position: sticky; top: 0; padding: 6px 12px; background: #223; color: #eee; }
  header a { color: #9cf; margin-left: 1em; }
  pre { margin: 12px; padding: 12px; background: #fee; color: #600; white-space: pre-wrap; }
  #pages img { display: block; margin: 14px auto; max-width: calc(100% - 28px);
               box-shadow: 0 1px 6px rgba(0,0,0,.4); background: #fff; }
</style></head>
<body><header><span id="state">drafter: waiting for the first rendering…</span>
<a href="/letter.pdf" target="_blank">open the PDF</a></header>
<pre id="problems" hidden></pre><div id="pages"></div>
<script>
let shown = -1;
async function poll() {
  try {
    const status = await (await fetch("/status", {cache: "no-store"})).json();
    if (status.version !== shown) {
      shown = status.version;
      const pages = document.getElementById("pages"), box = document.getElementById("problems");
      document.getElementById("state").textContent =
        "drafter: " + status.file + (status.ok ? (status.problems.length ?
        " — rendered, not saved " : " — rendered ") : " — needs fixing ") + status.at;
      box.hidden = !status.problems.length;
      box.textContent = status.problems.join("\\n");
      pages.replaceChildren();
      for (let n = 1; status.ok && n <= status.pages; n++) {
        const img = document.createElement("img");
        img.alt = "page " + n;
        img.src = "/page/" + n + ".png?v=" + status.version;
        pages.append(img);
      }
    }
  } catch (e) { document.getElementById("state").textContent = "drafter: not running"; }
  setTimeout(poll, 200);
}
poll();
</script></body></html>
"""


@dataclass
class Preview:
    """The latest rendering of the letter and the problems that stopped it (or its saving)."""

    file: str
    version: int = 0
    pdf: bytes | None = None
    problems: list = field(default_factory=list)
    at: str = ""
    pages: int = 0
    images: dict = field(default_factory=dict)  # page number -> PNG, for this version
    lock: threading.Lock = field(default_factory=threading.Lock)

    def update(self, pdf: bytes | None, problems: list, pages: int = 0) -> None:
        """Publish a new state; the page notices the new version and reloads."""
        with self.lock:
            self.pdf, self.problems, self.pages = pdf, list(problems), pages
            self.images = {}
            self.version += 1
            self.at = time.strftime("%H:%M:%S")

    def page_image(self, number: int) -> bytes | None:
        """Page `number` of the current PDF as a PNG (drawn once per version, on request):
        every browser shows it, with or without a PDF viewer."""
        with self.lock:
            if self.pdf is None or not 1 <= number <= self.pages:
                return None
            if number not in self.images:
                import io as _io
                import pypdfium2
                page = pypdfium2.PdfDocument(self.pdf)[number - 1]
                buffer = _io.BytesIO()
                page.render(scale=1.5).to_pil().save(buffer, "PNG", compress_level=1)
                self.images[number] = buffer.getvalue()
            return self.images[number]

    def status(self) -> dict:
        """What the page polls: version, whether the letter is fine, and its problems."""
        with self.lock:
            return {"version": self.version, "ok": self.pdf is not None, "file": self.file,
                    "problems": self.problems, "at": self.at, "pages": self.pages}


class CannotServe(OSError):
    """The preview's port could not be opened (in use, not allowed)."""


def _handler(preview: Preview):
    class Handler(BaseHTTPRequestHandler):
        def handle(self) -> None:
            try:
                super().handle()
            except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
                pass  # a tab closed (or reloaded) before its answer arrived: nothing to say

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            route = self.path.split("?", 1)[0]
            host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
            if host not in ("127.0.0.1", "localhost"):
                # A web page whose name was rebound to 127.0.0.1 (DNS rebinding) would read
                # the letter as if it were its own: answer only to this machine's names.
                self._send(403, "text/plain", b"open the preview at http://127.0.0.1:PORT/")
            elif route == "/":
                self._send(200, "text/html; charset=utf-8", PAGE.encode("utf-8"))
            elif route == "/status":
                self._send(200, "application/json", json.dumps(preview.status()).encode())
            elif route == "/letter.pdf" and preview.pdf is not None:
                self._send(200, "application/pdf", preview.pdf)
            elif re.fullmatch(r"/page/\d{1,4}\.png", route) and \
                    (image := preview.page_image(int(route[6:-4]))) is not None:
                self._send(200, "image/png", image)
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
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), _handler(preview))
    except OSError as exc:
        raise CannotServe(exc.errno, exc.strerror) from None
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def render_once(file: Path, template: str | None, out: Path | None, formats: list[str],
                preview: Preview, say: Callable[[str], None],
                language: str | None = None) -> set[Path]:
    """Check and render the letter; publish the PDF or the problems. Returns the files whose
    changes should trigger the next rendering (the letter, its template, its logos)."""
    started = time.perf_counter()
    watched = {file.resolve(), *edition_files(file, language)}  # --lang: its translation too
    try:
        letter = load_edition(file, language) if language else load_letter(file)
        chosen = template_for(letter, template)
        watched |= {p.resolve() for p in chosen.folder.rglob("*") if p.is_file()}
        watched |= {(letter.folder / s.logo).resolve() for s in letter.signatories if s.logo}
        wanted = list(dict.fromkeys(["pdf", *(formats if out is not None else [])]))
        result = render_all(letter, wanted, chosen)
    except LetterError as exc:
        problems = [str(p) for p in exc.problems]
    except (RenderError, TemplateError) as exc:
        problems = [f"{file}: {exc}"]
    except Exception as exc:  # noqa: BLE001 - a bug must not end watching: the next save may work
        problems = [f"{file}: internal error ({type(exc).__name__}); please report it, with "
                    "the output of `drafter --debug render` on this letter"]
    else:
        unsaved = []
        if out is not None:
            stem = f"{file.stem}.{language}" if language else file.stem
            unsaved = _save(out, {output_path(out, stem, f): result[f].data for f in formats})
        preview.update(result["pdf"].data, unsaved, result.stats.get("pages", 1))
        for warning in result.warnings:
            say(warning_line(str(file), warning))
        for problem in unsaved:
            say(problem)
        say(f"{file}: rendered in {time.perf_counter() - started:.2f} s")
        return watched
    preview.update(None, problems)
    for problem in problems:
        say(problem)
    return watched


def _save(out: Path, files: dict[Path, bytes]) -> list[str]:
    """Write the set; the problem (for the page and the terminal) if it could not be."""
    try:
        io.write_set(files)
    except io.SetIncomplete as exc:
        return [f"{out}: not written whole ({exc})"]
    except OSError as exc:  # a read-only or vanished folder, a full disk: the old set stays
        return [f"{out}: not written ({exc.strerror or exc}); earlier outputs, if any, are "
                "unchanged; the next save tries again"]
    return []


def watch(file: Path, template: str | None, out: Path | None, formats: list[str], port: int,
          say: Callable[[str], None], ready: Callable[[str], None],
          language: str | None = None) -> None:
    """Render now and after every change, until interrupted."""
    from watchfiles import watch as file_changes
    from .formats.weasy import import_weasyprint
    import_weasyprint()
    preview = Preview(f"{file} ({language} edition)" if language else str(file))
    server = serve(preview, port)
    if out is not None:  # a set an earlier run left half replaced
        io.clean_temporaries(out, say)
    try:
        watched = render_once(file, template, out, formats, preview, say, language)
        ready(f"http://127.0.0.1:{server.server_address[1]}/")
        folders = {p.parent for p in watched}
        # The folders of the watched files, not their whole trees: a letter may live in a
        # large folder; editors that save by renaming still show up as a change there.
        for changes in file_changes(*folders, step=30, debounce=1000, raise_interrupt=True,
                                    recursive=False,
                                    watch_filter=lambda _, path: Path(path).resolve() in watched):
            if changes:
                watched = render_once(file, template, out, formats, preview, say, language)
    finally:
        server.shutdown()
