"""`drafter serve`: the real server (uvicorn on 127.0.0.1, a free port, warm workers), talked to
over HTTP as a website or an automation would: validate, render (same bytes as the CLI), zips
with the CLI's names, assets as parts or base64, the file rule, the token rule, the size limit,
request ids, logs without letter content, and API docs that work with no network."""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import socket
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parent.parent
MAIN = REPO / "examples" / "eu-china-summit.yaml"
EDITIONS = REPO / "examples" / "editions" / "forced-labour.yaml"


class Server:
    """`python -m drafter serve` in its own process; its log lines are read as they come."""

    def __init__(self, *args: str) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "drafter", "serve", "--port", str(self.port), *args],
            stderr=subprocess.PIPE, text=True, cwd=REPO)
        self.log: list[str] = []
        self._seen = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()
        try:
            self.wait_for("Uvicorn running on")
            self.wait_for("workers warm")
        except BaseException:
            self.process.kill()
            self.process.wait()
            raise

    def _read(self) -> None:
        for line in self.process.stderr:
            with self._seen:
                self.log.append(line)
                self._seen.notify_all()
        with self._seen:
            self.log.append("")  # the end
            self._seen.notify_all()

    def wait_for(self, text: str, timeout: float = 120) -> str:
        """The first log line holding `text`, once it has come."""
        def found():
            return next((line for line in self.log if text in line), None) or \
                ("" in self.log and "(ended)")
        with self._seen:
            line = self._seen.wait_for(found, timeout)
        assert line and line != "(ended)", f"no {text!r} in:\n{''.join(self.log)}"
        return line

    def stop(self) -> str:
        """SIGTERM: it exits 0; its whole log."""
        self.process.terminate()
        assert self.process.wait(timeout=60) == 0, "".join(self.log)
        with self._seen:
            self._seen.wait_for(lambda: "" in self.log, 10)
        return "".join(self.log)


@pytest.fixture(scope="module")
def server():
    running = Server("--workers", "2")
    yield running
    running.stop()


@pytest.fixture
def client(server):
    with httpx.Client(base_url=server.url, timeout=120) as c:
        yield c


def cli_outputs(cli, tmp_path: Path, letter: Path, *args) -> dict[str, bytes]:
    out = tmp_path / "cli"
    status, _, err = cli("render", letter, "--out", out, *args)
    assert status == 0, err
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file()}


def test_validate_answers_as_the_cli_does(client, cli, tmp_path):
    response = client.post("/v1/validate", content=MAIN.read_bytes(),
                           headers={"Content-Type": "application/yaml"})
    assert response.status_code == 200, response.text
    assert response.json() == {"ok": True, "warnings": [], "recipients": 2, "signatories": 5}
    bad = MAIN.read_text("utf-8").replace("closing: Yours sincerely,", "closing: [1, 2]")
    bad = bad.replace("  - organisation: Human Rights Watch\n", "  - organisatoin: Human "
                      "Rights Watch\n")
    response = client.post("/v1/validate", content=bad.encode(),
                           headers={"Content-Type": "application/yaml"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problems = response.json()["problems"]
    path = tmp_path / "letter.yaml"
    path.write_text(bad, "utf-8")
    status, _, err = cli("validate", path)
    assert status == 1
    expected = [f"letter.yaml:{p['line']}:{p['column']}: {p['path']}: {p['message']}"
                for p in problems]
    assert [line.replace(str(path), "letter.yaml") for line in err.splitlines()] == expected
    assert len(problems) == 2


def test_a_letter_sent_as_json_has_its_problems_by_path(client):
    letter = {"subject": "A letter", "recipients": [{"name": "Jane Doe"}], "opening": "We write.",
              "signatories": [{"organisation": "Alpha Rights", "status": "maybe"}]}
    response = client.post("/v1/validate", json={"letter": letter})
    assert response.status_code == 422, response.text
    (found,) = response.json()["problems"]
    assert set(found) == {"path", "message"} and found["path"] == "signatories[0].status"
    letter["signatories"][0]["status"] = "confirmed"
    response = client.post("/v1/validate", json={"letter": letter})
    assert response.status_code == 200 and response.json()["signatories"] == 1


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html", "txt"])
def test_each_format_is_the_bytes_the_cli_writes(client, cli, tmp_path, fmt):
    letter = tmp_path / "eu-china-summit.yaml"
    shutil.copy(MAIN, letter)
    expected = cli_outputs(cli, tmp_path, letter, "--format", fmt)
    response = client.post(f"/v1/render?format={fmt}",
                           files={"letter": ("eu-china-summit.yaml", MAIN.read_bytes())})
    assert response.status_code == 200, response.text
    assert response.content == expected[f"eu-china-summit.{fmt}"]
    assert "eu-china-summit." + fmt in response.headers["content-disposition"]


def test_several_files_come_as_a_zip_with_the_cli_names_and_fixed_bytes(client, cli, tmp_path):
    folder = tmp_path / "editions"
    shutil.copytree(EDITIONS.parent, folder)
    expected = cli_outputs(cli, tmp_path, folder / "forced-labour.yaml", "--format", "txt,pdf",
                           "--lang", "fr,de")
    files = {"letter": ("forced-labour.yaml", EDITIONS.read_bytes())}
    files.update({p.name: (p.name, p.read_bytes()) for p in EDITIONS.parent.iterdir()
                  if p.name != EDITIONS.name})
    responses = [client.post("/v1/render?format=txt,pdf&lang=fr,de", files=files)
                 for _ in range(2)]
    assert responses[0].status_code == 200, responses[0].text
    assert responses[0].headers["content-type"] == "application/zip"
    assert responses[0].content == responses[1].content  # no clock in the zip
    with zipfile.ZipFile(io.BytesIO(responses[0].content)) as z:
        got = {name: z.read(name) for name in z.namelist()}
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert sorted(got) == sorted(expected) == ["forced-labour.de.pdf", "forced-labour.de.txt",
                                               "forced-labour.fr.pdf", "forced-labour.fr.txt"]
    assert got == expected


def test_per_recipient_letters_come_named_as_the_cli_names_them(client, cli, tmp_path):
    letter = tmp_path / "eu-china-summit.yaml"
    shutil.copy(MAIN, letter)
    expected = cli_outputs(cli, tmp_path, letter, "--format", "txt", "--each-recipient")
    response = client.post("/v1/render?format=txt&each_recipient=true",
                           content=MAIN.read_bytes(), headers={"Content-Type": "application/yaml"})
    assert response.status_code == 200, response.text
    with zipfile.ZipFile(io.BytesIO(response.content)) as z:
        got = {name.replace("letter-", "eu-china-summit-"): z.read(name) for name in z.namelist()}
    assert sorted(got) == sorted(expected) and len(got) == 2


LOGOS = """\
subject: A letter with a logo
recipients: [{name: Jane Doe}]
opening: We write.
signatories: [{organisation: Alpha Rights, logo: logos/a.png}]
"""
NO_LOGO = LOGOS.replace(", logo: logos/a.png", "")


def png() -> bytes:
    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_logo_comes_as_a_part_or_as_base64_and_the_file_rule_holds(client):
    image = png()
    response = client.post("/v1/render?format=html", files={
        "letter": ("logos.yaml", LOGOS.encode()), "logos/a.png": ("a.png", image)})
    assert response.status_code == 200, response.text
    assert base64.b64encode(image).decode()[:40] in response.text
    response = client.post("/v1/render?format=html", json={
        "letter": LOGOS, "assets": {"logos/a.png": base64.b64encode(image).decode()}})
    assert response.status_code == 200, response.text
    for name in ("../a.png", "/etc/passwd", "logos/../../a.png", "logos\\a.png", "C:/a.png"):
        response = client.post("/v1/render?format=html", files={
            "letter": ("logos.yaml", LOGOS.encode()), name: ("a.png", image)})
        assert response.status_code == 400, (name, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    # Without the part, the logo is missing, located, as on the command line: nothing else
    # on the server's disk stands in for it.
    response = client.post("/v1/render?format=html", files={
        "letter": ("logos.yaml", LOGOS.replace("logos/a.png", "/etc/hostname").encode())})
    assert response.status_code == 422, response.text
    assert response.json()["problems"][0]["path"] == "signatories[0].logo"


def test_a_letter_cannot_bring_or_name_a_template_folder(client):
    letter = NO_LOGO + "template: ./mine\n"
    response = client.post("/v1/render?format=txt", files={
        "letter": ("t.yaml", letter.encode()), "mine/letter.html.j2": ("x", b"{{ 7*7 }}")})
    assert response.status_code == 422, response.text
    (found,) = response.json()["problems"]
    assert found["path"] == "template" and "not a template of this server" in found["message"]
    from drafter.template.folder import builtin_templates
    assert [t["name"] for t in client.get("/v1/templates").json()["templates"]] == \
        [t.name for t in builtin_templates()]


def test_bad_requests_are_problems_never_tracebacks(client):
    for response in (
            client.post("/v1/render?format=exe", content=b"subject: x"),
            client.post("/v1/render", json=[1, 2]),
            client.post("/v1/render", json={"letter": 5}),
            client.post("/v1/render", content=b"x", headers={"Content-Type": "image/png"}),
            client.post("/v1/render", files={"other": ("a", b"b")}),
            client.post("/v1/render?lang=../../../etc/passwd", content=b"subject: x"),
            client.post("/v1/render?lang=fr/../../x", content=b"subject: x")):
        assert response.status_code == 400, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert "Traceback" not in response.text


def test_request_ids_are_echoed_and_the_size_limit_is_one_clear_413(client):
    response = client.get("/healthz", headers={"X-Request-ID": "form-42"})
    assert response.status_code == 200 and response.headers["x-request-id"] == "form-42"
    response = client.post("/v1/validate", content=b"#" * (11 * 1024 * 1024),
                           headers={"Content-Type": "application/yaml"})
    assert response.status_code == 413
    assert response.json()["title"] == "Request too large"
    assert client.get("/v1/schema").json()["title"]


def test_off_loopback_it_needs_a_token_and_then_every_v1_request_does(cli, tmp_path):
    status, _, err = cli("serve", "--host", "0.0.0.0", "--port", "1")
    assert status == 2 and "give --token-file" in err
    token = tmp_path / "token"
    token.write_text("s3cret-token-of-sufficient-length\n")
    running = Server("--workers", "1", "--token-file", str(token))
    try:
        with httpx.Client(base_url=running.url, timeout=60) as c:
            assert c.post("/v1/validate", content=LOGOS.encode()).status_code == 401
            wrong = {"Authorization": "Bearer nope"}
            assert c.post("/v1/validate", content=LOGOS.encode(), headers=wrong).status_code == 401
            right = {"Authorization": "Bearer s3cret-token-of-sufficient-length"}
            assert c.post("/v1/validate", content=NO_LOGO
                          .encode(), headers=right).status_code == 200
            assert c.get("/healthz").status_code == 200
    finally:
        log = running.stop()
    assert "s3cret" not in log


def test_a_killed_server_leaves_no_process_behind():
    import os
    import signal
    running = Server("--workers", "2")
    children = _descendants(running.process.pid)
    assert len(children) == 3  # the keeper and its two workers
    running.process.send_signal(signal.SIGKILL)
    running.process.wait()
    import time
    end = time.monotonic() + 30
    for pid in children:  # each dies with its parent (PR_SET_PDEATHSIG): wait for it to go
        while _state(pid) != "Z" and time.monotonic() < end:
            os.sched_yield()
        assert _state(pid) == "Z", f"process {pid} outlived the killed server"


def _descendants(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True,
                         text=True).stdout.split()
    return [int(p) for p in out] + [g for p in out for g in _descendants(int(p))]


def _state(pid: int) -> str:
    """Its state letter; "Z" once it is gone (or a zombie no one has reaped yet)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except (OSError, IndexError):
        return "Z"


def test_ctrl_c_stops_it_with_the_status_of_an_interruption():
    import signal
    running = Server("--workers", "1")
    running.process.send_signal(signal.SIGINT)
    assert running.process.wait(timeout=60) == 130


def test_the_log_is_one_line_a_request_and_holds_no_letter_content(server, client):
    response = client.post("/v1/render?format=txt", content=MAIN.read_bytes(),
                           headers={"Content-Type": "application/yaml", "X-Request-ID": "log-1"})
    assert response.status_code == 200
    client.post("/v1/validate", content=MAIN.read_bytes().replace(b"Belgium", b"[Belgium"),
                headers={"Content-Type": "application/yaml", "X-Request-ID": "log-2"})
    line = server.wait_for("id=log-1")
    assert line.startswith("POST /v1/render 200 ") and line.rstrip().endswith("id=log-1")
    assert server.wait_for("id=log-2").startswith("POST /v1/validate 422 ")
    log = "".join(server.log)
    for content in ("Ursula", "Human Rights Watch", "Tibet", "eu-china-letter@example.org",
                    "Belgium", "summit"):
        assert content not in log


def test_the_api_docs_work_with_no_network(server, tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "setup.sh installs chromium"
    done = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=8000",
         f"--user-data-dir={tmp_path / 'profile'}",
         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
         "--dump-dom", f"{server.url}/docs"], capture_output=True, text=True, timeout=120)
    assert "/v1/render" in done.stdout and "opblock" in done.stdout, done.stderr[-2000:]
    spec = httpx.get(f"{server.url}/openapi.json", timeout=30).json()
    for path in ("/v1/validate", "/v1/render", "/v1/signatories/import"):
        body = spec["paths"][path]["post"]["requestBody"]["content"]
        assert sorted(body) == ["application/json", "application/yaml", "multipart/form-data"]
        assert "application/problem+json" in spec["paths"][path]["post"]["responses"]["422"][
            "content"]


# Load: a full queue, a client that gives up, SIGTERM mid-render, two instances --------------

def slow_letter(signatories: int = 700) -> bytes:
    """The main example signed by hundreds: a render of a few seconds, long enough for the
    requests that follow it to find its worker busy."""
    text = MAIN.read_text("utf-8").replace("[^borrell]", "").split("signatories:")[0]
    return (text + "signatories:\n" + "".join(
        f"  - organisation: Organisation {i} for the rights of all\n"
        for i in range(signatories))).encode()


def health(server: Server) -> dict:
    return httpx.get(f"{server.url}/healthz", timeout=30).json()


def until(condition, server: Server, what: str):
    """Ask /healthz until `condition(health)` holds (at most 2,000 asks)."""
    for _ in range(2000):
        state = health(server)
        if condition(state):
            return state
    raise AssertionError(f"never {what}: {state}")


def post_in_thread(server: Server, results: list, body: bytes, fmt: str = "pdf") -> threading.Thread:
    def run():
        try:
            results.append(httpx.post(f"{server.url}/v1/render?format={fmt}", content=body,
                                      headers={"Content-Type": "application/yaml"},
                                      timeout=300).status_code)
        except httpx.HTTPError as exc:  # noqa: PERF203
            results.append(repr(exc))
    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_full_queue_is_a_503_with_retry_after_and_never_a_backlog():
    running = Server("--workers", "1", "--queue", "1")
    try:
        results: list = []
        first = post_in_thread(running, results, slow_letter())
        until(lambda h: h["running"] == 1, running, "rendering")
        second = post_in_thread(running, results, slow_letter(5))
        until(lambda h: h["waiting"] == 1, running, "waiting")
        response = httpx.post(f"{running.url}/v1/render?format=txt", content=MAIN.read_bytes(),
                              headers={"Content-Type": "application/yaml"}, timeout=60)
        assert response.status_code == 503
        assert response.headers["retry-after"].isdigit()
        assert response.headers["content-type"] == "application/problem+json"
        first.join()
        second.join()
        assert results == [200, 200]
        assert health(running)["running"] == 0
    finally:
        running.stop()


def test_a_client_that_disconnects_frees_its_worker_for_the_next_request():
    running = Server("--workers", "1", "--queue", "0")
    try:
        before = _descendants(running.process.pid)
        with socket.create_connection(("127.0.0.1", running.port)) as s:
            body = slow_letter(1500)
            s.sendall(b"POST /v1/render?format=pdf HTTP/1.1\r\nHost: x\r\n"
                      b"Content-Type: application/yaml\r\n"
                      + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
            until(lambda h: h["running"] == 1, running, "rendering")
        # The client is gone: its worker is stopped and replaced, and the slot is free again.
        until(lambda h: h["running"] == 0, running, "freed")
        response = httpx.post(f"{running.url}/v1/render?format=txt", content=MAIN.read_bytes(),
                              headers={"Content-Type": "application/yaml"}, timeout=60)
        assert response.status_code == 200
        after = _descendants(running.process.pid)
        assert len(after) == len(before) == 2 and after != before  # the worker was replaced
        import tempfile
        left = [f for f in Path(tempfile.gettempdir()).glob("drafter-worker-*/**/*")
                if f.is_file() and b"Organisation 1499 " in f.read_bytes()]
        assert left == []  # the stopped worker's request folder went with it
        assert running.wait_for("POST /v1/render 499 ")
    finally:
        running.stop()


def test_sigterm_lets_the_renders_in_flight_finish_and_exits_0():
    running = Server("--workers", "2")
    results: list = []
    threads = [post_in_thread(running, results, slow_letter(400), fmt) for fmt in ("pdf", "docx")]
    until(lambda h: h["running"] == 2, running, "rendering both")
    log = running.stop()  # SIGTERM now: it asserts the exit status 0
    for thread in threads:
        thread.join()
    assert results == [200, 200], log
    assert log.count("POST /v1/render 200 ") == 2


def test_two_instances_answer_the_same_request_with_the_same_bytes(server, client):
    other = Server("--workers", "1")
    try:
        files = {"letter": ("eu-china-summit.yaml", MAIN.read_bytes())}
        one = client.post("/v1/render?format=pdf,docx", files=files)
        two = httpx.post(f"{other.url}/v1/render?format=pdf,docx", files=files, timeout=120)
        assert one.status_code == two.status_code == 200
        assert one.content == two.content
    finally:
        other.stop()


def test_a_signatory_import_gives_what_the_cli_writes_and_keeps_no_state(client, cli,
                                                                         tmp_path):
    from signon_data import LETTER, csv_text, make_export
    export = csv_text(make_export(60)).encode("utf-8")
    letter = tmp_path / "letter.yaml"
    letter.write_text(LETTER, "utf-8", newline="")
    (tmp_path / "export.csv").write_bytes(export)
    status, out, err = cli("signatories", "import", letter, tmp_path / "export.csv")
    assert status == 0, err
    written = {p.name: p.read_bytes() for p in tmp_path.iterdir()
               if p.is_file() and p.name not in ("export.csv",)}
    parts = {"letter": ("letter.yaml", LETTER.encode("utf-8")), "export.csv": ("e", export)}
    response = client.post("/v1/signatories/import", files=parts)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["letter"].encode("utf-8") == written.pop("letter.yaml")
    got = {name: base64.b64decode(data) for name, data in answer["files"].items()}
    assert sorted(got) == sorted(written) == ["letter.contacts.csv", "letter.signon.json"]
    assert got["letter.contacts.csv"] == written["letter.contacts.csv"]
    # A new coordinator file gets a new secret key (it hides at-risk names); the rest is equal.
    sidecars = [json.loads(files["letter.signon.json"]) for files in (got, written)]
    assert sidecars[0].pop("key") != sidecars[1].pop("key")
    assert sidecars[0] == sidecars[1]
    report = answer["report"]
    added = re.search(r"added (\d+) of (\d+) rows", out)
    assert len(report["added"]) == int(added[1]) and report["rows"] == int(added[2])
    decide = re.search(r"(\d+) need a decision", out)
    assert len(report["needs_decision"]) == int(decide[1]) > 0
    # The caller keeps both files: sending them back with the same export adds nothing more.
    again = {"letter": ("letter.yaml", answer["letter"].encode("utf-8")),
             "export.csv": ("e", export)}
    again.update({name: (name, base64.b64decode(data)) for name, data in answer["files"].items()})
    second = client.post("/v1/signatories/import", files=again).json()
    assert second["letter"] == answer["letter"] and second["report"]["added"] == []


def test_an_import_that_needs_the_coordinator_is_a_located_problem(client):
    parts = {"letter": ("letter.yaml", NO_LOGO.encode()),
             "export.csv": ("e", b"Timestamp,Email\n2026-01-01,a@example.org\n")}
    response = client.post("/v1/signatories/import", files=parts)
    assert response.status_code == 422, response.text
    assert response.json()["problems"]
    response = client.post("/v1/signatories/import?answer=bogus", files=parts)
    assert response.status_code == 400 and "QUESTION:ANSWER=DECISION" in response.text


# Hostile input over HTTP ------------------------------------------------------------------

HOSTILE_BASE = "recipients: [{name: Jane Doe}]\nsignatories: [Amnesty International]\n"


def hostile_letters(secret_file: Path, url: str) -> dict[str, bytes]:
    """Letters that try to read a file of the server's, reach the network, or exhaust it."""
    bomb = ['a0: &a0 "lol"'] + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]"
                                for i in range(1, 10)]
    return {
        "logo outside by absolute path": (HOSTILE_BASE.replace(
            "[Amnesty International]", f"[{{organisation: A, logo: {secret_file}}}]")).encode(),
        "logo outside by ..": HOSTILE_BASE.replace(
            "[Amnesty International]", "[{organisation: A, logo: ../../secret.png}]").encode(),
        "logo as a URL": HOSTILE_BASE.replace(
            "[Amnesty International]", f"[{{organisation: A, logo: '{url}/a.png'}}]").encode(),
        "image in the prose": (HOSTILE_BASE + f"opening: '![x]({url}/img.png) and "
                               f"<img src=\"{url}/i.png\"> <script>fetch(\"{url}\")</script>'\n"
                               ).encode(),
        "template outside": (HOSTILE_BASE + f"template: {secret_file.parent}\n").encode(),
        "billion laughs": ("\n".join(bomb) + "\n" + HOSTILE_BASE + "opening: *a9\n").encode(),
        "deep nesting": (HOSTILE_BASE + "opening: " + "[" * 5000 + "]" * 5000 + "\n").encode(),
        "not UTF-8": HOSTILE_BASE.encode() + b"opening: \xff\xfe\n",
        "template syntax as text": (HOSTILE_BASE + "opening: \"{{ 7*7 }} {% for x in y %}\"\n"
                                    ).encode(),
    }


def test_hostile_letters_over_http_are_4xx_or_inert_and_read_nothing_of_the_servers(
        client, tmp_path):
    from hostile.helpers import loopback_server
    secret = "SECRET-" + "9f3a" * 6
    secret_file = tmp_path / "outside" / "secret.png"
    secret_file.parent.mkdir()
    secret_file.write_text(secret)
    (secret_file.parent / "letter.html.j2").write_text(secret)
    kept = sorted(p for folder in ("corpus", "findings")
                  for p in (REPO / "fuzz" / folder).glob("*") if p.name != "README.md")
    with loopback_server() as (url, contacted):
        letters = hostile_letters(secret_file, url)
        letters.update({f"fuzz {p.name}": p.read_bytes() for p in kept})
        for name, body in letters.items():
            for fmt in ("pdf,docx,html,txt", ):
                response = client.post(f"/v1/render?format={fmt}", content=body,
                                       headers={"Content-Type": "application/yaml"})
                assert response.status_code in (200, 400, 413, 422), (name, response.text)
                assert secret.encode() not in response.content, name
                assert b"Traceback" not in response.content, name
                if response.status_code == 200 and name == "template syntax as text":
                    with zipfile.ZipFile(io.BytesIO(response.content)) as z:
                        assert "{{ 7*7 }}" in z.read("letter.txt").decode()
        assert contacted() == []
    assert client.get("/healthz").json()["running"] == 0


def test_templates_of_the_servers_folder_can_be_named_and_cors_is_off_unless_asked(tmp_path):
    from drafter.template.folder import builtin_root
    ours = tmp_path / "templates" / "ours"
    shutil.copytree(builtin_root() / "joint-letter", ours)
    page = ours / "letter.html.j2"
    page.write_text(page.read_text("utf-8").replace("<body", "<body data-ours=\"yes\"", 1),
                    "utf-8")
    running = Server("--workers", "1", "--templates", str(tmp_path / "templates"),
                     "--cors", "https://ngo.example")
    try:
        with httpx.Client(base_url=running.url, timeout=60) as c:
            names = [t["name"] for t in c.get("/v1/templates").json()["templates"]]
            assert "ours" in names
            response = c.post("/v1/render?format=html", content=(NO_LOGO + "template: ours\n")
                              .encode(), headers={"Content-Type": "application/yaml"})
            assert response.status_code == 200, response.text
            assert 'data-ours="yes"' in response.text
            asked = {"Origin": "https://ngo.example", "Access-Control-Request-Method": "POST"}
            preflight = c.options("/v1/render", headers=asked)
            assert preflight.headers.get("access-control-allow-origin") == "https://ngo.example"
            other = c.options("/v1/render", headers={**asked, "Origin": "https://evil.example"})
            assert "access-control-allow-origin" not in other.headers
    finally:
        running.stop()


def test_without_cors_no_browser_origin_is_allowed(client):
    response = client.options("/v1/render", headers={"Origin": "https://ngo.example",
                                                     "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in response.headers


def test_a_worker_that_dies_mid_render_is_a_500_with_the_request_id_and_is_replaced():
    import os
    import signal
    running = Server("--workers", "1", "--queue", "0")
    try:
        results: list = []

        def run():
            response = httpx.post(f"{running.url}/v1/render?format=pdf", content=slow_letter(),
                                  headers={"Content-Type": "application/yaml",
                                           "X-Request-ID": "crash-1"}, timeout=300)
            results.append(response)
        thread = threading.Thread(target=run)
        thread.start()
        until(lambda h: h["running"] == 1, running, "rendering")
        keeper, = _descendants(running.process.pid)[:1]
        worker, = [p for p in _descendants(running.process.pid) if p != keeper]
        os.kill(worker, signal.SIGKILL)  # as the kernel's out-of-memory killer would
        thread.join()
        (response,) = results
        assert response.status_code == 500
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["x-request-id"] == "crash-1"
        assert "Traceback" not in response.text and "stopped" in response.json()["detail"]
        assert running.wait_for("id=crash-1").startswith("POST /v1/render 500 ")
        again = httpx.post(f"{running.url}/v1/render?format=txt", content=MAIN.read_bytes(),
                           headers={"Content-Type": "application/yaml"}, timeout=60)
        assert again.status_code == 200  # a new worker took its place
    finally:
        running.stop()
