"""A WeasyPrint URL fetcher that reads only `data:` URLs and files inside allowed folders."""

# This module imports WeasyPrint at import time: import it lazily (only drafter.formats.pdf does).

from __future__ import annotations

import base64
import binascii
import mimetypes
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

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


class URLRefused(ValueError):
    """The fetcher would not read this URL; WeasyPrint catches it and skips the resource."""


@dataclass(frozen=True)
class Refusal:
    """One URL the fetcher refused to read, and why."""

    url: str
    reason: str

    def __str__(self) -> str:
        return f"{short_url(self.url)} ({self.reason})"


def short_url(url: str, limit: int = 120) -> str:
    """Shorten a URL for messages (a data: URL can be megabytes long)."""
    if len(url) <= limit:
        return url
    if url[:5].lower() == "data:":
        # The payload means nothing to a reader; its media type and size do.
        return f"{url.partition(',')[0][:60]},… ({human_size(len(url))} URL)"
    return f"{url[: limit - 1]}… ({human_size(len(url))} URL)"


def human_size(size: int) -> str:
    """Format a byte count for people."""
    if size >= MB:
        return f"{size / MB:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} kB"
    return f"{size} bytes"


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or path.is_relative_to(folder)


class _BytesResponse(URLFetcherResponse):
    """A response whose body is already in memory."""

    @property
    def path(self):
        # WeasyPrint re-reads images from `response.path` when writing the PDF, which would
        # bypass the checks below if the file were swapped meanwhile: serve the checked bytes.
        return None


class ConfinedFetcher(URLFetcher):
    """Serve `data:` URLs and regular files inside `allowed` folders; refuse and record the rest."""

    def __init__(
        self,
        allowed: tuple[Path, ...] | list[Path],
        *,
        data_cap: int = DATA_URL_CAP,
        file_cap: int = FILE_CAP,
        font_dirs: tuple[Path, ...] = SYSTEM_FONT_DIRS,
    ):
        # No redirect handler and no protocol besides file/data: fetch() below never calls the
        # parent's opener, so these are a second line of defence only.
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
        self.allowed = tuple(Path(p).resolve() for p in allowed)
        self.font_dirs = tuple(Path(p).resolve() for p in font_dirs)
        self.data_cap = data_cap
        self.file_cap = file_cap
        self.refused: list[Refusal] = []
        self.served: list[str] = []

    def fetch(self, url, headers=None):
        """Return the resource at `url`, or record a refusal and raise URLRefused."""
        scheme = url.partition(":")[0].lower() if ":" in url else ""
        try:
            if scheme == "data":
                response = self._fetch_data(url)
            elif scheme == "file":
                response = self._fetch_file(url)
            elif scheme:
                raise URLRefused(f"{scheme} URLs are not allowed")
            else:
                raise URLRefused("not an absolute URL")
        except URLRefused as refusal:
            self.refused.append(Refusal(url, str(refusal)))
            raise
        except Exception as error:
            # Any other failure (I/O error, symlink loop) must reach the user too: WeasyPrint
            # would otherwise log it and print the letter without the resource.
            reason = f"unreadable: {getattr(error, 'strerror', None) or error}"
            self.refused.append(Refusal(url, reason))
            raise URLRefused(reason) from None
        self.served.append(short_url(url))
        return response

    def open(self, url, data=None, timeout=None):
        """Never let urllib's opener (network, redirects) run: everything goes through fetch()."""
        return self.fetch(url if isinstance(url, str) else url.full_url)

    def _fetch_data(self, url: str) -> URLFetcherResponse:
        header, comma, payload = url[5:].partition(",")
        if not comma:
            raise URLRefused("malformed data: URL")
        is_base64 = header.lower().endswith(";base64")
        # Check the size before decoding so an oversized URL costs no extra memory.
        estimate = len(payload) * 3 // 4 if is_base64 else len(payload)
        if estimate > self.data_cap:
            raise URLRefused(f"data: URL of {human_size(estimate)}, over the "
                             f"{human_size(self.data_cap)} limit")
        try:
            if is_base64:
                body = base64.b64decode(unquote(payload), validate=False)
                header = header[: -len(";base64")]
            else:
                body = unquote_to_bytes(payload)
        except (binascii.Error, ValueError) as error:
            raise URLRefused(f"undecodable data: URL ({error})") from None
        if len(body) > self.data_cap:
            raise URLRefused(f"data: URL of {human_size(len(body))}, over the "
                             f"{human_size(self.data_cap)} limit")
        content_type = header or "text/plain;charset=US-ASCII"
        return _BytesResponse(url, body, {"Content-Type": content_type})

    def _fetch_file(self, url: str) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise URLRefused("file URLs on other hosts are not allowed")
        raw = unquote(parts.path)
        if "\x00" in raw or not raw.startswith("/"):
            raise URLRefused("malformed file URL")
        # resolve() follows every symlink, so a link inside the letter folder pointing elsewhere
        # is judged by where it leads.
        path = Path(raw).resolve()
        if any(_inside(path, p) for p in PSEUDO_FILESYSTEMS):
            raise URLRefused("system files are not allowed")
        root = next((folder for folder in self.allowed if _inside(path, folder)), None)
        if root is None:
            if not (path.suffix.lower() in FONT_SUFFIXES
                    and any(_inside(path, folder) for folder in self.font_dirs)):
                raise URLRefused("outside the letter and template folders")
        elif any(part.startswith(".") for part in path.relative_to(root).parts):
            # Dot files and folders (.git, .env, .ssh) are never letter assets.
            raise URLRefused("hidden files are not allowed")
        return self._read_regular_file(url, path)

    def _read_regular_file(self, url: str, path: Path) -> URLFetcherResponse:
        try:
            before = os.stat(path)
        except FileNotFoundError:
            raise URLRefused("no such file") from None
        except OSError as error:
            raise URLRefused(f"unreadable: {error.strerror}") from None
        if not stat.S_ISREG(before.st_mode):
            raise URLRefused("not a regular file")
        if before.st_size > self.file_cap:
            raise URLRefused(f"file of {human_size(before.st_size)}, over the "
                             f"{human_size(self.file_cap)} limit")
        # O_NONBLOCK: a FIFO swapped in after the check cannot hang the render; O_NOFOLLOW and
        # the inode comparison refuse a symlink or another file swapped in after the check.
        flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(path, flags)
        except OSError as error:
            raise URLRefused(f"unreadable: {error.strerror}") from None
        with os.fdopen(fd, "rb") as file:
            after = os.fstat(file.fileno())
            if (after.st_dev, after.st_ino) != (before.st_dev, before.st_ino) or not (
                stat.S_ISREG(after.st_mode)
            ):
                raise URLRefused("file changed while being read")
            body = file.read(self.file_cap + 1)
        if len(body) > self.file_cap:
            raise URLRefused(f"file over the {human_size(self.file_cap)} limit")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return _BytesResponse(url.split("?")[0].split("#")[0], body,
                              {"Content-Type": content_type})
