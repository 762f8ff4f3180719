"""One LibreOffice process for the whole test session, read through its UNO bridge.

LibreOffice is the independent reader of the DOCX: it lays out Word's numbering itself, so the
list labels it reports ("1.", "2.") are what a partner opening the file sees. Starting it costs
seconds, so one process serves every test (and every hypothesis example) that asks for it.
Debian's python3-uno (installed by setup.sh) is built for Python 3.11 like the interpreter here.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
import uuid
from pathlib import Path

UNO_PATHS = ("/usr/lib/python3/dist-packages", "/usr/lib/libreoffice/program")


class Office:
    """A headless LibreOffice listening on a private pipe; `close()` ends it."""

    def __init__(self, profile: Path, timeout: float = 120) -> None:
        for path in UNO_PATHS:
            if path not in sys.path:
                sys.path.append(path)
        import uno
        from com.sun.star.connection import NoConnectException

        self._uno = uno
        pipe = f"drafter-tests-{uuid.uuid4().hex}"
        self._process = subprocess.Popen(
            ["soffice", "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
             f"-env:UserInstallation={profile.as_uri()}",
             f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.monotonic() + timeout
        while True:  # the office takes a few seconds to open its pipe
            try:
                context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except NoConnectException:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    self.close()
                    raise RuntimeError("LibreOffice did not start") from None
                time.sleep(0.1)
        self._context = context
        self._desktop = context.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", context)

    @contextlib.contextmanager
    def _opened(self, docx: Path):
        """The document loaded hidden, closed again whatever the caller does with it."""
        hidden = self._uno.createUnoStruct("com.sun.star.beans.PropertyValue")
        hidden.Name, hidden.Value = "Hidden", True
        document = self._desktop.loadComponentFromURL(Path(docx).resolve().as_uri(), "_blank",
                                                      0, (hidden,))
        try:
            yield document
        finally:
            document.close(True)

    def paragraphs(self, docx: Path) -> list[tuple[str, str]]:
        """(list label as LibreOffice numbers it, "•" for a bullet, text) of every body
        paragraph, in order."""
        with self._opened(docx) as document:
            found = []
            elements = document.Text.createEnumeration()
            while elements.hasMoreElements():
                element = elements.nextElement()
                if element.supportsService("com.sun.star.text.Paragraph"):
                    label = element.ListLabelString
                    if not label and element.NumberingIsNumber:
                        label = "\u2022"  # a bullet: LibreOffice reports no label text
                    found.append((label, element.getString()))
            return found

    def cross_references(self, docx: Path) -> tuple[dict[str, str], list[tuple[str, str]]]:
        """({bookmark: the text LibreOffice has in it}, [(field code, shown result)] of the
        fields LibreOffice keeps as Word field marks (NOTEREF, REF...), in order)."""
        with self._opened(docx) as document:
            marks = document.getBookmarks()
            bookmarks = {name: marks.getByName(name).getAnchor().getString()
                         for name in marks.getElementNames()}
            fields = []
            found = document.getTextFields().createEnumeration()
            while found.hasMoreElements():
                field = found.nextElement()
                if field.supportsService("com.sun.star.text.Fieldmark"):
                    params = field.getParameters()
                    code = params.getByName("vnd.oasis.opendocument.field.code") \
                        if params.hasByName("vnd.oasis.opendocument.field.code") else ""
                    fields.append((code.strip(), field.getAnchor().getString()))
            return bookmarks, fields

    def to_pdf(self, docx: Path, pdf: Path) -> Path:
        """Lay the DOCX out as LibreOffice does and export that layout as `pdf`."""
        with self._opened(docx) as document:
            export = self._uno.createUnoStruct("com.sun.star.beans.PropertyValue")
            export.Name, export.Value = "FilterName", "writer_pdf_Export"
            document.storeToURL(Path(pdf).resolve().as_uri(), (export,))
            return Path(pdf)

    def edit_and_save(self, docx: Path, out: Path, find: str = "", replace: str = "",
                      record: bool = False) -> Path:
        """What a partner does: open the DOCX (or ODT), replace `find` by `replace` (with
        Edit > Track Changes > Record on, if `record`), and save it again to `out`: Word
        2007-365 (.docx), or OpenDocument for an .odt. (Adding a comment through UNO makes
        LibreOffice 7.4 crash on saving, even in a new document: tests/returned_copies.py
        writes a comment into an ODT's XML, and `soffice --convert-to` saves that as DOCX.)"""
        with self._opened(docx) as document:
            document.RecordChanges = record
            if find:
                search = document.createReplaceDescriptor()
                search.SearchString, search.ReplaceString = find, replace
                if document.replaceAll(search) == 0:
                    raise AssertionError(f"{find!r} is not in {docx}")
            kind = self._uno.createUnoStruct("com.sun.star.beans.PropertyValue")
            kind.Name = "FilterName"
            kind.Value = "writer8" if Path(out).suffix == ".odt" else "MS Word 2007 XML"
            document.storeToURL(Path(out).resolve().as_uri(), (kind,))
            return Path(out)

    def tracked_changes(self, docx: Path) -> list[tuple[str, str]]:
        """(type, author) of every tracked change, as Edit > Track Changes > Manage lists."""
        with self._opened(docx) as document:
            redlines = document.getRedlines().createEnumeration()
            found = []
            while redlines.hasMoreElements():
                change = redlines.nextElement()
                found.append((change.getPropertyValue("RedlineType"),
                              change.getPropertyValue("RedlineAuthor")))
            return found

    def after_all_changes(self, docx: Path, accept: bool) -> list[str]:
        """The body's paragraphs (text) once every tracked change is accepted, or rejected."""
        with self._opened(docx) as document:
            helper = self._context.ServiceManager.createInstanceWithContext(
                "com.sun.star.frame.DispatchHelper", self._context)
            command = ".uno:AcceptAllTrackedChanges" if accept else ".uno:RejectAllTrackedChanges"
            helper.executeDispatch(document.getCurrentController().getFrame(), command, "", 0,
                                   ())
            found = []
            elements = document.Text.createEnumeration()
            while elements.hasMoreElements():
                element = elements.nextElement()
                if element.supportsService("com.sun.star.text.Paragraph"):
                    found.append(element.getString())
            return found

    def pictures(self, docx: Path) -> list[tuple[str, str]]:
        """(title, description) of every picture, as LibreOffice's alternative-text dialog
        shows them (Word's docPr title and descr)."""
        with self._opened(docx) as document:
            graphics = document.getGraphicObjects()
            return [(graphics.getByIndex(i).Title, graphics.getByIndex(i).Description)
                    for i in range(graphics.getCount())]

    def close(self) -> None:
        """End the office process (and wait for it)."""
        try:
            self._desktop.terminate()
        except Exception:  # noqa: BLE001 - the bridge may already be gone; the kill follows
            pass
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
