"""The command line: what `validate`, `new`, `schema` and `templates` print, and their exit
statuses (0 ok, 1 the input needs fixing, 2 usage)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
STARTER = REPO / "drafter" / "starter.yaml"

# Counted by hand in the example files.
COUNTS = {
    "eu-china-summit.yaml": "2 recipients, 5 signing",
    "footnotes-and-links.yaml": "1 recipient, 5 signing",
    "one-recipient-long-list.yaml": "1 recipient, 40 signing",
    "sign-on-campaign.yaml": "1 recipient, 65 signing, 1 withdrawn",
    "fr-travail-force.yaml": "1 recipient, 3 signing",
    "de-lieferketten.yaml": "2 recipients, 3 signing",
    "multiscript-detained-scholars.yaml": "3 recipients, 3 signing",
    "draft-round.yaml": "1 recipient, 4 signing; draft (Draft 2); embargoed until 22 March 2027, "
                        "09:00 CET",  # on 1 March 2027 (SOURCE_DATE_EPOCH below)
}
BEFORE_THE_EMBARGO = "1803859200"  # 2027-03-01T00:00Z


def test_every_example_has_its_counts():
    assert {e.name for e in EXAMPLES} == set(COUNTS)


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_validate_prints_ok_with_counts(example: Path, drafter_cli, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", BEFORE_THE_EMBARGO)  # the moment embargoes hold to
    result = drafter_cli("validate", example.relative_to(REPO))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"examples/{example.name}: ok ({COUNTS[example.name]})\n"
    assert result.stderr == ""
    # The hand counts agree with the file as YAML sees it.
    data = YAML(typ="safe", pure=True).load(example.read_text(encoding="utf-8"))
    n, m = len(data["recipients"]), len(data["signatories"])
    assert COUNTS[example.name].startswith(f"{n} recipient")
    counted = sum(int(n) for n in re.findall(r"(\d+) (?:signing|pending|withdrawn)",
                                             COUNTS[example.name]))
    assert counted == m


def test_validate_several_files_reports_each_and_fails_if_any_fails(tmp_path, drafter_cli):
    bad = tmp_path / "bad.yaml"
    bad.write_text("recipients: []\nsignatories: [X]\n", encoding="utf-8")
    result = drafter_cli("validate", *EXAMPLES, bad)
    assert result.returncode == 1
    assert result.stdout.count(": ok (") == len(EXAMPLES)
    assert result.stderr.startswith(f"{bad}:1:13: recipients: ")
    assert "Traceback" not in result.stderr


def test_validate_missing_file_exits_1(tmp_path, drafter_cli):
    result = drafter_cli("validate", tmp_path / "nowhere.yaml")
    assert result.returncode == 1
    assert result.stderr.startswith(f"{tmp_path / 'nowhere.yaml'}:1:1: cannot read")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [
    ("frobnicate",),                       # unknown command
    ("validate",),                         # missing argument
    ("validate", "--no-such-option", "x.yaml"),
    ("new",),                              # missing argument
    (),                                    # no command at all: usage
], ids=["unknown-command", "validate-without-file", "unknown-option", "new-without-path",
        "no-command"])
def test_usage_errors_exit_2(args, drafter_cli):
    result = drafter_cli(*args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout


def test_new_writes_a_starter_that_validates(tmp_path, drafter_cli):
    target = tmp_path / "letters" / "my-letter.yaml"
    result = drafter_cli("new", target)
    assert result.returncode == 0, result.stderr
    written = target.read_text("utf-8").splitlines()
    shipped = STARTER.read_text("utf-8").splitlines()
    assert written[1:] == shipped[1:]
    # The editor's schema line points at the schema file of this installation.
    schema = written[0].split("$schema=", 1)[1]
    assert schema.startswith("file://") and schema.endswith("letter.schema.json")
    assert Path(schema.removeprefix("file://")).is_file()
    checked = drafter_cli("validate", target)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout == f"{target}: ok (1 recipient, 2 signing)\n"


def test_starter_explains_its_fields():
    text = STARTER.read_text(encoding="utf-8")
    for key in ("recipients:", "signatories:", "demands:", "notes:", "date:"):
        line = next(line for line in text.splitlines() if line.startswith(key))
        assert "#" in line, f"the starter's {key} line has no explaining comment"


def test_new_refuses_to_overwrite_without_force(tmp_path, drafter_cli):
    target = tmp_path / "letter.yaml"
    target.write_text("# my precious draft\n", encoding="utf-8")
    result = drafter_cli("new", target)
    assert result.returncode == 1
    assert "already exists" in result.stderr and "--force" in result.stderr
    assert target.read_text(encoding="utf-8") == "# my precious draft\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["letter.yaml"]  # no leftovers

    forced = drafter_cli("new", target, "--force")
    assert forced.returncode == 0, forced.stderr
    written = target.read_text("utf-8").splitlines()
    shipped = STARTER.read_text("utf-8").splitlines()
    assert written[1:] == shipped[1:]
    # The editor's schema line points at the schema file of this installation.
    schema = written[0].split("$schema=", 1)[1]
    assert schema.startswith("file://") and schema.endswith("letter.schema.json")
    assert Path(schema.removeprefix("file://")).is_file()


def test_schema_prints_valid_json(drafter_cli):
    result = drafter_cli("schema")
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert {"recipients", "signatories"} <= set(schema["properties"])


def test_templates_lists_the_builtin_template(drafter_cli):
    result = drafter_cli("templates")
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("joint-letter"))
    assert len(line.split(None, 1)) == 2, "each template needs a one-line description"


def _imported_modules(importtime_stderr: str) -> list[str]:
    modules = []
    for line in importtime_stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name != "package":  # the header line
                modules.append(name)
    return modules


def test_validate_does_not_import_the_renderers(drafter_cli):
    result = drafter_cli("validate", "examples/eu-china-summit.yaml", python_args=("-X",
                                                                                   "importtime"))
    assert result.returncode == 0, result.stderr
    modules = _imported_modules(result.stderr)
    assert "drafter.letter.validate" in modules, "importtime output not understood"
    heavy = [m for m in modules if m.split(".")[0] in ("weasyprint", "docx")]
    assert not heavy, f"drafter validate imports {heavy}"
