"""The redline as the later round's own HTML, for its PDF: each changed paragraph's words
rewritten from the merged flow with `<ins>` (underlined, blue) and `<del>` (struck through,
red), each paragraph only the earlier round had put back where it stood.

The template's HTML is the letter's intermediate document, so the PDF keeps its page, styles,
labels and numbering. A paragraph element that holds more than one paragraph of the flow (a
list item with a list inside) is left as it is, and said: the DOCX redline has its changes.
"""

from __future__ import annotations

from lxml import etree, html as lxml_html

from ..formats.flow import Flow, Paragraph, Run

STYLE = ("ins.drafter-ins { color: #1a5fb4; text-decoration: underline; }\n"
         "del.drafter-del { color: #c01c28; text-decoration: line-through; }\n")


def redline_html(tree, merged: Flow) -> tuple[str, list[str]]:
    """The later round's parsed template HTML, changed in place (the merged flow's paragraphs
    name its elements; write the DOCX first), with the changes marked; and the paragraphs it
    could not mark."""
    owners: dict[int, list[Paragraph]] = {}
    for p in merged.paragraphs:
        if p.source is not None and p.change != "del":
            owners.setdefault(id(p.source), []).append(p)
    unmarked: list[str] = []
    previous = None  # the element the last paragraph was written in
    for p in merged.paragraphs:
        if p.change == "del":
            element = _deleted_element(p, previous)
            previous = element
            continue
        element = p.source
        if element is None:
            continue
        previous = element
        if not _changed(p):
            continue
        if len(owners.get(id(element), ())) != 1 or element.tag not in _PARAGRAPHS:
            unmarked.append(" ".join(p.text.split())[:60])
            continue
        _rewrite(element, p.runs)
    head = tree.find("head")
    if head is not None:
        style = etree.SubElement(head, "style")
        style.text = STYLE
    return lxml_html.tostring(tree, doctype="<!DOCTYPE html>", encoding="unicode"), unmarked


_PARAGRAPHS = frozenset(("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd",
                         "figcaption"))


def _changed(p: Paragraph) -> bool:
    return bool(p.change) or any(r.change or (r.footnote is not None and any(
        n.change for n in r.footnote.runs)) for r in p.runs)


def _deleted_element(p: Paragraph, after):
    """A paragraph only the earlier round had, as an element like its neighbour's, put after
    the last one written (or before the first)."""
    model = p.source
    element = etree.Element(model.tag if model is not None and model.tag in _PARAGRAPHS
                            else "p")
    for key in ("class", "data-docx-style"):
        if model is not None and model.get(key):
            element.set(key, model.get(key))
    _rewrite(element, p.runs)
    if after is not None:
        after.addnext(element)
    elif model is not None:
        model.addprevious(element)
    return element


def _rewrite(element, runs: list[Run]) -> None:
    """Replace the element's content with the runs, as the template writes inline content."""
    for child in list(element):
        element.remove(child)
    element.text = None
    for run in runs:
        node = _run(run)
        if isinstance(node, str):
            if len(element):
                element[-1].tail = (element[-1].tail or "") + node
            else:
                element.text = (element.text or "") + node
        else:
            element.append(node)


def _run(run: Run):
    """One run as text or an element, wrapped in its look, its link and its change."""
    if run.line_break:
        node = etree.Element("br")
    elif run.footnote is not None:
        node = etree.Element("span", {"class": "footnote"})
        _rewrite(node, run.footnote.runs)
    elif run.note_ref is not None:
        node = etree.Element("span", {"class": "footnote-ref", "data-note": str(run.note_ref)})
        node.text = str(run.note_ref)
    elif run.image is not None:
        image = run.image
        node = etree.Element("img", {"src": image.src, "alt": image.description or image.alt})
        if image.alt != (image.description or image.alt):
            node.set("data-text-alt", image.alt)
        if image.height_px:
            node.set("height", f"{image.height_px:g}")
    else:
        node = run.text
    for tag, on in (("em", run.italic), ("strong", run.bold), ("u", run.underline),
                    ("sup", run.vert == "superscript"), ("sub", run.vert == "subscript")):
        if on:
            node = _wrap(tag, node)
    if run.lang:
        node = _wrap("span", node, lang=run.lang)
    if run.href:
        node = _wrap("a", node, href=run.href)
    if run.change:
        node = _wrap(run.change, node, **{"class": f"drafter-{run.change}"})
    return node


def _wrap(tag: str, node, **attrs):
    outer = etree.Element(tag, attrs)
    if isinstance(node, str):
        outer.text = node
    else:
        outer.append(node)
    return outer
