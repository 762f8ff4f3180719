"""Coverage-guided fuzzing (atheris, libFuzzer) of the loader, the Markdown path and the
composer: see fuzz/target.py for what one input exercises.

    mkdir -p /tmp/fuzz-work
    python3 fuzz/fuzz_letter.py -max_total_time=60 -dict=fuzz/letter.dict /tmp/fuzz-work fuzz/corpus

libFuzzer writes new inputs to the first folder and reads the seeds (the examples, as they
were when the corpus was made) from the second. A crash (any exception but LetterError, or a
hang/out-of-memory) is written to ./crash-* (or ./timeout-*, ./oom-*): copy it to
fuzz/findings/, fix the code, and tests/hostile/test_hostile_fuzz_findings.py replays it.
"""

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent))

with atheris.instrument_imports(include=["drafter", "target"]):
    from target import one_input


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
