"""Languages and scripts: the letter's `language:` chooses every fixed word and the date; Uyghur,
Chinese and Tibetan names come out of the PDF and the DOCX as written, in the right fonts, and
a right-to-left language lays the whole letter out from the right."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pdfplumber
import pytest
from docx2python import docx2python
from lxml import etree

import drafter.compose.wording as locale_module
from drafter import load_letter
from drafter.pipeline import write_letter
from drafter.letter.validate import letter_from_text

from readback import read_docx, read_pdf

ROOT = Path(__file__).resolve().parent.parent
MULTISCRIPT = ROOT / "examples" / "multiscript-detained-scholars.yaml"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}

# (language, the date 2022-03-18 as a letter in that language writes it, its subject label,
#  its page footer for a one-page letter)
LANGUAGES = [
    ("en", "18 March 2022", "Re:", "Page 1 of 1"),
    ("en-US", "March 18, 2022", "Re:", "Page 1 of 1"),
    ("fr", "18 mars 2022", "Objet :", "Page 1 sur 1"),
    ("de", "18. März 2022", "Betreff:", "Seite 1 von 1"),
    ("es", "18 de marzo de 2022", "Asunto:", "Página 1 de 1"),
    ("it", "18 marzo 2022", "Oggetto:", "Pagina 1 di 1"),
    ("nl", "18 maart 2022", "Betreft:", "Pagina 1 van 1"),
    ("zh", "2022年3月18日", "事由：", "第 1 页，共 1 页"),
    ("ug", "18-مارت، 2022", "تېما:", "1-بەت، جەمئىي 1 بەت"),
]


def _letter(folder: Path, language: str, body: str = "", name: str = "letter") -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(f"language: {language}\ndate: 2022-03-18\nplace: Brussels\n"
                    "subject: Xinjiang\n"
                    "recipients: [{name: Jane Doe}]\nopening: We write to you.\n"
                    f"signatories: [Example Rights Organisation]\n{body}", "utf-8")
    return path


def _docx_text(path: Path) -> str:
    with docx2python(path) as doc:
        return doc.text + "\n" + "\n".join(
            p.text for section in docx_sections(path) for p in section)


def docx_sections(path: Path):
    """The footer paragraphs of the DOCX (python-docx), where the page label is."""
    import docx
    document = docx.Document(str(path))
    return [s.footer.paragraphs for s in document.sections]


@pytest.fixture(scope="module")
def every_language(tmp_path_factory):
    """One small letter per language, rendered to PDF and DOCX."""
    out = tmp_path_factory.mktemp("languages")
    for language, *_ in LANGUAGES:
        folder = out / language
        folder.mkdir()
        write_letter(load_letter(_letter(folder, language)), folder, ("pdf", "docx"))
    return out


@pytest.mark.parametrize("language,date,label,page", LANGUAGES, ids=[x[0] for x in LANGUAGES])
def test_the_date_and_fixed_words_are_in_the_letters_language(every_language, language, date,
                                                              label, page):
    folder = every_language / language
    docx = _docx_text(folder / "letter.docx")
    assert date in docx and f"{label} Xinjiang" in docx
    assert "Page {page}" not in docx
    pdf = " ".join(read_pdf(folder / "letter.pdf").words)
    with pdfplumber.open(folder / "letter.pdf") as document:
        footer = document.pages[0].extract_text()
    if language == "ug":
        # Right-to-left lines come back from the PDF with their punctuation on the wrong side
        # (readback reorders only right-to-left stretches), so the words are checked alone.
        for word in ("مارت", "تېما", "جەمئىي", "بەت"):
            assert word in pdf, word
    else:
        assert date in pdf and f"{label} Xinjiang" in pdf
        assert page in footer


def test_english_is_british_unless_american_is_asked_for(every_language):
    british = _docx_text(every_language / "en" / "letter.docx")
    american = _docx_text(every_language / "en-US" / "letter.docx")
    assert "18 March 2022" in british and "Yours sincerely," in british
    assert "March 18, 2022" in american and "Sincerely," in american
    assert "Yours sincerely" not in american


def test_a_word_missing_from_a_language_file_falls_back_to_english_with_a_warning(
        tmp_path, monkeypatch):
    folder = tmp_path / "locales"
    folder.mkdir()
    english = (ROOT / "drafter" / "compose" / "locales" / "en.yaml").read_text("utf-8")
    (folder / "en.yaml").write_text(english, "utf-8")
    french = (ROOT / "drafter" / "compose" / "locales" / "fr.yaml").read_text("utf-8")
    (folder / "xx.yaml").write_text("\n".join(line for line in french.splitlines()
                                              if not line.startswith("closing:")), "utf-8")
    monkeypatch.setattr(locale_module, "_FOLDER", folder)
    locale_module.source.cache_clear()
    locale_module.locale_for.cache_clear()
    try:
        path = _letter(tmp_path, "xx")
        letter = letter_from_text(path.read_text("utf-8"), str(path), tmp_path)
        warnings = [str(w) for w in letter.warnings]
        assert any(w.startswith(f"{path}:1:11: language: warning: language 'xx': no 'closing' "
                                "in drafter/locales/xx.yaml; using the English 'Yours sincerely,'")
                   for w in warnings), warnings
        write_letter(letter, tmp_path, ("txt",))
        text = (tmp_path / "letter.txt").read_text("utf-8")
        assert "Objet : Xinjiang" in text and "Yours sincerely," in text
    finally:
        locale_module.source.cache_clear()
        locale_module.locale_for.cache_clear()


def test_a_language_without_a_word_list_warns_and_still_writes_its_date(tmp_path, drafter_cli):
    path = _letter(tmp_path, "sw")
    result = drafter_cli("validate", path)
    assert result.returncode == 0
    assert "language: warning: language 'sw': drafter has no word list" in result.stderr
    write_letter(load_letter(path), tmp_path, ("txt",))
    assert "18 Machi 2022" in (tmp_path / "letter.txt").read_text("utf-8")


# -- scripts -------------------------------------------------------------------------------------

# Names as the multiscript example writes them: recipients, text and signatories.
NAMES = {
    "recipients": ["习近平", "ئەركىن", "تۇنىياز", "艾尔肯·吐尼亚孜", "严金海",
                   "བོད་རང་སྐྱོང་ལྗོངས་མི་དམངས་སྲིད་གཞུང་", "西藏自治区人民政府"],
    "text": ["(ئىلھام", "توختى,", "伊力哈木·土赫提),", "(راھىلە", "(བཀྲ་ཤིས་དབང་ཕྱུག)",
             "(དགེ་འདུན་ཆོས་ཀྱི་ཉི་མ),", "(许志永)", "(丁家喜)"],
    "signatories": ["(ئۇيغۇر", "گۇرۇپپىسى)", "گۈلنار", "ئابدۇرېھىم,", "བསྟན་འཛིན་སྒྲོལ་མ,",
                    "李伟,"],
}


@pytest.fixture(scope="module")
def multiscript(tmp_path_factory):
    out = tmp_path_factory.mktemp("multiscript")
    write_letter(load_letter(MULTISCRIPT), out, ("pdf", "docx"))
    return out / MULTISCRIPT.stem


@pytest.mark.parametrize("part", NAMES)
def test_uyghur_chinese_and_tibetan_names_read_back_from_pdf_and_docx(multiscript, part):
    pdf = read_pdf(multiscript.with_suffix(".pdf")).words
    docx = read_docx(multiscript.with_suffix(".docx")).words
    for name in NAMES[part]:
        assert name in pdf, (name, "PDF")
        assert name in docx, (name, "DOCX")


def test_each_script_is_drawn_from_the_templates_font_chain(multiscript):
    from pypdf import PdfReader
    fonts = set()
    for page in PdfReader(multiscript.with_suffix(".pdf")).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    for family in ("Noto-Serif", "Noto-Naskh-Arabic", "Noto-Serif-CJK-SC", "Noto-Serif-Tibetan"):
        assert any(f.startswith(family) for f in fonts), (family, fonts)


def _document_xml(path: Path):
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read("word/document.xml"))


def _runs_with(root, text: str):
    return [r for r in root.iterfind(".//w:r", NS) if text in "".join(r.itertext())]


def test_docx_runs_carry_script_fonts_and_right_to_left_marks(multiscript):
    root = _document_xml(multiscript.with_suffix(".docx"))
    uyghur = _runs_with(root, "ئىلھام")[0]
    assert uyghur.find("w:rPr/w:rtl", NS) is not None
    assert uyghur.find("w:rPr/w:cs", NS) is not None
    assert uyghur.find("w:rPr/w:rFonts", NS).get(f"{{{W}}}cs") == "Noto Naskh Arabic"
    chinese = _runs_with(root, "伊力哈木")[0]
    fonts = chinese.find("w:rPr/w:rFonts", NS)
    assert fonts.get(f"{{{W}}}eastAsia") == "Noto Serif CJK SC"
    assert fonts.get(f"{{{W}}}hint") == "eastAsia"
    assert chinese.find("w:rPr/w:rtl", NS) is None
    tibetan = _runs_with(root, "བཀྲ་ཤིས")[0]
    assert tibetan.find("w:rPr/w:rFonts", NS).get(f"{{{W}}}cs") == "Noto Serif Tibetan"
    assert tibetan.find("w:rPr/w:cs", NS) is not None and tibetan.find("w:rPr/w:rtl", NS) is None
    # An English paragraph with a Uyghur name in it stays a left-to-right paragraph.
    paragraph = next(p for p in root.iterfind(".//w:p", NS) if "Ilham Tohti" in "".join(
        p.itertext()))
    assert paragraph.find("w:pPr/w:bidi", NS) is None
    english = _runs_with(root, "an economist")[0]
    assert english.find("w:rPr/w:rtl", NS) is None and english.find("w:rPr/w:rFonts", NS) is None


UYGHUR = """\
language: ug
date: 2025-05-17
place: ميۇنخېن
recipients:
  - name: ئەركىن تۇنىياز
opening: |
  بىز ئىلھام توختىنىڭ دەرھال قويۇپ بېرىلىشىنى تەلەپ قىلىمىز.
demands:
  - ئىلھام توختىنى قويۇپ بېرىش.
signatories:
  - organisation: دۇنيا ئۇيغۇر قۇرۇلتىيى
"""


def test_a_right_to_left_language_lays_the_whole_letter_out_from_the_right(tmp_path):
    path = tmp_path / "ug.yaml"
    path.write_text(UYGHUR, "utf-8")
    write_letter(load_letter(path), tmp_path, ("pdf", "docx"))
    with pdfplumber.open(tmp_path / "ug.pdf") as pdf:
        page = pdf.pages[0]
        right_margin = page.width - 24 * 72 / 25.4
        lines: dict[int, list] = {}
        for ch in page.chars:
            if not ch["text"].isspace():
                lines.setdefault(round(ch["matrix"][5]), []).append(ch)
        ends = [(min(c["x0"] for c in line), max(c["x1"] for c in line))
                for _, line in sorted(lines.items(), reverse=True)]
    dateline, body = ends[0], ends[1:-1]  # the last line is the page footer
    left_margin = 24 * 72 / 25.4
    assert dateline[0] == pytest.approx(left_margin, abs=2)  # the date sits at the end: left
    # Every other line starts at the right margin (a list number hangs just inside it) and
    # none reaches the left margin.
    assert all(right == pytest.approx(right_margin, abs=8) for _, right in body), body
    assert all(left > left_margin + 50 for left, _ in body), body
    root = _document_xml(tmp_path / "ug.docx")
    paragraphs = [p for p in root.iterfind("w:body/w:p", NS) if "".join(p.itertext()).strip()]
    assert paragraphs and all(p.find("w:pPr/w:bidi", NS) is not None for p in paragraphs)
    assert root.find("w:body/w:sectPr/w:bidi", NS) is not None
    assert all(r.find("w:rPr/w:rtl", NS) is not None for r in _runs_with(root, "ئىلھام"))


def test_japanese_letters_take_japanese_forms_of_han_characters(tmp_path):
    path = _letter(tmp_path, "ja", "conclusion: 東京で会いましょう。\n")
    write_letter(load_letter(path), tmp_path, ("docx",))
    runs = _runs_with(_document_xml(tmp_path / "letter.docx"), "東京")
    assert runs[0].find("w:rPr/w:rFonts", NS).get(f"{{{W}}}eastAsia") == "Noto Serif CJK JP"
    styles = zipfile.ZipFile(tmp_path / "letter.docx").read("word/styles.xml").decode()
    assert 'w:eastAsia="Noto Serif CJK JP"' in styles


def test_hebrew_cyrillic_greek_japanese_and_korean_read_back_from_both_formats(tmp_path):
    path = tmp_path / "scripts.yaml"
    path.write_text("""\
recipients: [{name: Jane Doe}]
opening: |
  Hebrew: זכויות אדם לכולם. Russian: Права человека для всех. Greek: Ανθρώπινα δικαιώματα.

  Japanese: すべての人に人権を。 Korean: 모든 사람을 위한 인권.
signatories: [Example Rights Organisation]
""", "utf-8")
    write_letter(load_letter(path), tmp_path, ("pdf", "docx"))
    pdf, docx = read_pdf(tmp_path / "scripts.pdf"), read_docx(tmp_path / "scripts.docx")
    assert pdf.words == docx.words
    for word in ("זכויות", "אדם", "לכולם.", "человека", "δικαιώματα.", "すべての人に人権を。",
                 "모든", "인권."):
        assert word in pdf.words, word
    root = _document_xml(tmp_path / "scripts.docx")
    hebrew = _runs_with(root, "זכויות")[0]
    assert hebrew.find("w:rPr/w:rtl", NS) is not None
    assert hebrew.find("w:rPr/w:rFonts", NS).get(f"{{{W}}}cs") == "Noto Serif Hebrew"
    korean = _runs_with(root, "모든")[0]
    assert korean.find("w:rPr/w:rFonts", NS).get(f"{{{W}}}hint") == "eastAsia"
    assert _runs_with(root, "человека")[0].find("w:rPr/w:rFonts", NS) is None  # the body font
