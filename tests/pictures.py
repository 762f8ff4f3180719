"""Test pictures: a plain PNG of any size, written without an imaging library."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path


def write_png(path: Path, width: int = 60, height: int = 30) -> None:
    """A grey `width` x `height` PNG at `path`."""
    raw = b"".join(b"\x00" + b"\x80\x20\x20" * width for _ in range(height))
    chunk = lambda kind, data: (struct.pack(">I", len(data)) + kind + data +  # noqa: E731
                                struct.pack(">I", zlib.crc32(kind + data)))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(
        ">IIBBBBB", width, height, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) +
        chunk(b"IEND", b""))
