"""Logs: one line per record on stderr, readable text in development, one JSON object per line
in production (``LOG_FORMAT``); never a query string, never personal data.

- Every request has an id (``g.request_id``): the client's or the proxy's ``X-Request-Id`` when
  it is short and plain (``[A-Za-z0-9._-]{1,64}``), else a new uuid4 hex. It is echoed as the
  ``X-Request-Id`` response header, and every record made during the request carries it, with
  the method and the path (a record factory), so one request's lines can be found together.
- One ``shikaku.request`` line per response: method, path, status and duration in ms.
- The path as logs keep it (``loggable_path``): no query string; a segment that is not short
  plain ASCII with at most 10 digits (a name typed into a URL, a token's digits, an activation
  code) becomes ``*``; nothing after ``/admin/invite``, whose token belongs in the fragment
  that browsers never send. The same path goes to gunicorn's access log through the WSGI
  environ (``shikaku.log_path``, config/gunicorn.conf.py) and replaces the path in the
  development server's request lines.
- SQL statements and result rows are never logged (rows hold names and 記号・番号): the
  ``sqlalchemy`` loggers stay at WARNING whatever ``LOG_LEVEL`` says (``SQLALCHEMY_ECHO`` still
  works for debugging).
- Log calls name ids and counts, never 記号・番号, names, birth dates, activation codes, PINs,
  token text or session and invitation tokens; tests/test_logs.py runs the member and staff
  flows and scans every record.

``init_app`` installs the stderr handler only when nobody configured the root logger before
(like ``logging.basicConfig``): gunicorn's ``--log-config``, or pytest, keep theirs.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request

from .instance_secrets import ConfigurationError

REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
#: A path segment logs may keep: short plain ASCII (database ids have at most 10 digits).
_PLAIN_SEGMENT = re.compile(r"[A-Za-z0-9._~-]{1,32}")
_MAX_DIGITS = 10
_MAX_SEGMENTS = 12
REDACTED = "*"
#: Paths whose rest is a secret whenever it reaches the server (a mangled invitation link).
SECRET_PREFIXES = ("/admin/invite",)
#: The WSGI environ key gunicorn's access log reads the loggable path from.
ENVIRON_PATH = "shikaku.log_path"

log = logging.getLogger("shikaku.request")


def loggable_path(path: str) -> str:
    """``path`` (without its query) as a log may keep it."""
    for prefix in SECRET_PREFIXES:
        if path.startswith(prefix) and path != prefix:
            return prefix + REDACTED
    segments = path.split("/")
    kept = [s if not s or (_PLAIN_SEGMENT.fullmatch(s) and sum(c.isdigit() for c in s) <= _MAX_DIGITS)
            else REDACTED for s in segments[:_MAX_SEGMENTS]]
    if len(segments) > _MAX_SEGMENTS:
        kept.append(REDACTED)
    return "/".join(kept)


def request_id() -> str:
    """This request's id, chosen on first use (in a request context)."""
    if "request_id" not in g:
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    return g.request_id


def request_path() -> str:
    """This request's path as logs keep it."""
    if "log_path" not in g:
        g.log_path = loggable_path(request.path)
    return g.log_path


# -- formats ---------------------------------------------------------------------------------

#: JSON key: record attribute, for the request fields a record may carry.
FIELDS = {"request_id": "request_id", "method": "http_method", "path": "http_path",
          "status": "status", "duration_ms": "duration_ms"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (ISO 8601, UTC), level, logger, message and the request
    fields the record has; a traceback as ``exception``."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
                "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        for key, attribute in FIELDS.items():
            value = getattr(record, attribute, None)
            if value is not None:
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def text_formatter() -> logging.Formatter:
    return logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
                             defaults={"request_id": "-"})


FORMATTERS = {"text": text_formatter, "json": JsonFormatter}


class StderrHandler(logging.StreamHandler):
    """Writes to ``sys.stderr`` as it is when the record is written (gunicorn and test runners
    replace it), like logging's own last-resort handler."""

    def __init__(self, level=logging.NOTSET):
        logging.Handler.__init__(self, level)

    @property
    def stream(self):
        return sys.stderr


# -- wiring ----------------------------------------------------------------------------------

def init_app(app: Flask) -> None:
    """Request ids and the request line for ``app``; the record factory; the stderr handler
    in ``LOG_FORMAT`` unless logging was configured by someone else. Call it before the other
    extensions, so its ``before_request`` runs first."""
    fmt = app.config.get("LOG_FORMAT", "text")
    if fmt not in FORMATTERS:
        raise ConfigurationError(f'LOG_FORMAT must be "text" or "json", not {fmt!r}')
    _install_record_factory()
    _quiet_sql()
    _redact_development_server()
    configure(fmt, app.config.get("LOG_LEVEL", "INFO"), app_logger=app.name)
    app.before_request(_start)
    app.after_request(_finish)


def configure(fmt: str, level: str | int = "INFO", *, app_logger: str | None = None) -> bool:
    """Our stderr handler on the root logger (replacing an earlier one of ours), unless the root
    logger has someone else's handlers. Returns whether it installed it."""
    root = logging.getLogger()
    if any(not getattr(handler, "shikaku", False) for handler in root.handlers):
        return False
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = StderrHandler()
    handler.shikaku = True
    handler.setFormatter(FORMATTERS[fmt]())
    root.addHandler(handler)
    root.setLevel(level)
    if app_logger:                      # Flask's own handler would print each app.logger line twice
        from flask.logging import default_handler
        logging.getLogger(app_logger).removeHandler(default_handler)
    return True


def _install_record_factory() -> None:
    previous = logging.getLogRecordFactory()
    if getattr(previous, "shikaku", False):
        return

    def record_with_request(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if has_request_context():
            record.request_id = request_id()
            record.http_method = request.method
            record.http_path = request_path()
        return record
    record_with_request.shikaku = True
    logging.setLogRecordFactory(record_with_request)


def _quiet_sql() -> None:
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)


def _start() -> None:
    g.request_started = time.perf_counter()
    request_id()
    request.environ[ENVIRON_PATH] = request_path()


def _finish(response: Response) -> Response:
    response.headers["X-Request-Id"] = request_id()
    started = g.get("request_started")
    duration = round((time.perf_counter() - started) * 1000) if started is not None else None
    log.info("%s %s %s %sms", request.method, request_path(), response.status_code,
             "-" if duration is None else duration,
             extra={"status": response.status_code, "duration_ms": duration})
    return response


# -- the development server's request lines -----------------------------------------------

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class _DevelopmentRequestLine(logging.Filter):
    """werkzeug's request line (``"GET /path?query HTTP/1.1" 200 -``) with the loggable path."""
    shikaku = True

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.endswith('"%s" %s %s') and record.args:
            line, *rest = record.args
            parts = _ANSI.sub("", str(line)).split(" ")
            if len(parts) == 3:
                method, target, protocol = parts
                line = f"{method} {loggable_path(target.split('?', 1)[0])} {protocol}"
            else:
                line = "-"
            record.args = (line, *rest)
        return True


def _redact_development_server() -> None:
    werkzeug = logging.getLogger("werkzeug")
    if not any(getattr(f, "shikaku", False) for f in werkzeug.filters):
        werkzeug.addFilter(_DevelopmentRequestLine())
