"""drafter's benchmark: every figure the README quotes, measured in one run on this machine.

    python3 benchmarks/run.py [--runs 5] [--only a,d]

Each section times cold processes (a new Python each run, as a user's command is) and prints
medians and their ratio to a baseline measured in the same run. Sections:

  a  render: `drafter render --format pdf` against a bare WeasyPrint render of drafter's own HTML,
     and `drafter render` (pdf+docx) against the office route (bare python-docx + soffice)
  c  signatories: render time against the number of signatories (5, 60, 500, 5,000); the
     5,000-signatory letter against the 500 one (target: at most 12 times as long)
  b  batch: 100 personalised letters (pdf+docx) against 100 warm bare renders spread over the
     cores (the floor)
  d  start-up: cold `drafter validate` against `python -c "import weasyprint"`
  e  watch: save-to-preview latency of `drafter watch` (target 0.5 s)
  g  the no-tofu glyph check: cold PDF render with and without it
  i  signatories import: a cold `drafter signatories import` of a 50,000-row form export
     against a 5,000-row one (target: at most 12 times as long, and 20 s), for the tests'
     export (duplicates, near matches) and for one of distinct names (most rows added)
  k  Markdown at its limits: a cold render (pdf+docx) of a letter whose prose nests lists and
     quotes as deep as drafter prints (40 and 20 levels) and uses every construct, against the
     main example (target: at most 10 times as long: depth must not explode the layout)
  l  rounds: a cold `drafter diff` of two rounds of the main example writing the redline DOCX
     and PDF, against a cold `drafter render` (pdf+docx) of the later round (target: 2 times)
  m  feedback: a cold `drafter feedback` of ten returned copies (a comment and an untracked
     edit each), against a cold `drafter render` (pdf+docx) of the letter (target: 2 times)
  p  HTTP: the main example's PDF from `drafter serve --workers 2`, 200 requests at
     concurrency 1, 2, 4 and 8 (throughput, p50, p99); p50 at concurrency 1 against a warm
     in-process bare WeasyPrint render of drafter's HTML (target: 1.3 times); then
     concurrency 8 with --queue 4: only 200s and 503s, and the total memory (PSS) of the
     server and its workers (target: under 1.5 GiB)
  n  feedback --apply: a cold `drafter feedback --apply` of ten returned copies (a tracked
     change each, in ten paragraphs), against the same render (no target in the issue; 2 times)

Later issues add their sections to SECTIONS. Nothing here is a test: no thresholds fail a run.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAIN = ROOT / "examples" / "eu-china-summit.yaml"
PY = sys.executable


def _once(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def paired(cmd: list[str], base: list[list[str]], cwd: Path, runs: int) -> tuple[float, float]:
    """Medians of a command and of its baseline (the sum of `base` commands), run in
    alternation after one warm-up each, so that drift in the machine's load hits both."""
    _once(cmd, cwd)
    for b in base:
        _once(b, cwd)
    ours, theirs = [], []
    for _ in range(runs):
        ours.append(_once(cmd, cwd))
        theirs.append(sum(_once(b, cwd) for b in base))
    return statistics.median(ours), statistics.median(theirs)


def dump_drafter_html(work: Path) -> tuple[Path, Path]:
    """Drafter's HTML and stylesheet for the main example, for the bare WeasyPrint baseline."""
    sys.path.insert(0, str(ROOT))
    from drafter import load_letter
    from drafter.pipeline import rendition
    r = rendition(load_letter(MAIN))
    html, css = work / "letter.html", work / "style.css"
    html.write_text(r.html, "utf-8")
    css.write_text(r.stylesheet, "utf-8")
    return html, css


def section_a(work: Path, runs: int) -> list[tuple]:
    """Render speed against bare WeasyPrint and against the office route."""
    rows = []
    out = work / "out"
    html, css = dump_drafter_html(work)
    drafter_pdf, bare = paired(
        [PY, "-m", "drafter", "render", str(MAIN), "--format", "pdf", "--out", str(out)],
        [[PY, "-c", "from weasyprint import HTML, CSS; HTML(filename=%r).write_pdf(%r, "
          "stylesheets=[CSS(filename=%r)], pdf_tags=True)"
          % (str(html), str(work / "bare.pdf"), str(css))]], ROOT, runs)
    rows.append(("a", "drafter render --format pdf (main example)", drafter_pdf,
                 "bare WeasyPrint render of drafter's HTML", bare, 1.25))
    soffice = shutil.which("soffice")
    if soffice is None:
        rows.append(("a", "drafter render (pdf+docx)", None, "office route: soffice missing",
                     None, 1.0))
        return rows
    docx = out / "eu-china-summit.docx"
    subprocess.run([PY, "-m", "drafter", "render", str(MAIN), "--out", str(out)], check=True,
                   capture_output=True)
    profile = work / "lo-profile"
    office_cmd = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                  "--convert-to", "pdf", "--outdir", str(work / "office"), str(work / "o.docx")]
    build = [PY, "-c", "import docx; docx.Document(%r).save(%r)" % (str(docx),
                                                                    str(work / "o.docx"))]
    subprocess.run(build, check=True)
    subprocess.run(office_cmd, check=True, capture_output=True)  # warm the profile first
    both, office = paired([PY, "-m", "drafter", "render", str(MAIN), "--out", str(out)],
                          [build, office_cmd], ROOT, runs)
    rows.append(("a", "drafter render (pdf+docx)", both,
                 "python-docx build + soffice --convert-to pdf", office, 1.0))
    return rows


def section_d(work: Path, runs: int) -> list[tuple]:
    """Start-up: validation never pays for the PDF stack."""
    validate, weasy = paired([PY, "-m", "drafter", "validate", str(MAIN)],
                             [[PY, "-c", "import weasyprint"]], ROOT, runs)
    return [("d", "drafter validate (cold)", validate, 'python -c "import weasyprint"', weasy,
             0.5)]


FLOOR = """
import io, statistics, sys, time
from weasyprint import HTML, CSS
import docx
html, css, docx_file = sys.argv[1:4]
def median_time(work, runs=6):
    work()  # warm
    times = []
    for _ in range(runs):
        start = time.perf_counter(); work(); times.append(time.perf_counter() - start)
    return statistics.median(times)
pdf = median_time(lambda: HTML(filename=html).write_pdf(stylesheets=[CSS(filename=css)],
                                                        pdf_tags=True))
word = median_time(lambda: docx.Document(docx_file).save(io.BytesIO()))
print(pdf + word)
"""


def section_b(work: Path, runs: int) -> list[tuple]:
    """100 personalised letters (pdf+docx) against the warm floor spread over the cores."""
    html, css = dump_drafter_html(work)
    out = work / "b-out"
    subprocess.run([PY, "-m", "drafter", "render", str(MAIN), "--format", "docx", "--out",
                    str(work)], check=True, capture_output=True)
    per_letter = float(subprocess.run([PY, "-c", FLOOR, str(html), str(css),
                                       str(work / "eu-china-summit.docx")], check=True,
                                      capture_output=True, text=True).stdout)
    rows = ["name,title,organisation,address"]
    rows += [f"Minister {i},Minister of Foreign Affairs,Ministry {i},"
             f'"{i} Example Street\n{1000 + i} Capital"' for i in range(1, 101)]
    (work / "ministers.csv").write_text("\n".join(rows) + "\n", "utf-8")
    cores = len(os.sched_getaffinity(0))
    cmd = [PY, "-m", "drafter", "render", str(MAIN), "--recipients", str(work / "ministers.csv"),
           "--out", str(out)]
    batch = statistics.median(_once(cmd, ROOT) for _ in range(max(1, runs // 3)))
    return [("b", "100 personalised letters, pdf+docx (cold, all cores)", batch,
             f"floor: 100 x warm bare render ({per_letter:.3f} s) / {cores} cores",
             100 * per_letter / cores, 1.2)]


WATCHER = """
import json, re, subprocess, sys, time, urllib.request
letter, runs = sys.argv[1], int(sys.argv[2])
proc = subprocess.Popen([sys.executable, "-m", "drafter", "watch", letter, "--port", "0"],
                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
url = re.search(r"http://[^ ]+/", proc.stdout.readline()).group(0)
status = lambda: json.loads(urllib.request.urlopen(url + "status").read())
text = open(letter, encoding="utf-8").read()
times = []
for i in range(runs + 1):
    version = status()["version"]
    time.sleep(0.3)
    start = time.perf_counter()
    with open(letter, "w", encoding="utf-8") as handle:
        handle.write(text.replace("subject: ", f"subject: ({i}) ", 1))
    while status()["version"] == version:
        time.sleep(0.002)
    urllib.request.urlopen(url + "page/1.png").read()  # what the preview page shows
    times.append(time.perf_counter() - start)
proc.terminate()
print(sorted(times[1:])[len(times[1:]) // 2])
"""


def section_e(work: Path, runs: int) -> list[tuple]:
    """Save-to-preview latency of `drafter watch`: file written -> new first page served."""
    letter = work / "watched.yaml"
    shutil.copy(MAIN, letter)
    latency = float(subprocess.run([PY, "-c", WATCHER, str(letter), str(max(runs, 5))],
                                   check=True, capture_output=True, text=True,
                                   timeout=300).stdout)
    return [("e", "drafter watch: save to refreshed preview (main example)", latency,
             "target 0.5 s", 0.5, 1.0)]


def signatory_letter(work: Path, n: int) -> Path:
    """A one-page letter signed by `n` organisations in two groups and ten countries."""
    countries = ["Belgium", "Kenya", "Perú", "Deutschland", "Norway", "India", "Brasil",
                 "Côte d'Ivoire", "Canada", "Thailand"]
    lines = ["recipients: [{name: Jane Doe}]",
             "opening: We, the {signatory_count} undersigned organisations, write to you.",
             "signatory_order: alphabetical", "signatories:"]
    for i in range(n):
        group = ", group: Supporting organisations" if i % 3 else ""
        lines.append(f'  - {{organisation: "Organisation {i:04d} for Civic Rights", '
                     f'country: "{countries[i % 10]}"{group}}}')
    path = work / f"signed-by-{n}.yaml"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def section_c(work: Path, runs: int) -> list[tuple]:
    """Render time (pdf+docx, cold) against the number of signatories: 5 (signature blocks),
    60 (a list in columns), 500 and 5,000 (a summary line and an annex)."""
    def cmd(n: int) -> list[str]:
        return [PY, "-m", "drafter", "render", str(signatory_letter(work, n)), "--out",
                str(work / "c-out")]
    series = {n: statistics.median(_once(cmd(n), ROOT) for _ in range(runs)) for n in (5, 60)}
    series[5000], series[500] = paired(cmd(5000), [cmd(500)], ROOT, runs)
    print("c  drafter render (pdf+docx, cold) by signatory count: " + ", ".join(
        f"{n:,}: {series[n]:.2f} s" for n in sorted(series)), flush=True)
    return [("c", "drafter render, 5,000 signatories (pdf+docx)", series[5000],
             "the same letter with 500", series[500], 12)]


def section_g(work: Path, runs: int) -> list[tuple]:
    """What the no-tofu glyph check adds to a cold PDF render of the main example."""
    args = ["render", str(MAIN), "--format", "pdf", "--out", str(work / "g-out")]
    # Started as `python -m drafter` starts (drafter/__main__.py), the check answering "no
    # problem" at once.
    without = [PY, "-c", "import gc; gc.disable(); import drafter.template.glyphs as g; "
               "g.check_letter = lambda *a: []; from drafter.cli import console; gc.enable(); "
               "console()", *args]
    checked, unchecked = paired([PY, "-m", "drafter", *args], [without], ROOT, runs)
    return [("g", "drafter render --format pdf with the glyph check", checked,
             "the same with the check switched off", unchecked, 1.05)]


def distinct_export(path: Path, n: int) -> None:
    """A form export of `n` rows whose names share their first words ("Association for ...",
    "Centre for ..."), one row in seven a duplicate written another way: most rows are added."""
    import csv
    import random
    rng = random.Random(n)
    starts = ["Association", "Association for the Defence of", "Centre for", "Network of",
              "Coalition for", "Foundation for", "Institute of", "Union of", "Federation of",
              "Society for", "Committee for", "Friends of", "Alliance for",
              "Centre for the Study of"]
    topics = [f"{a} {b}" for a in ("Human", "Civil", "Women's", "Children's", "Workers'", "Press",
                                    "Digital", "Land", "Water", "Indigenous", "Refugee", "Health",
                                    "Disability", "Youth", "Prisoners'", "Minority", "Housing",
                                    "Food", "Climate", "Forest")
              for b in ("Rights", "Freedom", "Justice", "Dignity", "Education", "Safety", "Voices",
                        "Solidarity", "Development", "Protection")]
    places = [p + s for p in ("North", "South", "East", "West", "Upper", "Lower", "Greater", "New",
                              "Port", "Lake", "Mount", "San", "Saint", "Fort", "Bay")
              for s in ("field", "ville", "ton", "burg", "haven", "ford", "mouth", " Valley",
                        " Hills", " City", "wick", "stead", "more", "bridge", "dale", "minster",
                        "holm", "by", "thorpe", "ness")]
    countries = ["Kenya", "Belgium", "Perú", "India", "Brasil", "Norway", "Canada", "Ghana"]
    names: list[str] = []
    rows = [["Organisation", "Country"]]
    while len(rows) <= n:
        if names and rng.random() < 0.15:
            name = "The " + rng.choice(names).upper()
        else:
            name = f"{rng.choice(starts)} {rng.choice(topics)} in {rng.choice(places)}"
            names.append(name)
        rows.append([name, rng.choice(countries)])
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


def section_i(work: Path, runs: int) -> list[tuple]:
    """`drafter signatories import` (cold) of 5,000 and 50,000 rows into the tests' letter, each
    run into a fresh copy of it: the tests' export (make_export: duplicates, near matches, the
    same names again past 5,000 rows) and one of distinct names (most of 50,000 rows added)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from signon_data import LETTER, csv_text, make_export
    exports = {}
    for n in (5000, 50000):
        exports["tests", n] = work / f"i-tests-{n}.csv"
        exports["tests", n].write_text(csv_text(make_export(n)), "utf-8", newline="")
        exports["distinct", n] = work / f"i-distinct-{n}.csv"
        distinct_export(exports["distinct", n], n)

    def once(kind: str, n: int) -> float:
        folder = work / f"i-{kind}-{n}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        (folder / "letter.yaml").write_text(LETTER, "utf-8", newline="")
        return _once([PY, "-m", "drafter", "signatories", "import", "letter.yaml",
                      str(exports[kind, n])], folder)

    rows = []
    for kind, label in (("tests", "the tests' export"), ("distinct", "distinct names")):
        once(kind, 5000), once(kind, 50000)  # warm the disk cache
        small, large = [], []
        for _ in range(runs):  # alternated, so that drift in the machine's load hits both
            small.append(once(kind, 5000))
            large.append(once(kind, 50000))
        t5, t50 = statistics.median(small), statistics.median(large)
        print(f"i  signatories import ({label}, cold): 5,000 rows {t5:.2f} s, 50,000 rows "
              f"{t50:.2f} s, ratio {t50 / t5:.1f}", flush=True)
        rows.append(("i", f"signatories import, 50,000 rows ({label})", t50,
                     "the same with 5,000 rows", t5, 12))
        rows.append(("i", f"signatories import, 50,000 rows ({label})", t50, "target 20 s", 20.0,
                     1.0))
    return rows


def deep_letter() -> str:
    """A letter at the limits of its Markdown: lists 40 levels deep, quotes 20, and each
    construct of the conservation property once (tests/test_conservation_properties.py)."""
    sys.path.insert(0, str(ROOT))
    from drafter.compose.markdown import MAX_DEPTH
    lines = ["subject: Markdown at its limits", "recipients: [{name: Jane Doe}]", "opening: |"]
    lines += ["  " + "  " * d + f"- level {d} of the list" for d in range(MAX_DEPTH)]
    lines += ["", "  After the list, a paragraph with **bold**, *italic*, `code`, a "
              "[link](https://example.org \"title\"), &amp; and a long "
              "https://example.org/" + "x" * 150 + " address.", "concerns:", "  - text: |"]
    lines += ["      " + "> " * (d + 1) + f"quote {d}" for d in range(20)]
    lines += ["", "      | a | table |", "      |---|---|", "      | of | cells |", "demands:",
              "  - Release them.", "  - '2030. Phase it out.'",
              "signatories: [Amnesty International, Human Rights Watch]"]
    return "\n".join(lines) + "\n"


def section_k(work: Path, runs: int) -> list[tuple]:
    """Markdown at its limits against the main example, both rendered cold as pdf+docx."""
    deep = work / "k-deep.yaml"
    deep.write_text(deep_letter(), "utf-8")
    out = work / "k-out"
    ours, theirs = paired([PY, "-m", "drafter", "render", str(deep), "--out", str(out)],
                          [[PY, "-m", "drafter", "render", str(MAIN), "--out", str(out)]],
                          ROOT, runs)
    return [("k", "render, lists 40 deep and quotes 20 (cold)", ours,
             "render of the main example", theirs, 10)]


def section_l(work: Path, runs: int) -> list[tuple]:
    """`drafter diff` of two rounds of the main example, writing the redline DOCX and PDF,
    against a plain render (pdf+docx) of the later round (target: at most 2 times as long)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from test_rounds_diff import second_round
    later = work / "round-2.yaml"
    later.write_text(second_round(), "utf-8")
    out = work / "l-out"
    ours, theirs = paired([PY, "-m", "drafter", "diff", str(MAIN), str(later), "--out", str(out)],
                          [[PY, "-m", "drafter", "render", str(later), "--out", str(out)]],
                          ROOT, runs)
    return [("l", "drafter diff of two rounds, with the redline DOCX and PDF (cold)", ours,
             "drafter render (pdf+docx) of the later round", theirs, 2)]


def section_m(work: Path, runs: int) -> list[tuple]:
    """`drafter feedback` of ten returned copies of the main example's DOCX (each with a
    comment and a word typed over), against a plain render (pdf+docx) of it (target: 2 times)."""
    import docx
    folder = work / "m"
    folder.mkdir()
    letter = folder / "letter.yaml"
    shutil.copy(MAIN, letter)
    subprocess.run([PY, "-m", "drafter", "render", str(letter), "--format", "docx", "--out",
                    str(folder)], check=True, capture_output=True)
    copies = []
    for n in range(10):
        document = docx.Document(str(folder / "letter.docx"))
        paragraph = document.paragraphs[20 + n]
        document.add_comment(paragraph.runs, text=f"Comment {n}", author=f"Partner {n}")
        paragraph.runs[0].text = paragraph.runs[0].text.replace(" the ", " a ", 1)
        copies.append(folder / f"returned-{n}.docx")
        document.save(str(copies[-1]))
    record = folder / "letter.feedback.yaml"
    cmd = [PY, "-c", "import os, runpy, sys; os.path.exists(%r) and os.remove(%r); "
           "sys.argv = ['drafter', 'feedback', *sys.argv[1:]]; runpy.run_module('drafter', "
           "run_name='__main__')" % (str(record), str(record)), str(letter), *map(str, copies)]
    ours, theirs = paired(cmd, [[PY, "-m", "drafter", "render", str(letter), "--out",
                                 str(folder / "out")]], ROOT, runs)
    return [("m", "drafter feedback of ten returned copies (cold)", ours,
             "drafter render (pdf+docx) of the letter", theirs, 2)]


def section_n(work: Path, runs: int) -> list[tuple]:
    """`drafter feedback --apply` of ten returned copies, each with one tracked change (a word
    inserted, as Word writes it) in a paragraph of its own, against a plain render."""
    import docx
    sys.path.insert(0, str(ROOT / "tests"))
    from returned_copies import paragraph_marked, track
    folder = work / "n"
    folder.mkdir()
    letter, pristine = folder / "letter.yaml", folder / "pristine.yaml"
    shutil.copy(MAIN, pristine)
    shutil.copy(MAIN, letter)
    subprocess.run([PY, "-m", "drafter", "render", str(letter), "--format", "docx", "--out",
                    str(folder)], check=True, capture_output=True)
    marks = ["dr_opening_0", "dr_opening_1", "dr_opening_2", "dr_opening_3",
             "dr_concerns_0_text_0", "dr_concerns_0_text_1", "dr_concerns_1_text_0",
             "dr_concerns_1_text_1", "dr_concerns_2_text_0", "dr_conclusion_0"]
    copies = []
    for n, mark in enumerate(marks):
        document = docx.Document(str(folder / "letter.docx"))
        paragraph = paragraph_marked(document, mark)
        first = paragraph.runs[0].text.split()[0]
        track(paragraph, "", " indeed", f"Partner {n}", after=first)
        copies.append(folder / f"returned-{n}.docx")
        document.save(str(copies[-1]))
    record = folder / "letter.feedback.yaml"
    cmd = [PY, "-c", "import os, runpy, shutil, sys; os.path.exists(%r) and os.remove(%r); "
           "shutil.copy(%r, %r); sys.argv = ['drafter', 'feedback', *sys.argv[1:]]; "
           "runpy.run_module('drafter', run_name='__main__')"
           % (str(record), str(record), str(pristine), str(letter)), str(letter),
           *map(str, copies), "--apply"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.count(": applied: ") == 10, done.stderr
    ours, theirs = paired(cmd, [[PY, "-m", "drafter", "render", str(pristine), "--out",
                                 str(folder / "out")]], ROOT, runs)
    return [("n", "drafter feedback --apply of ten returned copies (cold)", ours,
             "drafter render (pdf+docx) of the letter", theirs, 2)]


def _pss(pid: int) -> int:
    """Proportional set size of a process and its descendants, in bytes: shared pages
    (forked workers share most of theirs) counted once across them."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            for line in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        pending += [int(c) for c in children]
    return total


def _load(url: str, body: bytes, requests: int, concurrency: int, pid: int) -> dict:
    """`requests` POSTs of the letter's PDF from `concurrency` clients at once: statuses,
    latencies, wall time and the largest total PSS seen."""
    import threading
    from concurrent.futures import ThreadPoolExecutor
    import httpx
    latencies, statuses, peak = [], [], [0]
    lock = threading.Lock()
    left = [requests]

    def client() -> None:
        with httpx.Client(timeout=300) as c:
            while True:
                with lock:
                    if not left[0]:
                        return
                    left[0] -= 1
                start = time.perf_counter()
                try:
                    status = c.post(f"{url}/v1/render?format=pdf", content=body,
                                    headers={"Content-Type": "application/yaml"}).status_code
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                with lock:
                    latencies.append(time.perf_counter() - start)
                    statuses.append(status)
                    peak[0] = max(peak[0], _pss(pid))

    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        for _ in range(concurrency):
            pool.submit(client)
    wall = time.perf_counter() - start
    ok = sorted(t for t, st in zip(latencies, statuses) if st == 200)
    return {"wall": wall, "statuses": statuses, "peak": peak[0],
            "p50": ok[len(ok) // 2] if ok else None,
            "p99": ok[min(len(ok) - 1, int(len(ok) * 0.99))] if ok else None}


def section_p(work: Path, runs: int) -> list[tuple]:
    """The HTTP API under load (see the module's docstring)."""
    from collections import Counter
    sys.path.insert(0, str(ROOT / "tests"))
    from test_serve import Server
    import weasyprint
    html, css = dump_drafter_html(work)
    weasyprint.HTML(filename=str(html), base_url=str(work)).write_pdf(
        stylesheets=[weasyprint.CSS(filename=str(css))])  # warm: imports, fonts, caches
    bare, parsed_once = [], []
    sheet = weasyprint.CSS(filename=str(css))

    def measure_bare() -> None:
        """Half the baseline runs now, half after the HTTP runs: drift hits both sides."""
        for _ in range(max(runs, 9)):
            start = time.perf_counter()  # as a plain call renders: the stylesheet parsed too
            weasyprint.HTML(filename=str(html), base_url=str(work)).write_pdf(
                stylesheets=[weasyprint.CSS(filename=str(css))])
            bare.append(time.perf_counter() - start)
            start = time.perf_counter()  # the stylesheet parsed once (as drafter's workers)
            weasyprint.HTML(filename=str(html), base_url=str(work)).write_pdf(
                stylesheets=[sheet])
            parsed_once.append(time.perf_counter() - start)

    measure_bare()
    body = MAIN.read_bytes()
    print("HTTP, the main example's PDF, drafter serve --workers 2:\n")
    print("| concurrency | queue | requests | statuses | throughput (req/s) | p50 s | p99 s "
          "| peak PSS, server and workers |")
    print("| ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |")
    rows, p50_one = [], None
    for queue, levels in (("8", (1, 2, 4, 8)), ("4", (8,))):
        server = Server("--workers", "2", "--queue", queue)
        try:
            _load(server.url, body, 4, 2, server.process.pid)  # each worker warm
            for concurrency in levels:
                got = _load(server.url, body, 200, concurrency, server.process.pid)
                counts = Counter(got["statuses"])
                print(f"| {concurrency} | {queue} | 200 | "
                      f"{', '.join(f'{k}: {v}' for k, v in sorted(counts.items(), key=str))} | "
                      f"{counts[200] / got['wall']:.2f} | {got['p50'] or 0:.3f} | "
                      f"{got['p99'] or 0:.3f} | {got['peak'] / 2**20:.0f} MiB |")
                if concurrency == 1:
                    p50_one = got["p50"]
        finally:
            server.stop()
    measure_bare()
    print(f"\nwarm bare WeasyPrint render of the same HTML, in process: "
          f"{statistics.median(bare):.3f} s (its stylesheet parsed once for all: "
          f"{statistics.median(parsed_once):.3f} s)\n")
    rows.append(("p", "HTTP: p50 of the main example's PDF at concurrency 1", p50_one,
                 "warm in-process bare WeasyPrint render of its HTML",
                 statistics.median(bare), 1.3))
    return rows


SECTIONS = {"a": section_a, "b": section_b, "c": section_c, "d": section_d, "e": section_e,
            "g": section_g, "i": section_i, "k": section_k, "l": section_l, "m": section_m,
            "n": section_n, "p": section_p}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default=",".join(SECTIONS))
    args = parser.parse_args()
    # drafter as installed: its bytecode compiled, as setup.sh (and pip, for a regular install)
    # leaves it, so that an edit since then is not timed as compilation.
    subprocess.run([PY, "-m", "compileall", "-q", str(ROOT / "drafter")], check=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="drafter-bench-") as tmp:
        for name in args.only.split(","):
            rows += SECTIONS[name](Path(tmp), args.runs)
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; medians of {args.runs} cold runs\n")
    print("| | measured | s | baseline | s | ratio | target |")
    print("| --- | --- | ---: | --- | ---: | ---: | ---: |")
    for sec, what, t, base, b, target in rows:
        ratio = t / b if t and b else None
        fmt = (lambda x: f"{x:.2f}" if x is not None else "n/a")
        mark = "" if ratio is None else (" ok" if ratio <= target else " missed")
        print(f"| {sec} | {what} | {fmt(t)} | {base} | {fmt(b)} | "
              f"{fmt(ratio)}{mark} | ≤ {target} |")


if __name__ == "__main__":
    main()
