"""PDF output: WeasyPrint on the template's HTML, reading only the letter and template folders."""

from __future__ import annotations

import contextlib
import datetime
import io
import logging
import os
import warnings as py_warnings
import zlib
from pathlib import Path

from .base import Rendered, Rendition, RenderError

SUPPORTED_VARIANTS = ("pdf/a-3b", "pdf/ua-1")

# Font subsets made by fontTools (WeasyPrint's fallback when HarfBuzz subsetting is missing)
# carry a "modified" timestamp: pin it so the same letter always gives the same bytes.
FALLBACK_EPOCH = 946684800  # 2000-01-01T00:00:00Z

_MAX_WARNING = 300


def render_pdf(r: Rendition) -> Rendered:
    """Lay out `r` as PDF bytes; raise RenderError if a resource was refused or an option is bad."""
    # Non-fatal problems (missing glyphs, bad CSS, dropped attachments) become one-line warnings.
    variant = r.options.get("pdf_variant") or None
    variant = variant.lower() if isinstance(variant, str) else variant
    if variant is not None and variant not in SUPPORTED_VARIANTS:
        raise RenderError(f"unsupported PDF variant {variant!r} "
                          f"(choose one of: {', '.join(SUPPORTED_VARIANTS)})")
    pdf_tags = bool(r.options.get("pdf_tags", True))
    allow_attachments = bool(r.options.get("pdf_attachments", False))

    # Imported here: `drafter validate` and shell completion must not pay WeasyPrint's import.
    from .weasy import import_weasyprint
    import_weasyprint()
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError, URLFetchingError

    from .fetcher import ConfinedFetcher, short_url

    fetcher = ConfinedFetcher(r.assets)
    notes: list[str] = []
    options = {"pdf_variant": variant, "pdf_tags": pdf_tags, "presentational_hints": True}
    with _weasyprint_log() as records, _source_date_epoch(r.date):
        try:
            font_config, css = _stylesheet(r, fetcher, records, CSS, FontConfiguration)
            html = HTML(string=r.html, base_url=_dir_url(r.letter_dir), url_fetcher=fetcher)
            document = html.render(font_config=font_config, stylesheets=[css], **options)
            too_long = notes_taller_than_a_page(html, document)
            if too_long:
                raise NoteTooLong(too_long)
            if not allow_attachments:
                notes += _drop_attachments(html, document)
            when = _timestamp(r.date)
            _fill_metadata(document.metadata, r, when)
            pages = len(document.pages)
            # Tagged PDFs: the structure tree repaired where drafter's HTML says more; then
            # the last touches, on the same objects before the file is written (no re-parse).
            from . import pdf_tags
            archival = bool(variant and variant.startswith("pdf/a"))
            with pdf_tags.repairs() as repair:
                def finisher(document, pdf):
                    if repair is not None:
                        repair(document, pdf)
                    _finish(pdf, archival, when)
                data = document.write_pdf(finisher=finisher, **options)
            if variant == "pdf/ua-1":
                pdf_tags.require_ua(data, document)
        except (URLFetchingError, FatalURLFetchingError) as error:
            # A few WeasyPrint paths (e.g. @color-profile) let a fetch failure escape.
            if not fetcher.refused:
                raise RenderError(f"PDF rendering failed: {error}") from None
    refused = {short_url(x.url): x for x in fetcher.refused}
    messages = _dedupe(notes + [m for m in _messages(records, _decorative(r.tree))
                                if not _about(m, fetcher.refused)])
    if refused:
        listed = "; ".join(str(x) for x in refused.values())
        noun = "resource" if len(refused) == 1 else "resources"
        raise RenderError(f"PDF not written: {len(refused)} {noun} refused: {listed}")
    # An image that cannot be decoded (corrupt, a decompression bomb, a broken SVG) would leave
    # a hole in the PDF that the DOCX has not: an error, as in the DOCX.
    broken = _dedupe([_image_failure(r) for r in records
                      if str(r.msg).startswith(_IMAGE_FAILURES)])
    if broken:
        raise RenderError(f"PDF not written: {'; '.join(broken)}")
    return Rendered(data, tuple(messages), {"pages": pages})


_IMAGE_FAILURES = ("Failed to load image", "Failed to render SVG image")


class _Stylesheets:
    """The parsed stylesheet of the letters a batch worker renders (all of one template), so
    that each letter does not parse it and load its fonts again (15 ms of 160 ms a letter).
    Off unless a batch worker turns it on: a long-lived process (drafter watch, an
    application) would not see a font file change under an unchanged stylesheet."""

    reuse = False
    last: tuple | None = None  # (key, font configuration, CSS, the log records it gave)


def reuse_stylesheets() -> None:
    """Parse each stylesheet once in this process (a batch worker's whole life)."""
    _Stylesheets.reuse = True


def _stylesheet(r: Rendition, fetcher, records: list, CSS, FontConfiguration):
    """The letter's parsed stylesheet and the font configuration its @font-face rules filled;
    a reused one gives this letter the warnings its parsing gave, as a fresh one would."""
    key = (r.stylesheet, str(r.template_dir), r.assets.folders)
    last = _Stylesheets.last
    if _Stylesheets.reuse and last is not None and last[0] == key:
        records.extend(last[3])
        return last[1], last[2]
    first, refused = len(records), len(fetcher.refused)
    font_config = FontConfiguration()
    css = CSS(string=r.stylesheet, base_url=_dir_url(r.template_dir), url_fetcher=fetcher,
              font_config=font_config)
    if _Stylesheets.reuse and len(fetcher.refused) == refused:  # a refusal fails the letter
        _Stylesheets.last = (key, font_config, css, tuple(records[first:]))
    return font_config, css


class NoteTooLong(RenderError):
    """Footnotes too long for a page: WeasyPrint never splits a footnote, it would place the
    note's first lines above the page, out of sight."""

    def __init__(self, notes: list[tuple[str | None, int, int, int]]):
        self.notes = notes  # (note id, number as printed, words, words that fit), in order
        super().__init__("PDF not written: " + "; ".join(
            f"footnote {number}: {note_message(words, fit)}" for _, number, words, fit in notes))


def note_message(words: int, fit: int) -> str:
    """Why a footnote is refused, and how long it may be."""
    return (f"this note has {words} words; at most about {fit} fit on one page (a footnote "
            "is never split across pages): shorten it, or move part of it into the text")


# Lines of the letter's text kept beside a note on its page: the line that calls it (with room
# for its paragraph's spacing).
_CALL_LINES = 2


def notes_taller_than_a_page(html, document) -> list[tuple[str | None, int, int, int]]:
    """Footnotes whose page could not hold them (their area starts above the page's text
    area), with the words each has and about how many would fit; [] when all fit."""
    spans = [el for el in html.etree_element.iter("span")
             if "footnote" in (el.get("class") or "").split()]
    numbers = {id(el): n for n, el in enumerate(spans, start=1)}
    found = []
    for page in document.pages:
        box = page._page_box
        areas = [c for c in box.children if type(c).__name__ == "FootnoteAreaBox"]
        for area in areas:
            if area.border_box_y() >= box.content_box_y() - 0.5:
                continue
            root = box.children[0]
            line = root.style["font_size"] * 1.5
            room = box.height - (area.margin_height() - area.height) - _CALL_LINES * line
            notes = [n for n in area.children if n.element is not None]
            # Only the notes taller than the room on their own; else all of them (together).
            tall = [n for n in notes if n.margin_height() > room] or notes
            for note in tall:
                words = len("".join(note.element.itertext()).split())
                # Words in proportion to height, less 5% (lines end between words): a note of
                # that length fits (measured: 767 said, 861 fit, for 4-9 letter words).
                fit = int(words * room / max(note.margin_height(), 1) * 0.95)
                found.append((note.element.get("data-note-id"),
                              numbers.get(id(note.element), 0), words, max(fit, 0)))
    return found


def _image_failure(record: logging.LogRecord) -> str:
    """An image WeasyPrint could not decode, with the reason (kept in the error's cause)."""
    from .fetcher import short_url
    args = record.args if isinstance(record.args, tuple) else ()
    error = args[1] if len(args) > 1 and isinstance(args[1], BaseException) else None
    cause = (error.__cause__ or error) if error is not None else None
    reason = " ".join(str(cause).split())[:_MAX_WARNING] if cause is not None else ""
    what = f"{type(cause).__name__}: {reason}" if reason else "not a readable image"
    return f"image {short_url(str(args[0])) if args else '?'} could not be read ({what})"


def _dir_url(folder: Path) -> str:
    # The trailing slash makes "logo.png" resolve inside the folder, not next to it.
    return folder.resolve().as_uri().rstrip("/") + "/"


def _drop_attachments(html, document) -> list[str]:
    """Remove `<link rel=attachment>` and `<a rel=attachment>` files before they are fetched."""
    # WeasyPrint fetches attachments only in write_pdf(), so emptying the lists here means the
    # files are never read, whatever the fetcher would have said.
    notes = [f"attachment dropped (attachments are off): {element.get('href')}"
             for element in html.etree_element.iter("link")
             if "attachment" in (element.get("rel") or "").lower().split()]
    document.metadata.attachments = []
    for page in document.pages:
        notes += [f"attachment link dropped (attachments are off): {link[1]}"
                  for link in page.links if link[0] == "attachment"]
        page.links[:] = [link for link in page.links if link[0] != "attachment"]
    return notes


def _finish(pdf, archival: bool, when: datetime.datetime) -> None:
    """Last touches on WeasyPrint's pydyf objects, in one pass before the file is written."""
    import pydyf
    stamp = pydyf.String(when.strftime("D:%Y%m%d%H%M%SZ"))
    for obj in pdf.objects:
        extra = obj.extra if isinstance(obj, pydyf.Stream) else obj
        if not isinstance(extra, dict):
            continue
        if extra.get("Type") == "/Annot" and "F" not in extra:
            # The Print flag (ISO 19005-3, 6.3.2; WeasyPrint sets it for PDF/A only): a
            # printed letter and the screen show the same. Links have no appearance to print.
            extra["F"] = 1 << 2
        elif extra.get("Type") == "/EmbeddedFile" and isinstance(extra.get("Params"), dict):
            # WeasyPrint stamps attached files with "now": the letter's date keeps the bytes
            # reproducible.
            extra["Params"]["CreationDate"] = extra["Params"]["ModDate"] = stamp
        elif archival and extra.get("Subtype") == "/Image":
            # ISO 19005 forbids /Interpolate true, which WeasyPrint writes for
            # `image-rendering: auto` (logos, CSS backgrounds, images inside SVG).
            extra["Interpolate"] = "false"
            if extra.get("ColorSpace") == "/DeviceCMYK" and extra.get("Filter") == \
                    "/DCTDecode" and _intent_components(pdf) != 4:
                _cmyk_to_rgb(obj)
    if archival and isinstance(pdf.catalog.get("AF"), list):
        # WeasyPrint lists each <link rel=attachment> file twice in the catalog's /AF.
        pdf.catalog["AF"][:] = list(dict.fromkeys(pdf.catalog["AF"]))


def _intent_components(pdf) -> int | None:
    """The colour components (/N) of the output intent's profile; None without one."""
    for intent in pdf.catalog.get("OutputIntents") or ():
        profile = pdf.objects[int(bytes(intent["DestOutputProfile"]).split()[0])]
        return int(profile.extra["N"])
    return None


def _cmyk_to_rgb(image) -> None:
    """A CMYK JPEG (print-shop logos often are) as RGB: PDF/A allows DeviceCMYK only with a
    CMYK output intent, and drafter's is sRGB. Converted about as viewers show DeviceCMYK."""
    from PIL import Image
    data = b"".join(getattr(part, "data", part) for part in image.stream)
    with Image.open(io.BytesIO(data)) as picture:  # Pillow undoes Adobe's inverted CMYK
        rgb = picture.convert("RGB")
    image.stream[:] = [zlib.compress(rgb.tobytes())]
    for key in ("Decode", "DecodeParms"):
        image.extra.pop(key, None)
    image.extra.update({"ColorSpace": "/DeviceRGB", "Filter": "/FlateDecode",
                        "BitsPerComponent": 8, "Width": rgb.width, "Height": rgb.height})


def _epoch(date: datetime.date | None) -> int:
    if date is None:
        return FALLBACK_EPOCH
    midnight = datetime.datetime(date.year, date.month, date.day, tzinfo=datetime.timezone.utc)
    return max(int(midnight.timestamp()), 0)


def _timestamp(date: datetime.date | None) -> datetime.datetime:
    """Created/modified time, as the DOCX has it: the letter's date, else
    SOURCE_DATE_EPOCH, else 2000-01-01."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    seconds = int(epoch) if date is None and epoch.isdigit() else _epoch(date)
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)


def _fill_metadata(metadata, r: Rendition, when: datetime.datetime) -> None:
    """The letter's one metadata record (Rendition.metadata), as the DOCX has it too."""
    record = r.metadata
    metadata.title = record.title or None
    metadata.authors = [record.author] if record.author else []
    metadata.lang = record.lang or None
    metadata.description = record.description or None
    metadata.keywords = [k.strip() for k in record.keywords.split(",") if k.strip()]
    # WeasyPrint writes each date to the Info dictionary and the XMP alike, which ISO 19005
    # requires to agree; a date in the template's <head> (dcterms.*) comes first.
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    metadata.created = metadata.created or stamp
    metadata.modified = metadata.modified or stamp


@contextlib.contextmanager
def _weasyprint_log():
    """Collect WeasyPrint's warnings and errors instead of letting them reach stderr."""
    logger = logging.getLogger("weasyprint")
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append
    saved = logger.level, logger.propagate, list(logger.handlers)
    # Not thread-safe (loggers are global): drafter renders one letter at a time per process.
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    logger.handlers = [handler]
    try:
        # Pillow reports decompression bombs through the warnings module.
        with py_warnings.catch_warnings(record=True) as caught:
            py_warnings.simplefilter("always")
            yield records
        records.extend(
            logging.LogRecord("python.warnings", logging.WARNING, "", 0, str(w.message), None, None)
            for w in caught
            # Only user-facing categories: ResourceWarning/DeprecationWarning are for developers.
            if issubclass(w.category, (UserWarning, RuntimeWarning)))
    finally:
        logger.setLevel(saved[0])
        logger.propagate = saved[1]
        logger.handlers = saved[2]


@contextlib.contextmanager
def _source_date_epoch(date: datetime.date | None):
    """Pin SOURCE_DATE_EPOCH during the render unless the user set it, then restore it."""
    if "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = str(_epoch(date))
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


# WeasyPrint says this of `alt=""` too, which pdf_tags makes an artifact: a decision (the
# image is decoration), not a mistake. Kept for an image without any alt.
_NO_ALT = 'Image "%s" has no required alt description'


def _decorative(tree) -> set[str]:
    """Image sources whose every <img> has alt="" (none has no alt at all)."""
    images = [img for img in tree.iter("img") if img.get("src")]
    bare = {img.get("src") for img in images if img.get("alt") is None}
    return {img.get("src") for img in images if img.get("alt") == ""} - bare


def _messages(records: list[logging.LogRecord], decorative: set[str] = frozenset()) -> list[str]:
    out = []
    for record in records:
        if record.msg == _NO_ALT and isinstance(record.args, tuple) and \
                record.args[:1] and record.args[0] in decorative:
            continue
        try:
            text = record.getMessage()
        except Exception:  # a malformed log call must not hide the PDF
            text = str(record.msg)
        text = " ".join(text.split())
        out.append(text if len(text) <= _MAX_WARNING else text[: _MAX_WARNING - 1] + "…")
    return out


def _about(message: str, refused) -> bool:
    """Whether a WeasyPrint message only echoes a refusal we already report."""
    return any(x.url[:_MAX_WARNING // 2] in message for x in refused)


def _dedupe(messages: list[str]) -> list[str]:
    return list(dict.fromkeys(messages))
