"""Every paragraph of the DOCX knows where in the YAML it was written: a bookmark around each
paragraph from a field (a block of a Markdown field, a line of a recipient, a signatory, a
footnote), named from that field's path (`_2`, `_3`... for a field's later paragraphs).

Bookmarks, because Word and LibreOffice keep them when a partner edits and saves the file again
(LibreOffice 7.4 drops or rewrites content controls), they print nothing, and removing one
harms nothing. The name is computed from the path alone (`concerns[1].text#0` ->
`dr_concerns_1_text_0`), so the letter itself tells which paragraph a returned file's
bookmark stands for; no table in the file that a re-save could lose. Word's rules for a name:
at most 40 characters, a letter first, then letters, digits and underscores.
"""

from __future__ import annotations

import hashlib
import re

from docx.oxml.ns import qn

PREFIX = "dr_"
MAX_NAME = 40
_PLAIN = re.compile(r"[A-Za-z0-9.\[\]#]+")  # paths whose spelling the name keeps


def bookmark_name(origin: str) -> str:
    """The bookmark name for a YAML path: its keys and indexes joined by underscores, or,
    for a path a name cannot spell (a note id with other characters, a long path), its
    readable start and a digest of the whole."""
    spelled = re.sub(r"[^A-Za-z0-9]+", "_", origin).strip("_")
    name = PREFIX + spelled
    if _PLAIN.fullmatch(origin) and len(name) <= MAX_NAME:
        return name
    digest = hashlib.sha256(origin.encode("utf-8")).hexdigest()[:8]
    return f"{PREFIX}{spelled[:MAX_NAME - len(PREFIX) - 9].rstrip('_')}_{digest}"


def named_origins(origins: list[str]) -> list[tuple[str, str]]:
    """(origin, bookmark name) for each paragraph in document order; a field's later
    paragraphs (an address's lines, a lead signatory again in the annex) get `_2`, `_3`..."""
    seen: dict[str, int] = {}
    out = []
    for origin in origins:
        seen[origin] = seen.get(origin, 0) + 1
        name = bookmark_name(origin)
        if seen[origin] > 1:
            suffix = f"_{seen[origin]}"
            name = name[:MAX_NAME - len(suffix)] + suffix
        out.append((origin, name))
    return out


def bookmark_paragraphs(paragraphs: list[tuple[str, object]], first_id: int) -> int:
    """Bookmark each `w:p` written from a YAML field ((origin, w:p) in document order; "" for
    paragraphs drafter wrote itself: labels, a greeting it derived), each paragraph on its
    own: LibreOffice 7.4 saves a bookmark spanning paragraphs as two starts and no end.
    Returns the next free bookmark id."""
    marked = [(origin, p) for origin, p in paragraphs if origin]
    next_id = first_id
    for (origin, name), (_, p) in zip(named_origins([o for o, _ in marked]), marked):
        start = p.makeelement(qn("w:bookmarkStart"), {qn("w:id"): str(next_id), qn("w:name"): name})
        p.insert(1 if len(p) and p[0].tag == qn("w:pPr") else 0, start)
        p.append(p.makeelement(qn("w:bookmarkEnd"), {qn("w:id"): str(next_id)}))
        next_id += 1
    return next_id
