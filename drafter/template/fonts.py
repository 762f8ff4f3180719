"""The fonts a template's text is set in: its CSS font-family chain as resolved on this machine.

WeasyPrint (through Pango) asks fontconfig to sort the installed fonts for the CSS family list
and takes each character from the first font that has it, falling back to any installed font.
`FontChain` asks fontconfig the same question, so drafter knows before rendering which font
will draw each character, or that none will (tofu). Fonts a template brings with `@font-face`
are read with fontTools. Nothing here imports WeasyPrint or python-docx.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

GENERIC = frozenset("serif sans-serif monospace cursive fantasy system-ui ui-serif ui-sans-serif "
                    "ui-monospace ui-rounded emoji math fangsong".split())


class FontconfigMissing(RuntimeError):
    """fontconfig's library cannot be loaded (WeasyPrint could not render either)."""


def css_font_chain(css: str, lang: str = "") -> tuple[str, ...]:
    """The `font-family` list a letter's body text in `lang` gets from the stylesheet (the
    cascade as in the PDF: see style.py)."""
    from .style import style_facts
    return style_facts(css, lang).font_chain


def css_font_faces(css: str, folder: Path) -> dict[str, tuple[Path, ...]]:
    """`@font-face` families whose files the asset reader accepts from the template's folder
    (the PDF refuses the others)."""
    from ..assets import AssetReader, AssetRefused
    from .style import parse_stylesheet
    reader, faces = AssetReader(folder, folder), {}
    for family, refs in parse_stylesheet(css).font_faces.items():
        for ref in refs:
            try:
                faces[family] = faces.get(family, ()) + (reader.locate(ref, base="template"),)
            except AssetRefused:
                continue
    return faces


# --- fontconfig through ctypes (the library Pango itself uses) ----------------------------------

class _FontSet(ctypes.Structure):
    _fields_ = [("nfont", ctypes.c_int), ("sfont", ctypes.c_int),
                ("fonts", ctypes.POINTER(ctypes.c_void_p))]


@lru_cache(maxsize=1)
def _fc():
    try:
        lib = ctypes.CDLL("libfontconfig.so.1")
    except OSError:
        try:
            lib = ctypes.CDLL("libfontconfig.dylib")
        except OSError as exc:
            raise FontconfigMissing(f"fontconfig library not found ({exc})") from None
    vp, cp = ctypes.c_void_p, ctypes.c_char_p
    for name, res, args in (
        ("FcInit", ctypes.c_int, []),
        ("FcPatternCreate", vp, []),
        ("FcPatternAddString", ctypes.c_int, [vp, cp, cp]),
        ("FcConfigSubstitute", ctypes.c_int, [vp, vp, ctypes.c_int]),
        ("FcDefaultSubstitute", None, [vp]),
        ("FcFontSort", ctypes.POINTER(_FontSet), [vp, vp, ctypes.c_int, vp,
                                                  ctypes.POINTER(ctypes.c_int)]),
        ("FcPatternGetString", ctypes.c_int, [vp, cp, ctypes.c_int, ctypes.POINTER(cp)]),
        ("FcPatternGetCharSet", ctypes.c_int, [vp, cp, ctypes.c_int, ctypes.POINTER(vp)]),
        ("FcCharSetHasChar", ctypes.c_int, [vp, ctypes.c_uint32]),
    ):
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = res, args
    lib.FcInit()
    return lib


@dataclass
class Face:
    """One font file in a chain: its family, where it lives, and which characters it has."""

    family: str
    file: str
    in_chain: bool  # named in the CSS chain (False: found by fontconfig's fallback)
    _charset: object = None  # a fontconfig FcCharSet pointer, kept alive by its FontChain
    _cmap: frozenset = frozenset()

    def has(self, code: int) -> bool:
        """Whether this font has a glyph for the code point."""
        if self._charset is not None:
            return bool(_fc().FcCharSetHasChar(self._charset, code))
        return code in self._cmap


@dataclass
class FontChain:
    """A font-family list resolved on this machine: the faces in the order Pango tries them."""

    families: tuple
    faces: list
    _memo: dict = field(default_factory=dict)
    _keep: object = None  # the fontconfig font set the faces' charsets belong to

    def face_for(self, char: str) -> Face | None:
        """The font that will draw `char`, or None when no installed font has it (tofu)."""
        if char not in self._memo:
            code = ord(char)
            self._memo[char] = next((f for f in self.faces if f.has(code)), None)
        return self._memo[char]

    def family_for(self, char: str) -> str | None:
        """The family name of the font that will draw `char`."""
        face = self.face_for(char)
        return face.family if face else None


def font_chain(families: tuple, css: str = "", folder: Path | None = None,
               lang: str = "") -> FontChain:
    """The chain for a CSS family list (and a template's `@font-face` fonts) in a language
    (fontconfig's fallback order depends on it), cached per chain."""
    faces = css_font_faces(css, folder) if css and folder is not None else {}
    return _chain(tuple(families), tuple(sorted((k, v) for k, v in faces.items())),
                  lang.lower())


@lru_cache(maxsize=16)
def _chain(families: tuple, app_fonts: tuple, lang: str) -> FontChain:
    own = dict(app_fonts)
    faces = [Face(name, str(path), True, None, _cmap(path))
             for name in (f.lower() for f in families) for path in own.get(name, ())]
    chain = FontChain(families, faces)
    system = [f for f in families if f.lower() not in own] or ["serif"]
    chain._keep = _sorted_system_faces(system, lang, chain.faces)
    return chain


def _sorted_system_faces(families: list[str], lang: str, out: list[Face]):
    """Append fontconfig's sorted faces for the family list (as Pango asks for them)."""
    fc = _fc()
    pattern = fc.FcPatternCreate()
    for family in families:
        fc.FcPatternAddString(pattern, b"family", family.encode("utf-8"))
    if lang:
        fc.FcPatternAddString(pattern, b"lang", lang.encode("ascii", "ignore"))
    fc.FcConfigSubstitute(None, pattern, 0)  # FcMatchPattern: aliases such as serif
    fc.FcDefaultSubstitute(pattern)
    result = ctypes.c_int()
    fontset = fc.FcFontSort(None, pattern, 1, None, ctypes.byref(result))
    if not fontset:
        return None
    named = {f.lower() for f in families}
    for i in range(fontset.contents.nfont):
        font = fontset.contents.fonts[i]
        family, file, charset = ctypes.c_char_p(), ctypes.c_char_p(), ctypes.c_void_p()
        if fc.FcPatternGetCharSet(font, b"charset", 0, ctypes.byref(charset)) != 0:
            continue
        fc.FcPatternGetString(font, b"family", 0, ctypes.byref(family))
        fc.FcPatternGetString(font, b"file", 0, ctypes.byref(file))
        name = (family.value or b"").decode("utf-8", "replace")
        out.append(Face(name, (file.value or b"").decode("utf-8", "replace"),
                        name.lower() in named, charset))
    return fontset  # never destroyed: cached chains keep pointing into it


def _cmap(path: Path) -> frozenset:
    """Code points a font file maps (fontTools; only for a template's own @font-face fonts)."""
    from fontTools.ttLib import TTFont, TTLibError
    try:
        with TTFont(str(path), lazy=True, fontNumber=0) as font:
            return frozenset(font.getBestCmap() or ())
    except (TTLibError, OSError, KeyError, ValueError, AssertionError):
        return frozenset()
