"""A WeasyPrint URL fetcher over drafter's one AssetReader (drafter/assets.py)."""

# This module imports WeasyPrint at import time: import it lazily (only drafter.formats.pdf does).

from __future__ import annotations

from dataclasses import dataclass

from weasyprint.urls import URLFetcher, URLFetcherResponse

from ..assets import AssetReader, AssetRefused, short_ref as short_url


class URLRefused(ValueError):
    """The fetcher would not read this URL; WeasyPrint catches it and skips the resource."""


@dataclass(frozen=True)
class Refusal:
    """One URL the fetcher refused to read, and why."""

    url: str
    reason: str

    def __str__(self) -> str:
        return f"{short_url(self.url)} ({self.reason})"


class _BytesResponse(URLFetcherResponse):
    """A response whose body is already in memory."""

    @property
    def path(self):
        # WeasyPrint re-reads images from `response.path` when writing the PDF, which would
        # bypass the checks below if the file were swapped meanwhile: serve the checked bytes.
        return None


class ConfinedFetcher(URLFetcher):
    """WeasyPrint's way into the one AssetReader: serve what it accepts, record what it refuses."""

    def __init__(self, reader: AssetReader):
        # No redirect handler and no protocol besides file/data: fetch() below never calls the
        # parent's opener, so these are a second line of defence only.
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
        self.reader = reader
        self.refused: list[Refusal] = []
        self.served: list[str] = []

    def fetch(self, url, headers=None):
        """Return the resource at `url`, or record a refusal and raise URLRefused."""
        scheme = url.partition(":")[0].lower() if ":" in url else ""
        try:
            if scheme not in ("data", "file"):
                raise URLRefused(f"{scheme} URLs are not allowed" if scheme
                                 else "not an absolute URL")
            asset = self.reader.read(url)
        except (URLRefused, AssetRefused) as refusal:
            self.refused.append(Refusal(url, str(refusal)))
            raise URLRefused(str(refusal)) from None
        except Exception as error:
            # Any other failure (I/O error, symlink loop) must reach the user too: WeasyPrint
            # would otherwise log it and print the letter without the resource.
            reason = f"unreadable: {getattr(error, 'strerror', None) or error}"
            self.refused.append(Refusal(url, reason))
            raise URLRefused(reason) from None
        self.served.append(short_url(url))
        served_url = url if scheme == "data" else url.split("?")[0].split("#")[0]
        return _BytesResponse(served_url, asset.data, {"Content-Type": asset.media_type})

    def open(self, url, data=None, timeout=None):
        """Never let urllib's opener (network, redirects) run: everything goes through fetch()."""
        return self.fetch(url if isinstance(url, str) else url.full_url)
