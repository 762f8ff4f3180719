"""One PDF of many letters, for printing a personalised mailing in one go."""

from __future__ import annotations

import io


def combine_pdfs(parts: list[bytes], title: str = "") -> bytes:
    """The pages of every PDF, in order, as one PDF (each letter keeps its own page numbers)."""
    from pypdf import PdfWriter
    writer = PdfWriter()
    for part in parts:
        writer.append(io.BytesIO(part))
    if title:
        writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
