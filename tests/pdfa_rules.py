"""The rules of ISO 19005-3 (PDF/A-3b) that veraPDF would check, read back from a PDF with
pikepdf and qpdf: each function returns what breaks its rule ([] when nothing)."""

from __future__ import annotations

import datetime
import hashlib
import io
import re
import subprocess
import tempfile
from collections import defaultdict

import pikepdf
from fontTools.ttLib import TTFont
from pikepdf.models.metadata import decode_pdf_date


def _components(profile: bytes) -> int | None:
    return {b"RGB ": 3, b"GRAY": 1, b"CMYK": 4, b"Lab ": 3}.get(profile[16:20])


def intent_problems(pdf) -> list[str]:
    """6.2.3: one PDF/A output intent, an ICC output profile whose /N is its colour count."""
    intents = list(pdf.Root.get("/OutputIntents", ()))
    if not intents:
        return ["no /OutputIntents"]
    out = [f"output intent /S {i.get('/S')}" for i in intents if i.get("/S") != "/GTS_PDFA1"]
    profiles = {i.DestOutputProfile.objgen for i in intents if "/DestOutputProfile" in i}
    if len(profiles) != 1 or len(profiles) != len(intents):
        return out + [f"{len(intents)} output intents, {len(profiles)} profiles"]
    icc = intents[0].DestOutputProfile.read_bytes()
    n = int(intents[0].DestOutputProfile.get("/N", 0))
    if _components(icc) != n:
        out.append(f"profile /N {n} but the ICC data has {_components(icc)} components")
    if icc[12:16] not in (b"mntr", b"prtr") or icc[8] > 4 or icc[36:40] != b"acsp":
        out.append(f"not an ICC v2-4 output profile: {icc[12:16]!r}, version {icc[8]}")
    return out


def intent_components(pdf) -> int | None:
    intents = pdf.Root.get("/OutputIntents")
    return int(intents[0].DestOutputProfile.N) if intents else None


# Info entry -> its XMP property (ISO 19005-3, 6.6.2.3.1 and 19005-1 table 1).
PAIRS = {"/Title": "dc:title", "/Author": "dc:creator", "/Subject": "dc:description",
         "/Keywords": "pdf:Keywords", "/Producer": "pdf:Producer", "/Creator": "xmp:CreatorTool",
         "/CreationDate": "xmp:CreateDate", "/ModDate": "xmp:ModifyDate"}


def xmp_problems(pdf) -> list[str]:
    """6.6: XMP declaring PDF/A-3B, in agreement with the Info dictionary."""
    if "/Metadata" not in pdf.Root:
        return ["no XMP metadata"]
    raw = pdf.Root.Metadata.read_bytes()
    out = [] if re.match(rb"<\?xpacket begin=\S+ id=\S+\?>", raw) and b"<?xpacket end=" in raw \
        else ["XMP without an xpacket header without bytes/encoding, or without its end"]
    meta = pdf.open_metadata()
    if (meta.get("pdfaid:part"), meta.get("pdfaid:conformance")) != ("3", "B"):
        out.append(f"pdfaid {meta.get('pdfaid:part')}{meta.get('pdfaid:conformance')}, not 3B")
    for key, prop in PAIRS.items():
        info, xmp = pdf.docinfo.get(key), meta.get(prop)
        if info is None or xmp is None:
            if info is not None or xmp is not None:
                out.append(f"{key} / {prop}: only one of them is set")
            continue
        if key.endswith("Date"):
            same = decode_pdf_date(str(info)) == datetime.datetime.fromisoformat(xmp)
        elif key == "/Author":
            same = list(xmp) == [str(info)]  # one creator entry, equal to the Author
        else:
            same = str(info) == str(xmp)
        if not same:
            out.append(f"{key} {str(info)!r} but {prop} {xmp!r}")
    return out


SUBSET = re.compile(r"^/([A-Z]{6})\+")
FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


def font_problems(pdf) -> list[str]:
    """6.2.11: every font embedded, its widths those of its program; one program per tag."""
    out, programs = [], defaultdict(set)
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Type") != "/Font" \
                or obj.get("/Subtype") in ("/Type0", "/Type3"):  # Type 0: see its CIDFont
            continue
        name, descriptor = str(obj.get("/BaseFont")), obj.get("/FontDescriptor")
        program = next((descriptor[k] for k in FONT_FILES if k in descriptor), None) \
            if descriptor is not None else None
        if program is None:
            out.append(f"{name} is not embedded")
            continue
        tag = SUBSET.match(name)
        if tag:
            programs[tag.group(1)].add(hashlib.sha256(program.read_raw_bytes()).hexdigest())
        if "/FontFile2" in descriptor and obj.get("/Subtype") == "/CIDFontType2":
            out += _width_problems(obj, descriptor.FontFile2.read_bytes(), name)
    return out + [f"subset tag {tag} names {len(p)} different font programs"
                  for tag, p in programs.items() if len(p) > 1]


def _width_problems(font, program: bytes, name: str) -> list[str]:
    """6.2.11.5: the /W widths are the program's advances (to 1/1000 em)."""
    ttf = TTFont(io.BytesIO(program))
    order, em = ttf.getGlyphOrder(), ttf["head"].unitsPerEm
    mapping = font.get("/CIDToGIDMap", pikepdf.Name.Identity)
    if mapping != pikepdf.Name.Identity:
        raw = mapping.read_bytes()
        gids = [raw[i] << 8 | raw[i + 1] for i in range(0, len(raw) - 1, 2)]
    widths, items = {}, list(font.get("/W", ()))
    while items:
        first, rest = int(items[0]), items[1]
        if isinstance(rest, pikepdf.Array):
            widths.update((first + i, float(w)) for i, w in enumerate(rest))
            items = items[2:]
        else:
            widths.update((cid, float(items[2])) for cid in range(first, int(rest) + 1))
            items = items[3:]
    bad = [cid for cid, w in widths.items()
           if (gid := cid if mapping == pikepdf.Name.Identity else gids[cid]) >= len(order)
           or abs(ttf["hmtx"][order[gid]][0] * 1000 / em - w) > 1]
    return [f"{name}: {len(bad)} widths differ from the font program"] if bad else []


def image_problems(pdf) -> list[str]:
    """6.2.8 and 6.2.4.3: no /Interpolate true; device colours the output intent can show."""
    out, n = [], intent_components(pdf)
    allowed = {"/DeviceGray"} | ({"/DeviceRGB"} if n == 3 else {"/DeviceCMYK"} if n == 4
                                 else set())
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image":
            if bool(obj.get("/Interpolate", False)):
                out.append(f"image {obj.objgen} has /Interpolate true")
            space = obj.get("/ColorSpace")
            if isinstance(space, pikepdf.Name) and str(space) not in allowed:
                out.append(f"image {obj.objgen} in {space} with an output intent of {n} colours")
            out += [f"image {obj.objgen} has {key}" for key in ("/Alternates", "/OPI")
                    if key in obj]
    colour_ops = {"k": 4, "K": 4, "rg": 3, "RG": 3}
    for number, page in enumerate(pdf.pages, start=1):
        used = {str(op) for _, op in pikepdf.parse_content_stream(page)} & set(colour_ops)
        out += [f"page {number} paints with {op} ({colour_ops[op]} colours), the intent has {n}"
                for op in sorted(used) if colour_ops[op] != n]
    return out


BLEND_MODES = {"/Normal", "/Compatible", "/Multiply", "/Screen", "/Overlay", "/Darken",
               "/Lighten", "/ColorDodge", "/ColorBurn", "/HardLight", "/SoftLight",
               "/Difference", "/Exclusion", "/Hue", "/Saturation", "/Color", "/Luminosity"}


def graphics_problems(pdf) -> list[str]:
    """6.2.5 and 6.2.10: graphics states and transparency groups PDF/A allows."""
    out = []
    for number, page in enumerate(pdf.pages, start=1):
        states = page.Resources.get("/ExtGState", {})
        for key, state in states.items():
            if "/TR" in state or state.get("/TR2", pikepdf.Name.Default) != "/Default":
                out.append(f"page {number} {key}: a transfer function")
            if "/BM" in state and str(state.BM) not in BLEND_MODES:
                out.append(f"page {number} {key}: blend mode {state.BM}")
            mask = state.get("/SMask", pikepdf.Name("/None"))
            if mask != "/None" and str(mask.get("/S")) not in ("/Alpha", "/Luminosity"):
                out.append(f"page {number} {key}: soft mask {mask.get('/S')}")
    for obj in pdf.objects:
        group = obj.get("/Group") if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)) \
            else None
        if isinstance(group, pikepdf.Dictionary) and group.get("/S") == "/Transparency" \
                and "/CS" not in group and intent_components(pdf) is None:
            out.append(f"transparency group {obj.objgen} without /CS or output intent")
    return out


FORBIDDEN_ANNOTATIONS = {"/3D", "/Sound", "/Screen", "/Movie", "/RichMedia"}
FORBIDDEN_ACTIONS = {"/Launch", "/Sound", "/Movie", "/ResetForm", "/ImportData",
                     "/JavaScript", "/Hide", "/SetOCGState", "/Rendition", "/Trans"}


def annotation_problems(pdf) -> list[str]:
    """6.3: annotations printed as shown, each with the appearance it needs."""
    out = []
    for number, page in enumerate(pdf.pages, start=1):
        for a in page.obj.get("/Annots", ()):
            kind, flags = str(a.get("/Subtype")), int(a.get("/F", 0))
            where = f"page {number} {kind}"
            if kind in FORBIDDEN_ANNOTATIONS:
                out.append(f"{where}: not allowed")
            if not flags & 4 or flags & (1 | 2 | 32 | 256):
                out.append(f"{where}: flags {flags} (Print set, none hidden, is required)")
            if "/A" in a and str(a.A.get("/S")) in FORBIDDEN_ACTIONS:
                out.append(f"{where}: action {a.A.S}")
            x1, y1, x2, y2 = (float(v) for v in a.Rect)
            if kind in ("/Link", "/Popup") or x1 == x2 or y1 == y2:
                continue  # the annotations that need no appearance
            ap = a.get("/AP")
            if ap is None or set(ap.keys()) != {"/N"}:
                out.append(f"{where}: appearance {None if ap is None else list(ap.keys())}")
            elif not isinstance(ap.N, pikepdf.Stream) and not (
                    kind == "/Widget" and a.get("/FT") == "/Btn"):
                out.append(f"{where}: its normal appearance is not a stream")
    return out


def file_problems(data: bytes, pdf) -> list[str]:
    """6.1 and 6.8: header, /ID, no encryption or scripts; embedded files as PDF/A-3 says."""
    out = [] if re.match(rb"%PDF-1\.[4-7]\r?\n%[\x80-\xff]{4}", data) else ["header"]
    out += [] if "/ID" in pdf.trailer else ["no /ID in the trailer"]
    out += ["encrypted"] if "/Encrypt" in pdf.trailer else []
    out += ["JavaScript"] if "/JavaScript" in pdf.Root.get("/Names", {}) else []
    out += ["an /AA on the catalog"] if "/AA" in pdf.Root else []
    listed = [spec.objgen for spec in pdf.Root.get("/AF", ())]
    out += ["a file listed twice in /AF"] if len(listed) != len(set(listed)) else []
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Filespec":
            missing = [k for k in ("/F", "/UF", "/AFRelationship") if k not in obj]
            stream = obj.EF.F
            missing += [k for k in ("/Subtype",) if k not in stream]
            missing += [] if "/ModDate" in stream.get("/Params", {}) else ["/Params /ModDate"]
            missing += [] if obj.objgen in listed else ["a place in /AF"]
            out += [f"attached {obj.get('/UF')} lacks {', '.join(missing)}"] if missing else []
    return out


def archival_problems(data: bytes) -> list[str]:
    """Every rule above on the PDF `data`, and qpdf's own check."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        out = (intent_problems(pdf) + xmp_problems(pdf) + font_problems(pdf)
               + image_problems(pdf) + graphics_problems(pdf) + annotation_problems(pdf)
               + file_problems(data, pdf))
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(data)
        file.flush()
        done = subprocess.run(["qpdf", "--check", file.name], capture_output=True, text=True)
    return out + ([] if done.returncode == 0 else [f"qpdf: {done.stdout[-300:]}"])
