"""Tagged PDF: WeasyPrint 70's structure tree, repaired where drafter's HTML says more.

WeasyPrint tags each page's boxes in page order (read back on the examples): footnotes sit in a
NonStruct "footnote area" between two pages' text, read in the middle of a sentence crossing
the page; whatever crosses a page is two elements; page numbers are content claimed by
elements in no tree; `<a><em>` gives the <em> a link annotation of its own, outside the Link;
heading levels may skip; `alt=""` images are figures without /Alt; `lang` is lost. `repairs()`
fixes these on WeasyPrint's pydyf objects before the file is written (no re-parse), keyed on
the box that made each element. `check()` reads the file back for `--pdf-variant pdf/ua-1`.
"""

from __future__ import annotations

import contextlib
import io

# Where a footnote is read: right after the paragraph or heading that calls it, or at the end
# of the list item or cell (an L holds only LI, an LI only Lbl and LBody, a Table only rows).
_AFTER = {"/P", "/H1", "/H2", "/H3", "/H4", "/H5", "/H6", "/BlockQuote", "/Div"}
_INSIDE = {"/LBody", "/LI", "/TD", "/TH", "/Caption"}
_HEADINGS = {f"/H{n}": n for n in range(1, 7)}


@contextlib.contextmanager
def repairs():
    """A `finisher` for `Document.write_pdf` that repairs the structure tree it writes."""
    # Which box made which element is known only inside WeasyPrint's tagging function, so it
    # is wrapped for the length of one write_pdf (WeasyPrint is pinned to 70).
    from weasyprint.pdf import tags
    original = getattr(tags, "_build_box_tree", None)
    if original is None:  # another WeasyPrint: its tree is left alone, check() still runs
        yield None
        return
    boxes: dict[int, object] = {}

    def traced(box, *args):
        for element in original(box, *args):
            # html and body pass their children's elements up: the innermost box made it.
            boxes.setdefault(element.number, box)
            yield element

    # A module global, as the log capture is: one render at a time per process.
    tags._build_box_tree = traced
    try:
        yield lambda document, pdf: repair(pdf, document, boxes)
    finally:
        tags._build_box_tree = original


def repair(pdf, document, boxes: dict) -> None:
    """Apply every repair to the pydyf PDF `pdf`; a PDF without tags is left alone."""
    if "StructTreeRoot" not in pdf.catalog:
        return
    tree = _Tree(pdf, boxes)
    tree.page_furniture(document)
    for step in (tree.links, tree.notes, tree.join_pieces, tree.figures, tree.headings,
                 tree.languages, tree.finish):
        step()


def _number(reference) -> int:
    return int(bytes(reference).split()[0])


class _Tree:
    """WeasyPrint's structure elements (pydyf dictionaries), their parents, their boxes."""

    def __init__(self, pdf, boxes: dict):
        self.pdf, self.boxes, self.objects = pdf, boxes, pdf.objects
        self.pages = pdf.page_references
        self.root = self.get(pdf.catalog["StructTreeRoot"])
        self.nums = self.get(self.root["ParentTree"])["Nums"]  # [key, value, key, value...]
        self.claims = {self.nums[i]: i + 1 for i in range(0, len(self.nums), 2)}
        self.document = self.get(self.root["K"][0])
        self.ids: list[tuple[str, bytes]] = []
        self.unclaimed: dict[int, set[int]] = {}  # page index -> MCIDs made artifacts
        self.walk()

    def get(self, reference):
        return self.objects[_number(reference)]

    def kids(self, element, kind: str = "/StructElem") -> list:
        return [self.get(k) for k in element.get("K", ()) if not isinstance(k, int)
                and self.get(k).get("Type") == kind]

    def walk(self) -> list[int]:
        """Structure order (and parents) from the Document element down."""
        self.order, self.parents = [], {}
        todo = [self.document]
        while todo:
            element = todo.pop()
            self.order.append(element.number)
            kids = self.kids(element)
            self.parents.update((kid.number, element.number) for kid in kids)
            todo.extend(reversed(kids))
        return self.order

    def box(self, element):
        box = self.boxes.get(element.number)
        return box if box is not None and box.element is not None else None

    def is_(self, element, tag: str, css_class: str | None = None) -> bool:
        box = self.box(element)
        return box is not None and box.element_tag == tag and (
            css_class is None or css_class in (box.element.get("class") or "").split())

    def remove(self, element, parent) -> None:
        parent["K"][:] = [k for k in parent["K"]
                          if isinstance(k, int) or _number(k) != element.number]

    # --- page furniture -------------------------------------------------------------------

    def page_furniture(self, document) -> None:
        """Margin boxes (page numbers, running heads, draft marks) become artifacts."""
        # WeasyPrint builds elements for margin boxes but links them to no parent (an artifact
        # in the tree needs PDF 2.0); their text stays marked content claimed by those
        # elements: content no reader reaches, yet not marked as furniture either.
        from weasyprint.formatting_structure.boxes import MarginBox
        kinds: dict[int, dict] = {}
        for page in document.pages:
            for margin in page._page_box.children:
                if isinstance(margin, MarginBox):
                    at = margin.at_keyword
                    kind = {"Type": "/Pagination"} | (
                        {"Subtype": "/Header"} if at.startswith("@top") else
                        {"Subtype": "/Footer"} if at.startswith("@bottom") else {})
                    kinds.update((id(box), kind) for box in margin.descendants())
        reached = set(self.order)
        for number, box in self.boxes.items():
            element = self.objects[number]
            if number not in reached and id(box) in kinds and "Pg" in element:
                self._unmark(element, kinds[id(box)])

    def _unmark(self, element, props: dict) -> None:
        """The marked content of `element` and its text spans becomes an artifact."""
        page, mcids, todo = self.pages.index(element["Pg"]), set(), [element]
        while todo:
            e = todo.pop()
            mcids.update(k for k in e.get("K", ()) if isinstance(k, int))
            todo.extend(self.kids(e))
            e.clear()  # an empty dictionary: no longer a structure element anywhere
        items = self.get(self.get(self.pages[page])["Contents"]).stream
        for i, item in enumerate(items[1:-1], start=1):
            # pydyf holds "/Span <</MCID n>> BDC" as three items: the tag, the dict, BDC.
            if isinstance(item, dict) and item.get("MCID") in mcids:
                items[i - 1] = "/Artifact"
                item.clear()
                item.update(props)
        self.unclaimed.setdefault(page, set()).update(mcids)

    # --- links ----------------------------------------------------------------------------

    def links(self) -> None:
        """Every link annotation is claimed by its Link element."""
        # WeasyPrint gives each inline box with a link its own annotation: <a><em>x</em></a>
        # makes two, and the <em>'s is claimed by the NonStruct <em> inside the Link.
        for number in self.order:
            element = self.objects[number]
            objrs = [objr.reference for objr in self.kids(element, "/OBJR")]
            link = self.ancestor(number, {"/Link"})
            if not objrs or element.get("S") == "/Link" or link is None:
                continue
            element["K"][:] = [k for k in element["K"] if k not in objrs]
            at = len(self.kids(link, "/OBJR"))  # WeasyPrint puts a Link's OBJRs first
            link["K"][at:at] = objrs
            for objr in objrs:
                annotation = self.get(self.get(objr)["Obj"])
                self.nums[self.claims[annotation["StructParent"]]] = link.reference

    # --- footnotes ------------------------------------------------------------------------

    def notes(self) -> None:
        """Footnotes become Note elements read right after the paragraph that calls them."""
        index = {n: i for i, n in enumerate(self.order)}
        calls, pieces, notes = {}, {}, []
        for number in self.order:
            element, box = self.objects[number], self.box(self.objects[number])
            if box is None:
                continue
            pieces.setdefault(self._key(element), []).append(number)
            if self.is_(element, "span::footnote-call") or \
                    self.is_(element, "span", "footnote-ref"):
                element["S"] = "/Reference"
                calls.setdefault(id(box.element), number)
            elif self.is_(element, "span::footnote-marker"):
                element["S"] = "/Lbl"
            elif self.is_(element, "span", "footnote") and type(
                    self.boxes.get(self.parents[number])).__name__ == "FootnoteAreaBox":
                notes.append(element)
        after: dict[int, int] = {}  # paragraph -> notes put after it so far
        for n, note in enumerate(notes, start=1):
            note["S"], note["ID"] = "/Note", _string(f"note-{n}")
            self.ids.append((f"note-{n}", note.reference))
            call = calls.get(id(self.box(note).element))
            block = self.ancestor(call, _AFTER | _INSIDE) if call is not None else None
            if block is None:
                continue  # no call found: the note stays where WeasyPrint put it
            # A paragraph crossing a page is two elements until join_pieces: the last one.
            block = self.objects[max(pieces.get(self._key(block), [block.number]),
                                     key=index.__getitem__)]
            area = self.objects[self.parents[note.number]]
            self.remove(note, area)
            if block.get("S") in _INSIDE:
                parent, at = block, len(block["K"])
            else:
                parent = self.objects[self.parents[block.number]]
                at = list(parent["K"]).index(block.reference) + 1 + after.get(block.number, 0)
                after[block.number] = after.get(block.number, 0) + 1
            parent["K"].insert(at, note.reference)
            note["P"] = parent.reference
            self.parents[note.number] = parent.number
            if not area.get("K") and area.number in self.parents:
                self.remove(area, self.objects[self.parents[area.number]])
                area.clear()

    def ancestor(self, number: int, kinds: set[str]):
        """The nearest element above `number` whose type is one of `kinds`."""
        while number in self.parents:
            number = self.parents[number]
            if self.objects[number].get("S") in kinds:
                return self.objects[number]
        return None

    # --- one element per HTML element -----------------------------------------------------

    def join_pieces(self) -> None:
        """The pieces of one HTML element, cut at a page or line break, become one element."""
        # WeasyPrint tags page by page: a paragraph crossing a page is two P (in two Sect), a
        # link wrapped over two lines two Link, and a reader hears two paragraphs. Top down:
        # joining two Sect makes their P neighbours, which are joined in turn.
        todo = [self.document]
        while todo:
            element, previous = todo.pop(), None
            for k in list(element["K"]):
                kid = None if isinstance(k, int) else self.get(k)
                if kid is None or kid.get("Type") == "/MCR":
                    previous = None  # content between two pieces: not one element
                elif kid.get("Type") == "/StructElem":
                    key = self._key(kid)
                    if previous is not None and key is not None and key == self._key(previous):
                        self._absorb(previous, kid, element)
                    else:
                        previous = kid
                        todo.append(kid)
        self.walk()

    def _key(self, element):
        box = self.box(element)
        return box and (id(box.element), box.element_tag, element.get("S"))

    def _absorb(self, first, piece, parent) -> None:
        """Move `piece`'s kids to the end of `first`, and its claims on content with them."""
        import pydyf
        for k in piece["K"]:
            kid = None if isinstance(k, int) else self.get(k)
            if kid is None:
                self.nums[self.claims[self.pages.index(piece["Pg"])]][k] = first.reference
                if piece["Pg"] != first["Pg"]:  # an MCID is read on its element's /Pg
                    kid = pydyf.Dictionary({"Type": "/MCR", "Pg": piece["Pg"], "MCID": k})
                    self.pdf.add_object(kid)
                    k = kid.reference
            elif kid.get("Type") == "/OBJR":
                annotation = self.get(kid["Obj"])
                self.nums[self.claims[annotation["StructParent"]]] = first.reference
            elif kid.get("Type") == "/MCR":
                self.nums[self.claims[self.pages.index(kid["Pg"])]][kid["MCID"]] = \
                    first.reference
            else:
                kid["P"] = first.reference
            first["K"].append(k)
        self.remove(piece, parent)
        piece.clear()

    # --- figures, headings, languages -----------------------------------------------------

    def figures(self) -> None:
        """An image with an empty alt (decoration, in HTML) becomes an artifact."""
        for number in list(self.order):
            element, box = self.objects[number], self.box(self.objects[number])
            alt = box.element.get("alt") if box is not None else None
            if element.get("S") != "/Figure" or "Alt" in element or alt is None or alt.strip():
                continue  # no alt at all: a figure without /Alt, which check() reports
            self.remove(element, self.objects[self.parents[number]])
            self._unmark(element, {})
        self.walk()

    def headings(self) -> None:
        """After the H1, a heading is at most one level below the one before it."""
        previous = 0
        for number in self.order:
            element = self.objects[number]
            level = _HEADINGS.get(element.get("S"))
            if level is None:
                continue
            if previous:  # before an H1 the HTML's levels stay (check() reports them)
                level = min(level, previous + 1)
                element["S"] = f"/H{level}"
            if level == 1 or previous:
                previous = level

    def languages(self) -> None:
        """/Lang on each element whose HTML language is not the one it inherits."""
        lang = getattr(self.pdf.catalog.get("Lang"), "string", "") or ""
        todo = [(self.document, lang.lower())]
        while todo:
            element, inherited = todo.pop()
            box = self.box(element)
            own = (box.style["lang"] or "") if box is not None else ""
            if own and own.lower() != inherited:
                element["Lang"] = _string(own)
                inherited = own.lower()
            todo.extend((kid, inherited) for kid in self.kids(element))

    def finish(self) -> None:
        """Artifacts' MCIDs claimed by no one in the parent tree; the notes' IDs listed."""
        import pydyf
        for page, mcids in self.unclaimed.items():
            claims = self.nums[self.claims[page]]
            claims[:] = [b"null" if i in mcids else c for i, c in enumerate(claims)]
            while claims and claims[-1] == b"null":
                claims.pop()
        if self.ids:  # an element with an /ID must be in the tree root's /IDTree
            names = pydyf.Array()
            for key, reference in sorted(self.ids, key=lambda kv: kv[0].encode()):
                names.extend([_string(key), reference])
            self.root["IDTree"] = pydyf.Dictionary({"Names": names})


def _string(text: str):
    from pydyf import String
    return String(text)


# --- the check at render time --------------------------------------------------------------


def require_ua(data: bytes, document=None) -> None:
    """Raise RenderError unless the written PDF passes `check` (for pdf/ua-1); `document`
    (WeasyPrint's layout) tells how many notes it set at the foot of a page."""
    notes = None if document is None else sum(
        box.element is not None for page in document.pages for area in page._page_box.children
        if type(area).__name__ == "FootnoteAreaBox" for box in area.children)
    problems = check(data, notes)
    if problems:
        from .base import RenderError
        raise RenderError("PDF not written: it would not meet the pdf/ua-1 it claims: "
                          + "; ".join(problems))


def check(data: bytes, notes: int | None = None) -> list[str]:
    """What a PDF/UA reader would trip over in the PDF `data`, read back; [] when nothing.
    `notes`: how many footnotes the letter has (each must be a Note where it is called)."""
    import pikepdf
    with pikepdf.open(io.BytesIO(data)) as pdf:
        if "/StructTreeRoot" not in pdf.Root:
            return ["the PDF has no structure tree"]
        found = _Found(pdf)
        lang = [] if str(pdf.Root.get("/Lang", "")).strip() else ["the document has no /Lang"]
        return lang + found.headings() + found.figures() + found.notes(notes) + \
            found.links() + found.unreached()


class _Found:
    """The structure tree as pikepdf reads it, walked once (a few milliseconds)."""

    def __init__(self, pdf):
        import pikepdf
        self.pdf = pdf
        self.pages = {page.obj.objgen: n for n, page in enumerate(pdf.pages, start=1)}
        self.elements: dict[tuple, object] = {}  # objgen -> element, in structure order
        self.parent: dict[tuple, object] = {}
        self.claimed: dict[tuple, object] = {}  # annotation objgen -> its OBJR's element
        todo = [(kid, None) for kid in reversed(array_items(pdf.Root.StructTreeRoot.get("/K")))]
        while todo:
            node, owner = todo.pop()
            if not isinstance(node, pikepdf.Dictionary) or node.get("/Type") == "/MCR":
                continue
            if node.get("/Type") == "/OBJR":
                self.claimed[node.Obj.objgen] = owner
            elif "/S" in node:
                self.elements[node.objgen], self.parent[node.objgen] = node, owner
                todo.extend((kid, node) for kid in reversed(array_items(node.get("/K"))))

    def _on(self, element) -> str:
        page = self.pages.get(getattr(element.get("/Pg"), "objgen", None))
        return f" (page {page})" if page else ""

    def headings(self) -> list[str]:
        out, previous = [], 0
        for element in self.elements.values():
            level = _HEADINGS.get(str(element.S))
            if level is not None and not previous and level != 1:
                out.append(f"the first heading is H{level}{self._on(element)}, not H1")
            elif level is not None and previous and level > previous + 1:
                out.append(f"an H{level}{self._on(element)} follows an H{previous}")
            previous = level or previous
        return out[:3]

    def figures(self) -> list[str]:
        bare = [e for e in self.elements.values() if e.S == "/Figure"
                and not str(e.get("/Alt", e.get("/ActualText", ""))).strip()]
        return [f"{len(bare)} image(s) without alternative text{self._on(bare[0])}"] \
            if bare else []

    def notes(self, expected: int | None) -> list[str]:
        notes = [e for e in self.elements.values() if e.S == "/Note"]
        ids = [str(e.get("/ID", "")) for e in notes]
        out = [] if all(ids) and len(set(ids)) == len(ids) else ["footnotes without a unique ID"]
        if expected is not None and len(notes) < expected:
            out.append(f"{expected - len(notes)} footnote(s) not tagged as notes (read where "
                       "the page ends, not after the text that calls them)")
        if notes and "/IDTree" not in self.pdf.Root.StructTreeRoot:
            out.append("footnote IDs missing from the structure tree's /IDTree")
        astray = [e for e in notes if self.parent[e.objgen] is not None
                  and self.parent[e.objgen].S == "/NonStruct"]
        if astray:
            out.append(f"{len(astray)} footnote(s) read where the page ends, not after the "
                       f"text that calls them{self._on(astray[0])}")
        return out

    def links(self) -> list[str]:
        loose = [n for n, page in enumerate(self.pdf.pages, start=1)
                 for annotation in page.obj.get("/Annots", ())
                 if annotation.get("/Subtype") == "/Link"
                 and getattr(self.claimed.get(annotation.objgen), "S", None) != "/Link"]
        return [f"{len(loose)} link(s) outside their Link element (page {loose[0]})"] \
            if loose else []

    def unreached(self) -> list[str]:
        """Marked content claimed by an element outside the tree (page numbers, once)."""
        import pikepdf
        pages = sorted(key + 1 for key, value in pikepdf.NumberTree(
            self.pdf.Root.StructTreeRoot.ParentTree).items()
            if key < len(self.pages) and any(
                isinstance(claim, pikepdf.Dictionary) and claim.objgen not in self.elements
                for claim in array_items(value)))
        return [f"text on page {pages[0]} is neither in the structure tree nor an artifact"] \
            if pages else []


def array_items(value) -> list:
    """A PDF value that may be one object or an array of them (a /K), as a list."""
    import pikepdf
    return [] if value is None else list(value) if isinstance(value, pikepdf.Array) else [value]
