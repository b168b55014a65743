"""One error shape: JSON {"error", "message", "message_en"} under /api/ and /auth/, an HTML
page in Japanese and English for people, never a bare Werkzeug page or a traceback."""
import pytest

from server.extensions import db
from server.models import Member

SHAPE = {"error", "message", "message_en"}


def _json_error(response, status, code):
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert SHAPE <= set(body) and body["error"] == code, body
    assert body["message"] and body["message_en"] and body["message"] != body["message_en"]
    return body


def _ids(app):
    with app.app_context():
        return {m.name: m.id for m in db.session.scalars(db.select(Member))}


def test_another_members_token_is_a_json_404(client, app, as_member):
    ids = _ids(app)
    as_member(ids["𠮷田 太郎"])
    response = client.get(f"/api/v1/me/token?member={ids['髙橋 和夫']}")
    _json_error(response, 404, "not_found")
    assert "髙橋" not in response.get_data(as_text=True)


@pytest.mark.parametrize("method, path, status, code", [
    ("GET", "/api/v1/me", 401, "signed_out"),
    ("GET", "/api/v1/nothing-here", 404, "not_found"),
    ("POST", "/api/v1/trust-list", 405, "method_not_allowed"),
    ("POST", "/auth/member/login/verify", 400, "csrf_failed"),    # no CSRF token
    ("GET", "/auth/member/login/options", 405, "method_not_allowed"),
])
def test_every_api_and_auth_error_has_the_one_shape(client, method, path, status, code):
    _json_error(client.open(path, method=method), status, code)


def test_a_service_problem_keeps_its_code_and_extra_fields(client, app, as_member):
    ids = _ids(app)
    token = as_member(ids["𠮷田 太郎"])
    body = _json_error(client.post("/api/v1/me/consent", json={"member": ids["𠮷田 太郎"], "consent": "yes"},
                                   headers={"X-CSRFToken": token}), 400, "bad_request")
    assert body["field"] == "consent"


def test_a_wrong_activation_code_has_the_one_shape(client):
    token = client.get("/api/v1/csrf").get_json()["csrf_token"]
    body = _json_error(client.post("/auth/member/activate/options", headers={"X-CSRFToken": token},
                                   json={"code": "1111-2222-3333-4444-5555", "birth_date": "1980-05-15", "pin": "246810"}),
                       400, "invalid")
    assert body["message"].startswith("コード・生年月日・暗証番号のいずれかが正しくありません")
    assert body["attempts_left"] == 4


@pytest.mark.parametrize("path, status", [("/no-such-page", 404), ("/admin/members/99999999", 404)])
def test_pages_for_people_get_a_japanese_and_english_error_page(client, as_staff, path, status):
    as_staff("clerk")
    response = client.get(path)
    assert response.status_code == status and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert '<html lang="ja">' in html and "見つかりません" in html and 'lang="en">not found' in html
    assert "Werkzeug" not in html and "The requested URL was not found" not in html


def test_an_admin_page_for_a_clerk_is_a_403_page(client, as_staff):
    as_staff("clerk")
    response = client.get("/admin/keys")
    assert response.status_code == 403 and "権限がありません" in response.get_data(as_text=True)
