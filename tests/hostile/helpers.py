"""Helpers of the hostile-input suite: a CLI runner that checks the conventions (exit status,
no traceback) on every call, and readers that look for a planted secret in every output.

Each test asserts what a user would notice: a located error with exit 1, or the text printed
literally (or safely dropped) in every output format; never a traceback, never the secret in
any output (PDF streams decompressed, DOCX parts unzipped), never a connection.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pikepdf
from lxml import html as lxml_html

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "letter_templates" / "joint-letter"
# Safety nets, not speed tests: a hostile case that hangs or balloons must still end.
CLI_TIMEOUT = 240
BASE = "recipients: [{name: Jane Doe}]\nsignatories: [Amnesty International]\n"


def yaml_value(text: str) -> str:
    """Any text as a YAML double-quoted scalar (JSON strings are YAML)."""
    return json.dumps(text, ensure_ascii=False)


class Result:
    """A finished CLI run."""

    def __init__(self, proc: subprocess.CompletedProcess):
        self.returncode, self.stdout, self.stderr = proc.returncode, proc.stdout, proc.stderr

    def __repr__(self) -> str:
        return f"<exit {self.returncode}\nstdout: {self.stdout[-2000:]}\nstderr: {self.stderr[-2000:]}>"


def run_cli(*args, cwd: Path | None = None, timeout: float = CLI_TIMEOUT,
            env: dict | None = None) -> Result:
    """`python -m drafter ARGS` in a fresh process group (killed whole on a timeout); checks that
    no traceback reaches the user and that the exit status is one of drafter's."""
    environment = {**os.environ, "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1", "COLUMNS": "200",
                   **(env or {})}
    proc = subprocess.Popen([sys.executable, "-m", "drafter", *map(str, args)], cwd=cwd or REPO,
                            env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, encoding="utf-8", errors="replace",
                            start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise AssertionError(f"drafter {' '.join(map(str, args))} ran over {timeout} s")
    result = Result(subprocess.CompletedProcess(args, proc.returncode, stdout, stderr))
    assert "Traceback" not in stderr and "Traceback" not in stdout, result
    assert result.returncode in (0, 1, 2), result  # never 70: hostile input is not a bug
    return result


def render(letter: Path, out: Path, *extra, formats: str = "pdf,docx,html,txt") -> Result:
    """`drafter render LETTER --out OUT --format ...`."""
    return run_cli("render", letter, "--out", out, "--format", formats, *extra)


def assert_refused(result: Result, out: Path, *words: str) -> None:
    """Exit 1, a message holding `words`, and nothing written."""
    assert result.returncode == 1, result
    for word in words:
        assert word in result.stderr, result
    written = [p.name for p in out.iterdir()] if out.exists() else []
    assert not [n for n in written if not n.startswith(".drafter-tmp-")], written


def located(result: Result, file: Path, path: str) -> list[str]:
    """The stderr lines `FILE:LINE:COL: path: ...` for `path`."""
    prefix = f"{file}:"
    return [line for line in result.stderr.splitlines()
            if line.startswith(prefix) and f": {path}: " in line
            and line[len(prefix):].split(":")[0].isdigit()]


def readable_bytes(path: Path) -> bytes:
    """Everything a reader (or a tool) could get out of an output file: PDF streams
    decompressed, embedded files included; DOCX parts unzipped; other files as they are."""
    data = path.read_bytes()
    if path.suffix == ".pdf":
        chunks = [data]
        with pikepdf.open(io.BytesIO(data)) as pdf:
            for obj in pdf.objects:
                if isinstance(obj, pikepdf.Stream):
                    with contextlib.suppress(pikepdf.PdfError, NotImplementedError):
                        chunks.append(obj.read_bytes())
            chunks += [bytes(f.read_bytes()) for f in pdf.attachments.values()
                       for f in [f.get_file()]]
        return b"\n".join(chunks)
    if path.suffix == ".docx":
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            return b"\n".join(package.read(name) for name in package.namelist())
    return data


def assert_no_leak(secret: str, *places) -> None:
    """The secret is in no file under the given folders and in none of the given texts."""
    for where in places:
        if isinstance(where, Path):
            files = [where] if where.is_file() else [p for p in where.rglob("*") if p.is_file()]
            for file in files:
                assert secret.encode() not in readable_bytes(file), f"{file} holds the secret"
        else:
            assert secret not in where, "the secret reached the user's screen"


@contextlib.contextmanager
def loopback_server():
    """A TCP server on 127.0.0.1: yields (its http:// URL, `contacted()`), where contacted()
    lists every connection it ever received (those still in the backlog included)."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.05)
    contacts: list[tuple] = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, peer = server.accept()
            except TimeoutError:
                continue
            contacts.append(peer)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()

    def contacted() -> list[tuple]:
        stop.set()
        thread.join()
        server.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            while True:
                conn, peer = server.accept()
                contacts.append(peer)
                conn.close()
        return contacts

    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}", contacted
    finally:
        stop.set()
        thread.join()
        server.close()


SAFE_SCHEMES = ("http://", "https://", "mailto:")
ACTIVE_TAGS = {"script", "iframe", "frame", "object", "embed", "applet", "form", "input",
               "button", "svg", "math", "base", "video", "audio", "source", "template"}


def assert_inert_html(path: Path, images: int = 0, allowed: frozenset = frozenset()) -> None:
    """The HTML output has no active element, no event handler, no link but http(s)/mailto and
    in-page notes, no comment from the data, and only the template's own styles and images."""
    root = lxml_html.parse(str(path)).getroot()
    assert len(root.findall(".//style")) == 2, "the template's style and the stylesheet only"
    assert len(root.findall(".//img")) == images
    assert root.findall(".//link") == []
    for element in root.iter():
        if not isinstance(element.tag, str):
            assert element.getparent() is None or element.getparent().tag not in ("body", "p")
            continue
        assert element.tag not in ACTIVE_TAGS - allowed, lxml_html.tostring(element)[:200]
        assert not [a for a in element.attrib if a.lower().startswith("on")], element.attrib
        href = element.get("href")
        assert href is None or href.startswith(SAFE_SCHEMES) or href.startswith("#note-"), href
        assert not re.search(r"url\(\s*['\"]?(?!data:)", element.get("style") or "")


def pdf_link_targets(path: Path) -> list[str]:
    """Every URI of the PDF's link annotations; fails on any script or launch action."""
    uris = []
    with pikepdf.open(path) as pdf:
        assert "/Names" not in pdf.Root or "/JavaScript" not in pdf.Root.Names
        assert "/OpenAction" not in pdf.Root
        for page in pdf.pages:
            for annot in page.get("/Annots", []):
                action = annot.get("/A")
                if action is None:
                    continue
                assert action.get("/S") in ("/URI", "/GoTo"), action.get("/S")
                if action.get("/S") == "/URI":
                    uris.append(str(action.URI))
    return uris


def docx_external_targets(path: Path) -> list[tuple[str, str]]:
    """(relationship type, target) of every external relationship of the DOCX: Word fetches
    external images and templates, so only hyperlinks may be external."""
    from lxml import etree
    found = []
    with zipfile.ZipFile(path) as package:
        for name in package.namelist():
            if name.endswith(".rels"):
                for rel in etree.fromstring(package.read(name)):
                    if rel.get("TargetMode") == "External":
                        found.append((rel.get("Type").rsplit("/", 1)[-1], rel.get("Target")))
    return found


def squeeze(words) -> str:
    """Words joined without any space (line breaks split long tokens differently per format)."""
    return "".join("".join(words).split())
