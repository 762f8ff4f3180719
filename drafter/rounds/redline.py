"""The redline of two rounds: the later round as drafter renders it, with what the earlier one
said and it no longer does as deletions and what is new as insertions, word by word.

Both rounds are read as the DOCX writer reads any letter (the template's paragraph flow), so
the redline shows the letter's real text, labels and numbering. Paragraphs are aligned by their
text; a paragraph that changed is compared word by word; one that moved is a deletion where it
was and an insertion where it is (the summary names it "moved"). Accepting every change gives
the later round, rejecting every change the earlier one.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import replace

from ..formats.flow import Flow, Footnote, Paragraph, Run
from .changes import word_similarity

_PIECE = re.compile(r"\s+|[^\s]+")
_PAIR = 0.5  # word similarity from which two paragraphs are one paragraph changed


def merged_flow(old: Flow, new: Flow) -> Flow:
    """NEW's flow with OLD's differences in it as tracked runs (Run.change "ins" or "del",
    Paragraph.change for a paragraph inserted or deleted whole)."""
    out: list[Paragraph] = []
    a, b = old.paragraphs, new.paragraphs
    matcher = difflib.SequenceMatcher(None, [_key(p) for p in a], [_key(p) for p in b],
                                      autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out += [replace(p, runs=list(p.runs)) for p in b[j1:j2]]  # NEW's own stay as they are
        elif op == "insert":
            out += [_whole(p, "ins") for p in b[j1:j2]]
        elif op == "delete":
            out += [_whole(p, "del") for p in a[i1:i2]]
        else:
            out += _paired(a[i1:i2], b[j1:j2])
    _lay_out_as_neighbours(out, new)
    notes = _renumber(out)
    return Flow(new.metadata, out, notes)


def _lay_out_as_neighbours(paragraphs: list[Paragraph], new: Flow) -> None:
    """A paragraph only the earlier round has takes its spacing from a later-round paragraph
    beside it (of its style if one is next to it): the redline is laid out in the later
    round's styles, which know nothing of the earlier round's elements."""
    trees = {id(p.source.getroottree().getroot()) for p in new.paragraphs
             if p.source is not None}
    ours = [i for i, p in enumerate(paragraphs)
            if p.source is not None and id(p.source.getroottree().getroot()) in trees]
    if not ours:
        return
    for i, p in enumerate(paragraphs):
        if i in ours:
            continue
        near = sorted(ours, key=lambda k: (abs(k - i), paragraphs[k].style != p.style))
        paragraphs[i] = replace(p, source=paragraphs[near[0]].source,
                                container=paragraphs[near[0]].container)


def _key(p: Paragraph) -> tuple:
    return (p.style, p.list is not None, _words(p))


def _words(p: Paragraph) -> str:
    """The paragraph's words and its notes' (a changed note changes its paragraph too)."""
    words = []
    for key, run in _tokens(p.runs):
        if run.footnote is not None:
            words += [r.text for r in run.footnote.runs if r.is_text]
        elif key.strip():
            words.append(key)
    return " ".join(words)


def _whole(p: Paragraph, change: str) -> Paragraph:
    return replace(p, runs=[_changed(r, change) for r in p.runs], change=change)


def _changed(run: Run, change: str) -> Run:
    if run.footnote is not None:
        note = run.footnote
        return replace(run, change=change, footnote=replace(
            note, runs=[replace(r, change=change) for r in note.runs]))
    return replace(run, change=change)


def _paired(old: list[Paragraph], new: list[Paragraph]) -> list[Paragraph]:
    """Old and new paragraphs of one changed stretch, in order: each old one paired with the
    next new one similar enough (its words compared), the others deleted or inserted whole."""
    out: list[Paragraph] = []
    j = 0
    for before in old:
        match = next((k for k in range(j, len(new)) if _similar(before, new[k]) >= _PAIR), None)
        if match is None:
            out.append(_whole(before, "del"))
            continue
        out += [_whole(p, "ins") for p in new[j:match]]
        out.append(compare(before, new[match]))
        j = match + 1
    out += [_whole(p, "ins") for p in new[j:]]
    return out


def _similar(a: Paragraph, b: Paragraph) -> float:
    return word_similarity(_words(a), _words(b))


def _tokens(runs: list[Run]) -> list[tuple[str, Run]]:
    """(comparison key, run) for each word and space of the runs; a note call, break or image
    is one token (calls match each other: a note's own words are compared inside it)."""
    out = []
    for run in runs:
        if run.is_text:
            out += [(piece, replace(run, text=piece)) for piece in _PIECE.findall(run.text)]
        elif run.footnote is not None:
            out.append(("\0note", run))
        else:
            out.append((f"\0{run.line_break}{run.note_ref}{run.image}", run))
    return out


def compare(old: Paragraph, new: Paragraph) -> Paragraph:
    """NEW's paragraph with OLD's words it lacks as deletions and its own new ones as
    insertions, each at its place."""
    return replace(new, runs=compared_runs(old.runs, new.runs))


def compared_runs(old: list[Run], new: list[Run]) -> list[Run]:
    """NEW's runs with OLD's words it lacks as deleted runs and its new words as inserted
    ones; a note called in both keeps one call, its words compared the same way."""
    a, b = _tokens(old), _tokens(new)
    runs: list[Run] = []
    matcher = difflib.SequenceMatcher(None, [k for k, _ in a], [k for k, _ in b],
                                      autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for (_, before), (_, after) in zip(a[i1:i2], b[j1:j2]):
                if after.footnote is not None:
                    after = replace(after, footnote=replace(after.footnote, runs=compared_runs(
                        before.footnote.runs, after.footnote.runs)))
                runs.append(after)
            continue
        runs += [_changed(r, "del") for _, r in a[i1:i2]]
        runs += [_changed(r, "ins") for _, r in b[j1:j2]]
    return _joined(runs)


def _joined(runs: list[Run]) -> list[Run]:
    """Neighbouring text runs with the same look and change as one run."""
    out: list[Run] = []
    for run in runs:
        last = out[-1] if out else None
        if last is not None and last.is_text and run.is_text and \
                replace(last, text="") == replace(run, text=""):
            out[-1] = replace(last, text=last.text + run.text)
        else:
            out.append(run)
    return out


def _renumber(paragraphs: list[Paragraph]) -> list[Footnote]:
    """Number the notes of the merged flow in order (a deleted note and its replacement are
    two notes), in place; the list of them."""
    notes: list[Footnote] = []
    for p in paragraphs:
        for i, run in enumerate(p.runs):
            if run.footnote is not None:
                note = replace(run.footnote, number=len(notes) + 1)
                notes.append(note)
                p.runs[i] = replace(run, footnote=note)
    for p in paragraphs:  # a note cited again points at no number it no longer has
        p.runs = [replace(r, note_ref=None, text=str(r.note_ref), vert="superscript")
                  if r.note_ref is not None else r for r in p.runs]
    return notes
