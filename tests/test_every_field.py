"""Every field a letter gives reaches every format, or a warning at its line says why not:
cc parties in full, signatories' web addresses as links, organisation signers in the annex,
logos a layout leaves out, group names, greetings, and columns a recipients CSV may drop."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pdfplumber
import pytest
from lxml import etree, html as lxml_html

from drafter import load_letter
from drafter.pipeline import write_letter
from pictures import write_png
from readback import read_docx, read_pdf

ROOT = Path(__file__).resolve().parent.parent
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
ALL = ("pdf", "docx", "html", "txt")


def render(tmp_path: Path, text: str, formats=ALL, name: str = "letter") -> dict[str, str]:
    """Write and render a letter; the text of each format as a reader sees it, spaces joined."""
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, "utf-8")
    write_letter(load_letter(path), tmp_path, formats)
    out = {}
    for fmt in formats:
        file = tmp_path / f"{name}.{fmt}"
        if fmt == "pdf":
            words = read_pdf(file).words
        elif fmt == "docx":
            words = read_docx(file).words
        elif fmt == "html":
            body = lxml_html.document_fromstring(file.read_bytes()).find("body")
            for br in body.iter("br"):  # a browser shows a line break: words do not run on
                br.tail = "\n" + (br.tail or "")
            words = body.text_content().split()
        else:
            words = file.read_text("utf-8").split()
        out[fmt] = " ".join(words)
    return out


def warnings(drafter_cli, path: Path) -> list[str]:
    """The warnings `drafter validate` prints for a letter (it must succeed)."""
    result = drafter_cli("validate", path)
    assert result.returncode == 0, result.stderr
    return [line for line in result.stderr.splitlines() if ": warning: " in line]


def line_of(text: str, needle: str) -> int:
    """The line (from 1) of the first line of `text` containing `needle`."""
    return where(text, needle)[0]


def where(text: str, needle: str) -> tuple[int, int]:
    """Line and column (from 1) of the first `needle` in `text`."""
    return next((n, line.index(needle) + 1) for n, line in enumerate(text.splitlines(), start=1)
                if needle in line)




# 1. cc parties -------------------------------------------------------------------------------

CC_LETTER = """\
recipients: [{name: Jane Doe}]
cc:
  - name: Rosa Roe
    title: Director
    organisation: Example Foundation
    address: [Rue Haute 12, 1000 Brussels, Belgium]
    salutation: Dear Rosa,
  - title: Members of the European Parliament
opening: We write.
signatories: [Alpha Org]
"""


def test_a_cc_party_prints_every_line_in_every_format(tmp_path):
    texts = render(tmp_path, CC_LETTER)
    expected = ("CC: Rosa Roe, Director, Example Foundation Rue Haute 12, 1000 Brussels, "
                "Belgium Members of the European Parliament")
    for fmt, text in texts.items():
        assert expected in text, (fmt, text)
        assert "Dear Rosa" not in text  # the letter greets its recipients only


def test_a_cc_salutation_is_warned_about_at_its_line(tmp_path, drafter_cli):
    path = tmp_path / "letter.yaml"
    path.write_text(CC_LETTER, "utf-8")
    line = line_of(CC_LETTER, "salutation: Dear Rosa")
    assert any(re.match(rf"{re.escape(str(path))}:{line}:\d+: cc\[0\]\.salutation: warning: "
                        r"cc greeting is not printed: the letter greets its recipients only", w)
               for w in warnings(drafter_cli, path))


# 2. signatories' web addresses ---------------------------------------------------------------

URL = "https://amnesty.example/uk"
HIDDEN_URL = "https://hidden.example/"
LAYOUTS = {"blocks": "", "list": "signatory_layout: {blocks_up_to: 0}\n",
           "annex": "signatory_layout: {blocks_up_to: 0, annex_over: 1}\n"}


def url_letter(layout: str) -> str:
    return (f"recipients: [{{name: Jane Doe}}]\nopening: We write.\n{LAYOUTS[layout]}"
            "signatories:\n"
            f"  - {{organisation: Amnesty Example, url: '{URL}'}}\n"
            "  - {organisation: Plain Org}\n"
            f"  - {{organisation: Hidden Org, url: '{HIDDEN_URL}', anonymous: true}}\n")


def _pdf_links(path: Path) -> list[tuple[str, str]]:
    """(URI, the words under its rectangle) of every link on every page."""
    found = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            for link in page.hyperlinks:
                inside = [w["text"] for w in page.extract_words()
                          if w["x0"] >= link["x0"] - 1 and w["x1"] <= link["x1"] + 1
                          and w["top"] >= link["top"] - 1 and w["bottom"] <= link["bottom"] + 1]
                found.append((link["uri"], " ".join(inside)))
    return found


def _docx_links(path: Path) -> list[tuple[str, str]]:
    """(relationship target, text) of every w:hyperlink of the document body."""
    with zipfile.ZipFile(path) as z:
        body = etree.fromstring(z.read("word/document.xml"))
        rels = etree.fromstring(z.read("word/_rels/document.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    return [(targets[h.get(f"{R}id")], "".join(t.text or "" for t in h.iter(f"{W}t")))
            for h in body.iter(f"{W}hyperlink")]


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_a_signatory_url_links_its_name_where_the_format_has_links(tmp_path, layout):
    texts = render(tmp_path, url_letter(layout))
    assert (URL, "Amnesty Example") in _pdf_links(tmp_path / "letter.pdf")
    assert (URL, "Amnesty Example") in _docx_links(tmp_path / "letter.docx")
    page = lxml_html.document_fromstring((tmp_path / "letter.html").read_bytes())
    assert [(a.get("href"), a.text_content()) for a in page.iter("a")
            if a.text_content() == "Amnesty Example"] == [(URL, "Amnesty Example")]
    assert f"Amnesty Example ({URL})" in texts["txt"]
    assert "Plain Org (" not in texts["txt"]
    # An anonymous signatory's address is one of its details: never printed, nor linked.
    hidden = HIDDEN_URL.rstrip("/")
    assert all(hidden not in text for text in texts.values())
    for fmt in ("html", "txt"):
        assert hidden not in (tmp_path / f"letter.{fmt}").read_text("utf-8")
    with zipfile.ZipFile(tmp_path / "letter.docx") as z:
        assert all(hidden.encode() not in z.read(n) for n in z.namelist())
    assert all(hidden not in uri for uri, _ in _pdf_links(tmp_path / "letter.pdf"))
    # The name prints as a name, as in the PDF: not in Word's blue "Hyperlink" style.
    with zipfile.ZipFile(tmp_path / "letter.docx") as z:
        body = etree.fromstring(z.read("word/document.xml"))
    named = [h for h in body.iter(f"{W}hyperlink")
             if "".join(t.text or "" for t in h.iter(f"{W}t")) == "Amnesty Example"]
    assert named and not [s for h in named for s in h.iter(f"{W}rStyle")]


# 3. the annex keeps organisation signers -----------------------------------------------------

def test_the_annex_prints_an_organisation_signers_name_and_role(tmp_path):
    lines = ["recipients: [{name: Jane Doe}]", "opening: We write.", "signatories:",
             "  - {organisation: Amnesty Example, name: Agnes Callamard, "
             "role: Secretary General, country: France}",
             "  - {name: Ada Person, role: Professor, affiliation: University of Testing}"]
    lines += [f"  - {{organisation: Member Org {i}, country: Kenya}}" for i in range(60)]
    texts = render(tmp_path, "\n".join(lines) + "\n")
    for fmt, text in texts.items():
        assert "Signed by 61 organisations and 1 individual" in text, fmt
        assert "Amnesty Example Agnes Callamard, Secretary General" in text, (fmt, text)
        assert "Ada Person, Professor, University of Testing" in text, fmt


# 4. logos a layout does not print ------------------------------------------------------------

def logo_letter(layout: str, strip: str = "none", lead: bool = False) -> str:
    options = {"blocks": "{logo_strip: %s}", "list": "{blocks_up_to: 0, logo_strip: %s}",
               "annex": "{blocks_up_to: 0, annex_over: 1, logo_strip: %s}"}[layout] % strip
    return ("recipients: [{name: Jane Doe}]\nopening: We write.\n"
            f"signatory_layout: {options}\nsignatories:\n"
            f"  - organisation: Logo Org\n    logo: logo.png\n    lead: {str(lead).lower()}\n"
            "  - Plain Org\n")


@pytest.mark.parametrize("layout,strip,lead,printed", [
    ("blocks", "none", False, True), ("list", "none", False, False),
    ("list", "top", False, True), ("annex", "none", False, False),
    ("annex", "none", True, True), ("annex", "end", False, True)])
def test_a_logo_prints_or_is_warned_about_at_its_line(tmp_path, drafter_cli, layout, strip,
                                                     lead, printed):
    write_png(tmp_path / "logo.png")
    text = logo_letter(layout, strip, lead)
    render(tmp_path, text, ("pdf", "docx"))
    with pdfplumber.open(tmp_path / "letter.pdf") as pdf:
        images = sum(len(page.images) for page in pdf.pages)
    with zipfile.ZipFile(tmp_path / "letter.docx") as z:
        pictures = z.read("word/document.xml").decode("utf-8").count("<pic:pic")
    assert (images, pictures) == ((1, 1) if printed else (0, 0))
    path = tmp_path / "letter.yaml"
    found = [w for w in warnings(drafter_cli, path) if "logo is not printed" in w]
    if printed:
        assert found == []
    else:
        line = line_of(text, "logo: logo.png")
        assert len(found) == 1 and found[0].startswith(
            f"{path}:{line}:11: signatories[0].logo: warning: logo is not printed"), found
        assert "logo_strip: top" in found[0]


# 5. group names ------------------------------------------------------------------------------

GROUPS = """\
recipients: [{name: Jane Doe}]
opening: We write.
signatories:
  - {organisation: Alpha Org, group: Coordinators}
  - {organisation: Loose Org}
  - {organisation: Beta Org, group: Coordinators}
  - {organisation: Gamma Org, group: Cordinators}
  - {organisation: Delta Org, group: Supporters}
"""


def test_an_ungrouped_signatory_prints_under_no_group_heading(tmp_path):
    for fmt, text in render(tmp_path, GROUPS).items():
        order = [text.index(w) for w in ("Yours sincerely", "Loose Org", "Coordinators",
                                          "Alpha Org", "Beta Org", "Supporters", "Delta Org")]
        assert order == sorted(order), (fmt, text)


def test_group_slips_and_ungrouped_signatories_are_warned_about_at_their_lines(tmp_path,
                                                                               drafter_cli):
    path = tmp_path / "letter.yaml"
    path.write_text(GROUPS, "utf-8")
    found = warnings(drafter_cli, path)
    (typo, column), loose = where(GROUPS, "Cordinators"), line_of(GROUPS, "Loose Org")
    assert [w for w in found if "Cordinators" in w] == [
        f"{path}:{typo}:{column}: signatories[3].group: warning: group 'Cordinators' is one letter "
        "away from 'Coordinators' (2 signatories): as written it prints as a group of its own; "
        "did you mean 'Coordinators'?"]
    assert [w for w in found if "Loose Org" in w] == [
        f"{path}:{loose}:5: signatories[1]: warning: 'Loose Org' has no group while other "
        "organisations have one: it prints before the first group, under no group heading; "
        "give it group: to print it under one"]
    assert len(found) == 2  # "Supporters" is no slip, and the grouped ones are fine


def test_a_group_name_differing_only_in_case_is_warned_about(tmp_path, drafter_cli):
    text = GROUPS.replace("Cordinators", "coordinators").replace("  - {organisation: Loose "
                                                                 "Org}\n", "")
    path = tmp_path / "letter.yaml"
    path.write_text(text, "utf-8")
    found = warnings(drafter_cli, path)
    assert len(found) == 1 and "group 'coordinators' differs only in case from " \
        "'Coordinators'" in found[0]


def test_groups_of_a_series_are_no_slip(tmp_path, drafter_cli):
    text = ("recipients: [{name: Jane Doe}]\nsignatories:\n"
            + "".join(f"  - {{organisation: Org {g}, group: {g}}}\n"
                      for g in ("Region 1", "Region 2", "Region 12", "Tier A", "Tier B")))
    path = tmp_path / "letter.yaml"
    path.write_text(text, "utf-8")
    assert warnings(drafter_cli, path) == []


# 6. greetings --------------------------------------------------------------------------------

def greeting_letter(title: str, language: str = "en", extra: str = "") -> str:
    return (f"language: {language}\nrecipients:\n  - title: {title}\n{extra}"
            "opening: We write.\nsignatories: [Alpha Org]\n")


@pytest.mark.parametrize("title,greeting", [
    ("Office of the Public Defender", "Dear Sir or Madam,"),
    ("Ministry of Justice", "Dear Sir or Madam,"),
    ("Members of the Subcommittee on Human Rights",
     "Dear Members of the Subcommittee on Human Rights,"),
    ("Foreign Ministers of EU Member States", "Dear Foreign Ministers of EU Member States,"),
    ("Secretary-General of the United Nations", "Dear Secretary-General of the United Nations,")])
def test_a_party_without_a_name_is_greeted_by_its_title_only_if_people_hold_it(
        tmp_path, drafter_cli, title, greeting):
    texts = render(tmp_path, greeting_letter(title), ("pdf", "docx", "txt"))
    for fmt, text in texts.items():
        assert f"{title} {greeting} We write." in text, (fmt, text)
    assert warnings(drafter_cli, tmp_path / "letter.yaml") == []


def test_a_greeting_by_title_drafter_cannot_judge_is_warned_about(tmp_path, drafter_cli):
    text = greeting_letter("Ufficio del Difensore civico", "it")
    texts = render(tmp_path, text, ("pdf", "txt"))
    assert all("Gentile Ufficio del Difensore civico," in t for t in texts.values())
    path = tmp_path / "letter.yaml"
    assert [w for w in warnings(drafter_cli, path) if "recipients[0]" in w] == [
        f"{path}:3:12: recipients[0].title: warning: greeted by its title as 'Gentile Ufficio "
        "del Difensore civico,': drafter cannot tell in this language whether the title is a "
        "form of address; write salutation: to confirm or change the greeting"]


def test_a_recipient_greeting_under_the_letters_own_is_warned_about(tmp_path, drafter_cli):
    text = greeting_letter("Minister", extra="    salutation: Dear Minister,\n"
                           "salutation: Dear Ministers,\n")
    texts = render(tmp_path, text, ("pdf", "txt"))
    assert all("Dear Ministers," in t and "Dear Minister," not in t for t in texts.values())
    path = tmp_path / "letter.yaml"
    found = warnings(drafter_cli, path)
    assert len(found) == 1 and found[0].startswith(
        f"{path}:4:17: recipients[0].salutation: warning: not printed in this letter: its "
        "salutation: (line 5) greets every recipient"), found


def test_the_examples_have_no_warnings(drafter_cli):
    examples = sorted((ROOT / "examples").glob("*.yaml"))
    result = drafter_cli("validate", *examples)
    assert result.returncode == 0 and "warning" not in result.stderr, result.stderr


# 7. recipients CSV columns -------------------------------------------------------------------

def test_a_recipients_csv_may_ignore_a_column_and_name_another(tmp_path, drafter_cli):
    letter = tmp_path / "letter.yaml"
    letter.write_text("recipients: [{name: Placeholder}]\nopening: We write.\n"
                      "signatories: [Alpha Org]\n", "utf-8")
    csv_file = tmp_path / "list.csv"
    csv_file.write_text("Full name,title,Internal notes\n"
                        "Jane Doe,Minister of Justice,call her first\n", "utf-8")
    args = ("render", letter, "--recipients", csv_file, "-f", "txt", "-o", tmp_path / "out")
    refused = drafter_cli(*args)
    assert refused.returncode == 1
    assert f"{csv_file}:1:3: Internal notes: unknown column" in refused.stderr
    assert '--map "Internal notes=ignore"' in refused.stderr
    done = drafter_cli(*args, "--map", "internal notes=ignore", "--map", "Full name=name")
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "out" / "letter-01-jane-doe.txt").read_text("utf-8")
    assert "Jane Doe\nMinister of Justice" in text and "Dear Jane Doe," in text
    assert "call her first" not in text
    absent = drafter_cli(*args, "--map", "Notes=ignore")
    assert absent.returncode == 2 and "no column 'notes'" in absent.stderr


# 8. the main example's cc --------------------------------------------------------------------

def test_the_main_examples_cc_names_one_person_and_two_groups(tmp_path):
    main = ROOT / "examples" / "eu-china-summit.yaml"
    write_letter(load_letter(main), tmp_path, ("pdf", "docx"))
    cc = ("CC: Josep Borrell, High Representative of the Union for Foreign Affairs and Security "
          "Policy / Vice-President of the European Commission Foreign Ministers of EU Member "
          "States Members of the European Parliament Re:")
    for reading in (read_pdf(tmp_path / "eu-china-summit.pdf"),
                    read_docx(tmp_path / "eu-china-summit.docx")):
        assert cc in " ".join(reading.words)
