"""The HTML page is publishable: the Nu HTML checker finds no error in it, its footnotes link both
ways, it has an h1, its logos show in a browser wherever the page is put, and the paged-media CSS
left out of it changes nothing on screen. The checker is vnu.jar from the npm registry and the
browser is headless Chromium driven over its DevTools pipe (both installed by setup.sh)."""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from lxml import html as lxml_html

from conftest import REPO, run_drafter
from drafter.formats import Rendition, renderer
from pictures import write_png

EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
LOGOS = ("a", "b", "c")

# No subject (the page's h1 is then the default title), a note cited three times, a note in
# Uyghur, links, a logo per signatory and a strip of them.
NOTES_AND_LOGOS = """\
language: en
recipients:
  - name: Jane Doe
    organisation: European Commission
opening: |
  We write about the *Guidelines*[^guidelines] and our
  [report](https://example.org/report).[^report]
concerns:
  - title: Visas
    text: The Guidelines[^guidelines] say so, as does the Visa Code.[^code]
demands:
  - Apply the Guidelines.[^guidelines]
conclusion: Write to [us](mailto:us@example.org).[^uyghur]
signatories:
  - organisation: Alpha Org
    url: https://example.org/alpha
    logo: logos/a.png
  - organisation: Beta Org
    logo: logos/b.png
  - organisation: Gamma Org
    logo: logos/c.png
signatory_layout: {logo_strip: end}
notes:
  guidelines: The [EU Guidelines](https://example.org/guidelines), 2008.
  report: Our report, 2024.
  code: Regulation (EC) No 810/2009.
  uyghur: ئۇيغۇر كىشىلىك ھوقۇق تۈرى
"""


# --- the pages ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> dict[str, Path]:
    """Every example and the two test letters as HTML, written to a folder of their own; the
    test letters' logos are gone from their folder afterwards (the page must not need them)."""
    letter = tmp_path_factory.mktemp("letter")
    (letter / "logos").mkdir()
    for name, size in zip(LOGOS, ((300, 100), (80, 80), (120, 40))):
        write_png(letter / "logos" / f"{name}.png", *size)
    (letter / "notes-and-logos.yaml").write_text(NOTES_AND_LOGOS, "utf-8")
    (letter / "signature-logos.yaml").write_text(NOTES_AND_LOGOS.replace(
        "signatory_layout: {logo_strip: end}\n", "subject: Logos beside names\n"), "utf-8")
    out = tmp_path_factory.mktemp("published")
    result = run_drafter("render", *EXAMPLES, letter / "notes-and-logos.yaml",
                         letter / "signature-logos.yaml", "--format", "html", "--out", out,
                         timeout=180)
    assert result.returncode == 0, result.stderr
    shutil.rmtree(letter / "logos")
    pages = {p.stem: p for p in out.glob("*.html")}
    assert len(pages) == len(EXAMPLES) + 2, sorted(pages)
    return pages


def _page(path: Path):
    return lxml_html.document_fromstring(path.read_bytes())


# --- the Nu HTML checker --------------------------------------------------------------------


def _vnu_jar() -> Path:
    """vnu.jar as the npm package vnu-jar installs it (setup.sh: `npm install -g vnu-jar`)."""
    root = subprocess.run(["npm", "root", "-g"], capture_output=True, text=True, check=True)
    jar = Path(root.stdout.strip()) / "vnu-jar" / "build" / "dist" / "vnu.jar"
    assert jar.is_file() and shutil.which("java"), "the Nu HTML checker: run ./setup.sh"
    return jar


def test_the_nu_html_checker_finds_no_error_in_any_page(published):
    # One run for every page: the checker is a JVM that takes seconds to start.
    result = subprocess.run(["java", "-jar", str(_vnu_jar()), "--errors-only", "--format",
                             "json", *map(str, published.values())],
                            capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}"
              for m in messages if m["type"] == "error"]
    assert errors == []
    assert result.returncode == 0, result.stderr[-2000:]


def test_the_page_keeps_no_css_only_a_paged_media_engine_reads(published):
    for name, path in published.items():
        styles = " ".join(s.text or "" for s in _page(path).iter("style"))
        for paged in ("@footnote", "float: footnote", "footnote-policy", "::footnote-call",
                      "::footnote-marker"):
            assert paged not in styles, (name, paged)
        # What a browser uses stays: the screen width, and page numbers when it prints.
        assert "@media screen" in styles and "@bottom-center" in styles, name


# --- footnotes ------------------------------------------------------------------------------


def _notes(page) -> list:
    section = page.xpath("//section[contains(concat(' ', @class, ' '), ' notes ')]")
    assert len(section) == 1
    return section[0].xpath("./ol/li")


def test_footnotes_link_to_their_notes_and_back_to_each_call(published):
    page = _page(published["notes-and-logos"])
    ids = page.xpath("//@id")
    assert len(ids) == len(set(ids))  # every link has one target
    calls = page.xpath("//sup[contains(@class, 'note-call')]/a")
    assert [c.text for c in calls] == ["1", "2", "1", "3", "1", "4"]
    notes = _notes(page)
    assert len(notes) == 4
    for call in calls:
        target = page.xpath(f"//*[@id='{call.get('href')[1:]}']")
        assert target and target[0] is notes[int(call.text) - 1]
    for number, note in enumerate(notes, 1):
        back = note.xpath("./a[contains(@class, 'note-back')]")
        cited = [c for c in calls if c.text == str(number)]
        assert [b.get("href") for b in back] == [f"#{c.get('id')}" for c in cited]
        labels = [b.get("aria-label") for b in back]
        assert len(set(labels)) == len(labels) and all(str(number) in x for x in labels)
    guidelines = notes[0].xpath("./a[contains(@class, 'note-back')]")
    assert [b.get("aria-label") for b in guidelines] == [
        "Back to reference 1", "Back to reference 1-2", "Back to reference 1-3"]
    # The note in Uyghur keeps its own direction in a left-to-right letter.
    assert notes[3].get("dir") == "rtl" and "ئۇيغۇر" in notes[3].text_content()


def test_the_list_of_notes_is_a_section_named_by_its_heading(published):
    page = _page(published["notes-and-logos"])
    section = page.xpath("//section[contains(concat(' ', @class, ' '), ' notes ')]")[0]
    heading = page.xpath(f"//*[@id='{section.get('aria-labelledby')}']")
    assert heading and heading[0].tag == "h2" and heading[0].text_content() == "Notes"


def test_the_notes_speak_the_letters_language(published):
    page = _page(published["de-lieferketten"])
    heading = page.xpath("//section[contains(@class, 'notes')]/h2")[0].text_content()
    back = page.xpath("//a[contains(@class, 'note-back')]/@aria-label")
    assert heading == "Anmerkungen"
    assert back[0] == "Zurück zum Verweis 1"


# --- the h1 ---------------------------------------------------------------------------------


def test_every_page_opens_its_outline_with_one_h1(published):
    for name, path in published.items():
        page = _page(path)
        headings = page.xpath("//body//*[self::h1 or self::h2 or self::h3 or self::h4]")
        assert headings and headings[0].tag == "h1", name
        assert len(page.xpath("//h1")) == 1, name
        assert " ".join(headings[0].text_content().split()), name


def test_a_letter_without_a_subject_is_titled_by_an_h1_no_one_sees(published, browser):
    page = _page(published["notes-and-logos"])
    assert page.xpath("string(//h1)").strip() == "Joint letter"
    browser.open(published["notes-and-logos"])
    width, height = browser.evaluate(
        "(r => [r.width, r.height])(document.querySelector('h1').getBoundingClientRect())")
    assert width * height <= 1


def test_a_template_without_an_h1_gets_one_and_its_stray_note_numbers_link_nowhere(tmp_path):
    """Another organisation's template: no h1, and a further call of a note it never gave."""
    html = ('<!DOCTYPE html><html lang="en"><head><title>A letter</title></head><body>'
            '<h2>Part</h2><p>Text.<span class="footnote">A note.</span> Again'
            '<span class="footnote-ref" data-note="1">1</span>, and'
            '<span class="footnote-ref" data-note="7">7</span>.</p></body></html>')
    page = lxml_html.document_fromstring(renderer("html")(Rendition(
        html=html, stylesheet="", letter_dir=tmp_path, template_dir=tmp_path, title="A letter")))
    headings = page.xpath("//body//*[self::h1 or self::h2]")
    assert [h.tag for h in headings][:2] == ["h1", "h2"] and headings[0].text == "A letter"
    assert "position: absolute" in headings[0].get("style")  # for screen readers only
    calls = page.xpath("//sup[contains(@class, 'note-call')]/a")
    assert [(c.text, c.get("href")) for c in calls] == [("1", "#note-1"), ("1", "#note-1"),
                                                        ("7", None)]
    assert page.xpath("//li[@id='note-1']/a/@href") == ["#note-call-1", "#note-call-1-2"]


# --- in a browser ---------------------------------------------------------------------------


class Chromium:
    """Headless Chromium driven over its DevTools pipe (it reads fd 3, writes fd 4): the page's
    own policy forbids scripts, and DevTools evaluates in the page without weakening it."""

    def __init__(self, profile: Path):
        exe = shutil.which("chromium") or shutil.which("chromium-browser")
        assert exe, "headless Chromium: run ./setup.sh"
        to_browser, self._send = os.pipe()
        self._receive, from_browser = os.pipe()

        def onto_3_and_4():
            os.setsid()  # a process group of its own, for close() to end if need be
            os.dup2(to_browser, 3)
            os.dup2(from_browser, 4)

        self._process = subprocess.Popen(
            [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--no-first-run", "--no-default-browser-check", "--disable-extensions",
             "--disable-background-networking", "--disable-component-update",
             "--hide-scrollbars", "--force-device-scale-factor=1", "--window-size=900,1200",
             f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"],
            preexec_fn=onto_3_and_4, pass_fds=(3, 4, to_browser, from_browser),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser)
        os.close(from_browser)
        self._buffer, self._id, self._events = b"", 0, []
        try:
            target = self.call("Target.createTarget", url="about:blank")["targetId"]
            self._session = self.call("Target.attachToTarget", targetId=target,
                                      flatten=True)["sessionId"]
            self.call("Page.enable", page=True)
        except BaseException:
            self._end()
            raise

    def call(self, method: str, page: bool = False, timeout: float = 60, **params) -> dict:
        """Send one DevTools command (to the page's session if `page`) and return its result."""
        self._id += 1
        message = {"id": self._id, "method": method, "params": params}
        if page:
            message["sessionId"] = self._session
        os.write(self._send, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._id:
                assert "error" not in reply, (method, reply["error"])
                return reply["result"]
            self._events.append(reply)

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._receive], [], [],
                                        max(deadline - time.monotonic(), 0))
            assert ready, "Chromium did not answer in time"
            chunk = os.read(self._receive, 1 << 20)
            assert chunk, "Chromium closed its pipe"
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)

    def open(self, path: Path) -> None:
        """Load a file and wait for its load event (images loaded or failed)."""
        self._events.clear()
        self.call("Page.navigate", page=True, url=path.resolve().as_uri())
        deadline = time.monotonic() + 60
        while not any(e.get("method") == "Page.loadEventFired" for e in self._events):
            self._events.append(self._read(deadline))

    def evaluate(self, expression: str):
        """The value of a JavaScript expression in the page."""
        return self.call("Runtime.evaluate", page=True, expression=expression,
                         returnByValue=True)["result"]["value"]

    def screenshot(self) -> bytes:
        """The whole page as a PNG."""
        return base64.b64decode(self.call("Page.captureScreenshot", page=True, format="png",
                                          captureBeyondViewport=True)["data"])

    def close(self) -> None:
        try:
            self.call("Browser.close", timeout=20)
        finally:
            self._end()

    def _end(self) -> None:
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # still there: its group is its own, end all of it
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait()
        os.close(self._send)
        os.close(self._receive)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium = Chromium(tmp_path_factory.mktemp("chromium-profile"))
    yield chromium
    chromium.close()


@pytest.mark.parametrize("name", ["notes-and-logos", "signature-logos"])
def test_logos_show_in_a_browser_from_another_folder(published, browser, name):
    browser.open(published[name])  # a strip of logos, or a logo above each name
    images = browser.evaluate(
        "[...document.images].map(i => [i.complete, i.naturalWidth, i.naturalHeight])")
    assert images == [[True, 300, 100], [True, 80, 80], [True, 120, 40]]


def test_leaving_the_paged_media_css_out_changes_nothing_on_screen(published, browser,
                                                                   tmp_path):
    """The published page against the same page given the template's whole stylesheet."""
    path = published["footnotes-and-links"]
    page = _page(path)
    styles = list(page.iter("style"))
    whole = (REPO / "letter_templates" / "joint-letter" / "style.css").read_text("utf-8")
    # The page's last style sheet is the template's, less what only paged media read.
    assert "float: footnote" in whole and whole.splitlines()[0] in (styles[-1].text or "")
    styles[-1].text = whole
    baseline = tmp_path / "whole-stylesheet.html"
    baseline.write_bytes(lxml_html.tostring(page, doctype="<!DOCTYPE html>", encoding="utf-8"))
    browser.open(path)
    published_look = browser.screenshot()
    browser.open(baseline)
    assert browser.evaluate("document.styleSheets[document.styleSheets.length - 1]"
                            ".cssRules.length") > 0  # the policy lets the baseline's CSS apply
    assert browser.screenshot() == published_look
