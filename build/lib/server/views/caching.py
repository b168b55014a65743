"""Cache-Control, one policy per kind of response, set here and nowhere else.

- personal data — admin pages, the member API, passkey ceremonies, error answers: ``no-store``
  (never kept by a browser or a proxy, not even on a shared PC);
- the offline apps' files — shells, workers, modules: ``no-cache`` (the service worker is the
  offline copy; the HTTP cache only revalidates);
- public documents — the trust list, the JWKS, the anchor, vendored npm modules:
  ``public, max-age=…`` through ``public()``, which a view calls for its own response.

A blueprint's policy applies to every response it makes that did not choose ``public()`` or
``personal()``; anything else (a new blueprint) gets ``no-store``, the safe default. Every response is
``X-Content-Type-Options: nosniff``.
"""
from __future__ import annotations

from flask import Flask, Response, request

NO_STORE = "no-store"
NO_CACHE = "no-cache"

#: Blueprint name → policy. Unlisted: NO_STORE.
POLICY = {
    "admin": NO_STORE, "member_api": NO_STORE, "ceremonies": NO_STORE,
    "member_pages": NO_CACHE, "clinic": NO_CACHE, "home": NO_CACHE,
}


def public(response: Response, max_age: int, *, revalidate: bool = False) -> Response:
    """A public document any cache may keep for ``max_age`` seconds."""
    response.headers["Cache-Control"] = (f"public, max-age={max_age}"
                                         + (", must-revalidate" if revalidate else ""))
    return response


def personal(response: Response) -> Response:
    """Never stored, whichever blueprint answers (error answers)."""
    response.headers["Cache-Control"] = NO_STORE
    return response


def init_app(app: Flask) -> None:
    @app.after_request
    def cache_control(response: Response) -> Response:
        chosen = response.headers.get("Cache-Control", "")
        if not (chosen.startswith("public") or chosen == NO_STORE):   # public() or personal()
            response.headers["Cache-Control"] = POLICY.get(request.blueprint, NO_STORE)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response
