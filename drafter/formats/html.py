"""A standalone web page of the letter: the template's HTML with its stylesheet inlined and
footnotes turned into numbered notes at the end (a browser has no page foot)."""

from __future__ import annotations

import copy
import re

import tinycss2
from lxml import html as lxml_html
from lxml.html import builder as E

from ..assets import AssetRefused, short_ref
from .base import Rendered, RenderError, Rendition


def render_html(r: Rendition) -> Rendered:
    """The letter as one self-contained HTML file (no external requests)."""
    root = copy.deepcopy(r.tree)  # the one parse of the template's HTML; changed here
    head, body = root.find("head"), root.find("body")
    head.append(E.STYLE(r.stylesheet))
    _endnotes(root, body)
    _first_heading(root, body, r.title)
    _furniture(body, r.flow.metadata)  # first: a reader meets "DRAFT" before the letter
    _embed_images(root, r)  # before _inert: an image the PDF refuses is refused here too
    _screen_css(root)
    _inert(root)  # last: it judges the page as it is written
    return Rendered(lxml_html.tostring(root, doctype="<!DOCTYPE html>", encoding="utf-8",
                                       method="html"))


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


def _meta(root, name: str, default: str) -> str:
    """Fixed words the template gives in `<meta name="drafter:NAME">`, in the letter's language."""
    return root.xpath(f"string(//meta[@name='drafter:{name}']/@content)") or default


def _endnotes(root, body) -> None:
    """Replace footnote bodies by numbered calls linking to a list of notes after the letter,
    each note linking back to each of its calls."""
    label = _meta(root, "notes-label", "Notes")
    back = _meta(root, "note-back-label", "Back to reference {number}")
    notes = E.OL()
    for span in root.xpath("//span[contains(concat(' ', @class, ' '), ' footnote ') or "
                           "contains(concat(' ', @class, ' '), ' footnote-ref ')]"):
        if "footnote" in span.get("class", "").split():
            n = len(notes) + 1
            item = E.LI(id=f"note-{n}")
            for name in ("lang", "dir"):  # a note in another script keeps its direction
                if span.get(name):
                    item.set(name, span.get(name))
            item.text = span.text
            item.extend(span)
            notes.append(item)
            number = str(n)
        else:  # a further call of a note already given (read as the DOCX and text read it)
            number = (span.get("data-note") or span.text_content()).strip()
        call = E.SUP(E.A(number, **{"data-drafter-note": number}), E.CLASS("note-call"))
        call.tail = span.tail
        span.getparent().replace(span, call)
    if len(notes):
        body.append(E.SECTION(E.H2(label, id="notes-title"), notes, E.CLASS("notes"),
                              role="doc-endnotes", **{"aria-labelledby": "notes-title"}))
    calls: dict[int, list] = {}  # note -> its calls in the page's order (notes' own calls last)
    for link in body.xpath(".//a[@data-drafter-note]"):
        number = link.attrib.pop("data-drafter-note")
        if number.isdigit() and 1 <= int(number) <= len(notes):
            calls.setdefault(int(number), []).append(link)
        # else no such note: the number, linking nowhere
    for n, links in calls.items():
        item = notes[n - 1]
        for k, link in enumerate(links, 1):
            # A note cited twice has two ways back; GitHub and pandoc name the second "1-2".
            number = str(n) if k == 1 else f"{n}-{k}"
            link.attrib.update({"href": f"#note-{n}", "id": f"note-call-{number}",
                                "role": "doc-noteref"})
            if len(item):
                item[-1].tail = (item[-1].tail or "") + " "
            else:
                item.text = (item.text or "") + " "
            item.append(E.A("\u21a9\ufe0e" + (str(k) if len(links) > 1 else ""),
                            E.CLASS("note-back"), href=f"#note-call-{number}",
                            role="doc-backlink",
                            **{"aria-label": back.replace("{number}", number)}))


# Hidden from sight, not from screen readers: the page's outline starts at its title.
_HIDDEN = ("position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; "
           "overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0;")


def _first_heading(root, body, title: str) -> None:
    """A page without an h1 (a letter without a subject) gets the letter's title as one,
    visually hidden: the page looks the same and its outline has a top."""
    if body.find(".//h1") is not None:
        return
    title = " ".join((title or root.findtext(".//head/title") or "").split())
    if title:
        heading = E.H1(title, E.CLASS("drafter-title"), style=_HIDDEN)
        heading.tail = body.text
        body.text = None
        body.insert(0, heading)


def _furniture(body, md) -> None:
    """A draft's mark and notice and an embargo's line, which the PDF and the DOCX print at
    the top of every page, as a framed note above the letter."""
    if not md.furniture:
        return
    lines = []
    if md.draft_mark or md.draft_notice:
        line = E.P(E.STRONG(md.draft_mark)) if md.draft_mark else E.P()
        if md.draft_notice:
            line.append(E.SPAN(md.draft_notice))
            line[-1].text = (" — " if md.draft_mark else "") + md.draft_notice
        lines.append(line)
    if md.embargo:
        lines.append(E.P(md.embargo))
    note = E.DIV(*lines, E.CLASS("drafter-furniture"), role="note", style=_FURNITURE_LOOK)
    note.tail = body.text
    body.text = None
    body.insert(0, note)


_FURNITURE_LOOK = "border: 1px solid #a00; color: #a00; padding: 0.2em 0.8em; margin: 0 0 1.5em;"


# Paged-media CSS that WeasyPrint reads for the PDF and that no browser implements (so leaving
# it out changes nothing on screen, nor when a browser prints the page); the Nu HTML checker
# rejects it. @page and its margin boxes stay: browsers use them when they print.
_PAGED_PROPERTIES = frozenset(("footnote-policy", "footnote-display", "string-set",
                               "bookmark-level", "bookmark-label", "bookmark-state"))
_PAGED_PSEUDO = re.compile(r"::?footnote-(?:call|marker)\b", re.IGNORECASE)
_RULE_LISTS = frozenset(("media", "supports", "layer", "container", "document", "scope"))


def _screen_css(root) -> None:
    """Leave out of every style sheet and style attribute what only a paged-media engine reads."""
    for element in root.iter("style"):
        if element.text:
            element.text = _screen_rules(element.text)
    for element in root.xpath("//*[@style]"):
        element.set("style", _screen_block(tinycss2.parse_component_value_list(
            element.get("style"))))


def _screen_rules(css: str) -> str:
    """A style sheet less its paged-media-only rules and declarations."""
    return "".join(_screen_node(node) for node in tinycss2.parse_stylesheet(
        css, skip_comments=False, skip_whitespace=False))


def _screen_node(node) -> str:
    """One rule (or comment, or space) as a browser should get it; "" for one it ignores."""
    if node.type == "error":
        return ""  # a browser skips it as well
    if node.type == "at-rule" and node.content is not None:
        if node.lower_at_keyword == "footnote":
            return ""
        if node.lower_at_keyword in _RULE_LISTS:
            inner = "".join(_screen_node(n) for n in tinycss2.parse_rule_list(
                node.content, skip_comments=False, skip_whitespace=False))
        else:
            inner = _screen_block(node.content)
        return f"@{node.at_keyword}{tinycss2.serialize(node.prelude)}{{{inner}}}"
    if node.type == "qualified-rule":
        if _PAGED_PSEUDO.search(tinycss2.serialize(node.prelude)):
            return ""
        return f"{tinycss2.serialize(node.prelude)}{{{_screen_block(node.content)}}}"
    return node.serialize()


def _screen_block(tokens) -> str:
    """A block's declarations and nested rules, less the paged-media-only ones."""
    out, dropped = [], False
    for node in tinycss2.parse_blocks_contents(tokens, skip_comments=False,
                                               skip_whitespace=False):
        if dropped and (node.type == "comment" or (node.type == "whitespace"
                                                   and "\n" not in node.value)):
            continue  # the dropped declaration's own comment, on its line
        dropped = node.type == "declaration" and (node.lower_name in _PAGED_PROPERTIES or (
            node.lower_name == "float"
            and tinycss2.serialize(node.value).strip().lower() == "footnote"))
        if not dropped:
            out.append(node.serialize() + ";" if node.type == "declaration"
                       else _screen_node(node))
    return "".join(out)


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
