"""The member app (資格パス PWA, web/app): its shell, service worker, manifest and files.

- ``/app/`` and ``/app/activate`` are one shell (web/app/index.html, rendered with
  ``render_template_string`` so it carries the session's CSRF token in
  ``<meta name="csrf-token">``); the page routes by ``location.pathname`` and reads the
  activation code from the ``#code=`` fragment, which never reaches the server.
- ``/app/sw.js`` is served from ``/app/`` with ``Service-Worker-Allowed: /app/`` and
  ``no-cache``; its ``__BUILD__`` is replaced by a digest of the app files, so any change to
  them installs a new worker with a new cache (the page offers the update, never forces it).
- Every file is ``Cache-Control: no-cache``: the service worker is the offline cache.
  Nothing here carries personal data; that comes from /api/v1/me (server/member_api.py).
"""
from __future__ import annotations

import hashlib

from flask import (
    Blueprint,
    Response,
    abort,
    render_template_string,
    send_from_directory,
)

from ..paths import WEB_ROOT

APP_ROOT = WEB_ROOT / "app"
SHELL = "index.html"
SERVICE_WORKER = "sw.js"
MIMETYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png",
             ".svg": "image/svg+xml", ".webmanifest": "application/manifest+json"}

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
    "connect-src 'self'", "manifest-src 'self'", "worker-src 'self'", "object-src 'none'",
    "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'"])

bp = Blueprint("member_pages", __name__)


def _no_cache(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/app/")
@bp.get("/app/activate")
def shell():
    text = (APP_ROOT / SHELL).read_text(encoding="utf-8")
    response = _no_cache(Response(render_template_string(text), mimetype="text/html"))
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/app/sw.js")
def service_worker():
    text = (APP_ROOT / SERVICE_WORKER).read_text(encoding="utf-8")
    response = _no_cache(Response(text.replace("__BUILD__", build_id()), mimetype="text/javascript"))
    response.headers["Service-Worker-Allowed"] = "/app/"
    return response


@bp.get("/app/<path:filename>")
def files(filename: str):
    suffix = "." + filename.rsplit(".", 1)[-1] if "." in filename else ""
    if suffix not in MIMETYPES or filename in (SHELL, SERVICE_WORKER):
        abort(404)
    return _no_cache(send_from_directory(APP_ROOT, filename, mimetype=MIMETYPES[suffix], max_age=0))


_digest_cache: dict[tuple, str] = {}


def build_id() -> str:
    """A digest of every file the app serves (12 hex digits), recomputed when one changes."""
    paths = sorted(p for p in APP_ROOT.rglob("*")
                   if p.is_file() and (p.suffix in MIMETYPES or p.name == SHELL))
    stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths)
    if stamp not in _digest_cache:
        digest = hashlib.sha256()
        for path in paths:
            digest.update(path.relative_to(APP_ROOT).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
        _digest_cache.clear()
        _digest_cache[stamp] = digest.hexdigest()[:12]
    return _digest_cache[stamp]
