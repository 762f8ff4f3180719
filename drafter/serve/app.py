"""The HTTP API: thin endpoints over the same validation and rendering as the CLI.

The event loop only reads requests and writes replies; every letter is read, checked and
rendered by a warm worker (pool.py) in a fresh folder holding the request's own files
(work.py). Every error is a problem document (RFC 9457), never a traceback; each request is
logged as one line that never holds letter content.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
import time
import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI, Query, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from ..output.limits import Limits
from .pool import Busy, Pool
from .uploads import BadRequest, from_json, request_files
from .openapi_doc import letter_body, responses
from .work import MEDIA, problem

FORMATS = ("pdf", "docx", "html", "txt")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
log = logging.getLogger("drafter.serve")


@dataclass(frozen=True)
class Settings:
    """How the server runs (from `drafter serve`'s options)."""

    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 2
    queue: int = 8
    token: str | None = None
    templates: Path | None = None
    cors: tuple[str, ...] = ()
    max_bytes: int = 10 * 1024 * 1024
    limits: Limits = field(default_factory=Limits)


def create_app(settings: Settings, pool: Pool) -> FastAPI:
    """The ASGI application, answering through `pool`."""

    @asynccontextmanager
    async def lifespan(_app):
        pool.start(asyncio.get_running_loop())
        yield

    app = FastAPI(title="drafter", summary="Joint letters: validate and render them over HTTP",
                  docs_url=None, redoc_url=None, lifespan=lifespan)
    _docs(app)
    app.middleware("http")(_Gate(settings))
    if settings.cors:
        from fastapi.middleware.cors import CORSMiddleware
        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors),
                           allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type", "X-Request-ID"])

    @app.get("/healthz", summary="200 once the workers are warm")
    async def healthz():
        if not pool.warm:
            return JSONResponse({"ok": False, "detail": "starting"}, 503)
        return {"ok": True, "workers": pool.workers, "running": pool.running,
                "waiting": pool.waiting, "queue": pool.queue}

    @app.get("/v1/schema", summary="The JSON Schema of the letter format")
    async def schema():
        from ..letter.model import json_schema
        return JSONResponse(json_schema())

    @app.get("/v1/templates", summary="The templates a letter may name here")
    async def templates():
        from ..template.folder import builtin_templates
        found = [{"name": t.name, "description": t.description, "built_in": True}
                 for t in builtin_templates()]
        if settings.templates is not None:
            found += [{"name": p.name, "description": "", "built_in": False}
                      for p in sorted(settings.templates.iterdir()) if p.is_dir()]
        return {"templates": found}

    @app.post("/v1/validate", summary="Check a letter: every problem, located",
              openapi_extra=letter_body(), responses=responses())
    async def validate(request: Request):
        return await _answer(request, pool, settings, {"kind": "validate"})

    @app.post("/v1/render", summary="Render a letter (a zip for several files)",
              openapi_extra=letter_body(), responses=responses(
                  "application/pdf", "application/zip", MEDIA["docx"], "text/html",
                  "text/plain"))
    async def render(request: Request, format: str = "pdf", lang: str = "",
                     each_recipient: bool = False, recipients: str = ""):
        formats = list(dict.fromkeys(f.strip().lower() for f in format.split(",") if f.strip()))
        languages = [t.strip() for t in lang.split(",") if t.strip()]
        bad = [f for f in formats if f not in FORMATS]
        if bad or not formats:
            return _reply(problem(400, "Bad request", f"format: {', '.join(bad) or '(none)'}; "
                                  f"choose among {', '.join(FORMATS)}"))
        from ..letter.model import _LANGUAGE
        wrong = [t for t in languages if not _LANGUAGE.fullmatch(t)]
        if wrong:  # a tag names a file beside the letter: nothing else may pass as one
            return _reply(problem(400, "Bad request", f"lang: {', '.join(wrong)} is not a "
                                  "language tag such as en, fr or en-US"))
        return await _answer(request, pool, settings, {
            "kind": "render", "formats": formats, "languages": languages,
            "each_recipient": each_recipient, "recipients": recipients,
            "zip": len(formats) > 1 or bool(languages) or each_recipient or bool(recipients)})

    @app.post("/v1/signatories/import", summary="Merge a sign-on form export into the letter",
              openapi_extra=letter_body(), responses=responses())
    async def signatories_import(request: Request, export: str = "export.csv",
                                 map: list[str] = Query([]), answer: list[str] = Query([]),
                                 group: str | None = None):
        from ..signon.importer import parse_answers, parse_maps
        try:
            maps, answers = parse_maps(map), parse_answers(answer)
        except ValueError as exc:
            return _reply(problem(400, "Bad request", str(exc)))
        return await _answer(request, pool, settings, {
            "kind": "import", "export": export, "maps": maps, "answers": answers,
            "group": group}, needs=export)

    return app


async def _answer(request: Request, pool: Pool, settings: Settings, task: dict,
                  needs: str = "") -> Response:
    """Read the request's files, have a worker do the task, and send its reply; a client that
    goes away meanwhile frees its worker."""
    try:
        letter, assets, as_json = await _read_body(request, settings)
        task["letter"], task["files"] = request_files(letter, assets)
    except BadRequest as exc:
        return _reply(problem(400, "Bad request", str(exc)))
    for part in (task.get("recipients"), needs):
        if part and part not in task["files"]:
            return _reply(problem(400, "Bad request", f"no part named {part!r}"))
    task["json"] = as_json
    task["templates"] = str(settings.templates) if settings.templates else None
    work = asyncio.ensure_future(pool.run(task))
    gone = asyncio.ensure_future(_disconnected(request))
    try:
        await asyncio.wait({work, gone}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        gone.cancel()
    if not work.done():
        work.cancel()
        return Response(status_code=499)  # no one reads it: the client is gone
    try:
        reply = work.result()
    except Busy:
        return _reply(problem(503, "Busy", "every worker is busy and the queue is full; try "
                              "again shortly"), {"Retry-After": "2"})
    if reply == ("died",):
        return _reply(problem(500, "Internal error", "the rendering process stopped (over its "
                              "memory limit, or crashed)"))
    return _reply(reply)


async def _disconnected(request: Request) -> None:
    """Return once the client has gone (the body is read: what comes next is its end)."""
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            return


async def _read_body(request: Request, settings: Settings):
    """(letter name and bytes, assets, sent as a JSON object) from YAML, JSON or multipart."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in ("application/yaml", "application/x-yaml", "text/yaml", "text/plain", ""):
        return (None, await request.body()), [], False
    if kind == "application/json":
        return from_json(await request.body())
    if kind == "multipart/form-data":
        try:
            form = await request.form(max_files=200, max_fields=200,
                                      max_part_size=settings.max_bytes)
        except Exception as exc:  # noqa: BLE001 - starlette's parser errors: a bad request
            raise BadRequest(f"the multipart body cannot be read ({exc})") from None
        letter, assets, names = None, [], set()
        for name, value in form.multi_items():
            if name in names:
                raise BadRequest(f"part name {name!r}: sent twice")
            names.add(name)
            data = await value.read() if hasattr(value, "read") else value.encode("utf-8")
            if name == "letter":
                letter = (getattr(value, "filename", None), data)
            else:
                assets.append((name, data))
        if letter is None:
            raise BadRequest("no part named 'letter'")
        return letter, assets, False
    raise BadRequest(f"content type {kind!r}: send application/yaml, application/json or "
                     "multipart/form-data")


def _reply(reply, headers: dict | None = None) -> Response:
    return Response(reply.body, reply.status, {**reply.headers, **(headers or {})},
                    media_type=reply.media_type)


class _Gate:
    """Every request: its id, the token, the size limit, and its one log line."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def __call__(self, request: Request, call_next) -> Response:
        started = time.monotonic()
        given = request.headers.get("x-request-id", "")
        ident = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        response = self._refused(request)
        if response is None:
            response = await call_next(request)
        internal = response.headers.get("x-drafter-internal")
        if internal:
            del response.headers["x-drafter-internal"]
        response.headers["X-Request-ID"] = ident
        size = response.headers.get("content-length", "-")
        log.info("%s %s %s %.3fs %sB id=%s%s", request.method, request.url.path,
                 response.status_code, time.monotonic() - started, size, ident,
                 f" internal error ({internal})" if internal else "")
        return response

    def _refused(self, request: Request) -> Response | None:
        token = self.settings.token
        if token and request.url.path.startswith("/v1/"):
            given = request.headers.get("authorization", "")
            if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
                return _reply(problem(401, "Unauthorized", "send the server's token as "
                                      "Authorization: Bearer TOKEN"),
                              {"WWW-Authenticate": "Bearer"})
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) >
                                   self.settings.max_bytes):
            return _reply(problem(413, "Request too large", f"at most "
                                  f"{self.settings.max_bytes} bytes"))
        if length is None and request.method == "POST":
            return _reply(problem(411, "Length required", "send Content-Length"))
        return None


def _docs(app: FastAPI) -> None:
    """The API docs page, with Swagger UI's files from an installed package: it works with
    no network (FastAPI's own page loads them from a CDN)."""
    import fastapi_offline
    static = Path(fastapi_offline.__file__).parent / "static"
    app.mount("/docs-static", StaticFiles(directory=static), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="drafter API",
                                   swagger_js_url="/docs-static/swagger-ui-bundle.js",
                                   swagger_css_url="/docs-static/swagger-ui.css",
                                   swagger_favicon_url="/docs-static/favicon.png")
