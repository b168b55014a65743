"""Security headers, set here for every response and nowhere else.

- ``Content-Security-Policy``: ``BASE`` (only this origin's files; no inline script or
  style, no plugins, no ``<base>``, never framed, forms post here), with the directives a
  blueprint changes in ``BLUEPRINTS`` and those one response changes through ``policy()``
  (the clinic page: its import map by hash, the trust list's origin), and for the scripts in
  ``WASM_SCRIPTS`` (the clinic's QR worker) ``'wasm-unsafe-eval'``. No ``'unsafe-inline'``,
  no ``'unsafe-eval'``.
- ``X-Frame-Options: DENY`` (old browsers' ``frame-ancestors 'none'``).
- ``Referrer-Policy: same-origin``: other sites never learn a URL of ours, while our own
  forms and fetches keep the ``Referer`` that Flask-WTF requires over HTTPS
  (``WTF_CSRF_SSL_STRICT``); ``no-referrer`` where a blueprint needs no writes (``REFERRER``).
- ``Permissions-Policy``: no camera, microphone or location, except the camera on
  ``/clinic/`` (the verifier scans QR codes).
- ``Strict-Transport-Security`` outside development (setting ``STRICT_TRANSPORT_SECURITY``).

``X-Content-Type-Options: nosniff`` is set with Cache-Control in views/caching.py.
Flask-Talisman is not used: by default it redirects to HTTPS and sets the session cookie's
flags itself (the settings own those here), and its per-view options are fixed when a view is
decorated, while the clinic's policy depends on its page and the app's settings; this module
is the few lines we need.
"""
from __future__ import annotations

from collections.abc import Mapping

from flask import Flask, Response, current_app, g, request

#: The policy of every response unless its blueprint or the response changes a directive.
BASE = {
    "default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "img-src": "'self'",
    "object-src": "'none'", "base-uri": "'none'", "frame-ancestors": "'none'",
    "form-action": "'self'",
}

_OFFLINE_APP = {"connect-src": "'self'", "manifest-src": "'self'", "worker-src": "'self'"}

#: Blueprint name → the directives it changes.
BLUEPRINTS = {
    "member_pages": {**_OFFLINE_APP, "img-src": "'self' data:"},
    "clinic": {**_OFFLINE_APP, "img-src": "'self' data: blob:",
               "media-src": "'self' blob: mediastream:", "form-action": "'none'"},
}

#: Scripts that compile WebAssembly, and only those: the clinic's QR worker runs zxing-cpp
#: (zxing-wasm). A dedicated worker follows the policy of its own script's response, so the
#: page and every other file keep ``script-src 'self'`` without ``'wasm-unsafe-eval'`` (which
#: allows compiling WebAssembly, not ``eval`` of JavaScript).
WASM_SCRIPTS = {"/clinic/js/qr-worker.js": {"script-src": "'self' 'wasm-unsafe-eval'"}}

#: Blueprint name → Referrer-Policy, where it is not ``same-origin``. The member app writes
#: (activation, consent, passkeys) and over HTTPS Flask-WTF's strict CSRF check needs a
#: same-origin Referer, so it is ``same-origin`` too (nothing is sent to other sites); the
#: clinic page writes nothing and sends no referrer at all.
REFERRER = {"clinic": "no-referrer"}

PERMISSIONS = "camera=(), microphone=(), geolocation=()"
CLINIC_PERMISSIONS = "camera=(self), microphone=(), geolocation=()"
HSTS = "max-age=31536000; includeSubDomains"


def policy(**directives: str) -> None:
    """Change directives of this response's Content-Security-Policy (``script_src=…`` for
    ``script-src``), on top of its blueprint's."""
    g.content_security_policy = {**g.get("content_security_policy", {}),
                                 **{name.replace("_", "-"): value
                                    for name, value in directives.items()}}


def content_security_policy(blueprint: str | None = None,
                            changes: Mapping[str, str] | None = None) -> str:
    """The policy text for a blueprint, with one response's ``changes`` (``{"script-src": …}``)."""
    chosen = {**BASE, **BLUEPRINTS.get(blueprint, {}), **(changes or {})}
    return "; ".join(f"{name} {value}".strip() for name, value in chosen.items())


def strict_transport_security(app: Flask) -> str | None:
    """``STRICT_TRANSPORT_SECURITY``: None = ``HSTS`` outside development; a text = that
    value; False = never."""
    setting = app.config.get("STRICT_TRANSPORT_SECURITY")
    if setting is None:
        return HSTS if app.config["ENV"] != "development" else None
    return setting or None


def init_app(app: Flask) -> None:
    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers["Content-Security-Policy"] = content_security_policy(
            request.blueprint, {**WASM_SCRIPTS.get(request.path, {}),
                                **g.get("content_security_policy", {})})
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = REFERRER.get(request.blueprint, "same-origin")
        headers["Permissions-Policy"] = (CLINIC_PERMISSIONS if request.path.startswith("/clinic/")
                                         else PERMISSIONS)
        hsts = strict_transport_security(current_app)
        if hsts:
            headers["Strict-Transport-Security"] = hsts
        return response
