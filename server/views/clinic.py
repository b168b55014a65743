"""Clinic-facing public files: the verifier PWA (web/clinic), its configuration, and the
ES modules it shares (web/shared) or installs from npm (/vendor/).

- ``/clinic/`` is web/clinic/index.html: a static page that needs nothing from this server at
  scan time. Its Content-Security-Policy allows its one inline script, the import map, by hash.
- ``/clinic/config.json`` is the app's configuration, the only source of the pinned trust
  anchor: ``{"trust_list_url", "anchor", "log_retention_days", "skew_seconds"}``. The page
  hosted elsewhere would ship the same file, written once.
- ``/clinic/sw.js`` is served with ``Service-Worker-Allowed: /clinic/`` and ``no-cache``; its
  ``__BUILD__`` becomes a digest of everything it precaches (config.json included), so any change
  installs a new worker with a new cache, which the page offers, never forces.
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

bp = Blueprint("clinic", __name__)

CLINIC_ROOT = WEB_ROOT / "clinic"
SHARED_ROOT = WEB_ROOT / "shared"
VENDOR_ROOT = WEB_ROOT / "node_modules"
PAGE = "index.html"
SERVICE_WORKER = "sw.js"
MIMETYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml",
             ".webmanifest": "application/manifest+json"}
DEFAULT_LOG_RETENTION_DAYS = 30

#: npm packages the browser apps import (installed by scripts/setup into web/node_modules).
VENDORED = {"cborg", "jsqr"}


def _no_cache(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/clinic/")
def index():
    html = (CLINIC_ROOT / PAGE).read_text(encoding="utf-8")
    response = _no_cache(Response(html, mimetype="text/html"))
    response.headers["Content-Security-Policy"] = _content_security_policy(html)
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Permissions-Policy"] = "camera=(self)"
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/clinic/config.json")
def config():
    """What the page pins and where it fetches the trust list (see web/clinic/js/config.js)."""
    response = _no_cache(Response(config_text(), mimetype="application/json"))
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/clinic/sw.js")
def service_worker():
    text = (CLINIC_ROOT / SERVICE_WORKER).read_text(encoding="utf-8")
    response = _no_cache(Response(text.replace("__BUILD__", build_id()), mimetype="text/javascript"))
    response.headers["Service-Worker-Allowed"] = "/clinic/"
    return response


@bp.route("/clinic/anchor.json")
def anchor():
    """The trust anchor alone (the page reads it from config.json)."""
    response = jsonify(publishing.anchor_jwk())
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.route("/clinic/<path:filename>")
def files(filename):
    suffix = "." + filename.rsplit(".", 1)[-1] if "." in filename else ""
    if suffix not in MIMETYPES or filename in (PAGE, SERVICE_WORKER):
        abort(404)
    return _no_cache(send_from_directory(CLINIC_ROOT, filename, mimetype=MIMETYPES[suffix], max_age=0))


@bp.route("/vendor/<package>/<path:filename>")
def vendor(package, filename):
    if package not in VENDORED:
        abort(404)
    response = send_from_directory(VENDOR_ROOT / package, filename)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.route("/shared/<path:filename>")
def shared(filename):
    return _no_cache(send_from_directory(SHARED_ROOT, filename, max_age=0))


# -- configuration, build id, policy -------------------------------------------

def trust_list_url() -> str:
    return (current_app.config.get("CLINIC_TRUST_LIST_URL")
            or current_app.config["PUBLIC_URL"].rstrip("/") + "/api/v1/trust-list")


def config_text() -> str:
    return json.dumps({
        "trust_list_url": trust_list_url(),
        "anchor": publishing.anchor_jwk(),
        "log_retention_days": current_app.config.get("CLINIC_LOG_RETENTION_DAYS",
                                                     DEFAULT_LOG_RETENTION_DAYS),
        "skew_seconds": current_app.config["VERIFY_SKEW_SECONDS"],
    }, ensure_ascii=False, indent=1)


def precache_paths() -> list[str]:
    """The service worker's PRECACHE list, read from web/clinic/sw.js."""
    text = (CLINIC_ROOT / SERVICE_WORKER).read_text(encoding="utf-8")
    block = re.search(r"const PRECACHE = \[(.*?)\];", text, re.S).group(1)
    return ["/clinic/" if shell else path for path, shell in re.findall(r"'([^']+)'|\b(SHELL)\b", block)]


def file_for(path: str):
    """The file behind a precached URL path (None for generated ones)."""
    if path == "/clinic/":
        return CLINIC_ROOT / PAGE
    for prefix, root in (("/clinic/", CLINIC_ROOT), ("/shared/", SHARED_ROOT), ("/vendor/", VENDOR_ROOT)):
        if path.startswith(prefix):
            return root / path[len(prefix):]
    raise ValueError(path)


_build_ids: dict[tuple, str] = {}


def build_id() -> str:
    """A digest of the worker and everything it precaches (12 hex digits), recomputed when
    a file or the configuration changes."""
    paths = precache_paths()
    files = [CLINIC_ROOT / SERVICE_WORKER] + [file_for(p) for p in paths if p != "/clinic/config.json"]
    stamp = (config_text(), *((str(f), f.stat().st_mtime_ns, f.stat().st_size) if f.is_file() else (str(f),)
                              for f in files))
    if stamp not in _build_ids:
        digest = hashlib.sha256(stamp[0].encode())
        for file in files:
            digest.update(str(file).encode() + b"\0")
            digest.update(file.read_bytes() if file.is_file() else b"(missing)")
        _build_ids.clear()
        _build_ids[stamp] = digest.hexdigest()[:12]
    return _build_ids[stamp]


def _content_security_policy(html: str) -> str:
    inline = re.findall(r"<script type=\"importmap\">(.*?)</script>", html, re.S)
    hashes = " ".join("'sha256-%s'" % base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()
                      for s in inline)
    list_origin = re.match(r"^[a-z]+://[^/]+", trust_list_url())
    return "; ".join([
        "default-src 'self'", f"script-src 'self' {hashes}".strip(), "style-src 'self'",
        "img-src 'self' data: blob:", "media-src 'self' blob: mediastream:",
        f"connect-src 'self' {list_origin.group(0) if list_origin else ''}".strip(),
        "worker-src 'self'", "manifest-src 'self'", "object-src 'none'", "base-uri 'none'",
        "frame-ancestors 'none'", "form-action 'none'"])
