"""What the API's bodies are, for /openapi.json and the docs page: the endpoints read the raw
request (YAML, JSON or multipart, as the caller sends it), so FastAPI cannot infer them."""

from __future__ import annotations

_LETTER_JSON = {
    "type": "object", "required": ["letter"],
    "properties": {
        "letter": {"description": "The letter: its keys as an object, or its YAML as a string",
                   "oneOf": [{"type": "object"}, {"type": "string"}]},
        "name": {"type": "string", "description": "Its file name (names the outputs)",
                 "example": "letter.yaml"},
        "assets": {"type": "object", "description": "Files it references, by path relative "
                   "to it, as base64", "additionalProperties": {"type": "string",
                                                                 "format": "byte"}}}}
_MULTIPART = {
    "type": "object", "required": ["letter"],
    "properties": {"letter": {"type": "string", "format": "binary",
                              "description": "The letter's YAML file"}},
    "additionalProperties": {"type": "string", "format": "binary",
                             "description": "A file it references, named by its path "
                             "relative to the letter (logos/wuc.png, letter.fr.yaml)"}}
_PROBLEM = {"application/problem+json": {"schema": {
    "type": "object", "properties": {
        "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"},
        "problems": {"type": "array", "items": {"type": "object", "properties": {
            "line": {"type": "integer"}, "column": {"type": "integer"},
            "path": {"type": "string"}, "message": {"type": "string"}}}}}}}}


def letter_body(required: bool = True) -> dict:
    """openapi_extra for an endpoint that takes a letter."""
    return {"requestBody": {"required": required, "content": {
        "application/yaml": {"schema": {"type": "string"}},
        "application/json": {"schema": _LETTER_JSON},
        "multipart/form-data": {"schema": _MULTIPART}}}}


def responses(*media: str) -> dict:
    """The responses an endpoint gives: `media` for 200, and the problem documents."""
    ok = {m: {"schema": {"type": "string", "format": "binary"}} for m in media}
    return {200: {"content": ok} if ok else {"description": "OK"},
            400: {"description": "A request drafter will not read", "content": _PROBLEM},
            401: {"description": "No or a wrong token", "content": _PROBLEM},
            413: {"description": "Over the size limit", "content": _PROBLEM},
            422: {"description": "The letter needs fixing: every problem, located",
                  "content": _PROBLEM},
            503: {"description": "Busy: try again after Retry-After", "content": _PROBLEM}}
