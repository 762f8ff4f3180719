"""No deceptive names: characters that make a name print or compare unlike how it reads are
refused in letters (raw or as HTML/Markdown references, with their position) and removed and
reported by `clean_name` for imports; the joiners and marks that Persian, Uyghur and bidi text
need still render, prose keeps its word breaks, soft hyphens and isolates; and a name that only
looks like another (another script's letters) is caught for a person to decide.

Expectations are written from the reader's side: which line and column would I look at, what
would the message have to say, what would I see in the PDF and the DOCX.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pdfplumber
import pytest
from readback import read_docx, read_pdf

from drafter import LetterError, load_letter, write_letter
from drafter.letter.matching import NameIndex, name_key, signatory_key, skeleton
from drafter.letter.recipients import read_recipients_csv
from drafter.text import clean_name, deceptive, reader_form
from drafter.letter.validate import letter_from_text
from signon_data import HEADER, LETTER

OVERRIDES = {"\u202d": "LEFT-TO-RIGHT OVERRIDE", "\u202e": "RIGHT-TO-LEFT OVERRIDE"}
NAME_ONLY = {
    "\u202a": "LEFT-TO-RIGHT EMBEDDING", "\u202b": "RIGHT-TO-LEFT EMBEDDING",
    "\u202c": "POP DIRECTIONAL FORMATTING", "\u2066": "LEFT-TO-RIGHT ISOLATE",
    "\u2067": "RIGHT-TO-LEFT ISOLATE", "\u2068": "FIRST STRONG ISOLATE",
    "\u2069": "POP DIRECTIONAL ISOLATE", "\u00ad": "SOFT HYPHEN", "\u200b": "ZERO WIDTH SPACE",
    "\u2060": "WORD JOINER", "\ufeff": "ZERO WIDTH NO-BREAK SPACE",
}
# HTML's named references for some of them (written out here, not taken from drafter).
NAMED = {"\u00ad": ["&shy;", "&shy"], "\u200b": ["&ZeroWidthSpace;", "&NegativeThinSpace;"],
         "\u2060": ["&NoBreak;"]}


def Y(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def forms(char: str) -> list[tuple[str, str, str]]:
    """(id, as written inside a double-quoted YAML value, as the message quotes it)."""
    code = ord(char)
    out = [("raw", f"\\u{code:04X}", ""), ("hex", f"&#x{code:04X};", f"&#x{code:04X};"),
           ("decimal", f"&#{code};", f"&#{code};")]
    return out + [(f"named{n}", ref, ref) for n, ref in enumerate(NAMED.get(char, []))]


def _cases(chars: dict) -> list:
    return [pytest.param(char, written, quoted, id=f"U+{ord(char):04X}-{fid}")
            for char in chars for fid, written, quoted in forms(char)]


def _problems(text: str, tmp_path: Path | None = None):
    """The problems of a letter given as text (a LetterError's), errors and warnings."""
    try:
        letter = letter_from_text(text, "letter.yaml", tmp_path)
    except LetterError as exc:
        return exc.problems
    return letter._warnings


# Every name field, one per line, "Ab<char>cd<n>" so the character is at position 3 and no two
# names are the same signatory. Lines and columns are read off this template.
NAMES = Y('recipients:',                        # 1
          '  - name: "Ab{x}cd1"',               # 2  col 11
          '    organisation: "Ab{x}cd2"',       # 3  col 19
          '    title: "Ab{x}cd3"',              # 4  col 12: a title, not a name
          'cc:',                                # 5
          '  - name: "Ab{x}cd4"',               # 6  col 11
          '    organisation: "Ab{x}cd5"',       # 7  col 19
          'signatories:',                       # 8
          '  - "Ab{x}cd6"',                     # 9  col 5
          '  - organisation: "Ab{x}cd7"',       # 10 col 19
          '    name: "Ab{x}cd8"',               # 11 col 11
          '    group: "Ab{x}cd9"',              # 12 col 12
          '  - name: Someone',                  # 13
          '    affiliation: "Ab{x}cd10"')       # 14 col 18
NAME_PLACES = {(2, 11, "recipients[0].name"), (3, 19, "recipients[0].organisation"),
               (6, 11, "cc[0].name"), (7, 19, "cc[0].organisation"), (9, 5, "signatories[0]"),
               (10, 19, "signatories[1].organisation"), (11, 11, "signatories[1].name"),
               (12, 12, "signatories[1].group"), (14, 18, "signatories[2].affiliation")}
TITLE_PLACE = (4, 12, "recipients[0].title")


@pytest.mark.parametrize("char,written,quoted", _cases(NAME_ONLY))
def test_an_invisible_character_in_any_name_is_refused_at_its_place(char, written, quoted):
    problems = _problems(NAMES.format(x=written))
    found = {(p.line, p.column, p.path): p for p in problems if f"U+{ord(char):04X}" in p.message}
    # Every name field, and only names: a title or other prose keeps these characters.
    assert set(found) == NAME_PLACES, set(found) ^ NAME_PLACES
    for problem in found.values():
        assert problem.severity == "error"
        assert f"U+{ord(char):04X} ({NAME_ONLY[char]})" in problem.message
        assert "at position 3; remove it" in problem.message
        assert "name" in problem.message.split("remove it", 1)[1]  # says why, for a name
        if quoted:
            assert f"written as '{quoted}'" in problem.message


@pytest.mark.parametrize("char,written,quoted", _cases(OVERRIDES))
def test_a_bidi_override_is_refused_in_names_and_titles_alike(char, written, quoted):
    problems = _problems(NAMES.format(x=written))
    found = {(p.line, p.column, p.path): p for p in problems if f"U+{ord(char):04X}" in p.message}
    assert set(found) == NAME_PLACES | {TITLE_PLACE}
    for problem in found.values():
        assert f"bidi override U+{ord(char):04X} ({OVERRIDES[char]})" in problem.message
        assert "at position 3; remove it" in problem.message
        if quoted:
            assert f"written as '{quoted}'" in problem.message


PROSE = Y('recipients:',                         # 1
          '  - name: Jane Doe',                  # 2
          'subject: "Ab{x}cd"',                  # 3  col 10
          'opening: "Ab{x}cd"',                  # 4  col 10
          'concerns:',                           # 5
          '  - title: "Ab{x}cd"',                # 6  col 12
          '    text: "Ab{x}cd [^n]"',            # 7  col 11
          'demands:',                            # 8
          '  - "Ab{x}cd"',                       # 9  col 5
          'conclusion: "Ab{x}cd"',               # 10 col 13
          'signatories:',                        # 11
          '  - Human Rights Watch',              # 12
          'notes:',                              # 13
          '  n: "Ab{x}cd"',                      # 14 col 6
          'contact: "Ab{x}cd"')                  # 15 col 10
PROSE_PLACES = {(3, 10, "subject"), (4, 10, "opening"), (6, 12, "concerns[0].title"),
                (7, 11, "concerns[0].text"), (9, 5, "demands[0]"), (10, 13, "conclusion"),
                (14, 6, "notes.n"), (15, 10, "contact")}


@pytest.mark.parametrize("char,written,quoted", _cases(OVERRIDES))
def test_a_bidi_override_is_refused_in_prose_raw_and_as_a_reference(char, written, quoted):
    """Markdown decodes `&#x202E;` in prose into the character itself, so it is refused too."""
    problems = _problems(PROSE.format(x=written))
    found = {(p.line, p.column, p.path): p for p in problems if f"U+{ord(char):04X}" in p.message}
    assert set(found) == PROSE_PLACES
    assert all("at position 3; remove it" in p.message for p in found.values())


@pytest.mark.parametrize("char,written,quoted", _cases(NAME_ONLY))
def test_prose_keeps_the_invisible_characters_names_refuse(char, written, quoted):
    assert _problems(PROSE.format(x=written)) == []


def test_the_position_counts_characters_of_the_value_and_points_at_the_reference():
    problems = _problems(Y("recipients:", "  - name: Jane Doe", "signatories:",
                           '  - "Civic \\u202EkrowteN"',
                           '  - organisation: "Human Rights&#8203;Watch"'))
    by_path = {p.path: p for p in problems}
    assert (by_path["signatories[0]"].line, by_path["signatories[0]"].column) == (4, 5)
    assert "U+202E (RIGHT-TO-LEFT OVERRIDE) at position 7" in by_path["signatories[0]"].message
    second = by_path["signatories[1].organisation"]
    assert (second.line, second.column) == (5, 19)
    assert "U+200B (ZERO WIDTH SPACE) written as '&#8203;' at position 13" in second.message


def test_the_command_line_reports_a_deceptive_name_and_exits_1(tmp_path, drafter_cli):
    letter = tmp_path / "letter.yaml"
    letter.write_text(Y("recipients:", "  - name: Jane Doe", "signatories:",
                        "  - organisation: Civic \u202ekrowteN"), "utf-8")
    result = drafter_cli("validate", letter)
    assert result.returncode == 1, result
    assert (f"{letter}:4:19: signatories[0].organisation: contains the bidi override U+202E "
            "(RIGHT-TO-LEFT OVERRIDE) at position 7; remove it") in result.stderr
    # The message itself must not be reordered by the character it reports.
    assert "\u202e" not in result.stderr


def test_a_recipients_list_refuses_invisibles_in_names_and_overrides_anywhere(tmp_path):
    path = tmp_path / "people.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["name", "title", "organisation"])
        writer.writerow(["Jane Doe", "Pres\u00adident", "European&shy;Commission"])  # row 2
        writer.writerow(["John\u200bSmith", "A \u202etitle", "Council"])            # row 3
    with pytest.raises(LetterError) as caught:
        read_recipients_csv(path)
    shown = [(p.line, p.column, p.message) for p in caught.value.problems]
    assert len(shown) == 3, shown  # the soft hyphen in a title is not a problem
    assert any(at[:2] == (2, 3) and "U+00AD (SOFT HYPHEN) written as '&shy;' at position 9"
               in at[2] for at in shown), shown
    assert any(at[:2] == (3, 1) and "U+200B" in at[2] and "position 5" in at[2] for at in shown)
    assert any(at[:2] == (3, 2) and "U+202E" in at[2] and "position 3" in at[2] for at in shown)


# ------------------------------------------------------------------ allowed characters render

ALLOWED = Y(
    "recipients:",
    "  - name: Jane Doe",
    # Thai writes no spaces between words; U+200B marks where a line may break.
    'opening: "ภาษาไทย\\u200Bไม่มี\\u200Bช่องว่าง ระหว่างคำ"',
    "concerns:",
    '  - text: "An extra\\u00ADordinarily long word, and a title \\u2067عنوان\\u2069 isolated."',
    "signatories:",
    # Persian: ZWNJ keeps "می" and "خواهیم" apart in one word ("we want").
    '  - organisation: "کانون مدافعان حقوق بشر"',
    '    name: "می\\u200Cخواهیم"',
    "    lang: fa",
    # Uyghur with a ZWNJ and a ZWJ, and a name with RLM, LRM and ALM around a Latin acronym.
    '  - organisation: "ئۇيغۇر\\u200Cلار\\u200D بىرلىكى"',
    "    lang: ug",
    '  - organisation: "مركز \\u200FCIVIC\\u200E\\u061C للحقوق"',
    "    lang: ar",
)


def test_the_joiners_and_marks_scripts_need_are_allowed_and_render(tmp_path):
    path = tmp_path / "allowed.yaml"
    path.write_text(ALLOWED, "utf-8")
    letter = load_letter(path)  # no error
    assert letter._warnings == []
    assert letter.signatories[0].name == "می\u200cخواهیم"  # the ZWNJ is kept, not dropped
    assert "\u200b" in letter.opening and "\u00ad" in letter.concerns[0].text
    write_letter(letter, tmp_path, ("pdf", "docx"))
    docx = read_docx(tmp_path / "allowed.docx").words
    assert "می\u200cخواهیم" in docx  # DOCX keeps the characters themselves
    assert "ئۇيغۇر\u200cلار\u200d" in docx
    assert "ภาษาไทย\u200bไม่มี\u200bช่องว่าง" in docx
    assert ["کانون", "مدافعان", "حقوق", "بشر"] == docx[docx.index("کانون"):][:4]
    # A PDF's text has glyphs, not joiners: the name reads as its letters, in order.
    pdf = read_pdf(tmp_path / "allowed.pdf").words
    assert "میخواهیم" in pdf
    assert ["کانون", "مدافعان", "حقوق", "بشر"] == pdf[pdf.index("کانون"):][:4]
    assert "ภาษาไทยไม่มีช่องว่าง" in pdf
    assert "extraordinarily" in pdf  # the soft hyphen prints nothing mid-line


def test_a_persian_name_with_a_zwnj_shapes_unlike_the_same_letters_without(tmp_path):
    """The ZWNJ reaches the PDF's shaping: without it the two halves join into other glyphs."""
    def glyphs(name: str) -> list:
        """The Arabic-script glyphs drawn for the name: letter and width (a letter's joining
        form has its own width: a final ی is about twice as wide as a medial one)."""
        path = tmp_path / "p.yaml"
        path.write_text(Y("recipients:", "  - name: Jane Doe", "signatories:",
                          f'  - organisation: "{name}"'), "utf-8")
        write_letter(load_letter(path), tmp_path, ("pdf",))
        with pdfplumber.open(tmp_path / "p.pdf") as pdf:
            return [(c["text"], round(c["x1"] - c["x0"], 1)) for c in pdf.pages[0].chars
                    if re.match("[\u0600-\u06ff]", c["text"])]
    joined, apart = glyphs("میخواهیم"), glyphs("می\\u200Cخواهیم")
    assert [c for c, _ in joined] == [c for c, _ in apart]  # the same letters...
    assert joined != apart  # ...in other forms: the ZWNJ was not dropped before shaping


# ---------------------------------------------------------------- duplicates as a reader sees

def _signatories(*names: str) -> str:
    return Y("recipients:", "  - name: Jane Doe", "signatories:",
             *(f'  - "{n}"' for n in names))


@pytest.mark.parametrize("copy", [
    "Hu\\u00ADman Rights Watch",         # a soft hyphen inside a word
    "Human Rights\\u200B Watch",         # a zero-width space beside a space
    "Human Ri&shy;ghts Watch",           # as a reference
    "\\uFF28uman Rights Watch",          # a full-width H (NFKC)
])
def test_a_name_with_invisible_characters_is_listed_twice(copy):
    problems = _problems(_signatories("Human Rights Watch", copy))
    twice = [p for p in problems if "listed twice" in p.message]
    assert len(twice) == 1, problems
    assert (twice[0].line, twice[0].path, twice[0].severity) == (5, "signatories[1]", "error")
    assert "also as 'Human Rights Watch' at signatories[0], line 4" in twice[0].message


def test_a_name_in_cyrillic_letters_that_looks_the_same_is_a_warning_naming_both():
    letter = letter_from_text(_signatories("Human Rights Watch", "\u041duman Rights W\u0430tch"))
    (warning,) = [w for w in letter._warnings if "looks the same" in w.message]
    assert (warning.line, warning.column, warning.path) == (5, 5, "signatories[1]")
    assert warning.severity == "warning"
    assert warning.message == ("'\u041duman Rights W\u0430tch' looks the same as 'Human Rights "
                               "Watch' at signatories[0], line 4 (characters from another "
                               "script); check it is not a copy")
    assert len(letter.signatories) == 2  # a decision, not a duplicate: both are kept


def test_the_look_alike_warning_is_printed_by_validate(tmp_path, drafter_cli):
    letter = tmp_path / "letter.yaml"
    letter.write_text(_signatories("Amnesty International", "\u0410MNESTY INTERNATIONAL"),
                      "utf-8")
    result = drafter_cli("validate", letter)
    assert result.returncode == 0, result
    assert (f"{letter}:5:5: signatories[1]: warning: '\u0410MNESTY INTERNATIONAL' looks the same "
            "as 'Amnesty International' at signatories[0], line 4") in result.stderr


def test_different_names_in_other_scripts_are_not_look_alikes():
    letter = letter_from_text(_signatories("Human Rights Watch", "Мемориал", "Memorial",
                                           "Ελληνική Ένωση", "مؤسسة الحق", "Amnesty International"))
    # Only the notes that a language can be given for the names in other scripts.
    assert [w.message for w in letter._warnings if "give lang:" not in w.message] == []


def test_the_name_index_asks_for_a_decision_on_a_look_alike_and_keeps_exact_matches_exact():
    index = NameIndex()
    index.add("Human Rights Watch", None, "hrw")
    index.add("Amnesty International", None, "ai")
    cyrillic = "\u041duman Rights W\u0430tch"
    assert index.same(cyrillic, None) is None  # never an automatic duplicate
    assert index.near(cyrillic, None) == (
        "looks the same as (characters from another script)", "Human Rights Watch", "hrw")
    assert index.near("\u0410MNESTY INTERNATIONAL", None)[0] == \
        "looks the same as (characters from another script)"
    assert index.near("Arnnesty International", None) == (
        "looks the same as (look-alike characters)", "Amnesty International", "ai")
    # Invisible characters are no difference at all: the same signatory, not a near match.
    assert index.same("Amnes\u00adty Inter\u200bnational", None) == "ai"
    assert index.near("Amnes\u00adty International", None) is None
    assert index.near("Human Rights Watch", None) is None


def test_an_import_puts_a_look_alike_to_a_decision_and_an_invisible_copy_aside(tmp_path,
                                                                               drafter_cli):
    letter = tmp_path / "letter.yaml"
    letter.write_text(LETTER, "utf-8", newline="")
    export = tmp_path / "export.csv"
    rows = [HEADER, ["2024-03-01 10:00", "\u041duman Rights W\u0430tch", "Kenya", "", "", "", "",
                     "Yes", "", ""],
            ["2024-03-01 10:01", "Amnes\u00adty International", "Kenya", "", "", "", "", "Yes",
             "", ""]]
    with export.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    result = drafter_cli("signatories", "import", letter, export)
    assert result.returncode == 0, result.stderr
    decision = re.search(r"row 2: (.*)", result.stdout)
    assert decision and "looks the same as (characters from another script)" in \
        decision.group(1), result.stdout
    assert "row 3:" in result.stdout and "Amnesty International" in \
        re.search(r"row 3: (.*)", result.stdout).group(1)
    names = [s.organisation for s in load_letter(letter).signatories]
    assert names == ["Human Rights Watch (HRW)", "Amnesty International",
                     "Fundación Voces del Valle"]


def test_keys_and_skeletons():
    assert name_key("Hu\u00adman Rights\u200b Watch") == name_key("Human Rights Watch")
    assert name_key("\ufeffHuman\u2060 Rights Watch") == "human rights watch"
    assert signatory_key("Civic \u202eNetwork", None) == ("organisation", "civic network")
    assert skeleton("\u041duman") == skeleton("Human") != skeleton("human")
    assert skeleton("rn") == skeleton("m")  # UTS #39's own example pair
    assert reader_form("Ｈuman\u00ad Ri\u200cghts") == "Human Rights"


# ------------------------------------------------------------ drafter.text for imports and code

def test_deceptive_finds_the_first_refused_character_and_its_index():
    assert deceptive("Civic \u202ekrowteN", in_name=False) == ("\u202e", 6)
    assert deceptive("Civic &#x202E;krowteN", in_name=False) == ("\u202e", 6)
    assert deceptive("a &#8237; b", in_name=False) == ("\u202d", 2)
    assert deceptive("Thai\u200bword hy\u00adphen \u2066x\u2069", in_name=False) is None
    assert deceptive("Hu&shy;man", in_name=True) == ("\u00ad", 2)
    assert deceptive("Hu&shy;man", in_name=False) is None
    assert deceptive("A&ZeroWidthSpace;B&NoBreak;", in_name=True) == ("\u200b", 1)
    for allowed in ("می\u200cخواهیم", "a\u200db", "x\u200ey\u200f\u061c", "a&zwnj;b",
                    "AT&T", "Marks &amp; Spencer", "&amp;#x202E;"):
        assert deceptive(allowed, in_name=True) is None, allowed


def test_clean_name_removes_and_reports_each_character_with_its_position():
    assert clean_name("Human Rights Watch") == ("Human Rights Watch", [])
    assert clean_name("Hu\u00adman Rights\u200b Watch\ufeff") == (
        "Human Rights Watch", [("\u00ad", 2), ("\u200b", 13), ("\ufeff", 20)])
    assert clean_name("Civic \u202ekrowteN") == ("Civic krowteN", [("\u202e", 6)])
    # References are removed whole, and positions stay those of the text as given.
    assert clean_name("Hu&shy;man &#x200B;Rights&#8238;") == (
        "Human Rights", [("\u00ad", 2), ("\u200b", 11), ("\u202e", 25)])
    assert clean_name("R&shyness") == ("Rness", [("\u00ad", 1)])  # "&shy" without ";"
    # What Persian and Uyghur need stays.
    assert clean_name("می\u200cخواهیم \u200d\u200e\u200f\u061c") == (
        "می\u200cخواهیم \u200d\u200e\u200f\u061c", [])
