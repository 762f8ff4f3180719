"""Render budgets against real attacks: a template that allocates gigabytes, one that loops
for ever, one whose arithmetic never returns to the interpreter, and a letter with a huge
table of signatories. Each stops with exit 1 and a message naming the limit, writes nothing,
prints no traceback, and ends well within the safety net. Code that embeds drafter gets the
same budget through `drafter.output.limits.run_limited`, without touching its own process.

(The time limits passed here are short so the suite stays fast; the defaults are 60 s and
1 GiB, see SECURITY.md.)
"""

from __future__ import annotations

import resource
import time

import pytest

from drafter import load_letter
from drafter.output.limits import DEFAULT_MEMORY, DEFAULT_SECONDS, LimitExceeded, Limits, run_limited
from drafter.pipeline import render as render_format
from drafter.pipeline import template_for

from .helpers import REPO, assert_refused, run_cli


def _bomb(place, expression: str, name: str = "letter.yaml"):
    folder = place.letter / "tpl"
    if not folder.exists():
        place.template()
    page = folder / "letter.html.j2"
    html = page.read_text("utf-8")
    page.write_text(html.replace("<body>", "<body>" + expression, 1), "utf-8")
    return place.write("template: ./tpl\n" + "recipients: [{name: Jane Doe}]\n"
                       "signatories: [Amnesty International]\n", name)


def test_a_template_allocating_gigabytes_stops_at_the_memory_limit(place):
    letter = _bomb(place, "{{ 'a' * 10**10 }}{{ ('b' * 10**8) * 30 }}")
    result = run_cli("render", letter, "--out", place.out)  # the default 1 GiB
    assert_refused(result, place.out, "letter.yaml: stopped at 1 GiB, the memory limit")


def test_a_template_looping_for_ever_stops_at_the_time_limit(place):
    letter = _bomb(place, "{% for i in range(100000) %}{% for j in range(100000) %}"
                          "{% endfor %}{% endfor %}")
    started = time.monotonic()
    result = run_cli("render", letter, "--out", place.out, "--time-limit", "2")
    assert_refused(result, place.out, "letter.yaml: stopped after 2 s, the time limit")
    assert time.monotonic() - started < 60  # safety net


@pytest.mark.parametrize("letters", [1, 3])
def test_arithmetic_that_never_returns_to_python_is_still_stopped(place, letters):
    """9 ** (9 ** 9) is folded by Jinja's compiler, which swallows the time limit's exception,
    in one C call that no signal handler interrupts: the worker is ended from outside."""
    files = [_bomb(place, "{{ 9 ** (9 ** 9) }}", "letter0.yaml")]
    files += [place.write(files[0].read_text("utf-8"), f"letter{i}.yaml")
              for i in range(1, letters)]
    started = time.monotonic()
    result = run_cli("render", *files, "--out", place.out, "--time-limit", "2")
    assert_refused(result, place.out, "letter0.yaml:", "time limit")
    assert time.monotonic() - started < 60  # safety net: 2 s + the 5 s grace, then killed


def test_a_huge_table_of_signatories_stops_at_the_time_and_memory_limits(place):
    rows = "".join(f"  - organisation: Organisation number {i}\n    country: Country {i % 150}\n"
                   for i in range(30_000))
    letter = place.write("recipients: [{name: Jane Doe}]\nsignatories:\n" + rows)
    timed = run_cli("render", letter, "--out", place.out, "--time-limit", "3")
    assert_refused(timed, place.out, "letter.yaml: stopped after 3 s, the time limit")
    sized = run_cli("render", letter, "--out", place.out, "--memory-limit", "150")
    assert_refused(sized, place.out, "letter.yaml: stopped at 150 MiB, the memory limit")


def test_embedding_code_gets_the_budget_against_a_template_bomb(place):
    letter = load_letter(_bomb(place, "{{ 'a' * 10**10 }}"))
    before = resource.getrlimit(resource.RLIMIT_DATA)
    with pytest.raises(LimitExceeded, match="memory limit"):
        run_limited(render_format, letter, "html", template_for(letter),
                    limits=Limits(seconds=60, memory=512 << 20))
    assert resource.getrlimit(resource.RLIMIT_DATA) == before


def test_the_documented_defaults_are_the_ones_in_force():
    assert (DEFAULT_SECONDS, DEFAULT_MEMORY) == (60, 1 << 30)
    help_text = run_cli("render", "--help").stdout
    assert "--time-limit" in help_text and "--memory-limit" in help_text
    security = (REPO / "SECURITY.md").read_text("utf-8")
    assert "60 s" in security and "1 GiB" in security
