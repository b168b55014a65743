"""Security headers on every response (server/views/headers.py): a strict Content-Security-Policy
without inline script or style, never framed, no sniffing, referrers for this origin only, the
camera on /clinic/ only, and HSTS outside development."""
import base64
import hashlib
import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parent.parent / "server" / "templates"

#: One URL of each kind of response, signed out.
PAGES = {
    "home": "/",
    "admin login": "/admin/login",
    "member app shell": "/app/",
    "clinic page": "/clinic/",
    "API JSON": "/api/v1/trust-list",
    "API error JSON": "/api/v1/me",
    "404 page": "/no-such-page",
    "static file": "/admin/static/admin.css",
    "shared module": "/shared/verifier.js",
}


def directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {name: value for name, _, value in
            (part.strip().partition(" ") for part in policy.split(";"))}


def assert_secure(response, *, camera=False):
    csp = directives(response)
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    assert csp["default-src"] == "'self'"
    assert csp["script-src"].startswith("'self'")
    assert csp["style-src"] == "'self'"
    assert csp["object-src"] == "'none'"
    assert csp["base-uri"] == "'none'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["form-action"] in ("'self'", "'none'")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer")
    permissions = response.headers["Permissions-Policy"]
    assert ("camera=(self)" if camera else "camera=()") in permissions
    assert "microphone=()" in permissions and "geolocation=()" in permissions


@pytest.mark.parametrize("kind", PAGES)
def test_every_kind_of_response_carries_the_headers(client, kind):
    with client.get(PAGES[kind]) as response:
        assert_secure(response, camera=kind == "clinic page")
        assert "Strict-Transport-Security" not in response.headers     # development


def test_a_signed_in_admin_member_page_cannot_be_framed(client, as_staff, demo_member, app):
    as_staff()
    with app.app_context():
        member_id = demo_member().id
    response = client.get(f"/admin/members/{member_id}")
    assert response.status_code == 200 and 'id="loss-form"' in response.get_data(as_text=True)
    assert_secure(response)
    assert directives(response)["frame-ancestors"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert directives(response)["form-action"] == "'self'"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_printed_pages_and_errors_carry_the_headers(client, as_staff, demo_member, app):
    token = as_staff()
    with app.app_context():
        member = demo_member()
        member_id = member.id
    response = client.post(f"/admin/members/{member_id}/cards", data={"csrf_token": token})
    card_url = response.headers["Location"]
    printed = client.get(card_url)
    assert printed.status_code == 200 and "card-sheet" in printed.get_data(as_text=True)
    assert_secure(printed)
    assert printed.headers["Referrer-Policy"] == "same-origin"    # its withdraw form posts here
    refused = client.post("/admin/logout", data={})               # CSRF error page
    assert refused.status_code == 400
    assert_secure(refused)


def test_camera_only_on_the_clinic_page(client):
    assert "camera=(self)" in client.get("/clinic/").headers["Permissions-Policy"]
    with client.get("/clinic/clinic.css") as response:
        assert "camera=(self)" in response.headers["Permissions-Policy"]
    for path in ("/", "/app/", "/admin/login", "/api/v1/trust-list", "/shared/verifier.js",
                 "/vendor/cborg/cborg.js", "/clinic"):
        with client.get(path) as response:
            assert "camera=()" in response.headers["Permissions-Policy"], path


def test_the_clinic_keeps_its_own_policy(make_app):
    app = make_app(CLINIC_TRUST_LIST_URL="https://cdn.example.jp/shikaku/trust-list")
    response = app.test_client().get("/clinic/")
    html = response.get_data(as_text=True)
    import_map = re.search(r'<script type="importmap">(.*?)</script>', html, re.DOTALL).group(1)
    digest = base64.b64encode(hashlib.sha256(import_map.encode()).digest()).decode()
    csp = directives(response)
    assert csp["script-src"] == f"'self' 'sha256-{digest}'"
    assert csp["connect-src"] == "'self' https://cdn.example.jp"
    assert csp["media-src"] == "'self' blob: mediastream:"
    assert csp["img-src"] == "'self' data: blob:"
    assert csp["worker-src"] == "'self'"
    assert csp["form-action"] == "'none'"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    # a revalidation answers with the same policy
    again = app.test_client().get("/clinic/", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert again.headers["Content-Security-Policy"] == response.headers["Content-Security-Policy"]


def test_the_member_app_policy(client):
    csp = directives(client.get("/app/"))
    assert csp["script-src"] == "'self'"
    assert csp["connect-src"] == "'self'" and csp["worker-src"] == "'self'"
    assert csp["form-action"] == "'self'"


def test_only_the_clinic_page_has_a_hash_in_its_policy(client):
    for path in ("/", "/admin/login", "/app/", "/api/v1/trust-list", "/no-such-page"):
        assert "sha256-" not in client.get(path).headers["Content-Security-Policy"], path


def test_hsts_outside_development(make_app):
    production = make_app(ENV="production", SECRET_KEY="x" * 32, REVOCATION_SECRET="00" * 32, ACTIVATION_SECRET="11" * 32)
    for path in ("/", "/api/v1/csrf", "/no-such-page"):
        response = production.test_client().get(path, base_url="https://shikaku.example.jp")
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        assert_secure(response)


def test_hsts_follows_its_setting(make_app):
    chosen = "max-age=63072000; includeSubDomains; preload"
    response = make_app(STRICT_TRANSPORT_SECURITY=chosen).test_client().get("/")
    assert response.headers["Strict-Transport-Security"] == chosen
    off = make_app(ENV="production", SECRET_KEY="x" * 32, REVOCATION_SECRET="00" * 32, ACTIVATION_SECRET="11" * 32,
                   STRICT_TRANSPORT_SECURITY=False)
    assert "Strict-Transport-Security" not in off.test_client().get("/").headers


def test_admin_forms_need_their_same_origin_referrer_over_https(client, as_staff):
    """Why admin pages are ``same-origin``, not ``no-referrer``: over HTTPS Flask-WTF refuses
    a form post without a Referer from this origin."""
    token = as_staff()
    https = "https://localhost"
    refused = client.post("/admin/logout", data={"csrf_token": token}, base_url=https)
    assert refused.status_code == 400
    accepted = client.post("/admin/logout", data={"csrf_token": token}, base_url=https,
                           headers={"Referer": https + "/admin/"})
    assert accepted.status_code == 302


def test_no_inline_script_or_style_in_templates():
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), template   # inline script
        assert "<style" not in text, template
        assert not re.search(r"\sstyle=", text), template
        assert not re.search(r"\son[a-z]+=", text), template                     # onclick=…
        assert "javascript:" not in text, template
