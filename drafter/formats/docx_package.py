"""The DOCX package around the letter: its fonts declared and embedded, settings, app.xml.

Fonts (ECMA-376 Part 1, 17.8): every font the package names is declared in word/fontTable.xml;
each style (regular, bold, italic, bold italic) the letter's runs use is embedded as an
obfuscated subset of its installed face (docx_fonts.py), so Word or LibreOffice without Noto
lays the letter out in the fonts of the PDF. Which font draws which character is the PDF's
answer (template/fonts.py's FontChain), as docx_scripts.py named the fonts in the runs.
"""

from __future__ import annotations

import unicodedata

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part, XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml import etree

from . import docx_fonts as fonts
from .docx_scripts import _EAST_ASIAN, _within

COMPATIBILITY_MODE = 15  # Word 2013 and later ("compatibility mode" below it)
CT_OBFUSCATED_FONT = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
CT_FONT_TABLE = "application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_STORIES = {f"{{{_W}}}{t}" for t in ("document", "footnotes", "endnotes", "hdr", "ftr")}
_SLOTS = tuple(qn(f"w:{s}") for s in ("ascii", "hAnsi", "eastAsia", "cs"))
_VARIANTS = {(False, False): "Regular", (True, False): "Bold", (False, True): "Italic",
             (True, True): "BoldItalic"}
_NUMBERS = "0123456789"  # what note marks, fields (pages, NOTEREF) and list labels may show
_LIST_MARKS = _NUMBERS + ".\u2022\u25e6\u25aa"
# CT_Settings children that come before w:embedTrueTypeFonts / w:compat (ECMA-376 schema).
_BEFORE_EMBED = ("w:writeProtection", "w:view", "w:zoom", "w:removePersonalInformation",
                 "w:removeDateAndTime", "w:doNotDisplayPageBoundaries",
                 "w:displayBackgroundShape", "w:printPostScriptOverText",
                 "w:printFractionalCharacterWidth", "w:printFormsData")
_AFTER_COMPAT = ("w:docVars", "w:rsids", "m:mathPr", "w:attachedSchema", "w:themeFontLang",
                 "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats",
                 "w:doNotAutoCompressPictures", "w:forceUpgrade", "w:captions",
                 "w:readModeInkLockDown", "w:smartTagType", "sl:schemaLibrary",
                 "w:shapeDefaults", "w:doNotEmbedSmartTags", "w:decimalSymbol",
                 "w:listSeparator")


def finish(document, flow, scripts, pages: int | None = None) -> list[str]:
    """Fonts, settings and app.xml for a written document; returns the warnings."""
    warnings: list[str] = []
    embedded = embed_fonts(document, scripts.chain, warnings)
    set_settings(document, embedded)
    set_app_properties(document, counts(flow), pages)
    return warnings


# --- fonts ---------------------------------------------------------------------------------------

def embed_fonts(document, chain, warnings: list[str]) -> bool:
    """Declare every font the package names; embed the styles its runs use. True when some
    font was embedded."""
    table = _FontTable(document)
    named = named_fonts(document)
    wanted = _chars_by_font(document, chain, named) if chain is not None else {}
    own = _own_fonts(chain)
    entries = {(e.get(qn("w:name")) or "").lower(): e for e in table.element.findall(qn("w:font"))}
    for entry in entries.values():  # a reference document's subsets are of its own text
        for child in list(entry):
            if child.tag.startswith(f"{{{_W}}}embed"):
                entry.remove(child)
    table.drop_rels()
    count = 0
    for name in sorted(named, key=str.lower):
        styles = wanted.get(name.lower(), {})
        entry = entries.get(name.lower())
        if entry is None:
            entry = table.element.makeelement(qn("w:font"), {qn("w:name"): name})
            table.element.append(entry)
            _declare(entry, _face(name, (False, False), own))
        for style, chars in sorted(styles.items()):
            face = _face(name, style, own)
            if face is None:
                if style == (False, False):
                    warnings.append(_not_embedded(name, "it is not installed", chars))
                continue  # no such style: Word slants or emboldens the regular face
            try:
                data, subsetted = fonts.embeddable(face, "".join(sorted(chars)))
            except fonts.NotEmbedded as why:
                warnings.append(_not_embedded(name, str(why), set().union(*styles.values())))
                break  # the other styles of the font share its licence and format
            count += 1
            key = fonts.font_key(data)
            part = Part(PackURI(f"/word/fonts/font{count}.odttf"), CT_OBFUSCATED_FONT,
                        fonts.obfuscate(data, key), document.part.package)
            rel = OxmlElement(f"w:embed{_VARIANTS[style]}")
            rel.set(qn("r:id"), table.relate_to(part, RT.FONT))
            rel.set(qn("w:fontKey"), key)
            if subsetted:
                rel.set(qn("w:subsetted"), "1")
            entry.append(rel)  # embeds are the last children of w:font, in this order
            for mark in entry.findall(qn("w:notTrueType")):  # what Word gets is TrueType
                entry.remove(mark)
    return count > 0


def _not_embedded(name: str, why: str, chars) -> str:
    shown = "".join(sorted(chars, key=ord)[:8]) + ("…" if len(chars) > 8 else "")
    return (f"the DOCX does not embed the font {name!r} ({why}): Word without it draws "
            f"{len(chars)} character{'s' if len(chars) != 1 else ''} ({shown}) with another "
            "font, and the text may reflow")


def _face(name: str, style: tuple[bool, bool], own: dict) -> fonts.FontFile | None:
    """The file of `name` in `style`: the template's own @font-face file, else installed."""
    if name.lower() in own:
        return fonts.own_face(own[name.lower()], *style)
    return fonts.installed_face(name, *style)


def _own_fonts(chain) -> dict[str, list[str]]:
    """The template's @font-face files by family (lower case), as the font chain found them."""
    own: dict[str, list[str]] = {}
    for face in chain.faces if chain is not None else ():
        if face._charset is None:  # noqa: SLF001 - read with fontTools, not from fontconfig
            own.setdefault(face.family.lower(), []).append(face.file)
    return own


def _declare(entry, face: fonts.FontFile | None) -> None:
    """PANOSE, charset, family kind, pitch and signature of a new font table entry."""
    facts = fonts.declaration(face) if face is not None else None
    if facts is None:
        return
    for tag, value in (("panose1", facts.panose), ("charset", "00"), ("family", facts.family)):
        el = OxmlElement(f"w:{tag}")
        el.set(qn("w:val"), value)
        entry.append(el)
    if not facts.truetype:
        entry.append(OxmlElement("w:notTrueType"))
    pitch = OxmlElement("w:pitch")
    pitch.set(qn("w:val"), facts.pitch)
    entry.append(pitch)
    sig = OxmlElement("w:sig")
    for attr, value in zip(("usb0", "usb1", "usb2", "usb3", "csb0", "csb1"), facts.sig):
        sig.set(qn(f"w:{attr}"), value)
    entry.append(sig)


class _FontTable:
    """word/fontTable.xml as XML (python-docx keeps it as opaque bytes)."""

    def __init__(self, document) -> None:
        doc_part = document.part
        rel = next((r for r in doc_part.rels.values() if r.reltype == RT.FONT_TABLE), None)
        if rel is None:
            part = XmlPart(PackURI("/word/fontTable.xml"), CT_FONT_TABLE,
                           parse_xml(f"<w:fonts {nsdecls('w', 'r')}/>"), doc_part.package)
            doc_part.relate_to(part, RT.FONT_TABLE)
        elif not isinstance(rel.target_part, XmlPart):
            old = rel.target_part
            part = XmlPart(old.partname, old.content_type, parse_xml(old.blob), old.package)
            rel._target = part  # noqa: SLF001 - python-docx has no public way to swap a part
        else:
            part = rel.target_part
        self.part, self.element = part, part.element

    def drop_rels(self) -> None:
        """Forget the reference document's embedded fonts (its own text's subsets)."""
        for r_id in [k for k, rel in self.part.rels.items() if rel.reltype == RT.FONT]:
            self.part.rels.pop(r_id)

    def relate_to(self, part, reltype) -> str:
        return self.part.relate_to(part, reltype)


def _story_elements(document):
    """The body, notes, headers and footers: everything whose runs print."""
    for part in document.part.package.iter_parts():
        if isinstance(part, XmlPart) and part.element.tag in _STORIES:
            yield part.element


def named_fonts(document) -> set[str]:
    """Every typeface the styles and the text name in a font slot (theme fonts are Word's),
    once each: font names are case-insensitive, and the styles' spelling wins."""
    names: dict[str, str] = {}
    for root in (document.styles.element, *_story_elements(document)):
        for rfonts in root.iter(qn("w:rFonts")):
            for slot in _SLOTS:
                if value := rfonts.get(slot):
                    names.setdefault(value.lower(), value)
    return set(names.values())


def _chars_by_font(document, chain, named: set[str]) -> dict[str, dict[tuple, set[str]]]:
    """{font (lower case): {(bold, italic): characters}} for the fonts the package names: each
    letter goes to the font the PDF draws it with, digits and punctuation to each font of its
    run's style (Word may take them from any slot's font)."""
    wanted: dict[str, dict[tuple, set[str]]] = {}
    neutral: dict[tuple, set[str]] = {}
    lowered = {n.lower() for n in named}
    for style, text in _text_by_style(document).items():
        for char in set(text):
            if char.isspace() or unicodedata.category(char) in ("Cc", "Cf"):
                continue
            if unicodedata.category(char)[0] in "LM" or _within(ord(char), _EAST_ASIAN):
                face = chain.face_for(char)
                if face is not None and face.family.lower() in lowered:
                    wanted.setdefault(face.family.lower(), {}).setdefault(style, set()).add(char)
            else:
                neutral.setdefault(style, set()).add(char)
    for styles in wanted.values():
        for style, chars in styles.items():
            chars |= neutral.get(style, set())
    return wanted


def _text_by_style(document) -> dict[tuple[bool, bool], str]:
    """The printed text of every run, by (bold, italic) as the run's properties and styles
    resolve them (direct formatting, then character style, paragraph style, defaults)."""
    styles = _Styles(document.styles.element)
    out: dict[tuple[bool, bool], list[str]] = {}
    for root in _story_elements(document):
        for p in root.iter(_T["p"]):
            p_style = p.find(_T["pStyle_path"])
            p_id = p_style.get(_T["val"]) if p_style is not None else styles.default
            fielded = p.find(_T["fldChar_any"]) is not None
            if p.find(_T["numPr_path"]) is not None:
                out.setdefault(styles.resolve(None, p_id), []).append(_LIST_MARKS)
            for run in p.iter(_T["r"]):
                texts = [t.text or "" for t in run.iter(_T["t"])]
                if fielded or run.find(_T["footnoteReference"]) is not None \
                        or run.find(_T["footnoteRef"]) is not None:
                    texts.append(_NUMBERS)
                if texts:
                    out.setdefault(styles.resolve(run.find(_T["rPr"]), p_id), []).extend(texts)
    return {style: "".join(texts) for style, texts in out.items()}


_T = {name: qn(f"w:{name}") for name in (
    "p", "r", "t", "rPr", "rStyle", "val", "style", "styleId", "type", "default", "basedOn",
    "rtl", "cs", "b", "i", "bCs", "iCs", "footnoteReference", "footnoteRef")}
_T.update(pStyle_path=f"{qn('w:pPr')}/{qn('w:pStyle')}", numPr_path=f"{qn('w:pPr')}/{qn('w:numPr')}",
          fldChar_any=f".//{qn('w:fldChar')}",
          defaults_path=f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
_FALSE = ("0", "false", "off")


class _Styles:
    """Bold and italic through style inheritance (basedOn), as Word resolves them; complex-
    script runs (w:rtl, w:cs) read w:bCs and w:iCs, as Word does."""

    def __init__(self, root) -> None:
        self.by_id = {s.get(_T["styleId"]): s for s in root.iterfind(_T["style"])}
        self.default = next((i for i, s in self.by_id.items()
                             if s.get(_T["type"]) == "paragraph"
                             and s.get(_T["default"]) in ("1", "true", "on")), None)
        self.defaults = root.find(_T["defaults_path"])
        self._chains: dict[str | None, list] = {}

    def resolve(self, rpr, p_style: str | None) -> tuple[bool, bool]:
        complex_ = rpr is not None and (rpr.find(_T["rtl"]) is not None
                                        or rpr.find(_T["cs"]) is not None)
        names = (_T["bCs"], _T["iCs"]) if complex_ else (_T["b"], _T["i"])
        r_style = rpr.find(_T["rStyle"]) if rpr is not None else None
        chain = [rpr, *self._chain(r_style.get(_T["val"]) if r_style is not None else None),
                 *self._chain(p_style), self.defaults]
        return tuple(next((v for el in chain if (v := _flag(el, n)) is not None), False)
                     for n in names)

    def _chain(self, style_id: str | None) -> list:
        """The rPr of a style and of those it is based on, nearest first."""
        if style_id not in self._chains:
            found, seen, current = [], set(), style_id
            while current and current in self.by_id and current not in seen:
                seen.add(current)
                style = self.by_id[current]
                found.append(style.find(_T["rPr"]))
                based = style.find(_T["basedOn"])
                current = based.get(_T["val"]) if based is not None else None
            self._chains[style_id] = [el for el in found if el is not None]
        return self._chains[style_id]


def _flag(rpr, tag: str) -> bool | None:
    el = rpr.find(tag) if rpr is not None else None
    if el is None:
        return None
    return el.get(_T["val"], "true").lower() not in _FALSE


# --- settings ------------------------------------------------------------------------------------

def set_settings(document, embedded: bool) -> None:
    """Compatibility mode 15 (a current Word document, not "compatibility mode"); with fonts
    embedded, Word keeps embedding subsets when a partner saves the letter."""
    settings = document.settings.element
    if embedded:
        _ensure(settings, "w:embedTrueTypeFonts", _BEFORE_EMBED)
        _ensure(settings, "w:saveSubsetFonts", _BEFORE_EMBED + ("w:embedTrueTypeFonts",
                                                                 "w:embedSystemFonts"))
    compat = settings.find(qn("w:compat"))
    if compat is None:
        compat = OxmlElement("w:compat")
        following = [settings.find(qn(t)) for t in _AFTER_COMPAT]
        first = next((el for el in following if el is not None), None)
        if first is not None:
            first.addprevious(compat)
        else:
            settings.append(compat)
    mode = next((c for c in compat.findall(qn("w:compatSetting"))
                 if c.get(qn("w:name")) == "compatibilityMode"), None)
    if mode is None:
        mode = OxmlElement("w:compatSetting")
        compat.append(mode)
        mode.set(qn("w:name"), "compatibilityMode")
        mode.set(qn("w:uri"), "http://schemas.microsoft.com/office/word")
    if not mode.get(qn("w:val"), "").isdigit() or int(mode.get(qn("w:val"))) < COMPATIBILITY_MODE:
        mode.set(qn("w:val"), str(COMPATIBILITY_MODE))


def _ensure(settings, tag: str, before: tuple[str, ...]) -> None:
    """Add an on/off setting after the last of the children that must precede it."""
    if settings.find(qn(tag)) is not None:
        return
    el = OxmlElement(tag)
    preceding = [c for c in settings if c.tag in {qn(t) for t in before}]
    if preceding:
        preceding[-1].addnext(el)
    else:
        settings.insert(0, el)


# --- app.xml -------------------------------------------------------------------------------------

def counts(flow) -> dict[str, int]:
    """Words, characters and paragraphs of the letter's text (body and footnotes), as Word's
    statistics count them: words are what spaces separate, characters are without spaces."""
    texts = [p.text for p in flow.paragraphs] + [
        "".join(r.text for r in note.runs if r.is_text) for note in flow.footnotes]
    texts = [t for t in texts if t.strip()]
    joined = " ".join(texts)
    words = joined.split()
    return {"Words": len(words), "Characters": sum(map(len, words)),
            "CharactersWithSpaces": sum(len(t.replace("\n", "")) for t in texts),
            "Paragraphs": len(texts)}


def set_app_properties(document, stats: dict[str, int], pages: int | None) -> None:
    """docProps/app.xml from what drafter knows: its name and version, the text's counts, the
    page count only when the PDF was laid out in the same run (else Word counts on opening);
    nothing of python-docx's template ("Microsoft Macintosh Word", 0 words)."""
    from .. import __version__
    ep = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
    root = etree.Element(f"{{{ep}}}Properties", nsmap={
        None: ep, "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"})
    values = {"Application": f"drafter/{__version__}", "DocSecurity": "0",
              **({"Pages": str(pages)} if pages else {}),
              **{k: str(v) for k, v in stats.items()},
              "ScaleCrop": "false", "LinksUpToDate": "false", "SharedDoc": "false",
              "HyperlinksChanged": "false"}
    for name, value in values.items():
        etree.SubElement(root, f"{{{ep}}}{name}").text = value
    blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    package = document.part.package
    rel = next((r for r in package.rels.values() if r.reltype == RT.EXTENDED_PROPERTIES), None)
    if rel is None:
        part = Part(PackURI("/docProps/app.xml"),
                    "application/vnd.openxmlformats-officedocument.extended-properties+xml",
                    blob, package)
        package.relate_to(part, RT.EXTENDED_PROPERTIES)
    else:
        rel.target_part._blob = blob  # noqa: SLF001 - python-docx keeps app.xml as bytes
