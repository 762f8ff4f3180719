"""`drafter watch` keeps going through what goes wrong while one edits a letter: an output folder
that cannot be written, a letter that does not render, a browser tab closed before its answer.
Each is said on the preview page (what /status gives it) and in the terminal, and the next good
save is rendered, served and written again. Only a port that cannot be opened stops it.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

from readback import read_pdf

from drafter.preview import Preview, serve

REPO = Path(__file__).resolve().parent.parent
SAFETY_NET = 120.0  # seconds; not a speed test: a render, a change noticed after 1 s


def _letter(path: Path, version: str, broken: bool = False) -> None:
    path.write_text(("subject: [never closed\n" if broken else f"subject: Version {version}\n")
                    + "recipients: [{name: Jane Doe}]\nsignatories: [Amnesty International]\n"
                    f"opening: This is version {version}.\n", "utf-8")


class Watch:
    """A `drafter watch` process, read line by line from its stderr."""

    def __init__(self, *args):
        env = {**os.environ, "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1"}
        self.proc = subprocess.Popen([sys.executable, "-m", "drafter", "watch", *map(str, args)],
                                     cwd=REPO, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, start_new_session=True)
        self.said: list[str] = []
        self._pending = b""

    def until(self, pattern: str) -> list[str]:
        """The stderr lines up to one matching `pattern` (fails if watch ends first)."""
        lines, deadline = [], time.monotonic() + SAFETY_NET
        fd = self.proc.stderr.fileno()
        while True:
            while b"\n" in self._pending:
                line, self._pending = self._pending.split(b"\n", 1)
                lines.append(line.decode("utf-8"))
                if re.search(pattern, lines[-1]):
                    self.said += lines
                    return lines
            left = deadline - time.monotonic()
            assert left > 0 and select.select([fd], [], [], left)[0], \
                f"no line matching {pattern!r}: {lines}"
            chunk = os.read(fd, 1 << 16)
            assert chunk, f"watch ended: {self.said + lines}"
            self._pending += chunk

    def port(self) -> int:
        line = self.proc.stdout.readline().decode("utf-8")
        return int(re.search(r"127\.0\.0\.1:(\d+)/", line).group(1))

    def stop(self) -> str:
        self.proc.send_signal(signal.SIGINT)
        _, rest = self.proc.communicate(timeout=SAFETY_NET)
        return "\n".join(self.said) + (self._pending + rest).decode("utf-8")


def _get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=SAFETY_NET)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _status(port: int) -> dict:
    return json.loads(_get(port, "/status")[1])


def test_write_and_render_errors_show_on_the_page_and_watch_goes_on(tmp_path):
    letter, place = tmp_path / "letter.yaml", tmp_path / "place"
    out = place / "out"
    _letter(letter, "1")
    watch = Watch(letter, "--port", "0", "--out", out, "--format", "pdf,txt")
    try:
        watch.until(r"letter\.yaml: rendered in")
        port = watch.port()
        assert _status(port)["problems"] == [] and (out / "letter.pdf").is_file()

        # The output folder becomes unwritable (here: its place is taken by a file).
        shutil.rmtree(place)
        place.write_text("not a folder")
        _letter(letter, "2")
        said = watch.until(r"letter\.yaml: rendered in")
        assert f"{out}: not written (Not a directory); earlier outputs, if any, are unchanged" \
            in said[0], said
        status = _status(port)
        assert status["ok"] and "not written (Not a directory)" in status["problems"][0]
        served = tmp_path / "served.pdf"  # the page shows the new version all the same
        served.write_bytes(_get(port, "/letter.pdf")[1])
        assert "This is version 2." in " ".join(read_pdf(served).words)

        # The letter breaks: its problem, located, replaces the letter on the page.
        _letter(letter, "3", broken=True)
        said = watch.until(r"letter\.yaml:1:\d+:")
        status = _status(port)
        assert not status["ok"] and status["problems"] and "letter.yaml:1:" in \
            status["problems"][0]
        assert _get(port, "/letter.pdf")[0] == 404

        # Both fixed: the next save is rendered, served and written again.
        place.unlink()
        _letter(letter, "4")
        said = watch.until(r"letter\.yaml: rendered in")
        assert not [line for line in said if "not written" in line], said
        status = _status(port)
        assert status["ok"] and status["problems"] == []
        assert "This is version 4." in " ".join(read_pdf(out / "letter.pdf").words)
        assert "version 4" in (out / "letter.txt").read_text("utf-8")
        assert watch.proc.poll() is None
    finally:
        stderr = watch.stop()
    assert "cannot serve" not in stderr and "Traceback" not in stderr, stderr


def test_only_a_port_that_cannot_be_opened_is_reported_as_such(tmp_path):
    letter = tmp_path / "letter.yaml"
    _letter(letter, "1")
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "drafter", "watch", str(letter),
                                 "--port", str(port)], cwd=REPO, capture_output=True, text=True,
                                timeout=SAFETY_NET)
    assert result.returncode == 1
    assert f"drafter watch: cannot serve on port {port}: Address already in use; try --port 0" \
        in result.stderr
    assert "Traceback" not in result.stderr


def test_a_browser_tab_that_goes_away_mid_answer_is_ignored(capfd):
    preview = Preview("letter.yaml")
    preview.update(b"%PDF-" + b"x" * (64 << 20), [], 1)  # far more than socket buffers hold
    server = serve(preview, 0)
    port = server.server_address[1]
    try:
        for _ in range(3):
            client = socket.create_connection(("127.0.0.1", port), timeout=SAFETY_NET)
            client.sendall(b"GET /letter.pdf HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert client.recv(1)  # the answer has begun
            # Closed with a reset, as a browser does with a tab's connections.
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            client.close()
        for thread in threading.enumerate():
            if "process_request_thread" in thread.name:
                thread.join(SAFETY_NET)
        assert _get(port, "/status")[0] == 200  # still serving
    finally:
        server.shutdown()
        server.server_close()
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == "", captured


def test_watch_out_renders_a_letter_with_long_names_and_subject(tmp_path):
    # Five long names and a 300-character subject once ended `watch --out` with exit 70 (Word's
    # core properties hold 255 characters): the DOCX is written with them shortened.
    subject = "Joint letter on " + " ".join(["accountability"] * 20)
    names = [f"International Federation for Human Rights and Dignity of Region {n} Association"
             for n in range(5)]
    letter = tmp_path / "letter.yaml"
    letter.write_text(f"subject: {subject}\nrecipients: [{{name: Jane Doe}}]\nsignatories:\n"
                      + "".join(f"  - {name}\n" for name in names) + "opening: We write.\n",
                      "utf-8")
    watch = Watch(letter, "--port", "0", "--out", tmp_path / "out", "--format", "pdf,docx")
    try:
        watch.until(r"letter\.yaml: rendered in")
        assert _status(watch.port())["problems"] == []
        assert watch.proc.poll() is None
    finally:
        stderr = watch.stop()
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    words = " ".join(read_pdf(tmp_path / "out" / "letter.pdf").words)
    assert all(name in words for name in names)
    assert (tmp_path / "out" / "letter.docx").stat().st_size > 1000
