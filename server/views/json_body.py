"""JSON request bodies: parsed once, their shape checked, fields read with their types.

Every JSON endpoint (the member API, the passkey ceremonies) reads its body here, so bad input
is a 400 ``bad_request`` (or a 413 ``too_large``) in the one error shape, never a 500:

- at most ``MAX_BYTES`` (64 kB: a passkey registration with its attestation is a few kB);
- UTF-8 only (no UTF-16/32 guessing), valid JSON, no NaN/Infinity, numbers of at most
  ``MAX_NUMBER_CHARS`` characters (Python refuses ints over 4300 digits with a ValueError);
- nested at most ``MAX_DEPTH`` deep, measured on the raw text before any object is built
  (Python's json raises RecursionError near 1000 levels). A WebAuthn credential
  (``PublicKeyCredential.toJSON()``) is 3 deep: {response: {transports: [...]}};
- no NUL and no unpaired surrogate (``"\\ud800"``) in any string or key: they cannot be stored,
  logged or encoded as UTF-8;
- the body is an object.

Then the view asks for its fields with their types: ``body.text("code", max_len=64)``,
``body.flag("consent")``, ``body.ident("member", required=False)``. A missing or mistyped
field is a Problem 400 with ``field=<name>``.
"""
from __future__ import annotations

import json
import math
import re

from flask import request

from ..problems import Problem
from .converters import MAX_ID

MAX_BYTES = 64 * 1024
MAX_DEPTH = 16
MAX_NUMBER_CHARS = 40

# A JSON string, unrolled so the regex engine never backtracks: '"' (plain | \escape)* '"'.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def _bad(en: str, ja: str = "要求の形式が正しくありません", **extra) -> Problem:
    return Problem("bad_request", ja, en, **extra)


def too_large(limit: int = MAX_BYTES) -> Problem:
    return Problem("too_large", "送信された内容が大きすぎます",
                   f"the request is too large (at most {limit} bytes)", status=413)


def depth(text: str) -> int:
    """How deeply ``text`` nests arrays and objects, counted without parsing it: strings are
    cut out first (a bracket inside a string does not count). For text that is not JSON the
    count may be off, but then the parser refuses it anyway."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    level = deepest = 0
    for char in brackets:
        if char in "[{":
            level += 1
            deepest = max(deepest, level)
        else:
            level -= 1
    return deepest


def _number(text: str):
    if len(text) > MAX_NUMBER_CHARS:
        raise ValueError("number too long")
    return text


def _integer(text: str) -> int:
    return int(_number(text))


def _float(text: str) -> float:
    value = float(_number(text))
    if not math.isfinite(value):
        raise ValueError("number out of range")
    return value


def _constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _clean(value) -> None:
    """Refuse NUL and unpaired surrogates in every string and key (depth is bounded, so
    recursion is safe here)."""
    if isinstance(value, str):
        if "\x00" in value:
            raise _bad("the body contains a NUL character", "使用できない文字（NUL）が含まれています")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise _bad("the body contains an unpaired surrogate (not UTF-8)",
                       "使用できない文字（対になっていないサロゲート）が含まれています") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _clean(key)
            _clean(item)
    elif isinstance(value, list):
        for item in value:
            _clean(item)


def parse(data: bytes, *, empty_ok: bool = False, max_bytes: int = MAX_BYTES) -> dict:
    """The JSON object in ``data``, or a Problem (400 bad_request, 413 too_large)."""
    if len(data) > max_bytes:
        raise too_large(max_bytes)
    if empty_ok and not data.strip():
        return {}
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _bad("the body must be JSON in UTF-8", "JSON を UTF-8 で送ってください") from None
    if depth(text) > MAX_DEPTH:
        raise _bad(f"the JSON is nested too deeply (at most {MAX_DEPTH} levels)",
                   f"JSON の入れ子が深すぎます（{MAX_DEPTH}段まで）")
    try:
        value = json.loads(text, parse_int=_integer, parse_float=_float, parse_constant=_constant)
    except (ValueError, RecursionError):
        raise _bad("the body is not valid JSON", "JSON として読めません") from None
    if not isinstance(value, dict):
        raise _bad("the body must be a JSON object", "JSON のオブジェクト（{…}）を送ってください")
    _clean(value)
    return value


def _request_bytes(max_bytes: int) -> bytes:
    if request.content_length is not None and request.content_length > max_bytes:
        raise too_large(max_bytes)
    return request.get_data(cache=True)


def read(*, empty_ok: bool = False, max_bytes: int = MAX_BYTES) -> JsonBody:
    """The request's body as a JsonBody; ``empty_ok``: no body at all reads as ``{}``."""
    return JsonBody(parse(_request_bytes(max_bytes), empty_ok=empty_ok, max_bytes=max_bytes))


def credential() -> dict:
    """A WebAuthn credential (``PublicKeyCredential.toJSON()``): an object, handed whole to
    py_webauthn, which checks its fields."""
    return parse(_request_bytes(MAX_BYTES))


class JsonBody:
    """A JSON object's fields, read with their types."""

    def __init__(self, values: dict):
        self.values = values

    def _get(self, name: str, required: bool):
        if name in self.values and self.values[name] is not None:
            return self.values[name]
        if required:
            raise _bad(f"{name} is required", f"{name} がありません", field=name)
        return None

    def text(self, name: str, *, max_len: int, required: bool = True) -> str | None:
        value = self._get(name, required)
        if value is None:
            return None
        if not isinstance(value, str):
            raise _bad(f"{name} must be a string", f"{name} は文字列で送ってください", field=name)
        if len(value) > max_len:
            raise _bad(f"{name} is too long (at most {max_len} characters)",
                       f"{name} が長すぎます（{max_len}文字まで）", field=name)
        return value

    def flag(self, name: str, *, required: bool = True) -> bool | None:
        value = self._get(name, required)
        if value is None:
            return None
        if not isinstance(value, bool):
            raise _bad(f"{name} must be true or false", f"{name} は true か false です", field=name)
        return value

    def integer(self, name: str, *, required: bool = True, minimum: int | None = None,
                maximum: int | None = None) -> int | None:
        value = self._get(name, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):     # True is an int in Python
            raise _bad(f"{name} must be an integer", f"{name} は整数で送ってください", field=name)
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            raise _bad(f"{name} is out of range", f"{name} の値が範囲外です", field=name)
        return value

    def ident(self, name: str, *, required: bool = True) -> int | None:
        """A database id: an integer (else 400 with the field); one outside 1 … 2**63-1
        cannot exist, so it is not found (404), as an id that does not exist."""
        value = self.integer(name, required=required)
        if value is not None and not 1 <= value <= MAX_ID:
            raise Problem("not_found", "見つかりません", "not found", status=404)
        return value
