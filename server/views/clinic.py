"""Clinic-facing public files: the verifier PWA (web/clinic), its configuration, and the
ES modules it shares (web/shared) or installs from npm (/vendor/).

- ``/clinic/`` is web/clinic/index.html: a static page that needs nothing from this server at
  scan time. Its Content-Security-Policy (server/views/headers.py) allows its one inline
  script, the import map, by hash, and fetches from the trust list's origin; the camera is
  allowed on /clinic/ only.
- ``/clinic/config.json`` is the app's configuration, the only source of the pinned trust
  anchor: ``{"trust_list_url", "anchor", "log_retention_days", "skew_seconds"}``. The page
  hosted elsewhere would ship the same file, written once.
- ``/clinic/sw.js`` is served with ``Service-Worker-Allowed: /clinic/`` and ``no-cache``; its
  ``__BUILD__`` becomes a digest of everything it precaches (config.json included; see
  server/views/pwa.py), so any change installs a new worker with a new cache, which the page
  offers, never forces.
- ``/shared/`` serves web/shared to both apps: the verifier's modules and the service-worker
  rules (offline-worker.js) the member app's worker imports too.
- The app's files are ``no-cache``: the service worker is the offline cache.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    request,
    send_from_directory,
)

from ..keys import publishing
from ..paths import WEB_ROOT
from . import caching, headers
from .pwa import SHARED_ROOT, VENDOR_ROOT, OfflineApp

bp = Blueprint("clinic", __name__)

MIMETYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml",
             ".webmanifest": "application/manifest+json"}
DEFAULT_LOG_RETENTION_DAYS = 30

#: npm packages the browser apps import (installed by scripts/setup into web/node_modules).
VENDORED = {"cborg", "jsqr", "lean-qr", "zxing-wasm"}


def config_text() -> str:
    """config.json: served, precached, exported, and part of the worker's build."""
    return json.dumps({
        "trust_list_url": trust_list_url(),
        "anchor": publishing.anchor_jwk(),
        "log_retention_days": current_app.config.get("CLINIC_LOG_RETENTION_DAYS",
                                                     DEFAULT_LOG_RETENTION_DAYS),
        "skew_seconds": current_app.config["VERIFY_SKEW_SECONDS"],
    }, ensure_ascii=False, indent=1)


offline_app = OfflineApp("/clinic/", WEB_ROOT / "clinic", MIMETYPES,
                         mounts={"/shared/": SHARED_ROOT, "/vendor/": VENDOR_ROOT},
                         generated={"/clinic/config.json": config_text})


@bp.route("/clinic/")
def index():
    html = offline_app.shell_text()
    _page_policy(html)
    response = offline_app.shell_response(html)
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/clinic/config.json")
def config():
    """What the page pins and where it fetches the trust list (see web/clinic/js/config.js)."""
    response = Response(config_text(), mimetype="application/json")
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/clinic/sw.js")
def service_worker():
    return offline_app.worker_response()


@bp.route("/clinic/anchor.json")
def anchor():
    """The trust anchor alone (the page reads it from config.json)."""
    response = jsonify(publishing.anchor_jwk())
    caching.public(response, 86400)
    return response


@bp.route("/clinic/<path:filename>")
def files(filename):
    return offline_app.file_response(filename)


@bp.route("/vendor/<package>/<path:filename>")
def vendor(package, filename):
    if package not in VENDORED:
        abort(404)
    # .mjs is an ES module: a JavaScript type, or the browser refuses to run it; .wasm must be
    # application/wasm for WebAssembly.instantiateStreaming (zxing-wasm's QR reader)
    mimetype = ("text/javascript" if filename.endswith((".js", ".mjs"))
                else "application/wasm" if filename.endswith(".wasm") else None)
    response = send_from_directory(VENDOR_ROOT / package, filename, mimetype=mimetype)
    caching.public(response, 86400)
    return response


@bp.route("/shared/<path:filename>")
def shared(filename):
    return send_from_directory(SHARED_ROOT, filename, max_age=0)


# -- configuration and policy ----------------------------------------------------------

def trust_list_url() -> str:
    return (current_app.config.get("CLINIC_TRUST_LIST_URL")
            or current_app.config["PUBLIC_URL"].rstrip("/") + "/api/v1/trust-list")


def _page_policy(html: str) -> None:
    """The page's own policy on top of the clinic blueprint's (views/headers.py): its import
    map by hash, and the trust list's origin."""
    inline = re.findall(r"<script type=\"importmap\">(.*?)</script>", html, re.S)
    hashes = " ".join("'sha256-%s'" % base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()
                      for s in inline)
    list_origin = re.match(r"^[a-z]+://[^/]+", trust_list_url())
    headers.policy(script_src=f"'self' {hashes}".strip(),
                   connect_src=f"'self' {list_origin.group(0) if list_origin else ''}".strip())
