"""The JSON Schema that editors use: shipped, current, and agreeing with drafter itself.

Editors (the YAML language server) read the YAML as YAML 1.2 core types: `numbered: true` is a
boolean and `date: 2022-03-18` is a string. ruamel's safe loader is YAML 1.2 too, but turns
dates into datetime.date, so those are written back as ISO strings before checking.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from drafter import LetterError
from drafter.letter.validate import letter_from_text

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "schema" / "letter.schema.json"
EXAMPLES = sorted((REPO / "examples").glob("*.yaml")) + [REPO / "drafter" / "starter.yaml"]
REGENERATE = "regenerate it with: python -m drafter schema > schema/letter.schema.json"

BASE = "recipients:\n  - name: Jane Doe\nsignatories:\n  - Human Rights Watch\n"


def _as_editor_sees(text: str):
    def iso(value):
        if isinstance(value, dict):
            return {k: iso(v) for k, v in value.items()}
        if isinstance(value, list):
            return [iso(v) for v in value]
        if isinstance(value, (datetime.date, datetime.datetime)):
            return value.isoformat()
        return value
    return iso(YAML(typ="safe", pure=True).load(text))


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(SHIPPED.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator(schema) -> jsonschema.Draft202012Validator:
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_drafter_schema_prints_the_shipped_file(drafter_cli):
    result = drafter_cli("schema")
    assert result.returncode == 0, result.stderr
    assert result.stdout == SHIPPED.read_text(encoding="utf-8"), (
        f"schema/letter.schema.json is out of date; {REGENERATE}")


def test_schema_is_draft_2020_12(schema):
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_schema_keys_are_the_format_contract(schema):
    """The key names are a public contract: the schema must offer exactly these."""
    defs = schema["$defs"]
    assert set(schema["properties"]) == {
        "template", "language", "date", "place", "subject", "recipients", "cc", "salutation",
        "opening", "concerns", "demands", "conclusion", "closing", "signatories", "notes",
        "contact", "signatory_order", "signatories_as_of", "signatory_layout", "typography",
        "status", "version", "embargo"}
    assert set(schema["required"]) == {"recipients", "signatories"}
    assert set(defs["Party"]["properties"]) == {"name", "title", "organisation", "address",
                                                "salutation", "lang"}
    assert set(defs["Signatory"]["properties"]) == {"organisation", "name", "role", "country",
                                                    "group", "logo", "logo_alt", "url",
                                                    "affiliation", "lang", "lead", "anonymous",
                                                    "status"}
    assert set(defs["SignatoryLayout"]["properties"]) == {
        "blocks_up_to", "annex_over", "columns", "logo_strip", "affiliation_note"}
    assert set(defs["Concern"]["properties"]) == {"title", "text"}
    assert set(defs["DemandBlock"]["properties"]) == {"intro", "items", "numbered"}
    for name in ("Party", "Signatory", "Concern", "DemandBlock", "SignatoryLayout"):
        assert defs[name]["additionalProperties"] is False, name
    assert schema["additionalProperties"] is False


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_schema_accepts_every_example(example: Path, validator):
    data = _as_editor_sees(example.read_text(encoding="utf-8"))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
    assert not errors, errors


def test_dates_load_as_dates_in_yaml_1_2_safe():
    """What the conversion above is for (if ruamel stops doing this, it is harmless)."""
    loaded = YAML(typ="safe", pure=True).load("date: 2022-03-18\nnumbered: true\nname: NO\n")
    assert loaded["numbered"] is True and loaded["name"] == "NO"
    assert _as_editor_sees("date: 2022-03-18\n") == {"date": "2022-03-18"}


ACCEPTED = {
    "empty-optional-keys": BASE + "cc:\nconcerns:\ndemands:\nnotes:\ndate:\nlanguage:\n",
    "demands-as-strings": BASE + "demands:\n  - One.\n  - Two.\n",
    "demands-as-block": BASE + "demands:\n  intro: 'We urge:'\n  numbered: false\n"
                               "  items: [One.]\n",
    "demands-as-blocks": BASE + "demands:\n  - items: [One.]\n  - intro: Also\n    items: [Two.]\n",
    "address-as-text": "recipients:\n  - title: Minister\n    address: |\n      1 Street\n"
                       "      City\nsignatories:\n  - organisation: X\n    url: https://x.org\n",
    "language-region": BASE + "language: en-GB\n",
}

REJECTED = {
    # typos
    "typo-signatores": "recipients:\n  - name: Jane Doe\nsignatores:\n  - Human Rights Watch\n",
    "typo-recipient-nme": "recipients:\n  - nme: Jane Doe\nsignatories:\n  - X\n",
    "typo-demands-itemz": BASE + "demands:\n  itemz:\n    - One.\n",
    "typo-demands-list-itemz": BASE + "demands:\n  - itemz: [One.]\n",
    "typo-concern-txt": BASE + "concerns:\n  - title: T\n    txt: Text.\n",
    "typo-signatory-organisaton": "recipients:\n  - name: J\nsignatories:\n  - organisaton: X\n",
    "typo-cc-titel": BASE + "cc:\n  - titel: High Representative\n",
    # wrong types
    "recipients-text": "recipients: Jane Doe\nsignatories:\n  - X\n",
    "recipients-empty-list": "recipients: []\nsignatories:\n  - X\n",
    "opening-list": BASE + "opening:\n  - a\n",
    "subject-mapping": BASE + "subject:\n  en: a\n",
    "numbered-yes": BASE + "demands:\n  numbered: yes\n  items: [One.]\n",
    "notes-list": BASE + "notes:\n  - a\n",
    # values
    "date-day-first": BASE + "date: 18/03/2022\n",
    "language-name": BASE + "language: English\n",
    "url-without-scheme": "recipients:\n  - name: J\nsignatories:\n  - organisation: X\n"
                          "    url: www.x.org\n",
    "missing-signatories": "recipients:\n  - name: Jane Doe\n",
}


@pytest.mark.parametrize("text", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_schema_and_drafter_both_accept(text: str, validator):
    assert not list(validator.iter_errors(_as_editor_sees(text)))
    letter_from_text(text, "ok.yaml")


@pytest.mark.parametrize("text", REJECTED.values(), ids=REJECTED.keys())
def test_schema_and_drafter_both_reject(text: str, validator):
    assert list(validator.iter_errors(_as_editor_sees(text))), "the schema let it through"
    with pytest.raises(LetterError):
        letter_from_text(text, "bad.yaml")
