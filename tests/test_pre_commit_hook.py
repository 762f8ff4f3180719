"""The pre-commit hook drafter offers (.pre-commit-hooks.yaml), run by pre-commit itself the way
a letters repository would run it: a bad letter fails the commit with its located problem, a
good one passes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_pre_commit_try_repo_runs_drafter_validate_and_fails_on_a_bad_letter(tmp_path):
    letters = tmp_path / "letters"
    letters.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=letters, check=True)
    shutil.copy(REPO / "examples" / "eu-china-summit.yaml", letters / "good.yaml")
    (letters / "bad.yaml").write_text("subject: A letter\nrecipients: [{name: Jane Doe}]\n"
                                      "signatories: [Alpha Rights]\nclosing: [1, 2]\n")
    subprocess.run(["git", "add", "."], cwd=letters, check=True)
    done = subprocess.run(["pre-commit", "try-repo", str(REPO), "drafter-validate", "--files",
                           "bad.yaml", "good.yaml"], cwd=letters, capture_output=True,
                          text=True, timeout=1200)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "bad.yaml:4:10: closing: expected text, not a list" in done.stdout, done.stdout
    assert "good.yaml: ok (2 recipients, 5 signing)" in done.stdout
