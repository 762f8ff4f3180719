"""Render budgets: a letter that takes too long or needs too much memory is stopped with a
clear message, nothing is written, and an embedding program's own process is untouched."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

from drafter import load_letter
from drafter.output.limits import LimitExceeded, Limits, run_limited
from drafter.pipeline import render

ROOT = Path(__file__).resolve().parent.parent
MAIN = ROOT / "examples" / "eu-china-summit.yaml"


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "drafter", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def test_a_render_over_its_time_limit_stops_with_a_message_and_writes_nothing(tmp_path):
    result = run_cli("render", MAIN, "--out", tmp_path, "--time-limit", "0.05")
    assert result.returncode == 1
    assert "eu-china-summit.yaml: stopped after 0.05 s, the time limit" in result.stderr
    assert "--time-limit" in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_render_over_its_memory_limit_stops_with_a_message_and_writes_nothing(tmp_path):
    result = run_cli("render", MAIN, "--out", tmp_path, "--memory-limit", "40")
    assert result.returncode == 1
    assert "eu-china-summit.yaml:" in result.stderr and "40 MiB" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_default_budget_renders_the_examples(tmp_path):
    examples = sorted((ROOT / "examples").glob("*.yaml"))
    result = run_cli("render", *examples, "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(list(tmp_path.glob("*.pdf"))) == len(examples)


def test_embedding_code_gets_the_budget_in_a_child_process():
    letter = load_letter(MAIN)
    before = resource.getrlimit(resource.RLIMIT_DATA)
    pdf = run_limited(render, letter, "pdf", limits=Limits(seconds=60, memory=1 << 30))
    assert pdf.startswith(b"%PDF")
    with pytest.raises(LimitExceeded, match="time limit"):
        run_limited(render, letter, "pdf", limits=Limits(seconds=0.05, memory=None))
    assert resource.getrlimit(resource.RLIMIT_DATA) == before  # the caller is untouched
