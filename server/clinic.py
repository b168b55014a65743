"""Clinic-facing public files: the verifier page (web/clinic) and shared ES modules."""
from flask import Blueprint, abort, jsonify, send_from_directory

from . import WEB_ROOT, publishing

bp = Blueprint("clinic", __name__)


@bp.route("/clinic/")
def index():
    return send_from_directory(WEB_ROOT / "clinic", "index.html")


@bp.route("/clinic/anchor.json")
def anchor():
    """The trust anchor the page pins (baked into the app, not fetched with the list)."""
    response = jsonify(publishing.anchor_jwk())
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.route("/clinic/<path:filename>")
def files(filename):
    return send_from_directory(WEB_ROOT / "clinic", filename)


#: npm packages the browser apps import (installed by scripts/setup into web/node_modules).
VENDORED = {"cborg", "jsqr"}


@bp.route("/vendor/<package>/<path:filename>")
def vendor(package, filename):
    if package not in VENDORED:
        abort(404)
    response = send_from_directory(WEB_ROOT / "node_modules" / package, filename)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.route("/shared/<path:filename>")
def shared(filename):
    return send_from_directory(WEB_ROOT / "shared", filename)
