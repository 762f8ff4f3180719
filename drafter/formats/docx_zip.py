"""The DOCX's zip, byte for byte what Python's zipfile writes with fixed timestamps, each
member compressed once per process.

A batch writes the same fonts, theme, styles and numbering into every letter; deflating them
again was a tenth of each letter's DOCX. zipfile cannot take a member already compressed, so
this writes the few zip records itself (PKWARE APPNOTE 4.3: local headers, central directory,
end record; no zip64, since a letter is far below 4 GB) and keeps each member's deflated form.
"""

from __future__ import annotations

import struct
import zlib
from collections import OrderedDict

_DOS_TIME, _DOS_DATE = 0, (1980 - 1980) << 9 | 1 << 5 | 1  # 1980-01-01 00:00:00
_VERSION = 20  # deflate
_MADE_ON_UNIX = 3 << 8 | _VERSION
_FILE_MODE = 0o644 << 16
_UTF8_NAME = 0x800
_CACHE_BYTES = 16 * 1024 * 1024  # compressed members kept per process (LRU)
_cache: OrderedDict[bytes, tuple[int, bytes]] = OrderedDict()
_cached = [0]


def _deflated(data: bytes) -> tuple[int, bytes]:
    """(CRC-32, raw deflate stream at zlib's default level), as zipfile makes them."""
    hit = _cache.get(data)
    if hit is not None:
        _cache.move_to_end(data)
        return hit
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    found = zlib.crc32(data), compressor.compress(data) + compressor.flush()
    _cache[data] = found
    _cached[0] += len(data) + len(found[1])
    while _cached[0] > _CACHE_BYTES and len(_cache) > 1:
        old, (_, packed) = _cache.popitem(last=False)
        _cached[0] -= len(old) + len(packed)
    return found


def write_zip(members: list[tuple[str, bytes]]) -> bytes:
    """A zip of (name, bytes) in the order given, deflated, dated 1980-01-01, mode 0644."""
    out: list[bytes] = []
    directory: list[bytes] = []
    offset = 0
    for name, data in members:
        raw_name = name.encode("ascii", "ignore")
        flags = 0
        if len(raw_name) != len(name):
            raw_name, flags = name.encode("utf-8"), _UTF8_NAME
        crc, packed = _deflated(data)
        common = struct.pack("<HHHHHLLLH", _VERSION, flags, 8, _DOS_TIME, _DOS_DATE, crc,
                             len(packed), len(data), len(raw_name))
        local = b"PK\x03\x04" + common + b"\x00\x00" + raw_name
        directory.append(b"PK\x01\x02" + struct.pack("<H", _MADE_ON_UNIX) + common
                         + struct.pack("<HHHHLL", 0, 0, 0, 0, _FILE_MODE, offset) + raw_name)
        out += (local, packed)
        offset += len(local) + len(packed)
    central = b"".join(directory)
    end = b"PK\x05\x06" + struct.pack("<HHHHLLH", 0, 0, len(members), len(members),
                                      len(central), offset, 0)
    return b"".join(out) + central + end
