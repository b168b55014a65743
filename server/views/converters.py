"""Ids in URLs, in the path and in the query.

A database id is 1 … 2**31-1: the primary keys are PostgreSQL ``integer`` columns (SQLite's
would take 2**63-1). Werkzeug's ``int`` converter matches any run of digits, and a larger
number overflows the database (a 500 on SQLite past 2**63, a DataError on PostgreSQL past
2**31). ``<id:name>`` matches only ids in that range: anything else matches no rule, a 404.
``query_id`` does the same for ``?member=…``: absent is None, anything but an id is a 404.
"""
from __future__ import annotations

import re

from flask import Flask, abort, request
from werkzeug.routing import BaseConverter, ValidationError

MAX_ID = 2**31 - 1
_ID = re.compile(r"[1-9][0-9]{0,9}")


def as_id(text: str) -> int | None:
    """The id written in ``text`` (plain ASCII digits, no sign, no leading zero), or None."""
    if not _ID.fullmatch(text):
        return None
    value = int(text)
    return value if value <= MAX_ID else None


class IdConverter(BaseConverter):
    """``<id:member_id>``: 1 … 2**31-1, else no match (404)."""
    regex = _ID.pattern
    part_isolating = True

    def to_python(self, value: str) -> int:
        ident = as_id(value)
        if ident is None:
            raise ValidationError()
        return ident

    def to_url(self, value) -> str:
        return str(int(value))


def query_id(name: str) -> int | None:
    """The id in query argument ``name``: None when absent or empty (a form field left blank),
    404 when it is not an id in range (an id that cannot exist is not found, never a database
    overflow)."""
    text = request.args.get(name)
    if not text:
        return None
    ident = as_id(text)
    if ident is None:
        abort(404)
    return ident


def init_app(app: Flask) -> None:
    """Register ``id`` before any blueprint's rules are added."""
    app.url_map.converters["id"] = IdConverter
