"""A request's files: the letter and the assets it references, each under a name relative to
the letter, checked by the same rule as every file drafter reads (inside the letter's folder):
no absolute path, no `..`, no backslash or drive, no control character, no name twice."""

from __future__ import annotations

import base64
import binascii
import json
import re
from pathlib import PurePosixPath

MAX_PARTS = 200
_STEM = re.compile(r"[^A-Za-z0-9._-]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class BadRequest(Exception):
    """A request drafter will not read: a 400 with this message."""


def asset_name(name: str) -> str:
    """A part's name as a path inside the request's folder, or BadRequest."""
    if not name or len(name) > 255 or _CONTROL.search(name) or "\\" in name or ":" in name:
        raise BadRequest(f"part name {name!r}: a relative path such as logos/wuc.png")
    path = PurePosixPath(name)
    if path.is_absolute() or any(part in ("..", ".", "") for part in name.split("/")):
        raise BadRequest(f"part name {name!r}: must stay inside the letter's folder (no "
                         "absolute path, no '..')")
    if len(path.parts) > 8:
        raise BadRequest(f"part name {name!r}: too deep")
    return path.as_posix()


def letter_name(filename: str | None) -> str:
    """The letter's file name in the request's folder: the name it was sent with (its stem
    names the outputs, as on the command line), else letter.yaml."""
    stem = _STEM.sub("-", PurePosixPath((filename or "").replace("\\", "/")).name)
    stem = stem.rsplit(".", 1)[0] if stem.lower().endswith((".yaml", ".yml")) else stem
    stem = stem.strip(".-")[:100]
    return f"{stem or 'letter'}.yaml"


def request_files(letter: tuple[str | None, bytes], assets: list[tuple[str, bytes]]) -> \
        tuple[str, dict[str, bytes]]:
    """(the letter's name, {name: bytes}) for a request's folder."""
    name = letter_name(letter[0])
    files = {name: letter[1]}
    if len(assets) > MAX_PARTS:
        raise BadRequest(f"{len(assets)} parts: at most {MAX_PARTS}")
    for asset, data in assets:
        path = asset_name(asset)
        if path in files or any(path.startswith(f + "/") or f.startswith(path + "/")
                                for f in files):
            raise BadRequest(f"part name {asset!r}: sent twice (or clashes with "
                             f"{'the letter' if path == name else 'another part'})")
        files[path] = data
    return name, files


def from_json(body: bytes) -> tuple[tuple[str | None, bytes], list[tuple[str, bytes]], bool]:
    """A JSON body: {"letter": {...} or "YAML text", "name": "x.yaml", "assets": {path:
    base64}}. Returns the letter (name, YAML bytes), the assets, and whether the letter was
    sent as a JSON object (its problems then carry no line or column)."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"the body is not JSON ({exc})") from None
    if not isinstance(data, dict) or "letter" not in data:
        raise BadRequest('a JSON body is an object with "letter" (the letter\'s keys, or its '
                         'YAML as a string) and optionally "name" and "assets"')
    letter = data["letter"]
    if isinstance(letter, dict):
        text, as_object = json.dumps(letter, ensure_ascii=False, indent=1), True
    elif isinstance(letter, str):
        text, as_object = letter, False
    else:
        raise BadRequest('"letter" is an object (the letter\'s keys) or a string (its YAML)')
    assets = data.get("assets") or {}
    if not isinstance(assets, dict):
        raise BadRequest('"assets" is an object: {"logos/wuc.png": "<base64>", ...}')
    decoded = []
    for key, value in assets.items():
        if not isinstance(value, str):
            raise BadRequest(f"asset {key!r}: base64 text")
        try:
            decoded.append((key, base64.b64decode(value, validate=True)))
        except (binascii.Error, ValueError):
            raise BadRequest(f"asset {key!r}: not base64") from None
    name = data.get("name")
    return (name if isinstance(name, str) else None, text.encode("utf-8")), decoded, as_object
