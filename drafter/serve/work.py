"""What one request asks of drafter, done in a worker process: its files written to a fresh
folder that holds nothing else, the letter validated or rendered as the CLI would, the folder
removed. The reply is what the server sends, as it is: status, media type, body, headers.

The worker works inside that folder (its current directory), so that every message names the
letter as the request did (`letter.yaml:3:5: ...`), never a path of the server's.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from ..errors import LetterError
from ..output.limits import LimitExceeded, Limits, deadline, hard_deadline, memory_message

MEDIA = {"pdf": "application/pdf", "html": "text/html; charset=utf-8",
         "txt": "text/plain; charset=utf-8",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
_LOCATED = re.compile(r"^(?P<file>[^\n:]+):(?P<line>\d+):(?P<column>\d+): (?:(?P<path>[^:\n]*?): )?"
                      r"(?P<message>.*)$")
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the same request, the same zip: no clock in it


@dataclass
class Reply:
    """What the server sends back."""

    status: int
    media_type: str
    body: bytes
    headers: dict = field(default_factory=dict)


def handle(task: dict, limits: Limits, home: Path) -> Reply:
    """Run one task ("validate", "render" or "import") under the render limits, in a fresh
    folder inside `home`; never raises."""
    try:
        folder = _fresh_folder(home)
        try:
            for name, data in task["files"].items():
                target = folder / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            here = os.getcwd()
            os.chdir(folder)
            try:
                with hard_deadline(limits), deadline(limits):
                    return _KINDS[task["kind"]](task)
            finally:
                os.chdir(here)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    except LimitExceeded as exc:
        return problem(422, "The letter is over a render limit", str(exc))
    except MemoryError:
        return problem(422, "The letter is over a render limit", memory_message(limits))
    except Exception as exc:  # noqa: BLE001 - a bug: a 500 with the request id, no traceback
        return problem(500, "Internal error", "drafter failed on this request; please report "
                       "it with the request id", trace=type(exc).__name__)


def _fresh_folder(home: Path) -> Path:
    """An empty folder for one request, at the same path for each request of this worker
    (`home`, its private folder): the template's parsed stylesheet, whose key holds the
    letter's folder, is then reused from one request to the next (formats/pdf.py), while no
    file of one request outlives it."""
    folder = home / "request"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    return folder


def problem(status: int, title: str, detail: str, problems: list | None = None,
            trace: str = "") -> Reply:
    """An RFC 9457 problem document."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if problems is not None:
        body["problems"] = problems
    headers = {"X-Drafter-Internal": trace} if trace else {}
    return Reply(status, "application/problem+json", _json(body), headers)


def _json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


def located(text: str, from_json: bool) -> list[dict]:
    """Each line of a LetterError's text as {line, column, path, message}; for a letter sent
    as JSON, no line or column (they would be those of drafter's own YAML copy)."""
    out = []
    for line in text.splitlines():
        m = _LOCATED.match(line)
        if not m:
            out.append({"message": line})
            continue
        item = {"line": int(m["line"]), "column": int(m["column"]), "path": m["path"] or "",
                "message": m["message"]}
        if from_json:
            del item["line"], item["column"]
        out.append(item)
    return out


def _invalid(exc: LetterError, task: dict) -> Reply:
    return problem(422, "The letter needs fixing", f"{len(exc.problems)} problem"
                   f"{'s' if len(exc.problems) != 1 else ''} in the letter",
                   [_problem(p, task.get("json", False)) for p in exc.problems])


def _problem(p, from_json: bool) -> dict:
    item = {"line": p.line, "column": p.column, "path": p.path, "message": p.message}
    if from_json:
        del item["line"], item["column"]
    return item


def _validate(task: dict) -> Reply:
    from ..letter.translations import edition_problems
    from ..letter.validate import load_letter
    letter_file = task["letter"]
    try:
        template_override(task)
        letter = load_letter(letter_file)
        problems = edition_problems(letter_file, letter, [])
        errors = [p for p in problems if p.severity != "warning"]
        if errors:
            raise LetterError(errors)
    except LetterError as exc:
        return _invalid(exc, task)
    warnings = sorted(letter.warnings + problems)
    return Reply(200, "application/json", _json({
        "ok": True, "warnings": [_problem(w, task.get("json", False)) for w in warnings],
        "recipients": len(letter.recipients), "signatories": len(letter.signatories)}))


def template_override(task: dict) -> str | None:
    """The template this letter may use here: a built-in one, or one of the server's
    --templates folder, by name; a path in the letter is refused (a request cannot bring a
    template of its own, nor name a folder of the server's)."""
    from ..errors import Problem
    from ..letter.source import decode, parse
    from ..template.folder import _NAME, builtin_root, builtin_templates
    letter_file = task["letter"]
    source = parse(decode(Path(letter_file).read_bytes(), letter_file), letter_file)
    name = source.data.get("template") if isinstance(source.data, dict) else None
    if name is None:
        return None
    templates = task.get("templates")
    known = [t.name for t in builtin_templates()] + sorted(
        p.name for p in Path(templates).iterdir() if p.is_dir()) if templates else \
        [t.name for t in builtin_templates()]
    if isinstance(name, str) and _NAME.fullmatch(name) and name in known:
        if (builtin_root() / name).is_dir():
            return name
        return str(Path(templates) / name)
    line, column = source.where(("template",))
    raise LetterError([Problem(letter_file, line, column, "template",
                               f"{name!r} is not a template of this server (it has: "
                               f"{', '.join(known)}); a request cannot bring a template folder")])


def _render(task: dict) -> Reply:
    from ..output.batch import render_job
    from ..output.plan import Request, make_plan
    try:
        override = template_override(task)
    except LetterError as exc:
        return _invalid(exc, task)
    out = Path("out")
    request = Request(files=[Path(task["letter"])], formats=task["formats"], out=out,
                      template=override, each_recipient=task.get("each_recipient", False),
                      languages=task.get("languages", []),
                      recipients_csv=Path(task["recipients"]) if task.get("recipients") else None)
    plan = make_plan(request)
    if plan.problems:
        return problem(422, "The letter needs fixing", "the letter cannot be rendered",
                       [p for text in plan.problems for p in located(text, task.get("json"))])
    files, warnings, failed = {}, list(plan.warnings), []
    for index, job in enumerate(plan.jobs):
        outcome = render_job(index, job)
        if outcome.error:
            failed += located(outcome.error, task.get("json", False))
            continue
        warnings += [str(w) for w in outcome.warnings]
        for fmt, data in outcome.data.items():
            files[job.paths[fmt].relative_to(out).as_posix()] = data
    if failed:
        return problem(422, "The letter cannot be rendered", "rendering stopped", failed)
    headers = {"X-Drafter-Warnings": str(len(warnings))}
    headers.update({f"X-Drafter-Warning-{i + 1}": quote(w) for i, w in enumerate(warnings[:20])})
    if task.get("zip") or len(files) != 1:
        return Reply(200, "application/zip", zipped(files), {
            **headers, "Content-Disposition": _attachment(Path(task["letter"]).stem + ".zip")})
    (name, data), = files.items()
    return Reply(200, MEDIA[name.rsplit(".", 1)[1]], data,
                 {**headers, "Content-Disposition": _attachment(name)})


def zipped(files: dict[str, bytes]) -> bytes:
    """The files in a zip with fixed times and sorted names: the same request, the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, files[name])
    return buffer.getvalue()


def _attachment(name: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(name)}"


def _import(task: dict) -> Reply:
    """A sign-on import, stateless: the letter, the coordinator's files and the export in;
    the merged letter, the coordinator's new files and the report out (the caller keeps
    them). At-risk names are withheld from the report, as in a log."""
    import base64
    from ..signon.importer import Stop, run_import
    letter = Path(task["letter"])
    try:
        result = run_import(letter, Path(task["export"]), task["maps"], task["answers"],
                            task.get("group"))
    except LetterError as exc:
        return _invalid(exc, task)
    except Stop as exc:
        return problem(422, "The import needs the coordinator first", "nothing was imported",
                       [p for m in exc.messages for p in located(m, False)])
    except ValueError as exc:  # a mapping names a column the export does not have
        return problem(400, "Bad request", str(exc))
    plan = result.plan

    def shown(name: str, hidden: bool) -> str:
        return "[name withheld]" if hidden else name

    report = {
        "rows": len(result.table.rows), "questions": result.questions, "form": result.form,
        "added": [{"row": e.row, "name": shown(e.shown, e.anonymous),
                   "anonymous": e.anonymous, "pending": e.fields.get("status") == "pending"}
                  for e in plan.added],
        "skipped": [{"row": o.row, "name": shown(o.shown, o.hidden), "why": o.message}
                    for o in plan.skipped],
        "needs_decision": [{"row": o.row, "name": shown(o.shown, o.hidden), "why": o.message}
                           for o in plan.decide],
        "notes": result.table.notes + plan.notes, "warnings": list(result.warnings)}
    files = {path.name: base64.b64encode(data).decode("ascii")
             for path, data in result.files.items() if path.name != letter.name}
    return Reply(200, "application/json", _json({
        "letter": result.merged, "files": files, "report": report}))


_KINDS = {"validate": _validate, "render": _render, "import": _import}
