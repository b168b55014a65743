"""A key the deployment should hold but does not: a clear 503 and a log line naming the file,
never a 500 with a traceback; and a parsed key is not used once its file is gone."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest

from server.keys import store
from server.token_core.keys import kid_bytes


def _key_files(app) -> dict[str, Path]:
    return {p.name: p for p in Path(app.config["KEY_DIR"]).glob("*.pem")}


def test_missing_anchor_is_a_503_with_the_reason_in_the_log(app, client, caplog):
    _key_files(app)[store.ANCHOR_FILE].unlink()
    with caplog.at_level(logging.ERROR):
        response = client.get("/api/v1/trust-list")
    assert response.status_code == 503
    assert response.get_json()["error"] == "key_missing"
    assert "署名鍵" in response.get_json()["message"]
    assert any(store.ANCHOR_FILE in r.getMessage() for r in caplog.records)
    assert not any(r.exc_info for r in caplog.records), "no traceback"


def test_missing_signing_key_is_a_503_for_the_member(app, client, as_member, demo_member, caplog):
    with app.app_context():
        member_id = demo_member().id
    as_member(member_id)
    assert client.get("/api/v1/me/token").status_code == 200        # parsed and kept
    for name, path in _key_files(app).items():
        if name.startswith("signing-"):
            path.unlink()
    with caplog.at_level(logging.ERROR):
        response = client.get("/api/v1/me/token")
    assert response.status_code == 503
    assert response.get_json()["error"] == "key_missing"
    assert any("signing-" in r.getMessage() for r in caplog.records)


def test_a_parsed_key_is_not_used_after_its_file_is_destroyed(app):
    with app.app_context():
        key = store.create_signing_key()
        assert store.signing_key(key.kid).kid == key.kid           # parsed once, then cached
        store.destroy_signing_key(key.kid)
        with pytest.raises(store.KeyMissing):
            store.signing_key(kid_bytes(store.kid_text(key.kid)))
