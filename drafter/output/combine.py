"""One PDF of many letters, for printing a personalised mailing in one go."""

from __future__ import annotations

import contextlib
import hashlib
import io
import re

# A font subset's name: six capital letters and "+" (ISO 32000-1, 9.6.4). WeasyPrint derives
# the tag from the font, not from the glyphs kept, so two letters give two different subsets
# of one font the same tag; in one file that breaks PDF/A (and confuses extraction).
_SUBSET = re.compile(r"^/([A-Z]{6})\+(.+)$")


def combine_pdfs(parts: list[bytes], title: str = ""):
    """The pages of every PDF, in order, as one PDF (each letter keeps its own page numbers),
    tagged as its letters are; each letter's font subsets get tags of their own. The bytes
    (`Rendered`) carry a warning for a PDF/UA-1 claim of the letters the whole cannot keep."""
    import pikepdf
    from .pdf_merge import Merger
    merger, used, claims, accessible = Merger(), set(), set(), bool(parts)
    with contextlib.ExitStack() as stack:
        # The letters stay open until the file is written: qpdf reads a copied stream's data
        # from its source then.
        letters = [stack.enter_context(pikepdf.open(io.BytesIO(part))) for part in parts]
        for number, letter in enumerate(letters):
            meta = letter.open_metadata() if "/Metadata" in letter.Root else None
            claims.add(meta.pdfa_status if meta is not None else "")
            accessible = accessible and meta is not None and meta.get("pdfuaid:part") == "1"
            _retag_subsets(letter, number, used)
            merger.add(letter)
        pdf = merger.finish()
        _info(pdf, letters[0] if letters else None, title)
        claim = claims.pop() if len(claims) == 1 else ""
        if claim and "/OutputIntents" in letters[0].Root:
            pdf.Root.OutputIntents = pikepdf.Array(  # only indirect objects copy across
                pdf.copy_foreign(letters[0].make_indirect(intent))
                for intent in letters[0].Root.OutputIntents)
        version = max([letter.pdf_version for letter in letters] or ["1.7"])
        data = _save(pdf, version, claim, accessible)
        problems = _ua_problems(data, merger.notes) if accessible else []
        if problems:
            # The letters' PDF/UA-1 holds for the combined file only if drafter's own check
            # (what `--pdf-variant pdf/ua-1` requires of a letter) passes on it: else no claim,
            # and the caller is told why.
            data = _save(pdf, version, claim, False)
    from ..formats.base import Rendered
    warnings = [f"not claimed PDF/UA-1, as its letters are: {problem}" for problem in problems]
    if merger.kids and not merger.tagged:
        warnings.append("not tagged: some of its letters have no structure tree, and a tree "
                        "of the others would leave their pages out")
    return Rendered(data, tuple(warnings))


def _info(pdf, first, title: str) -> None:
    """The Info dictionary: the first letter's (author, subject, dates), with `title`."""
    import pikepdf
    if first is not None:
        for key, value in first.docinfo.items():
            if isinstance(value, pikepdf.String):
                pdf.docinfo[key] = pikepdf.String(str(value))
    if title:
        pdf.docinfo.Title = pikepdf.String(title)


def _save(pdf, version: str, claim: str, accessible: bool) -> bytes:
    """The file's bytes, with XMP (written from the Info dictionary, which ISO 19005
    requires it to match) declaring the PDF/A `claim` ("3B") and PDF/UA-1 if `accessible`."""
    import pikepdf
    if "/Metadata" in pdf.Root:
        del pdf.Root["/Metadata"]
    if claim or accessible:
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta.load_from_docinfo(pdf.docinfo)
            if claim:
                meta["pdfaid:part"], meta["pdfaid:conformance"] = claim[:-1], claim[-1]
            if accessible:
                meta["pdfuaid:part"] = "1"
    out = io.BytesIO()
    # Object streams: the structure elements are thousands of small dictionaries (half the
    # file written plain). deterministic_id: the /ID PDF/A requires, the same for the same input.
    pdf.save(out, deterministic_id=True, min_version=version,
             object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def _ua_problems(data: bytes, notes: int) -> list[str]:
    """What drafter's PDF/UA-1 check finds in the combined file (every letter's notes kept)."""
    from ..formats.pdf_tags import check
    return check(data, notes)


def _retag_subsets(pdf, number: int, used: set[str]) -> None:
    """Every subset tag of the open PDF replaced by one unique in the combined file (derived
    from the letter's place and the old tag, so the same input gives the same bytes)."""
    import pikepdf
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


def _new_tag(old: str, number: int, used: set[str]) -> str:
    salt = 0
    while True:
        digest = hashlib.sha256(f"{number}:{old}:{salt}".encode()).digest()
        tag = "".join(chr(ord("A") + b % 26) for b in digest[:6])
        if tag not in used:
            used.add(tag)
            return tag
        salt += 1
