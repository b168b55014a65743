"""Public JSON API for verifiers: the signed trust list and the issuer keys (JWKS).

Both are public documents that any CDN could serve: cacheable, with an ETag, and
open to every origin (a clinic page may live elsewhere): CORS by Flask-CORS on these two
blueprints only (the member API under /api/v1/me is same-origin and stays closed).
"""
import hashlib
import json

from flask import Blueprint, Response, abort, current_app, request
from flask_cors import CORS

from ..keys import publishing, status_publishing
from . import caching

#: A snapshot or delta never changes once its seq exists (its root is signed in a trust list):
#: any cache may keep it for a year.
IMMUTABLE_SECONDS = 365 * 86400

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


def _immutable(data: bytes | None) -> Response:
    if data is None:
        abort(404)
    response = Response(data, mimetype="application/octet-stream")
    caching.public(response, IMMUTABLE_SECONDS)
    response.headers["Cache-Control"] += ", immutable"
    return response


@bp.route("/status/<id:seq>.snapshot", methods=["GET", "HEAD"])
def status_snapshot(seq):
    """Every status list of the root ``seq`` (docs/token-format.md, "Status lists"): served
    for the newest root only; a clinic holding an older trust list fetches it again."""
    return _immutable(status_publishing.snapshot(seq))


@bp.route("/status/<id:from_seq>-<id:seq>.delta", methods=["GET", "HEAD"])
def status_delta(from_seq, seq):
    """What changed from the lists of root ``from_seq`` to those of ``seq`` (a 404 when the
    older state is no longer kept: the clinic then takes the snapshot)."""
    return _immutable(status_publishing.delta(from_seq, seq))


@well_known.route("/jwks.json", methods=["GET", "HEAD"])
def jwks():
    trust_list = publishing.current_trust_list()
    keys = [{**k.to_json(), "use": "sig"} for k in trust_list.keys]
    return _public(json.dumps({"keys": keys}, ensure_ascii=False, indent=1),
                   current_app.config["TRUST_LIST_MAX_AGE"])
