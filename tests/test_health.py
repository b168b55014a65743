"""/healthz (the process) and /readyz (database, rate-limit store, a signing key per insurer)."""
from pathlib import Path

from server.extensions import db


def test_a_healthy_server_is_alive_and_ready(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["checks"] == {
        "database": "ok", "rate_limit_store": "ok", "signing_keys": "ok"}


def test_a_missing_signing_key_file_is_not_ready(client, app):
    for key_file in Path(app.config["KEY_DIR"]).glob("signing-*.pem"):
        key_file.unlink()
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json()["checks"]["signing_keys"] == "failed"
    assert client.get("/healthz").status_code == 200          # alive, only not ready


def test_an_unreachable_database_is_not_ready(client, app, monkeypatch):
    import sqlalchemy as sa

    def refused(*args, **kwargs):
        raise sa.exc.OperationalError("SELECT 1", {}, ConnectionRefusedError())
    monkeypatch.setattr(db.session, "execute", refused)
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.get_json()["checks"]["database"] == "failed"


def test_a_rate_limit_store_down_is_degraded_with_the_fallback_and_failed_without(make_app):
    """Redis down: with the in-memory fallback the limits hold per worker and the server stays
    ready (degraded); without it every limited request would fail, so it is not ready."""
    unreachable = "redis://127.0.0.1:9/0"          # the discard port: nothing answers there
    for fallback, status, word in ((True, 200, "degraded"), (False, 503, "failed")):
        app = make_app(RATELIMIT_STORAGE_URI=unreachable,
                       RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=fallback)
        ready = app.test_client().get("/readyz")
        assert ready.status_code == status
        assert ready.get_json()["checks"]["rate_limit_store"] == word
