"""The member app (資格パス PWA, web/app): its shell, service worker, manifest and files.

- ``/app/`` and ``/app/activate`` are one shell (web/app/index.html, rendered with
  ``render_template_string`` so it carries the session's CSRF token in
  ``<meta name="csrf-token">``); the page routes by ``location.pathname`` and reads the
  activation code from the ``#code=`` fragment, which never reaches the server.
- ``/app/sw.js`` is served from ``/app/`` with ``Service-Worker-Allowed: /app/``; its
  ``__BUILD__`` is a digest of the worker and everything it precaches (server/views/pwa.py), so
  any change to them installs a new worker with a new cache (the page offers the update, never
  forces it). Its rules are web/shared/offline-worker.js, served by server/views/clinic.py.
- Its Content-Security-Policy (no inline script, connections and workers from here only) is
  the ``member_pages`` entry in server/views/headers.py.
- Every file is ``Cache-Control: no-cache``: the service worker is the offline cache.
  Nothing here carries personal data; that comes from /api/v1/me (server/member_api.py).
"""
from __future__ import annotations

from flask import Blueprint, render_template_string

from ..paths import WEB_ROOT
from .pwa import SHARED_ROOT, VENDOR_ROOT, OfflineApp

MIMETYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png",
             ".svg": "image/svg+xml", ".webmanifest": "application/manifest+json"}

offline_app = OfflineApp("/app/", WEB_ROOT / "app", MIMETYPES, mounts={"/shared/": SHARED_ROOT, "/vendor/": VENDOR_ROOT})

bp = Blueprint("member_pages", __name__)


@bp.get("/app/")
@bp.get("/app/activate")
def shell():
    """One page for both URLs, rendered for the session's CSRF token."""
    html = render_template_string(offline_app.shell_text())
    return offline_app.shell_response(html)


@bp.get("/app/sw.js")
def service_worker():
    return offline_app.worker_response()


@bp.get("/app/<path:filename>")
def files(filename: str):
    return offline_app.file_response(filename)
