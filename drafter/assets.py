"""The one confined reader of a letter's assets (logos, a template's images and fonts).

validate, the PDF's URL fetcher, the DOCX and the HTML writers all ask this module, so a file is
accepted by all of them or refused by all of them, for the same reason. The rule: a `data:` URL,
or a regular file inside the letter's or the template's folder once symbolic links are followed,
with no hidden (dot) file or folder on the way, under a size cap. Nothing from the network.

No WeasyPrint here: `drafter validate` imports this module.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlsplit

MB = 1024 * 1024
DATA_URL_CAP = 2 * MB
FILE_CAP = 20 * MB

# `@font-face { src: local(X) }` makes WeasyPrint ask fontconfig for the font file and then fetch
# it as a file: URL; those fonts are readable by layout anyway, so reading them leaks nothing.
SYSTEM_FONT_DIRS = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path(os.path.expanduser("~/.local/share/fonts")),
    Path(os.path.expanduser("~/.fonts")),
)
FONT_SUFFIXES = frozenset({".ttf", ".otf", ".ttc", ".otc", ".woff", ".woff2", ".pfb", ".pfa"})

# Refused even if an allowed folder contains them (a letter kept in "/" or a home folder).
PSEUDO_FILESYSTEMS = (Path("/proc"), Path("/sys"), Path("/dev"), Path("/run"))


class AssetRefused(ValueError):
    """An asset the reader will not read; the message says why, for the user."""


@dataclass(frozen=True)
class Asset:
    """An asset's bytes as read (after every check) and its media type."""

    data: bytes
    media_type: str
    path: Path | None = None  # None for a data: URL

    def data_url(self) -> str:
        """The asset as a base64 `data:` URL (for a page that must carry its images)."""
        return f"data:{self.media_type};base64,{base64.b64encode(self.data).decode('ascii')}"


def human_size(size: int) -> str:
    """A byte count for people."""
    if size >= MB:
        return f"{size / MB:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} kB"
    return f"{size} bytes"


def short_ref(url: str, limit: int = 120) -> str:
    """A reference shortened for messages (a data: URL can be megabytes long)."""
    if len(url) <= limit:
        return url
    if url[:5].lower() == "data:":
        # The payload means nothing to a reader; its media type and size do.
        return f"{url.partition(',')[0][:60]},… ({human_size(len(url))} URL)"
    return f"{url[: limit - 1]}… ({human_size(len(url))} URL)"


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or path.is_relative_to(folder)


class AssetReader:
    """Reads `data:` URLs and files inside the letter's and the template's folders, nothing else.

    References are relative paths (to the letter's folder, or with `base="template"` to the
    template's, as a stylesheet's are), `file:` URLs, or `data:` URLs.
    """

    def __init__(self, letter_dir: Path | str, template_dir: Path | str | None = None, *,
                 data_cap: int = DATA_URL_CAP, file_cap: int = FILE_CAP,
                 font_dirs: tuple[Path, ...] = SYSTEM_FONT_DIRS) -> None:
        self.letter_dir = Path(letter_dir).resolve()
        self.template_dir = Path(template_dir).resolve() if template_dir is not None else None
        self.folders = tuple(f for f in (self.letter_dir, self.template_dir) if f is not None)
        self.font_dirs = tuple(Path(p).resolve() for p in font_dirs)
        self.data_cap, self.file_cap = data_cap, file_cap

    # -- the rule -------------------------------------------------------------------------------

    def locate(self, ref: str, *, base: str = "letter") -> Path:
        """The file a reference names, checked by the rule but not read (AssetRefused if not)."""
        if not ref or not ref.strip():
            raise AssetRefused("no file named")
        if "\x00" in ref:
            raise AssetRefused("malformed file name")
        scheme = ref.partition(":")[0].lower() if ":" in ref else ""
        if scheme == "file":
            parts = urlsplit(ref)
            if parts.netloc not in ("", "localhost"):
                raise AssetRefused("file URLs on other hosts are not allowed")
            raw = unquote(parts.path)
            if not raw.startswith("/"):
                raise AssetRefused("malformed file URL")
            path = Path(raw)
        elif len(scheme) > 1 and scheme.replace("+", "").replace("-", "").replace(".", "").isalnum():
            raise AssetRefused(f"{scheme} URLs are not allowed (only files inside the letter's "
                               "or the template's folder)")
        else:
            folder = self.template_dir if base == "template" and self.template_dir else self.letter_dir
            path = folder / unquote(ref.split("?")[0].split("#")[0])
        return self._confined(path)

    def _confined(self, path: Path) -> Path:
        try:
            # resolve() follows every link, so a link inside the folder pointing elsewhere is
            # judged by where it leads.
            real = path.resolve()
        except (OSError, RuntimeError, ValueError):  # a link loop, a name too long
            raise AssetRefused("not a usable file name") from None
        if any(_inside(real, p) for p in PSEUDO_FILESYSTEMS):
            raise AssetRefused("system files are not allowed")
        root = next((folder for folder in self.folders if _inside(real, folder)), None)
        if root is None:
            if not (real.suffix.lower() in FONT_SUFFIXES
                    and any(_inside(real, folder) for folder in self.font_dirs)):
                raise AssetRefused("outside the letter and template folders")
        elif any(part.startswith(".") for part in real.relative_to(root).parts):
            # Dot files and folders (.git, .env, .ssh, .logos) are never letter assets.
            raise AssetRefused("a hidden file (its name or a folder's starts with a dot)")
        try:
            info = os.stat(real)
        except FileNotFoundError:
            raise AssetRefused("no such file") from None
        except OSError as error:
            raise AssetRefused(f"unreadable: {error.strerror}") from None
        if not stat.S_ISREG(info.st_mode):
            raise AssetRefused("not a regular file")
        if info.st_size > self.file_cap:
            raise AssetRefused(f"file of {human_size(info.st_size)}, over the "
                               f"{human_size(self.file_cap)} limit")
        return real

    # -- reading --------------------------------------------------------------------------------

    def read(self, ref: str, *, base: str = "letter") -> Asset:
        """The asset's bytes (AssetRefused with the reason if the rule refuses it)."""
        if ref[:5].lower() == "data:":
            return self._data_url(ref)
        path = self.locate(ref, base=base)
        return Asset(self._read_file(path), mimetypes.guess_type(path.name)[0]
                     or "application/octet-stream", path)

    def _data_url(self, url: str) -> Asset:
        header, comma, payload = url[5:].partition(",")
        if not comma:
            raise AssetRefused("malformed data: URL")
        is_base64 = header.lower().endswith(";base64")
        # The size is checked before decoding, so an oversized URL costs no extra memory.
        estimate = len(payload) * 3 // 4 if is_base64 else len(payload)
        if estimate > self.data_cap:
            raise AssetRefused(f"data: URL of {human_size(estimate)}, over the "
                               f"{human_size(self.data_cap)} limit")
        try:
            if is_base64:
                body = base64.b64decode(unquote(payload), validate=False)
                header = header[: -len(";base64")]
            else:
                body = unquote_to_bytes(payload)
        except (binascii.Error, ValueError) as error:
            raise AssetRefused(f"undecodable data: URL ({error})") from None
        if len(body) > self.data_cap:
            raise AssetRefused(f"data: URL of {human_size(len(body))}, over the "
                               f"{human_size(self.data_cap)} limit")
        return Asset(body, header or "text/plain;charset=US-ASCII")

    def _read_file(self, path: Path) -> bytes:
        before = os.stat(path)
        # O_NONBLOCK: a FIFO swapped in after the check cannot hang the render; O_NOFOLLOW and
        # the inode comparison refuse a link or another file swapped in after the check.
        flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(path, flags)
        except OSError as error:
            raise AssetRefused(f"unreadable: {error.strerror}") from None
        with os.fdopen(fd, "rb") as file:
            after = os.fstat(file.fileno())
            if (after.st_dev, after.st_ino) != (before.st_dev, before.st_ino) or not (
                    stat.S_ISREG(after.st_mode)):
                raise AssetRefused("file changed while being read")
            body = file.read(self.file_cap + 1)
        if len(body) > self.file_cap:
            raise AssetRefused(f"file over the {human_size(self.file_cap)} limit")
        return body
