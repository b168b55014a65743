"""Public JSON API for verifiers: the signed trust list and the issuer keys (JWKS).

Both are public documents that any CDN could serve: cacheable, with an ETag, and
open to every origin (a clinic page may live elsewhere): CORS by Flask-CORS on these two
blueprints only (the member API under /api/v1/me is same-origin and stays closed).
"""
import hashlib
import json

from flask import Blueprint, Response, current_app, request
from flask_cors import CORS

from ..keys import publishing
from . import caching

bp = Blueprint("api", __name__, url_prefix="/api/v1")
well_known = Blueprint("well_known", __name__, url_prefix="/.well-known")
for _public_blueprint in (bp, well_known):
    # A conditional GET (If-None-Match) from another origin needs a preflight: allowed, and
    # remembered for a day; the ETag is readable by the page.
    CORS(_public_blueprint, origins="*", send_wildcard=True, methods=["GET", "HEAD"],
         allow_headers=["If-None-Match"], expose_headers=["ETag"], max_age=86400)


def _public(body: str, max_age: int) -> Response:
    response = Response(body, mimetype="application/json")
    response.set_etag(hashlib.sha256(body.encode()).hexdigest()[:32])
    caching.public(response, max_age, revalidate=True)
    return response.make_conditional(request)


@bp.route("/trust-list", methods=["GET", "HEAD"])
def trust_list():
    """The stored signed bytes (server/keys/publishing.py): a 304 for the ETag the clinic
    holds, else the body, gzip-compressed once when signed for any client that accepts it. The
    gzip representation has its own ETag (``…-gz``), and either one is a match, weak or strong
    (If-None-Match compares weakly: a CDN that weakens the tag on the way still gets a 304)."""
    published = publishing.current()
    gzipped = "gzip" in request.accept_encodings
    etag = published.etag + ("-gz" if gzipped else "")
    if request.if_none_match.contains_weak(published.etag) or request.if_none_match.contains_weak(
            published.etag + "-gz"):
        response = Response(status=304)
    elif gzipped:
        response = Response(published.document_gzip, mimetype="application/json")
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(published.document, mimetype="application/json")
    response.set_etag(etag)
    response.vary.add("Accept-Encoding")
    caching.public(response, current_app.config["TRUST_LIST_MAX_AGE"], revalidate=True)
    return response


@well_known.route("/jwks.json", methods=["GET", "HEAD"])
def jwks():
    trust_list = publishing.current_trust_list()
    keys = [{**k.to_json(), "use": "sig"} for k in trust_list.keys]
    return _public(json.dumps({"keys": keys}, ensure_ascii=False, indent=1),
                   current_app.config["TRUST_LIST_MAX_AGE"])
