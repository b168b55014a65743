"""Public JSON API for verifiers: the signed trust list and the issuer keys (JWKS).

Both are public documents that any CDN could serve: cacheable, with an ETag, and
open to every origin (a clinic page may live elsewhere).
"""
import hashlib
import json

from flask import Blueprint, Response, current_app, request

from ..keys import publishing
from . import caching

bp = Blueprint("api", __name__, url_prefix="/api/v1")
well_known = Blueprint("well_known", __name__, url_prefix="/.well-known")


def _public(body: str, max_age: int) -> Response:
    response = Response(body, mimetype="application/json")
    response.set_etag(hashlib.sha256(body.encode()).hexdigest()[:32])
    caching.public(response, max_age, revalidate=True)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag"
    return response.make_conditional(request)


@bp.route("/trust-list", methods=["GET", "HEAD"], provide_automatic_options=False)
def trust_list():
    return _public(publishing.current_snapshot().document, current_app.config["TRUST_LIST_MAX_AGE"])


@bp.route("/trust-list", methods=["OPTIONS"])
@well_known.route("/jwks.json", methods=["OPTIONS"])
def preflight():
    response = Response(status=204)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, HEAD"
    response.headers["Access-Control-Allow-Headers"] = "If-None-Match"
    response.headers["Access-Control-Max-Age"] = "86400"
    return response


@well_known.route("/jwks.json", methods=["GET", "HEAD"], provide_automatic_options=False)
def jwks():
    trust_list = publishing.current_trust_list()
    keys = [{**k.to_json(), "use": "sig"} for k in trust_list.keys]
    return _public(json.dumps({"keys": keys}, ensure_ascii=False, indent=1),
                   current_app.config["TRUST_LIST_MAX_AGE"])
