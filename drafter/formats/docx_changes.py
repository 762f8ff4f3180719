"""Word tracked changes (ECMA-376 Part 1, 17.13.5): runs inserted (`w:ins`) or deleted
(`w:del`, their text as `w:delText`), and paragraph marks inserted or deleted (`w:rPr` of the
paragraph's properties), each with an author, a date and an id, so that a partner can accept or
reject them one by one in Word or LibreOffice."""

from __future__ import annotations

import datetime

from docx.oxml.ns import qn

from . import docx_props as props

FIRST_ID = 10_000  # above the bookmarks' ids: every annotation's id is its own


class Tracker:
    """Marks runs and paragraph marks as changes by one author at one moment."""

    def __init__(self, author: str, when: datetime.datetime) -> None:
        self.author = author
        self.date = when.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        self._next = FIRST_ID

    def _mark(self, parent, kind: str):
        el = parent.makeelement(qn(f"w:{kind}"), {qn("w:id"): str(self._next),
                                                  qn("w:author"): self.author,
                                                  qn("w:date"): self.date})
        self._next += 1
        return el

    def runs(self, runs: list, kind: str) -> None:
        """Wrap consecutive `w:r` elements (of one paragraph or link) in one change."""
        if not runs:
            return
        wrapper = self._mark(runs[0], kind)
        runs[0].addprevious(wrapper)
        for r in runs:
            wrapper.append(r)
            if kind == "del":
                for t in r.iter(qn("w:t")):
                    t.tag = qn("w:delText")
                for t in r.iter(qn("w:instrText")):
                    t.tag = qn("w:delInstrText")

    def paragraph_mark(self, p, kind: str) -> None:
        """The paragraph's end (its mark) inserted or deleted: accepting a deleted one joins
        the paragraph to the next, as deleting its text did."""
        ppr = props.paragraph_properties(p)
        rpr = props.child(ppr, qn("w:rPr"), props.PPR)
        rpr.insert(0, self._mark(rpr, kind))
