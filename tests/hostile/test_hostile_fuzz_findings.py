"""The fuzz target's kept inputs, replayed through the fuzzer's own function: every finding in
fuzz/findings/ (an input that once made drafter raise something other than LetterError, or
hang) must now give a LetterError or a letter that composes; every seed of fuzz/corpus/ must
go the whole way (the seed letters are valid, so mutations start from inputs that reach the
composer and the template).
"""

from __future__ import annotations

import sys

import pytest

from drafter.letter.validate import letter_from_text

from .helpers import REPO

sys.path.insert(0, str(REPO / "fuzz"))
from target import one_input  # noqa: E402  (fuzz/target.py: what the fuzzer runs)

KEPT = sorted(p for folder in ("corpus", "findings") for p in (REPO / "fuzz" / folder).glob("*")
              if p.name != "README.md")


@pytest.mark.parametrize("kept", KEPT, ids=[f"{p.parent.name}/{p.name}" for p in KEPT])
def test_a_kept_fuzz_input_gives_a_letter_error_or_a_composed_letter(kept):
    if kept.parent.name == "corpus" and kept.suffix == ".yaml":
        letter_from_text(kept.read_text("utf-8"), kept.name, REPO / "examples")  # valid
    one_input(kept.read_bytes())
