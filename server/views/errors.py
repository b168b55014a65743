"""One error shape at the edge.

- Under /api/, /auth/ and /admin/api/ every error is JSON:
  ``{"error": code, "message": 日本語, "message_en": English, …extra}`` (docs/member-api.md),
  ``Cache-Control: no-store``.
- Pages for people get templates/error.html: the reason in Japanese with English beside,
  never a bare Werkzeug page and never a traceback.
- A Problem raised by a service, an HTTPException (abort, CSRF, rate limits, 404s) and a
  database error all pass through here, so the shape cannot differ by blueprint.
- A database error (a restart, a lost connection) says only what is true: a read is
  "unavailable"; a write whose COMMIT never reached the database was "not saved"; once a COMMIT
  was sent in the request, the outcome is unknown (sent, maybe done, answer lost), so it says
  "could not confirm" (``unconfirmed``) and never "not saved". And a connection cut after
  the answer was made does not turn it into a bare 500 (``end_database_session``).
"""
from __future__ import annotations

from flask import Flask, Response, g, has_app_context, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from .. import logs
from ..extensions import db
from ..keys.store import KeyMissing
from ..problems import Problem
from . import caching

JSON_PREFIXES = ("/api/", "/auth/", "/admin/api/")

#: What a status means to a person, when nothing more specific is known.
STANDARD = {
    400: ("bad_request", "要求の形式が正しくありません", "the request is malformed"),
    401: ("signed_out", "サインインしてください", "please sign in"),
    403: ("forbidden", "この操作を行う権限がありません", "you may not do this"),
    404: ("not_found", "見つかりません", "not found"),
    405: ("method_not_allowed", "この方法では利用できません", "method not allowed"),
    409: ("conflict", "同時に同じ内容が登録されました。画面を更新して確認してください",
          "a conflicting change was saved at the same time: reload and check"),
    410: ("gone", "このリンクは使えなくなりました", "this link is no longer valid"),
    413: ("too_large", "送信された内容が大きすぎます", "the request is too large"),
    415: ("unsupported_media_type", "送信形式が正しくありません", "unsupported content type"),
    429: ("rate_limited", "試行回数が多すぎます。しばらくしてからお試しください",
          "too many attempts: try again later"),
    500: ("server_error", "サーバーで問題が起きました。しばらくしてからお試しください",
          "something went wrong on the server: try again later"),
    503: ("unavailable", "一時的にご利用いただけません。しばらくしてからもう一度お試しください",
          "temporarily unavailable: please try again shortly"),
}

#: A database error, by what the request had done when it failed (see the module docstring).
DATABASE_ERRORS = {
    "read": STANDARD[503],
    "not_saved": ("unavailable", "一時的な障害のため保存されませんでした。もう一度お試しください",
                  "a temporary fault: the change was not saved; please try again"),
    "unconfirmed": ("unconfirmed", "保存できたか確認できませんでした。画面を更新して、保存されているか確かめてください",
                    "could not confirm whether the change was saved: reload and check"),
}
READS = ("GET", "HEAD", "OPTIONS")


def commit_sent(connection) -> None:
    """Engine event "commit": remember that this request sent a COMMIT (from then on, a
    failure cannot tell whether it was saved)."""
    if has_app_context():
        g.database_commit_sent = True


def database_outcome() -> str:
    """"read", "not_saved" or "unconfirmed" for the request being answered."""
    if request.method in READS:
        return "read"
    return "unconfirmed" if g.get("database_commit_sent") else "not_saved"


def wants_json() -> bool:
    return request.path.startswith(JSON_PREFIXES)


def json_error(status: int, code: str, ja: str, en: str, **extra) -> Response:
    """The one JSON error shape."""
    response = jsonify(error=code, message=ja, message_en=en, **extra)
    response.status_code = status
    return caching.personal(response)


def error_page(status: int, ja: str, en: str) -> Response:
    return caching.personal(Response(render_template("error.html", status=status, ja=ja, en=en),
                                     status=status, mimetype="text/html"))


def answer(status: int, code: str, ja: str, en: str, **extra) -> Response:
    """JSON for the APIs, a page for people."""
    return json_error(status, code, ja, en, **extra) if wants_json() else error_page(status, ja, en)


def _standard(status: int) -> tuple[str, str, str]:
    return STANDARD.get(status) or STANDARD[500 if status >= 500 else 400]


def _rollback() -> None:
    """Roll the request's changes back; on a connection the database has cut, the ROLLBACK
    fails and the connection is dropped instead (nothing was left to undo on the server)."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session().invalidate()


def init_app(app: Flask) -> None:
    if not event.contains(Engine, "commit", commit_sent):
        event.listen(Engine, "commit", commit_sent)

    @app.teardown_appcontext
    def end_database_session(exc):
        """End the request's database session before Flask-SQLAlchemy does (teardowns run last
        registered first). Its ROLLBACK fails on a connection the database has just cut (a
        restart), and a failure here would replace the answer already made, perhaps for a saved
        change, with a bare 500: the dead connection is dropped instead."""
        try:
            db.session.close()
        except SQLAlchemyError:
            db.session().invalidate()     # the scoped session's Session: drop, no ROLLBACK

    @app.errorhandler(Problem)
    def problem(exc: Problem):
        _rollback()
        return answer(exc.status, exc.code, exc.ja, exc.en, **exc.extra)

    @app.errorhandler(CSRFError)
    def csrf_failed(exc: CSRFError):
        return answer(400, "csrf_failed", "画面の有効期限が切れました。再読み込みしてからもう一度お試しください",
                      "the form expired (CSRF token missing or invalid): reload and try again")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code is None or exc.code < 400:
            return exc
        code, ja, en = _standard(exc.code)
        response = answer(exc.code, code, ja, en)
        for name, value in exc.get_headers():
            if name in ("Retry-After", "Allow"):
                response.headers[name] = value
        return response

    @app.errorhandler(KeyMissing)
    def key_missing(exc: KeyMissing):
        """A private key the deployment should hold is not in KEY_DIR (a mount missing, a key
        not provisioned): 503 for the caller, the file's name in the log (a kid, no secret)."""
        _rollback()
        app.logger.error("key missing: %s in KEY_DIR (provision it: docs/deploy.md) on %s %s",
                         exc, request.method, logs.request_path())
        return answer(503, "key_missing", "ただいま署名鍵を利用できません。しばらくしてからお試しください",
                      "a signing key is not available on the server: try again later")

    @app.errorhandler(SQLAlchemyError)
    def database_error(exc: SQLAlchemyError):
        """A failed write (a race on a unique key, a locked database) or a database that went
        away rolls back and answers 409/503 without the row's values, in words that are true
        for what the request did (DATABASE_ERRORS); the log gets the error class and the path
        only."""
        _rollback()
        outcome = database_outcome()
        app.logger.warning("database error %s on %s %s (%s)", type(exc).__name__, request.method,
                           logs.request_path(), outcome)
        if isinstance(exc, IntegrityError):
            return answer(409, *STANDARD[409])
        return answer(503, *DATABASE_ERRORS[outcome])
