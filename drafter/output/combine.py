"""One PDF of many letters, for printing a personalised mailing in one go."""

from __future__ import annotations

import hashlib
import io
import re

# A font subset's name: six capital letters and "+" (ISO 32000-1, 9.6.4). WeasyPrint derives
# the tag from the font, not from the glyphs kept, so two letters give two different subsets
# of one font the same tag; in one file that breaks PDF/A (and confuses extraction).
_SUBSET = re.compile(r"^/([A-Z]{6})\+(.+)$")


def combine_pdfs(parts: list[bytes], title: str = "") -> bytes:
    """The pages of every PDF, in order, as one PDF (each letter keeps its own page numbers);
    each letter's font subsets get tags of their own."""
    from pypdf import PdfWriter
    writer = PdfWriter()
    used: set[str] = set()
    claims = set()
    for number, part in enumerate(parts):
        data, claim = _retag_subsets(part, number, used)
        writer.append(io.BytesIO(data))
        claims.add(claim)
    if title:
        writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    claim = claims.pop() if len(claims) == 1 else ""
    return _archival(out.getvalue(), parts[0], claim) if claim else out.getvalue()


def _archival(data: bytes, first: bytes, claim: str) -> bytes:
    """The combined PDF as the PDF/A its letters all are ("3B"): pypdf keeps their pages,
    not their output intent or XMP, without which the file is no PDF/A."""
    import pikepdf
    with pikepdf.open(io.BytesIO(data)) as pdf, pikepdf.open(io.BytesIO(first)) as letter:
        if "/OutputIntents" in letter.Root:
            pdf.Root.OutputIntents = pikepdf.Array(  # only indirect objects copy across
                pdf.copy_foreign(letter.make_indirect(intent))
                for intent in letter.Root.OutputIntents)
        # The XMP written from the Info dictionary, which ISO 19005 requires it to match.
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta.load_from_docinfo(pdf.docinfo)
            meta["pdfaid:part"], meta["pdfaid:conformance"] = claim[:-1], claim[-1]
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)  # with the /ID PDF/A requires
    return out.getvalue()


def _retag_subsets(data: bytes, number: int, used: set[str]) -> tuple[bytes, str]:
    """The PDF with every subset tag replaced by one unique in the combined file (derived
    from the letter's place and the old tag, so the same input gives the same bytes), and
    the PDF/A it claims ("3B", or "")."""
    import pikepdf
    with pikepdf.open(io.BytesIO(data)) as pdf:
        claim = pdf.open_metadata().pdfa_status if "/Metadata" in pdf.Root else ""
        tags: dict[str, str] = {}
        for obj in pdf.objects:
            if not isinstance(obj, pikepdf.Dictionary):
                continue
            for key in ("/BaseFont", "/FontName"):
                found = _SUBSET.match(str(obj.get(key, "")))
                if found:
                    new = tags.get(found.group(1)) or _new_tag(found.group(1), number, used)
                    tags[found.group(1)] = new
                    obj[key] = pikepdf.Name(f"/{new}+{found.group(2)}")
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
    return out.getvalue(), claim


def _new_tag(old: str, number: int, used: set[str]) -> str:
    salt = 0
    while True:
        digest = hashlib.sha256(f"{number}:{old}:{salt}".encode()).digest()
        tag = "".join(chr(ord("A") + b % 26) for b in digest[:6])
        if tag not in used:
            used.add(tag)
            return tag
        salt += 1
