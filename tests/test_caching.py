"""Cache-Control by kind of response (server/views/caching.py): personal data is never
stored, the offline apps revalidate, public documents are cacheable."""
import pytest


@pytest.mark.parametrize("path, expected", [
    ("/api/v1/me", "no-store"),                      # personal (here: the 401)
    ("/api/v1/csrf", "no-store"),
    ("/admin/login", "no-store"),
    ("/app/", "no-cache"),
    ("/app/sw.js", "no-cache"),
    ("/app/js/app.js", "no-cache"),
    ("/clinic/", "no-cache"),
    ("/clinic/config.json", "no-cache"),
    ("/shared/verifier.js", "no-cache"),
    ("/", "no-cache"),
    ("/api/v1/trust-list", "public, max-age="),
    ("/.well-known/jwks.json", "public, max-age="),
    ("/clinic/anchor.json", "public, max-age=86400"),
    ("/vendor/cborg/cborg.js", "public, max-age=86400"),
    ("/app/no-such-file.js", "no-store"),             # an error page is never kept
])
def test_each_kind_of_response_has_its_policy(client, path, expected):
    with client.get(path) as response:       # (a file's body is streamed: close it)
        assert response.headers["Cache-Control"].startswith(expected), (path, response.status_code)
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_ceremony_options_carry_a_challenge_and_are_never_stored(client):
    token = client.get("/api/v1/csrf").get_json()["csrf_token"]
    response = client.post("/auth/member/login/options", headers={"X-CSRFToken": token})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"


def test_a_signed_in_member_page_of_data_is_no_store(client, app, as_member):
    from server.extensions import db
    from server.models import Member
    with app.app_context():
        member_id = db.session.scalar(db.select(Member.id).limit(1))
    as_member(member_id)
    response = client.get("/api/v1/me")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
