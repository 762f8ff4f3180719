"""A standalone web page of the letter: the template's HTML with its stylesheet inlined and
footnotes turned into numbered notes at the end (a browser has no page foot)."""

from __future__ import annotations

import re

from lxml import html as lxml_html
from lxml.html import builder as E

from ..assets import AssetRefused, short_ref
from .base import RenderError, Rendition


def render_html(r: Rendition) -> bytes:
    """The letter as one self-contained HTML file (no external requests)."""
    root = lxml_html.document_fromstring(r.html)
    head, body = root.find("head"), root.find("body")
    style = E.STYLE(r.stylesheet)
    head.append(style)
    _endnotes(root, body)
    _embed_images(root, r)  # before _inert: an image the PDF refuses is refused here too
    _inert(root)
    return lxml_html.tostring(root, doctype="<!DOCTYPE html>", encoding="utf-8", method="html")


def _embed_images(root, r: Rendition) -> None:
    """Each image carried inside the page as a data: URL, read by the same confined reader as
    the PDF's and the DOCX's: the page shows its logos wherever it is written or published."""
    for img in root.iter("img"):
        src = img.get("src")
        if src is None:
            continue
        try:
            img.set("src", r.assets.read(src).data_url())
        except AssetRefused as refusal:
            raise RenderError(f"image {short_ref(src)!r} not read: {refusal}") from None


def _endnotes(root, body) -> None:
    """Replace footnote bodies by numbered calls linking to a list of notes after the letter."""
    label = root.xpath("string(//meta[@name='drafter:notes-label']/@content)") or "Notes"
    notes = E.OL()
    for span in root.xpath("//span[contains(concat(' ', @class, ' '), ' footnote ') or "
                           "contains(concat(' ', @class, ' '), ' footnote-ref ')]"):
        classes = span.get("class", "").split()
        if "footnote" in classes:
            n = len(notes) + 1
            item = E.LI(id=f"note-{n}")
            item.text = span.text
            item.extend(span)
            notes.append(item)
        else:
            n = int(span.get("data-note", "0") or 0)
        call = E.SUP(E.A(str(n), href=f"#note-{n}"), E.CLASS("note-call"))
        call.tail = span.tail
        span.getparent().replace(span, call)
    if len(notes):
        body.append(E.SECTION(E.H2(label), notes, E.CLASS("notes")))


# A template may come from another organisation, and the HTML is published: whatever its
# markup, the page runs nothing and requests nothing from elsewhere (the PDF renderer refuses
# such a template; `--format html` alone never meets that check).
_ACTIVE = ("script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "form",
           "link", "noscript", "template")
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")
_CSS_URL = re.compile(r"""(url\(\s*['"]?|@import\s*['"])\s*(?!data:)(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)""",
                      re.IGNORECASE)
# What a browser enforces even against CSS written to slip past the pass below (escapes): no
# script, no plug-in, no request but to the page's own site for its images and fonts.
_POLICY = ("default-src 'none'; img-src 'self' data:; font-src 'self' data:; "
           "style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'")


def _inert(root) -> None:
    """Drop active elements, event handlers, script and foreign URLs, and CSS that fetches;
    then state the same as a Content-Security-Policy."""
    for element in list(root.iter(*_ACTIVE)) + [m for m in root.iter("meta")
                                                 if m.get("http-equiv")]:
        element.drop_tree()
    root.find("head").insert(0, E.META(**{"http-equiv": "Content-Security-Policy",
                                          "content": _POLICY}))
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in list(element.attrib.items()):
            scheme = _SCHEME.match(value)
            kind = scheme.group(1).lower() if scheme else ""
            if name.lower().startswith("on") or (
                    name in ("href", "src", "action", "formaction", "poster", "data", "srcset",
                             "xlink:href", "background") and kind
                    and not (name == "href" and kind in ("http", "https", "mailto"))
                    and not (name == "src" and kind == "data")):
                del element.attrib[name]
            elif name == "style":
                element.set(name, _CSS_URL.sub(r"\1data:,", value))
        if element.tag == "style" and element.text:
            element.text = _CSS_URL.sub(r"\1data:,", element.text).replace("</", "<\\/")
