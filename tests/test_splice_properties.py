"""Every signatory list drafter can read can be imported into: block and flow lists, an entry's
dash alone on its line, comments between and after entries, empty keys, plain, quoted and
folded values, CRLF, no final newline, other keys and a document end after the list. The
merged text reads as the old letter plus exactly the new entries, every other byte unchanged
(`splice.check`); and the near-match index finds what a scan of every name would."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drafter.letter.matching import NameIndex, _close, signatory_key
from drafter.signon.splice import check, splice
from drafter.letter.source import parse

WORDS = ["Amnesty", "Centre", "for", "Rights", "Réseau", "Ñandú", "日本", "Forum", "Voices",
         "Trust", "O'Brien", "100%", "A-B", "x.y"]


def words():
    return st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join)


@st.composite
def value(draw, flow: bool, indent: int, allow_block: bool = True):
    """(YAML text, what it reads as): plain, single- or double-quoted, or `>-` / `|-`."""
    text = draw(words())
    kinds = ["plain", "single", "double"] + (["folded", "literal"] if allow_block else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "plain" and not (flow and any(c in text for c in ",[]{}:#")):
        return text, text
    if kind in ("folded", "literal"):
        pad = " " * (indent + 2)
        lines = text.split(" ")
        if kind == "folded":
            return ">-\n" + "\n".join(pad + w for w in lines), " ".join(lines)
        return "|-\n" + "\n".join(pad + w for w in lines), "\n".join(lines)
    if kind == "single" or kind == "plain":
        return "'" + text.replace("'", "''") + "'", text
    return json.dumps(text, ensure_ascii=False), text


@st.composite
def block_list(draw, nl: str):
    """A block list of signatories: (lines after `signatories:`, the data, whether it may end
    without a final newline)."""
    dash_indent = draw(st.sampled_from([0, 2, 4]))
    gap = draw(st.sampled_from([1, 3]))  # "- x" or "-   x"
    pad = " " * dash_indent
    lines, data = [], []
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):  # a comment line, blank line or both between entries
            lines.append(draw(st.sampled_from(["", "# between", pad + "# between",
                                               pad + "  # indented"])))
        if draw(st.integers(0, 3)) == 0:  # a plain string entry
            text, read = draw(value(False, dash_indent, allow_block=False))
            lines.append(f"{pad}-{' ' * gap}{text}" + draw(st.sampled_from(["", "  # c"])))
            data.append(read)
            continue
        alone = draw(st.booleans())  # "-" alone, the mapping on the next line
        key_col = dash_indent + (draw(st.sampled_from([2, 4])) if alone else 1 + gap)
        keys = draw(st.lists(st.sampled_from(["organisation", "name", "country", "role"]),
                             min_size=1, max_size=3, unique=True))
        entry = {}
        for i, key in enumerate(keys):
            empty = i > 0 and draw(st.integers(0, 3)) == 0
            text, read = ("", None) if empty else draw(value(False, key_col))
            comment = "" if empty or text[:1] in "|>" else draw(st.sampled_from(["", " # c"]))
            line = f"{key}:{' ' + text if text else ''}{comment}"
            if i == 0 and alone:
                lines.append(f"{pad}-" + draw(st.sampled_from(["", "  # entry"])))
            lines.append(f"{pad}-{' ' * gap}{line}" if i == 0 and not alone else
                         " " * key_col + line)
            entry[key] = read
        data.append(entry)
    return [ln.replace("\n", nl) for ln in lines], data


@st.composite
def flow_list(draw, nl: str):
    items, data = [], []
    for _ in range(draw(st.integers(0, 4))):
        if draw(st.booleans()):
            text, read = draw(value(True, 2, allow_block=False))
            items.append(text)
            data.append(read)
        else:
            keys = draw(st.lists(st.sampled_from(["organisation", "country", "name"]),
                                 min_size=1, max_size=2, unique=True))
            parts, entry = [], {}
            for i, key in enumerate(keys):
                if i > 0 and draw(st.integers(0, 3)) == 0:
                    parts.append(f"{key}: ")
                    entry[key] = None
                else:
                    text, read = draw(value(True, 2, allow_block=False))
                    parts.append(f"{key}: {text}")
                    entry[key] = read
            items.append("{" + ", ".join(parts) + "}")
            data.append(entry)
    if draw(st.booleans()):  # one line
        return ["signatories: [" + ", ".join(items) + "]"], data
    comments = [draw(st.sampled_from(["", "  # c"])) for _ in items]
    body = [f"  {item},{comment}" for item, comment in zip(items, comments)]
    if body and draw(st.booleans()):  # no comma after the last entry
        body[-1] = f"  {items[-1]}{comments[-1]}"
    return ["signatories: ["] + body + ["]"], data


@st.composite
def letters(draw):
    """(letter text, its signatories as read) in every layout drafter reads."""
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    head = draw(st.sampled_from([[], ["---"], ["# A comment"], ["---", "# c"]]))
    head += ["recipients:", "  - name: Jane Doe", 'subject: "A: subject"']
    style = draw(st.sampled_from(["block", "block", "block", "flow", "empty", "none"]))
    if style == "block":
        body, data = draw(block_list(nl))
        body = ["signatories:" + draw(st.sampled_from(["", "  # the list"]))] + body
    elif style == "flow":
        body, data = draw(flow_list(nl))
    elif style == "empty":
        body, data = ["signatories:" + draw(st.sampled_from(["", " # none yet"]))], None
        body += draw(st.sampled_from([[], ["  # to come"]]))
    else:
        body, data = [], None
    tail = draw(st.sampled_from([[], ["contact: press@example.org"], ["# the end"],
                                 ["", "# the end", "contact: x  # c"], ["..."],
                                 ["contact: x", "...", "# after the end"]]))
    lines = head + body + tail
    text = nl.join(lines) + (nl if draw(st.booleans()) else "")
    return text, data, style


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12) | \
    st.sampled_from(["yes", "No", "null", "~", "123", "-5", "a: b", "a #b", "#x", "- x", "[x]",
                     "{x}", "x,y", "'q'", '"q"', "a:", "  spaced  ", "tab\there", "line\nbreak",
                     "nel\x85x", "ls\u2028x", "bom\ufeffx", "del\x7fx", "&a", "*a", "!t", "%d",
                     "@x", "`x", "|x", ">x", "? x", "...", "---", "=1+1", "é", "日本語"])
ENTRY = st.fixed_dictionaries({"organisation": TEXT}, optional={
    "name": TEXT, "role": TEXT, "country": TEXT, "url": st.just("https://example.org/a"),
    "group": TEXT, "anonymous": st.just("true")})


def _as_entries(items) -> list[dict]:
    return [item if isinstance(item, dict) else {"organisation": item} for item in items]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(letters(), st.lists(ENTRY, min_size=1, max_size=4))
def test_every_readable_list_can_be_imported_into(letter, entries):
    text, data, style = letter
    source = parse(text, "letter.yaml")
    assert source.data.get("signatories") == data  # the generator writes what it means
    merged = splice(text, source, entries)
    check(text, merged, "letter.yaml", entries)  # raises SpliceError if it does not
    after = parse(merged, "letter.yaml").data
    assert _as_entries(after["signatories"]) == _as_entries(data or []) + entries
    assert {k: v for k, v in after.items() if k != "signatories"} == \
        {k: v for k, v in source.data.items() if k != "signatories"}


# The two layouts of the report, through the command a coordinator runs.
DASH_ALONE = """\
recipients:
  - name: Jane Doe
signatories:
  -
    organisation: Amnesty International
    country: Belgium
"""
EMPTY_KEY_LAST = """\
recipients:
  - name: Jane Doe
signatories:
  - organisation: Amnesty International
    country: Belgium
  - organisation: Human Rights Watch
    country:
"""


@pytest.mark.parametrize("letter_text", [DASH_ALONE, EMPTY_KEY_LAST],
                         ids=["dash-alone", "empty-key-last"])
def test_reported_layouts_import_through_the_cli(tmp_path, drafter_cli, letter_text):
    letter, export = tmp_path / "letter.yaml", tmp_path / "export.csv"
    letter.write_text(letter_text, "utf-8", newline="")
    export.write_text("Organisation,Country\r\nCentre for Civic Voices,Kenya\r\n"
                      "Réseau Ñandú,Perú\r\n", "utf-8", newline="")
    result = drafter_cli("signatories", "import", letter, export)
    assert result.returncode == 0, result.stderr
    assert "please report" not in result.stderr
    new = letter.read_text("utf-8")
    assert new.startswith(letter_text)  # the old text is kept byte for byte
    old = parse(letter_text, "letter.yaml").data["signatories"]
    added = parse(new, "letter.yaml").data["signatories"][len(old):]
    assert parse(new, "letter.yaml").data["signatories"][:len(old)] == old
    assert [(s["organisation"], s["country"]) for s in added] == [
        ("Centre for Civic Voices", "Kenya"), ("Réseau Ñandú", "Perú")]


def test_near_matches_are_those_a_scan_of_every_name_finds():
    """The spelling index narrows the names `_close` is asked about; it must never drop one
    (the first close name with the same first word, in the order they were added)."""
    rng = random.Random(7)
    vocab = ["association", "centre", "for", "human", "rights", "rigths", "right", "watch",
             "wacth", "network", "netwrok", "netork", "abcd", "abdc", "bacd", "abcde", "0001",
             "0002", "1000", "kenya", "kenia", "humanrights", "a", "of"]

    def mutate(name: str) -> str:
        s, p = list(name), rng.randrange(len(name))
        op = rng.randrange(4)
        if op == 0:
            s[p] = rng.choice("abcde ")
        elif op == 1 and len(s) > 1:
            del s[p]
        elif op == 2:
            s.insert(p, rng.choice("abcde "))
        elif p + 1 < len(s):
            s[p], s[p + 1] = s[p + 1], s[p]
        return "".join(s).strip() or "x"

    for _ in range(60):
        index, names = NameIndex(), []
        for i in range(60):
            name = (" ".join(rng.choice(vocab) for _ in range(rng.randint(1, 5)))
                    if not names or rng.random() < 0.4 else mutate(rng.choice(names)))
            found, (kind, text) = index.near(name, None), signatory_key(name, None)
            if found and found[0] == "is spelt almost like":
                first = next(e for e in index._order if e.key[0] == kind and
                             e.key[1].split()[0] == text.split()[0] and _close(text, e.key[1]))
                assert found[2] == first.payload, (name, found, first)
            elif found is None and text and (kind, text) not in index.exact:
                assert not any(e.key[0] == kind and e.key[1].split()[0] == text.split()[0]
                               and _close(text, e.key[1]) for e in index._order), name
            index.add(name, None, i)
            names.append(name)


@pytest.mark.parametrize("tamper", [
    lambda t: t.replace("Kestrel Forum", "Kestrel Forun"),          # another name
    lambda t: t.replace("country: Chad", "country: Mali"),           # another field
    lambda t: t.replace("subject: Hello", "subject: Hullo"),         # outside the list
    lambda t: t.replace("- organisation: Kestrel Forum", "- organisation: Kestrel Forum\n"
                        "    lead: true"),                           # a key added
])
def test_a_merge_that_does_not_read_as_old_plus_new_is_refused(tamper):
    from drafter.signon.splice import SpliceError
    text = "subject: Hello\nsignatories:\n  - Amnesty International\n"
    entries = [{"organisation": "Kestrel Forum", "country": "Chad"}]
    merged = splice(text, parse(text, "letter.yaml"), entries)
    check(text, merged, "letter.yaml", entries)  # the real merge passes (libyaml's check)
    with pytest.raises(SpliceError):
        check(text, tamper(merged), "letter.yaml", entries)
