"""GET /api/v1/trust-list and /.well-known/jwks.json: public, cacheable, CORS-open."""
import json

from server.keys import publishing
from server.token_core import TrustList
from server.token_core.keys import b64url_decode


def _payload(document: str) -> dict:
    return json.loads(b64url_decode(json.loads(document)["payload"]))


def test_trust_list_is_signed_by_the_pinned_anchor(app, client):
    response = client.get("/api/v1/trust-list")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    with app.app_context():
        trust_list = TrustList.from_signed(response.get_data(as_text=True), publishing.anchor_jwk())
    assert trust_list.insurers == {"06138093": "資格パス健康保険組合（デモ）",
                                   "06270888": "なにわ商事健康保険組合（デモ）"}
    assert sorted(k.insurers for k in trust_list.keys) == [{"06138093"}, {"06270888"}]  # a key each


def test_trust_list_headers_cache_cors_and_etag(client):
    response = client.get("/api/v1/trust-list")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "max-age=300" in response.headers["Cache-Control"]
    etag = response.headers["ETag"]
    again = client.get("/api/v1/trust-list", headers={"If-None-Match": etag})
    assert again.status_code == 304
    preflight = client.options("/api/v1/trust-list", headers={
        "Origin": "https://clinic.example.jp", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "if-none-match"})
    assert preflight.status_code in (200, 204)
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "if-none-match" in preflight.headers["Access-Control-Allow-Headers"].lower()
    assert preflight.headers["Access-Control-Max-Age"] == "86400"
    assert "ETag" in client.get("/api/v1/trust-list", headers={"Origin": "https://clinic.example.jp"}
                                ).headers["Access-Control-Expose-Headers"]


def test_the_member_api_is_not_open_to_other_origins(client):
    response = client.get("/api/v1/me", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_unchanged_list_keeps_its_etag_until_refresh(client, clock, app):
    first = client.get("/api/v1/trust-list").headers["ETag"]
    clock.advance(60)
    assert client.get("/api/v1/trust-list").headers["ETag"] == first
    clock.advance(app.config["TRUST_LIST_REFRESH_SECONDS"])
    refreshed = client.get("/api/v1/trust-list")
    assert refreshed.headers["ETag"] != first
    assert _payload(refreshed.get_data(as_text=True))["iat"] == clock.now


def test_trust_list_times(client, app, clock):
    payload = _payload(client.get("/api/v1/trust-list").get_data(as_text=True))
    assert payload["iat"] == clock.now
    assert payload["exp"] == clock.now + app.config["TRUST_LIST_VALIDITY_SECONDS"]
    assert payload["grace"] == app.config["TRUST_LIST_GRACE_SECONDS"]


def test_jwks_lists_the_signing_keys_and_nothing_private(client):
    response = client.get("/.well-known/jwks.json")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    keys = response.get_json()["keys"]
    assert len(keys) == 2                         # one per demo insurer
    assert {"kty", "crv", "x", "y", "kid", "alg", "use"} <= set(keys[0])
    assert keys[0]["alg"] == "ES256" and keys[0]["use"] == "sig"
    assert "d" not in keys[0]


def test_no_response_carries_private_key_material(client):
    for url in ("/", "/clinic/", "/clinic/anchor.json", "/api/v1/trust-list", "/.well-known/jwks.json"):
        with client.get(url) as response:
            body = response.get_data(as_text=True)
        assert "PRIVATE KEY" not in body and '"d":' not in body, url
