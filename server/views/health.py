"""Health for load balancers and orchestrators.

- ``/healthz``: the process answers (no database, no keys): restart it if this fails.
- ``/readyz``: it can serve: the database answers, and every insurer has a current signing key
  whose private key loads. 503 with the failing checks by name otherwise (never a key, a
  member or a connection string). The shared rate-limit store (Redis) is reported too; while
  it is down with RATELIMIT_IN_MEMORY_FALLBACK_ENABLED the limits hold per worker, so it is
  ``degraded`` and the server stays ready: a load balancer pulling every instance because
  Redis restarted would turn a degraded service into none.
"""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from ..extensions import db, limiter
from ..keys import lifecycle

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    checks = {"database": _database(), "rate_limit_store": _rate_limit_store(),
              "signing_keys": _signing_keys()}
    words = {name: "ok" if passed else "failed" for name, passed in checks.items()}
    if not checks["rate_limit_store"] and current_app.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"]:
        words["rate_limit_store"] = "degraded"
    ready = all(word != "failed" for word in words.values())
    response = jsonify(status="ready" if ready else "not_ready", checks=words)
    response.status_code = 200 if ready else 503
    return response


def _database() -> bool:
    try:
        db.session.execute(db.text("SELECT 1"))
        return True
    except Exception:                     # noqa: BLE001 — any failure means "not ready"
        db.session.rollback()
        return False


def _rate_limit_store() -> bool:
    try:
        return bool(limiter.storage.check())
    except Exception:                     # noqa: BLE001
        return False


def _signing_keys() -> bool:
    try:
        return lifecycle.has_anchor() and all(lifecycle.key_for(number)
                                              for number in lifecycle.all_insurer_numbers())
    except Exception:                     # noqa: BLE001 — a missing key file, no current key
        return False
