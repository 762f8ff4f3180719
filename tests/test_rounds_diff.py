"""`drafter diff OLD NEW`: what changed between two rounds of a letter, one line per YAML path,
structural changes read as such (a demand added, one moved), and the signatories by who they
are. OLD may be a git revision of the same file (`letter.yaml@HEAD~1`), read with git."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
MAIN = REPO / "examples" / "eu-china-summit.yaml"

# The second round of the main example: a sentence reworded, a demand added and one moved,
# a footnote changed, two signatories added and one withdrawn.
EDITS = [
    ("Tibetans face severe restrictions", "Tibetans endure severe restrictions"),
    ("""    - >-
      Suspend the bilateral human rights dialogue""", """    - >-
      Press for unfettered and reciprocal access to Tibet, and across China, for foreign
      diplomats, parliamentarians, UN experts, journalists and non-governmental organisations.
    - >-
      Suspend the bilateral human rights dialogue"""),
    ("""    - >-
      Press for unfettered and reciprocal access to Tibet, and across China, for foreign
      diplomats, parliamentarians, UN experts, journalists and non-governmental organisations.

""", """    - Raise the cases of detained human rights defenders by name, and ask for their release.

"""),
    ("remarks at the Munich Security Conference", "speech at the Munich Security Conference"),
    ("""  - organisation: International Federation for Human Rights (FIDH)
    url: https://www.fidh.org""", """  - organisation: International Federation for Human Rights (FIDH)
    url: https://www.fidh.org
    status: withdrawn"""),
    ("""notes:""", """  - organisation: Coalition for Civic Freedom (illustrative)
  - organisation: Free Expression Network Europe (illustrative)

notes:"""),
]
SUMMARY = [
    "concerns[1].text: 1 word replaced",
    "demands.items[0]: moved from demands.items[2]",
    "demands.items[3]: added",
    "signatories: +2 added, 1 withdrawn",
    "signatories[3]: 'International Federation for Human Rights (FIDH)' confirmed -> withdrawn",
    "signatories[5]: 'Coalition for Civic Freedom (illustrative)' added",
    "signatories[6]: 'Free Expression Network Europe (illustrative)' added",
    "notes.borrell: 1 word replaced",
]


def second_round() -> str:
    text = MAIN.read_text("utf-8")
    for before, after in EDITS:
        assert text.count(before) == 1, before
        text = text.replace(before, after)
    return text


@pytest.fixture
def rounds(tmp_path) -> tuple[Path, Path]:
    old, new = tmp_path / "round-1.yaml", tmp_path / "round-2.yaml"
    shutil.copy(MAIN, old)
    new.write_text(second_round(), "utf-8")
    return old, new


def test_the_summary_names_each_changed_path_and_the_signatories(rounds, cli):
    status, out, err = cli("diff", *rounds)
    assert status == 0, err
    assert out.splitlines() == SUMMARY


def test_the_same_letter_has_no_changes(cli):
    status, out, _ = cli("diff", MAIN, MAIN)
    assert (status, out) == (0, "no changes\n")


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
                        "GIT_AUTHOR_DATE": "2022-03-10T09:00:00+01:00",
                        "GIT_COMMITTER_DATE": "2022-03-10T09:00:00+01:00",
                        "PATH": "/usr/bin:/bin", "HOME": str(folder)})


def test_a_git_revision_of_the_same_file_is_the_earlier_round(tmp_path, cli):
    letter = tmp_path / "letter.yaml"
    git(tmp_path, "init", "-q")
    shutil.copy(MAIN, letter)
    git(tmp_path, "add", "letter.yaml")
    git(tmp_path, "commit", "-qm", "round 1")
    letter.write_text(second_round(), "utf-8")
    git(tmp_path, "commit", "-qam", "round 2")
    letter.write_text(second_round().replace("Tibetans endure", "Tibetans suffer"), "utf-8")
    status, out, err = cli("diff", f"{letter}@HEAD~1", f"{letter}@HEAD")
    assert status == 0, err
    assert out.splitlines() == SUMMARY
    status, out, _ = cli("diff", f"{letter}@HEAD", letter)  # the working copy, uncommitted
    assert out.splitlines() == ["concerns[1].text: 1 word replaced"]


@pytest.mark.parametrize("rev, says", [("HEAD~5", "git cannot read it"),
                                       ("--output=x", "is not a git revision")])
def test_a_revision_that_cannot_be_read_is_an_error_naming_it(tmp_path, cli, rev, says):
    letter = tmp_path / "letter.yaml"
    git(tmp_path, "init", "-q")
    shutil.copy(MAIN, letter)
    git(tmp_path, "add", "letter.yaml")
    git(tmp_path, "commit", "-qm", "round 1")
    status, _, err = cli("diff", f"{letter}@{rev}", letter)
    assert status == 1
    assert err.startswith(f"{letter}@{rev}:1:1: ") and says in err, err
    assert not (tmp_path / "x").exists()


def test_a_round_that_is_not_a_valid_letter_is_reported_at_its_line(rounds, cli):
    old, new = rounds
    new.write_text(new.read_text("utf-8").replace("signatories:", "signatores:"), "utf-8")
    status, _, err = cli("diff", old, new)
    assert status == 1
    assert "signatores: unknown key; did you mean 'signatories'?" in err


# --- the redline ----------------------------------------------------------------------------

def _paragraphs_of(office, docx: Path) -> list[str]:
    return [text for _, text in office.paragraphs(docx)]


def test_the_redline_accepted_is_the_new_round_and_rejected_the_old(rounds, cli, office,
                                                                    tmp_path):
    old, new = rounds
    status, out, err = cli("diff", old, new, "--out", tmp_path / "out")
    assert status == 0, err
    redline = tmp_path / "out" / "round-2.redline.docx"
    assert out.splitlines()[:len(SUMMARY)] == SUMMARY
    assert any(line.startswith(f"{redline}: the redline, ") and "tracked changes" in line
               for line in out.splitlines())
    for letter in (old, new):  # each round as drafter renders it on its own
        assert cli("render", letter, "--format", "docx", "--out", tmp_path)[0] == 0
    accepted = office.after_all_changes(redline, accept=True)
    rejected = office.after_all_changes(redline, accept=False)
    assert accepted == _paragraphs_of(office, tmp_path / "round-2.docx")
    assert rejected == _paragraphs_of(office, tmp_path / "round-1.docx")
    changes = office.tracked_changes(redline)
    assert {author for _, author in changes} == {"drafter"}
    assert {kind for kind, _ in changes} >= {"Insert", "Delete"}


def test_the_redline_marks_words_not_paragraphs_and_dates_them_from_the_letter(rounds, cli,
                                                                               tmp_path):
    import zipfile
    from lxml import etree
    old, new = rounds
    cli("diff", old, new, "--out", tmp_path)
    data = (tmp_path / "round-2.redline.docx").read_bytes()
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(tmp_path / "round-2.redline.docx") as z:
        body = etree.fromstring(z.read("word/document.xml"))
        notes = etree.fromstring(z.read("word/footnotes.xml"))

    def texts(root, kind: str) -> list[str]:
        tag = "delText" if kind == "del" else "t"
        return ["".join(t.text or "" for t in el.iter(f"{w}{tag}"))
                for el in root.iter(f"{w}{kind}") if el.getparent().tag != f"{w}rPr"]

    assert "face" in texts(body, "del") and "endure" in texts(body, "ins")
    assert "International Federation for Human Rights (FIDH)" in texts(body, "del")
    assert "remarks" in texts(notes, "del") and "speech" in texts(notes, "ins")
    dates = {el.get(f"{w}date") for el in body.iter(f"{w}ins", f"{w}del")}
    assert dates == {"2022-03-18T00:00:00Z"}  # the new round's `date:`
    cli("diff", old, new, "--out", tmp_path / "again")
    assert (tmp_path / "again" / "round-2.redline.docx").read_bytes() == data


def _coloured_words(pdf_path: Path) -> dict[str, set[str]]:
    """{"red": words, "blue": words} of the PDF, by the fill colour of their letters (what a
    reader sees struck through or underlined), read with pdfplumber."""
    import pdfplumber
    found: dict[str, set[str]] = {"red": set(), "blue": set()}
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            for word in page.extract_words(extra_attrs=["non_stroking_color"]):
                colour = tuple(round(c, 2) for c in (word["non_stroking_color"] or ()))
                if colour == (0.75, 0.11, 0.16):
                    found["red"].add(word["text"])
                elif colour == (0.1, 0.37, 0.71):
                    found["blue"].add(word["text"])
    return found


def test_the_redline_pdf_strikes_deletions_and_underlines_insertions_in_colour(rounds, cli,
                                                                              tmp_path):
    old, new = rounds
    status, out, err = cli("diff", old, new, "--out", tmp_path)
    assert status == 0, err
    pdf = tmp_path / "round-2.redline.pdf"
    assert f"{pdf}: the redline" in out.splitlines()
    words = _coloured_words(pdf)
    assert {"face", "remarks", "Federation", "(FIDH)"} <= words["red"]
    assert {"endure", "speech", "Raise", "(illustrative)"} <= words["blue"]
    assert not words["red"] & {"Tibetans", "severe", "Josep"}  # what stayed is not marked
    done = subprocess.run(["qpdf", "--check", pdf], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


def test_format_chooses_the_redlines_formats(rounds, cli, tmp_path):
    status, _, err = cli("diff", *rounds, "--out", tmp_path, "--format", "docx")
    assert status == 0, err
    assert sorted(p.name for p in tmp_path.glob("*.redline.*")) == ["round-2.redline.docx"]
    status, _, err = cli("diff", *rounds, "--out", tmp_path, "--format", "odt")
    assert status == 2 and "docx, pdf" in err
