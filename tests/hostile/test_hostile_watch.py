"""`drafter watch` serves the letter's preview on 127.0.0.1. A hostile web page open in the
coordinator's browser can point its own name at 127.0.0.1 (DNS rebinding) and then read the
preview as if it were its own: the server answers only requests addressed to this machine's
names."""

from __future__ import annotations

import http.client
import re
import signal
import subprocess
import sys
import time

from .helpers import BASE, REPO


def _get(port: int, path: str, host: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": host})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_the_preview_answers_only_to_this_machines_names(place):
    letter = place.write(BASE + "subject: Confidential draft\n")
    proc = subprocess.Popen([sys.executable, "-m", "drafter", "watch", str(letter), "--port",
                             "0"], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        port = int(re.search(r"http://127\.0\.0\.1:(\d+)/", proc.stdout.readline()).group(1))
        deadline = time.monotonic() + 120  # safety net: the first render
        while time.monotonic() < deadline:
            status, body = _get(port, "/status", f"127.0.0.1:{port}")
            if b'"ok": true' in body:
                break
            time.sleep(0.1)
        assert _get(port, "/letter.pdf", f"127.0.0.1:{port}")[0] == 200
        assert _get(port, "/letter.pdf", f"localhost:{port}")[0] == 200
        for host in (f"attacker.example:{port}", "attacker.example", f"127.0.0.1.nip.io:{port}",
                     ""):
            for path in ("/", "/status", "/letter.pdf", "/page/1.png"):
                status, body = _get(port, path, host)
                assert status == 403 and b"Confidential" not in body and b"%PDF" not in body
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
