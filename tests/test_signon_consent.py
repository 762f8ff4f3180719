"""Sign-on answers are never guessed: only a clear yes signs, only a clear yes publishes a name,
a question drafter cannot read stops the import, a decision is remembered, and at-risk names
stay out of every shared file and every output."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import zipfile
from pathlib import Path

import pdfplumber
import pytest

from drafter import load_letter
from drafter.pipeline import render  # drafter.render is shadowed once drafter/formats/ loads
from drafter.signon.questions import clear_answer, lexicon, question_for

LETTER = """\
# The shared draft: partners see this file.
recipients:
  - name: Jane Doe
    title: Minister of Foreign Affairs
opening: We, {signatory_count} organisations, write to you.
signatories:
  - organisation: Lead Harbour Coalition
    lead: true
"""


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(out.getvalue(), "utf-8")
    return path


def _seen(text: str) -> str:
    """Text as a reader sees it: NFKC, soft hyphens gone, words broken at line ends joined,
    whitespace as single spaces, case folded."""
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "")
    text = re.sub(r"-\s*\n\s*", "", text)
    return " ".join(text.split()).casefold()


def _outputs(letter_path: Path) -> dict[str, str]:
    """Every format of the letter, read back as a reader sees it (PDF text and metadata by
    pdfplumber; every XML part of the DOCX, properties included; HTML and text as written)."""
    letter = load_letter(letter_path)
    out = {}
    pdf = render(letter, "pdf")
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        out["pdf"] = "\n".join(p.extract_text() or "" for p in doc.pages) + "\n" + \
            " ".join(str(v) for v in (doc.metadata or {}).values())
    with zipfile.ZipFile(io.BytesIO(render(letter, "docx"))) as z:
        parts = [z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml")]
    out["docx"] = "\n".join(re.sub(r"<[^>]+>", " ", p) for p in parts)
    import html as html_module
    page = render(letter, "html").decode("utf-8")
    out["html"] = html_module.unescape(re.sub(r"<[^>]+>", " ", page)) + page
    out["txt"] = render(letter, "txt").decode("utf-8")
    return {k: _seen(v) for k, v in out.items()}


# Forms as coalitions write them: (file, header, rows, extra options). Each row's name says
# what must happen to it: SIGNS (printed by name), HIDDEN (counted, never named), DECLINED
# and UNSURE (neither printed nor counted).
FORMS = [
    ("google.csv", ["Timestamp", "Organisation name", "Country",
                    "Do you want your organisation to sign this letter?",
                    "Can we publish your organisation's name?"],
     [["2026-11-02 10:00", "Aster Signs Network", "Kenya", "Yes", "Yes"],
      ["2026-11-02 10:05", "Birch Declined Forum", "Peru", "No", "No"],
      ["2026-11-02 10:07", "Cedar Hidden Trust", "China", "Yes", "No"],
      ["2026-11-02 10:09", "Dune Unsure Board", "India", "Yes, but waiting for board approval",
       "Yes"],
      ["2026-11-02 10:11", "Elm Unsure Softer", "Chile", "Yes, if the demands are softened",
       "Yes"],
      ["2026-11-02 10:13", "Fern Hidden Blank", "Nepal", "Yes", ""],
      ["2026-11-02 10:15", "Gorse Hidden Prefer", "Iran", "yes!", "Prefer not"],
      ["2026-11-02 10:17", "Heath Hidden Later", "Laos", "YES", "Only after the letter is sent"]],
     []),
    ("endorse.csv", ["Organisation", "Does your organisation endorse this letter?",
                     "May we list your organisation publicly?"],
     [["Iris Signs Alliance", "Y", "Yes"], ["Juniper Declined Union", "no", "yes"],
      ["Kale Hidden Society", "Yes", "N"]], []),
    ("sign-on.csv", ["Organisation", "Sign on? (yes/no)", "Sign anonymously?"],
     [["Larch Signs Circle", "yes", "no"], ["Maple Hidden Circle", "yes", "yes"],
      ["Nettle Unsure Circle", "", "no"]], []),
    ("francais.csv", ["Horodateur", "Nom de l'organisation", "Pays", "Nous signons",
                      "Acceptez-vous que votre nom soit rendu public ?"],
     [["02/11/2026", "Olivier Signs Ligue", "France", "Oui", "Oui"],
      ["02/11/2026", "Pervenche Declined Ligue", "Mali", "Non", "Non"],
      ["02/11/2026", "Quenouille Hidden Ligue", "Tchad", "oui", "Non"]], []),
    ("deutsch.csv", ["Zeitstempel", "Organisation", "Land", "Möchten Sie mitzeichnen?",
                     "Dürfen wir Ihren Namen veröffentlichen?"],
     [["2026-11-02", "Rotbuche Signs Verein", "Deutschland", "Ja", "Ja"],
      ["2026-11-02", "Sanddorn Hidden Verein", "Österreich", "Ja", "Nein"]], []),
    ("espanol.csv", ["Marca temporal", "Nombre de la organización", "País",
                     "¿Su organización firma la carta?", "¿Podemos publicar su nombre?"],
     [["2026-11-02", "Tilo Signs Colectivo", "Perú", "Sí", "Sí"],
      ["2026-11-02", "Ulmo Declined Colectivo", "Chile", "No", "No"],
      ["2026-11-02", "Vid Hidden Colectivo", "Bolivia", "si", "no"]], []),
    ("zhongwen.csv", ["Organisation", "您的组织是否联署？", "可以公开您的组织名称吗？"],
     [["Wisteria Signs Hong Kong", "是", "是"], ["Xanthe Hidden Hong Kong", "是", "否"]], []),
    ("q7.csv", ["Organisation", "Country", "Q7"],
     [["Yarrow Signs Group", "Ghana", "Yes"], ["Zinnia Declined Group", "Togo", "No"]],
     ["--map", "Q7=consent"]),
]


def _names(kind: str) -> list[str]:
    return [row[[i for i, c in enumerate(row) if kind in c][0]]
            for _, _, rows, _ in FORMS for row in rows if any(kind in c for c in row)]


def test_only_a_clear_yes_signs_and_only_a_clear_yes_publishes_in_every_format(tmp_path, cli):
    letter = tmp_path / "letter.yaml"
    letter.write_text(LETTER, "utf-8")
    for name, header, rows, options in FORMS:
        status, out, err = cli("signatories", "import", letter, _csv(tmp_path / name, header,
                                                                     rows), *options)
        assert status == 0, (name, err)
        assert out.startswith("questions: consent: "), (name, out)  # said on the first line
        if not options:
            assert "(recognised by its header)" in out.splitlines()[0], (name, out)
    outputs = _outputs(letter)
    signs, hidden = _names("Signs"), _names("Hidden")
    declined, unsure = _names("Declined"), _names("Unsure")
    assert len(signs) == 8 and len(hidden) == 10 and len(declined) == 5 and len(unsure) == 3
    for fmt, text in outputs.items():
        for org in signs + ["Lead Harbour Coalition"]:  # the positive control
            assert _seen(org) in text, (fmt, org)
        for org in hidden + declined + unsure:
            assert _seen(org) not in text, (fmt, org)
            assert _seen(org.split()[0]) not in text, (fmt, org)  # not even its first word
    # Counted: the 9 named and the 10 anonymous ones; the declined and unsure not at all.
    assert "we, 19 organisations, write to you" in outputs["txt"]
    assert "10 organisations that cannot be named" in outputs["txt"]
    # The shared YAML holds no at-risk name, and no detail of one (Cedar's country, China).
    shared = letter.read_text("utf-8")
    for org in hidden + declined + unsure:
        assert org not in shared and org.split()[0] not in shared
    assert "China" not in shared and "Iran" not in shared
    kept = json.loads((tmp_path / "letter.signon.json").read_text("utf-8"))
    kept_names = {e.get("organisation") for e in kept["signatories"].values()}
    assert set(hidden) <= kept_names


def test_a_yes_no_column_drafter_cannot_name_stops_the_import_and_changes_nothing(tmp_path,
                                                                                   cli):
    letter = tmp_path / "letter.yaml"
    letter.write_text(LETTER, "utf-8")
    # A first import creates the coordinator's file, so that both files must stay as they are.
    _csv(tmp_path / "first.csv", ["Organisation"], [["Opening Signs Org"]])
    assert cli("signatories", "import", letter, tmp_path / "first.csv")[0] == 0
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    export = _csv(tmp_path / "q7.csv", ["Organisation", "Q7", "Comments"],
                  [["Alpha Org", "Yes", "fine"], ["Beta Org", "No", "no comment"],
                   ["Gamma Org", "yes", ""], ["Delta Org", "Maybe", "call me"]])
    status, out, err = cli("signatories", "import", letter, export)
    assert status == 1
    line = next(ln for ln in err.splitlines() if "'Q7'" in ln)
    assert line.startswith(f"{export}:1:2: column 'Q7': its answers are yes or no")
    assert "'Yes' ×1" in line and "'No' ×1" in line and "'Maybe' ×1" in line
    assert '--map "Q7=consent|publish|anonymous|ignore"' in line
    assert "Comments" not in err  # a free-text column is no question
    assert "nothing was imported" in err
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.name != "q7.csv"}
    assert after == before  # letter and coordinator's file byte-identical, no temporary
    assert not any(".drafter-tmp" in p.name for p in tmp_path.iterdir())


def test_a_remembered_mapping_imports_the_next_export_and_a_new_column_stops_again(tmp_path,
                                                                                    cli):
    letter = tmp_path / "letter.yaml"
    letter.write_text(LETTER, "utf-8")
    header = ["Organisation", "Q7", "Q8"]
    first = _csv(tmp_path / "week1.csv", header, [["Alpha Org", "Yes", "Yes"]])
    status, _, err = cli("signatories", "import", letter, first)
    assert status == 1 and "'Q7'" in err and "'Q8'" in err  # both questions asked at once
    status, out, err = cli("signatories", "import", letter, first, "--map", "Q7=consent",
                           "--map", "Q8=publish")
    assert status == 0, err
    assert "questions: consent: 'Q7' (as you mapped it); publication: 'Q8' (as you mapped it)" \
        in out
    # Next week's export of the same form (columns in another order): no --map needed.
    second = _csv(tmp_path / "week2.csv", ["Q8", "Organisation", "Q7"],
                  [["No", "Beta Org", "Yes"], ["Yes", "Gamma Org", "No"]])
    status, out, err = cli("signatories", "import", letter, second, "--dry-run")
    assert status == 0, err
    assert "form: columns as remembered for this form (letter.signon.json)" in out
    status, out, err = cli("signatories", "import", letter, second)
    assert status == 0, err
    assert "(as remembered for this form)" in out.splitlines()[0]
    loaded = load_letter(letter)
    assert [s.organisation for s in loaded.signatories][:2] == ["Lead Harbour Coalition",
                                                                "Alpha Org"]
    assert loaded.signatories[2].anonymous  # Beta: "No" to Q8, the publication question
    assert len(loaded.signatories) == 3    # Gamma: "No" to Q7, consent
    # The form grows a column: the import stops again and says which.
    third = _csv(tmp_path / "week3.csv", ["Organisation", "Q7", "Q8", "Region"],
                 [["Delta Org", "Yes", "Yes", "Sahel"]])
    status, _, err = cli("signatories", "import", letter, third)
    assert status == 1
    assert "column 'Region': new since this form's last import" in err


def test_an_answer_decided_once_is_remembered(tmp_path, cli):
    letter = tmp_path / "letter.yaml"
    letter.write_text(LETTER, "utf-8")
    answer = "Yes, but waiting for board approval"
    export = _csv(tmp_path / "form.csv", ["Organisation", "Do you agree to sign?"],
                  [["Kestrel Trust", answer], ["Lagoon Society", answer]])
    status, out, _ = cli("signatories", "import", letter, export)
    assert status == 0 and "added 0 of 2" in out
    assert f'--answer "consent:{answer}=yes|no|pending"' in out
    status, out, err = cli("signatories", "import", letter, export, "--answer",
                           f"consent:{answer}=pending")
    assert status == 0, err
    loaded = load_letter(letter)
    assert [(s.organisation, s.status) for s in loaded.signatories[1:]] == [
        ("Kestrel Trust", "pending"), ("Lagoon Society", "pending")]
    status, out, _ = cli("signatories", "import", letter, export, "--answer",
                         "consent:Yes, once our lawyers agree=pending", "--dry-run")
    assert status == 0 and '--answer "consent:Yes, once our lawyers agree=pending" matches no ' \
        "answer in this export" in out
    # The next export with the same hedge needs no option: the decision was kept.
    later = _csv(tmp_path / "later.csv", ["Organisation", "Do you agree to sign?"],
                 [["Meadow Forum", "yes, but waiting for board approval."]])
    assert cli("signatories", "import", letter, later)[0] == 0
    assert load_letter(letter).signatories[-1].status == "pending"


def test_a_listed_signatory_that_now_withholds_publication_is_made_anonymous(tmp_path, cli):
    letter = tmp_path / "letter.yaml"
    letter.write_text(LETTER + "  - organisation: Quiet Rivers Network\n    country: Tibet\n"
                      "    role: Director   # their director is in danger\n"
                      "  - Open Sky Forum\n", "utf-8")
    export = _csv(tmp_path / "form.csv", ["Organisation", "Sign the letter?",
                                          "May we publish your name?"],
                  [["Open Sky Forum", "Yes", "Yes"],
                   ["Quiet Rivers Network", "Yes", "Please do not publish our name"],
                   ["Lead Harbour Coalition", "No", "No"]])
    status, out, err = cli("signatories", "import", letter, export)
    assert status == 0, err
    decisions = out.split("needs a decision:")[1]
    assert "row 3: '[name withheld]': listed by name as" in decisions
    assert "(signatories[1], line 9), but row 3 does not allow publishing it" in decisions
    assert "made anonymous in the letter until you decide" in decisions
    assert "row 4: 'Lead Harbour Coalition': answered 'No'" in decisions
    assert "(signatories[0], line 7)" in decisions  # a lead that now says no: both named
    shared = letter.read_text("utf-8")
    assert "Quiet Rivers" not in shared and "Tibet" not in shared and "danger" not in shared
    assert "Open Sky Forum" in shared and "Lead Harbour Coalition" in shared
    loaded = load_letter(letter)
    assert loaded.signatories[1].anonymous
    kept = (tmp_path / "letter.signon.json").read_text("utf-8")
    assert "Quiet Rivers Network" in kept and "Tibet" in kept
    # Importing the same export again recognises the anonymous one by its fingerprint.
    status, out, _ = cli("signatories", "import", letter, export)
    assert status == 0 and "added 0 of 3" in out
    assert letter.read_text("utf-8") == shared


def test_a_lost_key_is_said_not_worked_around(tmp_path, cli):
    letter = tmp_path / "letter.yaml"
    letter.write_text(LETTER, "utf-8")
    export = _csv(tmp_path / "form.csv", ["Organisation", "Can we publish your name?"],
                  [["Shadow Valley Org", "No"]])
    assert cli("signatories", "import", letter, export)[0] == 0
    (tmp_path / "letter.signon.json").unlink()
    status, out, err = cli("signatories", "import", letter, export, "--dry-run")
    assert status == 0
    assert "warning: the letter has 1 anonymous signatories written as fingerprints, but " \
           "this file is missing" in err
    assert "restore the file from a copy" in err


def test_an_anonymous_signatorys_details_reach_no_translation_file_and_no_output(tmp_path,
                                                                                 cli):
    from PIL import Image
    Image.new("RGB", (40, 20), (200, 30, 30)).save(tmp_path / "secret-logo.png")
    Image.new("RGB", (40, 20), (30, 30, 200)).save(tmp_path / "lead-logo.png")
    letter = tmp_path / "letter.yaml"
    letter.write_text("signatory_layout: {logo_strip: top}\n" + LETTER.replace(
        "    lead: true\n", "    lead: true\n    role: Chair\n    logo: lead-logo.png\n") +
        "  - organisation: Secret Mountain Group\n    name: Pema Dorje\n"
        "    role: Underground Coordinator\n    country: Tibet Autonomous Region\n"
        "    group: Exile Networks\n    logo: secret-logo.png\n    anonymous: true\n", "utf-8")
    status, _, err = cli("translations", "new", letter, "--lang", "fr")
    assert status == 0, err
    translation = (tmp_path / "letter.fr.yaml").read_text("utf-8")
    assert "Chair" in translation  # the named signatory's role is there to translate...
    for detail in ("Secret Mountain", "Pema", "Underground", "Tibet", "Exile"):
        assert detail not in translation  # ...the anonymous one's nothing
    loaded = load_letter(letter)
    pdf, docx = render(loaded, "pdf"), render(loaded, "docx")
    # One logo in the strip: the lead's (red pixels would be the anonymous one's).
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        assert len(doc.pages[0].images) == 1
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
        assert len(media) == 1
        from PIL import Image
        assert Image.open(io.BytesIO(z.read(media[0]))).getpixel((5, 5))[2] > 150  # blue
    for fmt, text in _outputs(letter).items():
        assert "lead harbour coalition" in text, fmt
        for detail in ("Secret Mountain", "Pema Dorje", "Underground Coordinator",
                       "Tibet Autonomous", "Exile Networks"):
            assert _seen(detail) not in text, (fmt, detail)


@pytest.mark.parametrize("header,question", [
    ("Do you want your organisation to sign this letter?", "consent"),
    ("Does your organisation endorse this letter?", "consent"),
    ("Sign on? (yes/no)", "consent"),
    ("Nous signons", "consent"),
    ("Votre organisation soutient-elle cette lettre ?", "consent"),
    ("Möchten Sie den Brief unterzeichnen?", "consent"),
    ("¿Desea adherirse a la carta?", "consent"),
    ("Volete sottoscrivere la lettera?", "consent"),
    ("Wilt u de brief ondertekenen?", "consent"),
    ("您的组织是否联署？", "consent"),
    ("Can we publish your organisation's name?", "publish"),
    ("May we list your organisation publicly?", "publish"),
    ("Pouvons-nous publier le nom de votre organisation ?", "publish"),
    ("Dürfen wir Ihren Namen veröffentlichen?", "publish"),
    ("¿Podemos mencionar su organización?", "publish"),
    ("Mogen we uw naam openbaar maken?", "publish"),
    ("Sign anonymously?", "anonymous"),
    ("Souhaitez-vous rester anonyme ?", "anonymous"),
    ("Q7", None), ("Comments", None), ("Address", None), ("Can we use your logo?", None),
])
def test_the_one_header_rule(header, question):
    assert question_for(header) == question


@pytest.mark.parametrize("given,read", [
    ("Yes", "yes"), (" yes. ", "yes"), ("OUI !", "yes"), ("Sí", "yes"), ("si", "yes"),
    ("Ja", "yes"), ("是", "yes"), ("ھەئە", "yes"), ("y", "yes"),
    ("No", "no"), ("non", "no"), ("Nein", "no"), ("否", "no"), ("ياق", "no"),
    ("Yes, but waiting for board approval", None), ("Yes, if the demands are softened", None),
    ("Prefer not", None), ("Only after the letter is sent", None), ("", None),
    ("Yes yes", None), ("I agree", None), ("TRUE", None), ("1", None), ("x", None),
])
def test_only_one_yes_or_no_word_is_a_clear_answer(given, read):
    assert clear_answer(given) == read


def test_every_language_with_a_word_list_has_answer_words():
    locales = {p.stem for p in (Path(__file__).parent.parent / "drafter" / "compose" / "locales").glob(
        "*.yaml")} - {"en-US"}
    assert set(lexicon()) == locales
    yes = set().union(*(e["yes"] for e in lexicon().values()))
    no = set().union(*(e["no"] for e in lexicon().values()))
    assert not yes & no  # no word is a yes in one language and a no in another


def test_two_columns_for_one_question_stop_the_import(tmp_path, cli):
    letter = tmp_path / "letter.yaml"
    letter.write_text(LETTER, "utf-8")
    export = _csv(tmp_path / "form.csv", ["Organisation", "Do you agree to sign?",
                                          "Will you endorse it?"], [["Alpha Org", "Yes", "No"]])
    status, _, err = cli("signatories", "import", letter, export)
    assert status == 1
    assert "'Do you agree to sign?' (column 2) and 'Will you endorse it?' (column 3) both " \
           "read as the consent question" in err
    assert letter.read_text("utf-8") == LETTER


def test_a_question_header_with_free_text_answers_stops(tmp_path, cli):
    letter = tmp_path / "letter.yaml"
    letter.write_text(LETTER, "utf-8")
    export = _csv(tmp_path / "form.csv", ["Organisation", "Name of the person who signs"],
                  [["A Org", "Ann Lee"], ["B Org", "Bo Chen"], ["C Org", "Cy Diaz"],
                   ["D Org", "Di Eze"]])
    status, _, err = cli("signatories", "import", letter, export)
    assert status == 1
    assert "reads as the consent question by its header, but its answers are not yes or no" \
        in err


def test_the_contact_persons_position_is_never_printed_as_a_role(tmp_path, cli):
    letter = tmp_path / "letter.yaml"
    letter.write_text(LETTER, "utf-8")
    export = _csv(tmp_path / "form.csv", ["Organisation", "Contact person", "Position", "Email"],
                  [["Alpha Org", "Ann Lee", "Communications Officer", "ann@alpha.example"]])
    status, out, err = cli("signatories", "import", letter, export)
    assert status == 0, err
    assert "'Position' is read as the contact person's position" in out
    assert "Communications Officer" not in letter.read_text("utf-8")
    assert load_letter(letter).signatories[1].role is None
    with open(tmp_path / "letter.contacts.csv", encoding="utf-8-sig", newline="") as handle:
        row = next(csv.DictReader(handle))
    assert (row["contact_person"], row["contact_position"]) == ("Ann Lee",
                                                                "Communications Officer")


def test_at_risk_names_are_masked_in_logs_and_the_report_says_where_they_are(tmp_path, cli):
    letter = tmp_path / "letter.yaml"
    letter.write_text(LETTER, "utf-8")
    export = _csv(tmp_path / "form.csv", ["Organisation", "May we publish your name?"],
                  [["Hidden Lotus Org", "No"], ["Open Lotus Org", "Yes"]])
    status, out, _ = cli("signatories", "import", letter, export)
    assert status == 0
    assert "Hidden Lotus" not in out and "Open Lotus Org" in out  # stdout is no terminal here
    assert "its name is kept in letter.signon.json only" in out
    assert "at-risk names: 1 are kept in letter.signon.json only" in out


def test_deceptive_characters_in_form_names_are_removed_reported_and_lookalikes_asked(
        tmp_path, cli):
    letter = tmp_path / "letter.yaml"
    letter.write_text(LETTER + "  - Human Rights Watch\n", "utf-8")
    export = _csv(tmp_path / "form.csv", ["Organisation", "Country"], [
        ["Civic \u202ekrowteN", "Kenya"],               # prints as "Civic Network"
        ["Human Rights W\u0430tch", "USA"],             # a Cyrillic "а"
        ["Human Rights&#x200B; Watch", "USA"],          # a zero-width space as a reference
        ["Lotus\u00adBridge Forum", "Nepal"],           # a soft hyphen inside the name
        ["کانون مدافعان حقوق\u200cبشر", "Iran"]])       # ZWNJ: Persian needs it, kept
    status, out, err = cli("signatories", "import", letter, export)
    assert status == 0, err
    assert "row 2: organisation 'Civic <U+202E>krowteN': removed U+202E (RIGHT-TO-LEFT " \
           "OVERRIDE) at position 7" in out
    assert "row 4: organisation 'Human Rights&#x200B; Watch': removed U+200B (ZERO WIDTH " \
           "SPACE) at position 13" in out
    assert "row 5: organisation 'Lotus<U+00AD>Bridge Forum': removed U+00AD" in out
    decisions = out.split("needs a decision:")[1]
    assert "row 3: 'Human Rights Wаtch': " in decisions and "looks the same as" in decisions
    assert "row 4: 'Human Rights Watch': already in the letter" in out  # once cleaned
    loaded = load_letter(letter)
    names = [s.organisation for s in loaded.signatories]
    assert names[2:] == ["Civic krowteN", "LotusBridge Forum", "کانون مدافعان حقوق\u200cبشر"]
    assert "\u202e" not in letter.read_text("utf-8")


def test_on_a_terminal_the_coordinator_sees_the_at_risk_names(tmp_path):
    from conftest import run_on_terminal
    letter = tmp_path / "letter.yaml"
    letter.write_text(LETTER, "utf-8")
    export = _csv(tmp_path / "form.csv", ["Organisation", "May we publish your name?"],
                  [["Hidden Lotus Org", "No"]])
    status, screen = run_on_terminal("signatories", "import", letter, export)
    text = screen.decode("utf-8", "replace")
    assert status == 0
    assert "row 2: 'Hidden Lotus Org': anonymous: counted, never named" in text
    assert "[name withheld]" not in text


def test_a_fingerprint_must_stay_anonymous(tmp_path):
    from drafter import LetterError
    letter = tmp_path / "letter.yaml"
    letter.write_text(LETTER + "  - organisation: anon-0123456789abcdef\n", "utf-8")
    with pytest.raises(LetterError) as caught:
        load_letter(letter)
    (problem,) = caught.value.problems
    assert (problem.line, problem.column, problem.path) == (9, 19, "signatories[1].organisation")
    assert "keep 'anonymous: true'" in problem.message


def test_a_broken_coordinators_file_stops_the_import(tmp_path, cli):
    letter = tmp_path / "letter.yaml"
    letter.write_text(LETTER, "utf-8")
    (tmp_path / "letter.signon.json").write_text('{"version": 1, "key": ', "utf-8")
    export = _csv(tmp_path / "form.csv", ["Organisation"], [["Alpha Org"]])
    status, _, err = cli("signatories", "import", letter, export)
    assert status == 1
    assert f"{tmp_path / 'letter.signon.json'}:1:1: is not readable" in err
    assert letter.read_text("utf-8") == LETTER


def test_a_changed_answer_names_the_row_it_first_came_from(tmp_path, cli):
    letter = tmp_path / "letter.yaml"
    letter.write_text(LETTER, "utf-8")
    header = ["Organisation", "Do you sign?", "May we publish your name?"]
    first = _csv(tmp_path / "week1.csv", header, [["Alpha Org", "Yes", "Yes"],
                                                  ["Beta Org", "Yes", "Yes"]])
    assert cli("signatories", "import", letter, first)[0] == 0
    second = _csv(tmp_path / "week2.csv", header, [["Beta Org", "Yes", "No"],
                                                   ["Alpha Org", "No", "Yes"]])
    status, out, _ = cli("signatories", "import", letter, second)
    assert status == 0
    assert "row 2: '[name withheld]': listed by name as 'Beta Org' (signatories[2], line 10), " \
           "added from row 3 of week1.csv, but row 2 does not allow publishing it" in out
    assert "row 3: 'Alpha Org': answered 'No' to 'Do you sign?' (row 3), but it signs as " \
           "'Alpha Org' (signatories[1], line 9), added from row 2 of week1.csv: if it " \
           "withdrew, set status: withdrawn" in out
    assert "Beta Org" not in letter.read_text("utf-8")
