"""Font files for a DOCX to embed: the installed face of each style, its licence, a subset.

Word embeds TrueType outlines only (ECMA-376 Part 1, 17.8.1), obfuscated by XOR with a GUID
key (17.8.3.3 and 17.8.1's ODTTF algorithm). A font is embedded when its OS/2 `fsType`
allows it, subset to the characters the letter prints. Subsetting uses HarfBuzz's subsetter
(the C library WeasyPrint subsets the PDF's fonts with) when it loads, else fontTools, which
takes about 0.1 s a face where HarfBuzz takes milliseconds. A CFF font (Noto CJK) has its
subset's cubic outlines converted to TrueType quadratics (fontTools' cu2qu), as Word needs.
"""

from __future__ import annotations

import ctypes
import hashlib
import io
import struct
import uuid
from dataclasses import dataclass
from functools import lru_cache

from ..template.fonts import FontconfigMissing, _fc

# OS/2 fsType (OpenType spec): licence bits 0-3, then "no subsetting" and "bitmap only".
_RESTRICTED, _PREVIEW, _EDITABLE = 0x0002, 0x0004, 0x0008
_NO_SUBSETTING, _BITMAP_ONLY = 0x0100, 0x0200
_FC_WEIGHT_BOLD, _FC_SLANT_ITALIC = 200, 100  # fontconfig's FC_WEIGHT_BOLD, FC_SLANT_ITALIC
# hb_subset_flags_t: no hinting (Word does not need it), and a .notdef that draws a box, so a
# character the subset lacks shows as missing instead of vanishing.
_HB_FLAGS = 0x1 | 0x40  # HB_SUBSET_FLAGS_NO_HINTING | HB_SUBSET_FLAGS_NOTDEF_OUTLINE
FULL_FONT_LIMIT = 4_000_000  # bytes: a font that forbids subsetting is embedded whole up to this
# Alphabets whose characters a subset takes by whole 128-code-point rows: Latin, Greek,
# Cyrillic (below U+0590), Latin and Greek extended, punctuation and symbols. Letters in one
# language then embed the same subset, so a partner typing "é" in Word still has the font, and
# LibreOffice, which keeps the first embedded font of a name for its whole session, draws a
# second letter's text with it too. Other scripts (their shaping pulls in hundreds of glyphs
# per row: Tibetan's would be 560 KB) are subset to their characters.
_WHOLE_ROWS = ((0x0000, 0x058F), (0x1E00, 0x23FF))
# A face that draws Latin text always gets ASCII, Latin-1 and General Punctuation (’ “ ” – …).
_LATIN_BASE = (0x0000, 0x0080, 0x2000)


class NotEmbedded(Exception):
    """Why a face cannot be embedded (its licence, its format); the message says it."""


@dataclass(frozen=True)
class FontFile:
    """One installed face: its file, its index in a collection, and its style."""

    path: str
    index: int
    bold: bool
    italic: bool


# --- finding faces (fontconfig, the library Pango and WeasyPrint ask) ---------------------------

@lru_cache(maxsize=1)
def _fc_calls():
    """fontconfig calls this module needs beyond fonts.py's (own prototypes, same library)."""
    lib = _fc()
    vp, cp, ci = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
    calls = {}
    for name, res, args in (
        ("FcPatternCreate", vp, []), ("FcPatternDestroy", None, [vp]),
        ("FcPatternAddString", ci, [vp, cp, cp]), ("FcPatternAddInteger", ci, [vp, cp, ci]),
        ("FcConfigSubstitute", ci, [vp, vp, ci]), ("FcDefaultSubstitute", None, [vp]),
        ("FcFontMatch", vp, [vp, vp, ctypes.POINTER(ci)]),
        ("FcPatternGetString", ci, [vp, cp, ci, ctypes.POINTER(cp)]),
        ("FcPatternGetInteger", ci, [vp, cp, ci, ctypes.POINTER(ci)]),
    ):
        fn = lib[name]  # a fresh function object: fonts.py's prototypes stay as they are
        fn.restype, fn.argtypes = res, args
        calls[name] = fn
    return calls


@lru_cache(maxsize=256)
def installed_face(family: str, bold: bool, italic: bool) -> FontFile | None:
    """The installed face of `family` in that style, or None when fontconfig would give another
    family or style (Word then makes bold or italic up itself, as LibreOffice does)."""
    try:
        fc = _fc_calls()
    except FontconfigMissing:
        return None
    pattern = fc["FcPatternCreate"]()
    fc["FcPatternAddString"](pattern, b"family", family.encode("utf-8"))
    fc["FcPatternAddInteger"](pattern, b"weight", _FC_WEIGHT_BOLD if bold else 80)
    fc["FcPatternAddInteger"](pattern, b"slant", _FC_SLANT_ITALIC if italic else 0)
    fc["FcConfigSubstitute"](None, pattern, 0)
    fc["FcDefaultSubstitute"](pattern)
    result = ctypes.c_int()
    match = fc["FcFontMatch"](None, pattern, ctypes.byref(result))
    fc["FcPatternDestroy"](pattern)
    if not match:
        return None
    try:
        families, i, value = [], 0, ctypes.c_char_p()
        while fc["FcPatternGetString"](match, b"family", i, ctypes.byref(value)) == 0:
            families.append((value.value or b"").decode("utf-8", "replace").lower())
            i += 1
        index = ctypes.c_int()
        fc["FcPatternGetInteger"](match, b"index", 0, ctypes.byref(index))
        if fc["FcPatternGetString"](match, b"file", 0, ctypes.byref(value)) != 0:
            return None
        path = (value.value or b"").decode("utf-8", "replace")
    finally:
        fc["FcPatternDestroy"](match)
    # The file's own style, not the match's: fontconfig marks a roman face it will slant or
    # embolden itself (90-synthetic.conf) as oblique or bold.
    found = _styled(path, index.value)
    if family.lower() not in families or found is None or (found.bold, found.italic) != (bold, italic):
        return None
    return found


def _styled(path: str, index: int) -> FontFile | None:
    """The face with its style as its OS/2 table gives it (weight 600 and up is bold)."""
    facts = os2_facts(path, index)
    if facts is None:
        return None
    return FontFile(path, index, facts.weight >= 600 or bool(facts.selection & 0x20),
                    bool(facts.selection & 0x201))


@dataclass(frozen=True)
class OS2:
    """The OS/2 fields Word's font table and the licence check need, and the outline kind."""

    fs_type: int
    weight: int
    selection: int
    family_class: int
    panose: bytes
    ranges: tuple[int, ...]  # ulUnicodeRange1-4, ulCodePageRange1-2
    truetype: bool


@lru_cache(maxsize=256)
def os2_facts(path: str, index: int) -> OS2 | None:
    """The face's OS/2 table read from the file's table directory (a few hundred bytes; fontTools
    would cost 30-50 ms of imports in a DOCX-only render)."""
    try:
        with open(path, "rb") as f:
            return read_os2(lambda offset, size: (f.seek(offset), f.read(size))[1], index)
    except OSError:
        return None


def read_os2(read, index: int) -> OS2 | None:
    """OS/2 of face `index` through `read(offset, size)` (a font file or a collection)."""
    try:
        start = 0
        if read(0, 4) == b"ttcf":
            count = struct.unpack(">I", read(8, 4))[0]
            if index >= count:
                return None
            start = struct.unpack(">I", read(12 + 4 * index, 4))[0]
        tables = struct.unpack(">H", read(start + 4, 2))[0]
        directory = read(start + 12, 16 * tables)
        found = {directory[i:i + 4]: struct.unpack(">II", directory[i + 8:i + 16])
                 for i in range(0, len(directory), 16)}
        offset, length = found[b"OS/2"]
        table = read(offset, min(length, 86)).ljust(86, b"\0")  # version 0 ends at 78
    except (KeyError, struct.error):
        return None
    fs_type, = struct.unpack(">H", table[8:10])
    weight, = struct.unpack(">H", table[4:6])
    family_class, = struct.unpack(">h", table[30:32])
    selection, = struct.unpack(">H", table[62:64])
    ranges = struct.unpack(">IIII", table[42:58]) + struct.unpack(">II", table[78:86])
    return OS2(fs_type, weight, selection, family_class, table[32:42], ranges,
               b"glyf" in found)


def own_face(paths, bold: bool, italic: bool) -> FontFile | None:
    """The file among a template's own `@font-face` files of one family in that style."""
    for path in paths:
        face = _styled(str(path), 0)
        if face is not None and (face.bold, face.italic) == (bold, italic):
            return face
    return None


# --- declaring: what w:font says about a face ---------------------------------------------------

@dataclass(frozen=True)
class Declaration:
    """The facts a `w:font` entry carries (17.8.3): PANOSE, family kind, pitch, signature."""

    panose: str
    family: str
    pitch: str
    sig: tuple[str, ...]  # usb0-usb3, csb0-csb1 as 8 hex digits
    truetype: bool  # glyf outlines (False: CFF, which Word marks w:notTrueType)


# Word's font family kinds from OS/2 sFamilyClass (serif classes are "roman"), else PANOSE.
_FAMILY_KINDS = {1: "roman", 2: "roman", 3: "roman", 4: "roman", 5: "roman", 7: "roman",
                 8: "swiss", 9: "decorative", 10: "script", 12: "decorative"}


@lru_cache(maxsize=64)
def declaration(face: FontFile) -> Declaration | None:
    """What Word's font table says about the face, read from its OS/2 table (PANOSE's
    proportion 9 is monospaced: cheaper than decoding the post table's glyph names)."""
    facts = os2_facts(face.path, face.index)
    if facts is None:
        return None
    panose = facts.panose
    kind = _FAMILY_KINDS.get(facts.family_class >> 8) or _panose_kind(panose)
    fixed = panose[0] == 2 and panose[3] == 9
    return Declaration(panose.hex().upper(), "modern" if fixed else kind,
                       "fixed" if fixed else "variable",
                       tuple(f"{v:08X}" for v in facts.ranges), facts.truetype)


def _panose_kind(panose: bytes) -> str:
    """Latin text faces by serif style (11-13 are sans serif), scripts, decorative faces."""
    if panose[0] == 2:
        return "swiss" if panose[1] in (11, 12, 13) else "roman"
    return {3: "script", 4: "decorative", 5: "decorative"}.get(panose[0], "auto")


# --- embedding: licence, subset, TrueType outlines ----------------------------------------------

def embeddable(face: FontFile, chars: str) -> tuple[bytes, bool]:
    """(the TrueType font to embed, whether it is a subset) for these characters; NotEmbedded
    when the licence forbids it or the font cannot be made TrueType."""
    codes, rows = {0x20}, set()
    for char in chars:
        code = ord(char)
        if any(first <= code <= last for first, last in _WHOLE_ROWS):
            rows.add(code & ~0x7F)
        else:
            codes.add(code)
    if any(ord(c) < 0x250 and c.isalpha() for c in chars):
        rows.update(_LATIN_BASE)
    for row in rows:
        codes.update(range(row, row + 0x80))
    return _embeddable(face, tuple(sorted(codes)))


@lru_cache(maxsize=64)
def _embeddable(face: FontFile, codes: tuple[int, ...]) -> tuple[bytes, bool]:
    with open(face.path, "rb") as f:
        data = f.read()
    fs_type = _fs_type(data, face.index)
    if fs_type & _BITMAP_ONLY:
        raise NotEmbedded("its licence allows embedding its bitmaps only (OS/2 fsType)")
    if fs_type & _RESTRICTED and not fs_type & (_PREVIEW | _EDITABLE):
        raise NotEmbedded("its licence forbids embedding it (OS/2 fsType)")
    if fs_type & _NO_SUBSETTING:
        if len(data) > FULL_FONT_LIMIT or face.path.lower().endswith((".ttc", ".otc")):
            raise NotEmbedded("its licence forbids subsetting it and the whole font is too big")
        font, subsetted = data, False
    else:
        font, subsetted = subset(data, face.index, codes), True
    if font[:4] == b"OTTO":  # CFF outlines: Word embeds TrueType only
        font = cff_to_truetype(font)
    return font, subsetted


def _fs_type(data: bytes, index: int) -> int:
    """The OS/2 fsType of a font file (or of face `index` in a collection)."""
    facts = read_os2(lambda offset, size: data[offset:offset + size], index)
    if facts is None:
        raise NotEmbedded("its file has no readable OS/2 table")
    return facts.fs_type


def subset(data: bytes, index: int, codes) -> bytes:
    """The face reduced to the glyphs of these code points (and what shaping them needs),
    unhinted; code points the font lacks are left out."""
    codes = list(codes)
    try:
        return _hb_subset(data, index, codes)
    except OSError:  # no libharfbuzz-subset on this machine
        return _fonttools_subset(data, index, codes)


@lru_cache(maxsize=1)
def _hb():
    """libharfbuzz-subset through ctypes (OSError when it cannot be loaded)."""
    lib = ctypes.CDLL("libharfbuzz-subset.so.0")
    vp, ui = ctypes.c_void_p, ctypes.c_uint
    for name, res, args in (
        ("hb_blob_create", vp, [ctypes.c_char_p, ui, ctypes.c_int, vp, vp]),
        ("hb_blob_destroy", None, [vp]), ("hb_blob_get_data", vp, [vp, ctypes.POINTER(ui)]),
        ("hb_face_create", vp, [vp, ui]), ("hb_face_destroy", None, [vp]),
        ("hb_face_reference_blob", vp, [vp]),
        ("hb_subset_input_create_or_fail", vp, []), ("hb_subset_input_destroy", None, [vp]),
        ("hb_subset_input_unicode_set", vp, [vp]), ("hb_subset_input_set_flags", None, [vp, ui]),
        ("hb_set_add", None, [vp, ctypes.c_uint32]), ("hb_subset_or_fail", vp, [vp, vp]),
    ):
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = res, args
    return lib


def _hb_subset(data: bytes, index: int, codes: list[int]) -> bytes:
    hb = _hb()
    blob = hb.hb_blob_create(data, len(data), 0, None, None)  # mode 0: HarfBuzz copies it
    face = hb.hb_face_create(blob, index)
    request = hb.hb_subset_input_create_or_fail()
    try:
        if not request:
            raise MemoryError("HarfBuzz could not start a subset")
        unicodes = hb.hb_subset_input_unicode_set(request)
        for code in codes:
            hb.hb_set_add(unicodes, code)
        hb.hb_subset_input_set_flags(request, _HB_FLAGS)
        result = hb.hb_subset_or_fail(face, request)
        if not result:
            raise NotEmbedded("HarfBuzz could not subset it")
        out_blob = hb.hb_face_reference_blob(result)
        length = ctypes.c_uint()
        pointer = hb.hb_blob_get_data(out_blob, ctypes.byref(length))
        out = ctypes.string_at(pointer, length.value)
        hb.hb_blob_destroy(out_blob)
        hb.hb_face_destroy(result)
        return out
    finally:
        if request:
            hb.hb_subset_input_destroy(request)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)


def _fonttools_subset(data: bytes, index: int, codes: list[int]) -> bytes:
    from fontTools import subset as ft_subset
    from fontTools.ttLib import TTFont
    font = TTFont(io.BytesIO(data), fontNumber=index, recalcTimestamp=False, lazy=True)
    options = ft_subset.Options()
    options.hinting, options.desubroutinize, options.notdef_outline = False, True, True
    subsetter = ft_subset.Subsetter(options)
    subsetter.populate(unicodes=codes)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def cff_to_truetype(data: bytes) -> bytes:
    """A CFF-flavoured OpenType font with TrueType (quadratic) outlines instead."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable
    font = TTFont(io.BytesIO(data), recalcTimestamp=False)
    order, glyphs = font.getGlyphOrder(), font.getGlyphSet()
    quadratic = {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        quadratic[name] = pen.glyph()
    font["loca"], font["glyf"] = newTable("loca"), newTable("glyf")
    font["glyf"].glyphOrder, font["glyf"].glyphs = order, quadratic
    for tag in ("CFF ", "CFF2", "VORG"):
        if tag in font:
            del font[tag]
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                  "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                  "maxComponentElements"):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    maxp.maxComponentDepth = 0
    font["post"].formatType, font["post"].extraNames, font["post"].mapping = 3.0, [], {}
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"
    out = io.BytesIO()
    font.save(out)  # maxp's counts and the glyphs' bounds are recomputed on compile
    return out.getvalue()


def font_key(font: bytes) -> str:
    """A GUID for the embedded font, from its bytes: the same font gets the same key, so equal
    input gives an equal DOCX."""
    return "{" + str(uuid.UUID(bytes=hashlib.sha256(font).digest()[:16])).upper() + "}"


def obfuscate(font: bytes, key: str) -> bytes:
    """ECMA-376's font obfuscation: the first 32 bytes XORed with the key's 16 bytes, which are
    the GUID's hex digits read from the end (the same operation undoes it)."""
    mask = bytes.fromhex(key.strip("{}").replace("-", ""))[::-1] * 2
    return bytes(b ^ m for b, m in zip(font[:32], mask)) + font[32:]
