"""Many tagged PDFs as one: pages, structure trees, parent tree, IDs, outlines, destinations.

pypdf's `PdfWriter.append` keeps the pages but drops the structure tree, so a combined mailing
was untagged. Here every letter's tree is copied with qpdf (through pikepdf) after its pages:
`copy_foreign` reuses what it already copied from the same file, so each element's /Pg and
each OBJR's annotation point at the copied pages and annotations, not at fresh duplicates.
"""

from __future__ import annotations

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from ..formats.pdf_tags import array_items

_KEYS = ("/StructParents", "/StructParent")  # a page's (and form's) key, an annotation's


class Merger:
    """A new PDF gathering letters (open pikepdf files) in order; `finish` completes it."""

    def __init__(self):
        self.pdf = pikepdf.new()
        self.root = self.pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
        self.kids: list = []  # the letters' top elements (their Document elements)
        self.nums: list = []  # the merged parent tree, key, value, key, value...
        self.next_key = 0
        self.ids: list[tuple[str, object]] = []  # (unique ID, element in the new PDF)
        self.dests: list[tuple[str, object]] = []  # (unique name, destination)
        self.outline: list = []  # the letters' top-level outline items, in order
        self.outline_count = 0
        self.maps = {"/RoleMap": Dictionary(), "/ClassMap": Dictionary()}
        self.names: set[str] = set()  # IDs and destination names taken so far
        self.lang: str | None = None
        self.tagged, self.titled, self.notes, self.letters = True, True, 0, 0

    def add(self, letter: pikepdf.Pdf) -> None:
        """Append `letter`'s pages and what refers to them (the letter is changed in place)."""
        number, self.letters = self.letters, self.letters + 1
        tree = letter.Root.get("/StructTreeRoot")
        offset, self.next_key = self.next_key, self.next_key + _key_count(letter, tree)
        renamed, dests = self._rename_dests(letter, number)
        for obj in letter.objects:  # keys and names made unique before anything is copied
            if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
                for key in _KEYS:
                    if isinstance(obj.get(key), int):
                        obj[key] = int(obj[key]) + offset
                _rename_dest(obj, renamed)
        ids = self._rename_ids(tree, number) if tree is not None else []
        for page in letter.pages:  # first: the tree's /Pg must find these copies
            # One by one: `extend` warns that it drops named destinations (they are kept here).
            self.pdf.pages.append(page)
        self.dests += [(name, self.pdf.copy_foreign(dest)) for name, dest in dests]
        if self.lang is None:
            self.lang = str(letter.Root.get("/Lang", ""))
        preferences = letter.Root.get("/ViewerPreferences", {})
        self.titled = self.titled and bool(preferences.get("/DisplayDocTitle", False))
        self._outline(letter)
        if tree is None:
            self.tagged = False
            return
        copied = self.pdf.copy_foreign(tree)
        lang = str(letter.Root.get("/Lang", ""))
        for kid in array_items(copied.get("/K")):
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                kid.P = self.root
                if lang and lang != self.lang and "/Lang" not in kid:
                    kid.Lang = String(lang)  # a letter in another language says so
                self.kids.append(kid)
        if "/ParentTree" in copied:
            for key, value in pikepdf.NumberTree(copied.ParentTree).items():
                self.nums += [int(key) + offset, value]
        for key, merged in self.maps.items():
            for name, value in copied.get(key, {}).items():
                if name not in merged:  # the first letter's mapping of a type stands
                    merged[name] = value
        self.ids += [(name, self.pdf.copy_foreign(element)) for name, element in ids]
        self.notes += _count(copied, "/Note")

    def _unique(self, name: str, number: int) -> str:
        """`name`, or one derived from it and the letter's place if taken (deterministic)."""
        new, salt = name, 1
        while new in self.names:
            new = f"letter-{number + 1}-{name}" + (f"-{salt}" if salt > 1 else "")
            salt += 1
        self.names.add(new)
        return new

    def _rename_ids(self, tree, number: int) -> list[tuple[str, object]]:
        """Each element's /ID unique in the combined file (two letters both have note-1)."""
        if "/IDTree" not in tree:
            return []
        out = []
        for name, element in pikepdf.NameTree(tree.IDTree).items():
            new = self._unique(name, number)
            if isinstance(element, pikepdf.Dictionary) and element.is_indirect:
                element.ID = String(new)
                out.append((new, element))
        return out

    def _rename_dests(self, letter, number: int) -> tuple[dict[str, str], list]:
        """The letter's named destinations (ids a link points at), renamed where taken, and
        each (new name, destination) to copy once the pages are."""
        names = letter.Root.get("/Names", {})
        if "/Dests" not in names:
            return {}, []
        renamed, dests = {}, []
        for name, dest in pikepdf.NameTree(names.Dests).items():
            renamed[name] = self._unique(name, number)
            # Only indirect objects copy across; a direct one is made indirect to copy it.
            dests.append((renamed[name], dest if dest.is_indirect else letter.make_indirect(dest)))
        return renamed, dests

    def _outline(self, letter) -> None:
        """The letter's bookmarks, kept for the combined outline."""
        outlines = letter.Root.get("/Outlines")
        if outlines is None or "/First" not in outlines:
            return
        copied = self.pdf.copy_foreign(outlines)  # destinations point at the copied pages
        item, items = copied.get("/First"), []
        while item is not None and len(items) < 100_000:  # a /Next cycle ends somewhere
            items.append(item)
            item = item.get("/Next")
        self.outline += items
        self.outline_count += max(int(copied.get("/Count", 0)), len(items))

    def finish(self) -> pikepdf.Pdf:
        """The new PDF with its catalog: structure tree, outline, destinations, language."""
        pdf, root = self.pdf, self.pdf.Root
        if self.tagged and self.kids:
            tree = self.root
            tree.K = Array(self.kids)
            tree.ParentTree = pdf.make_indirect(Dictionary(Nums=Array(self.nums)))
            tree.ParentTreeNextKey = self.next_key
            if self.ids:
                tree.IDTree = _name_tree(pdf, self.ids)
            for key, merged in self.maps.items():
                if len(merged):
                    tree[key] = merged
            root.StructTreeRoot = tree
            root.MarkInfo = Dictionary(Marked=True)
        else:  # an untagged letter among them: no tree would describe its pages
            for page in pdf.pages:
                if "/StructParents" in page.obj:
                    del page.obj["/StructParents"]
                for annotation in page.obj.get("/Annots", ()):
                    if "/StructParent" in annotation:
                        del annotation["/StructParent"]
        if self.lang:
            root.Lang = String(self.lang)
        if self.titled and self.letters:
            root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
        if self.outline:
            root.Outlines = _chain(pdf, self.outline, self.outline_count)
        if self.dests:
            root.Names = Dictionary(Dests=_name_tree(pdf, self.dests))
        return pdf


def _key_count(letter, tree) -> int:
    """How many parent-tree keys the letter uses (0 to this - 1)."""
    keys = [int(obj[key]) for obj in letter.objects
            if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream))
            for key in _KEYS if isinstance(obj.get(key), int)]
    if tree is not None and "/ParentTree" in tree:
        keys += [int(key) for key in pikepdf.NumberTree(tree.ParentTree).keys()]
    declared = int(tree.get("/ParentTreeNextKey", 0)) if tree is not None else 0
    return max([declared] + [key + 1 for key in keys])


def _rename_dest(obj, renamed: dict[str, str]) -> None:
    """A link's or outline item's named destination, under its new name."""
    if not renamed:
        return
    action = obj.get("/A")
    if not isinstance(action, pikepdf.Dictionary) or action.get("/S") != "/GoTo":
        action = None  # a GoToR's /D names a destination in another file
    for holder, key in ((obj, "/Dest"), (action, "/D")):
        if isinstance(holder, pikepdf.Dictionary) and isinstance(holder.get(key), String):
            name = str(holder[key])
            if name in renamed:
                holder[key] = String(renamed[name])


def _name_tree(pdf, entries: list[tuple[str, object]]):
    """A flat name tree, its keys in byte order as ISO 32000 requires."""
    names = Array()
    for name, value in sorted(entries, key=lambda entry: bytes(String(entry[0]))):
        names.append(String(name))
        names.append(value)
    return pdf.make_indirect(Dictionary(Names=names))


def _chain(pdf, items: list, count: int):
    """One outline root over the letters' top-level items, linked in order."""
    outlines = pdf.make_indirect(Dictionary(Type=Name.Outlines, Count=count))
    for before, item in zip([None] + items, items):
        item.Parent = outlines
        for key in ("/Prev", "/Next"):
            if key in item:
                del item[key]
        if before is not None:
            before.Next, item.Prev = item, before
    outlines.First, outlines.Last = items[0], items[-1]
    return outlines


def _count(tree, kind: str) -> int:
    """How many elements of type `kind` the structure tree holds."""
    found, todo, seen = 0, list(array_items(tree.get("/K"))), set()
    while todo:
        node = todo.pop()
        if not isinstance(node, pikepdf.Dictionary) or "/S" not in node \
                or (node.is_indirect and node.objgen in seen):
            continue
        seen.add(node.objgen)
        found += node.S == kind
        todo.extend(array_items(node.get("/K")))
    return found

