"""The member app's files as the server hands them out (server/member_pages.py): one shell
with the session's CSRF token, a service worker allowed on /app/ whose cache name follows
the files, a manifest, and nothing else from web/app."""
import json
import re

from server.views import member_pages


def test_one_shell_for_the_app_and_the_activation_page(client):
    for url in ("/app/", "/app/activate"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.mimetype == "text/html"
        assert response.headers["Cache-Control"] == "no-cache"
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["Referrer-Policy"] == "same-origin"   # writes need a Referer over HTTPS
        html = response.get_data(as_text=True)
        assert re.search(r'<meta name="csrf-token" content="[^"{]{20,}">', html)
        assert '<script type="module" src="/app/js/main.js">' in html
    assert client.get("/app").status_code == 308


def test_the_shell_token_is_the_session_csrf_token(client):
    html = client.get("/app/").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    assert client.get("/api/v1/csrf").get_json()["csrf_token"] == token


def test_service_worker_scope_caching_and_build(client):
    response = client.get("/app/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/app/"
    assert response.headers["Cache-Control"] == "no-cache"
    text = response.get_data(as_text=True)
    assert "__BUILD__" not in text
    assert f"const BUILD = '{member_pages.offline_app.build_id()}';" in text
    assert re.fullmatch(r"[0-9a-f]{12}", member_pages.offline_app.build_id())


def test_the_build_id_follows_the_files(tmp_path, monkeypatch):
    (tmp_path / "sw.js").write_text("const PRECACHE = [\n  SHELL,\n  '/app/app.css',\n];\n")
    for name in ("index.html", "app.css"):
        (tmp_path / name).write_text(name)
    monkeypatch.setattr(member_pages.offline_app, "root", tmp_path)
    first = member_pages.offline_app.build_id()
    assert member_pages.offline_app.build_id() == first
    (tmp_path / "app.css").write_text("body { color: red }")
    assert member_pages.offline_app.build_id() != first
    (tmp_path / "notes.txt").write_text("not precached, not counted")
    second = member_pages.offline_app.build_id()
    (tmp_path / "notes.txt").write_text("changed")
    assert member_pages.offline_app.build_id() == second


def test_precache_list_and_module_preloads_name_every_module(client):
    sw = (member_pages.offline_app.root / "sw.js").read_text(encoding="utf-8")
    precache = re.findall(r"^\s+'(/app/[^']*)',$", sw, re.M) + ["/app/"]
    modules = sorted(f"/app/js/{p.name}" for p in (member_pages.offline_app.root / "js").glob("*.js"))
    assert set(modules) <= set(precache)
    for path in precache:
        with client.get(path) as response:
            assert response.status_code == 200, path
    html = client.get("/app/").get_data(as_text=True)
    preloaded = set(re.findall(r'rel="modulepreload" href="([^"]+)"', html))
    assert preloaded == set(modules) - {"/app/js/main.js"}


def test_manifest(client):
    with client.get("/app/manifest.webmanifest") as response:
        assert response.mimetype == "application/manifest+json"
        manifest = json.loads(response.get_data(as_text=True))
    assert manifest["name"] == manifest["short_name"] == "資格パス"
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == ("/app/", "/app/", "standalone")
    assert manifest["theme_color"]
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"any", "192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        with client.get(icon["src"]) as icon_response:
            assert icon_response.status_code == 200 and icon_response.mimetype == icon["type"]


def test_only_the_app_files_are_served(client):
    for path in ("/app/index.html", "/app/icons/make_icons.py", "/app/README.md", "/app/nope.js",
                 "/app/../server/__init__.py", "/app/%2e%2e/pyproject.toml"):
        with client.get(path) as response:
            assert response.status_code == 404, path


def test_over_https_the_member_apps_writes_pass_the_csrf_check(make_app):
    """The shell's Referrer-Policy lets its own fetches carry a same-origin Referer, which
    Flask-WTF's strict HTTPS check requires; without it the write is refused."""
    app = make_app(PUBLIC_URL="https://shikaku.example.jp")
    client = app.test_client()
    base = "https://shikaku.example.jp"
    shell = client.get("/app/", base_url=base)
    assert shell.headers["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin")
    token = client.get("/api/v1/csrf", base_url=base).get_json()["csrf_token"]
    body = {"code": "1111-2222-3333-4444-5555", "birth_date": "1980-05-15", "pin": "246810"}
    refused = client.post("/auth/member/activate/options", json=body, base_url=base,
                          headers={"X-CSRFToken": token})
    assert refused.status_code == 400 and refused.get_json()["error"] == "csrf_failed"
    answered = client.post("/auth/member/activate/options", json=body, base_url=base,
                           headers={"X-CSRFToken": token, "Referer": f"{base}/app/activate"})
    assert answered.get_json()["error"] == "invalid"          # past CSRF: judged on its merits
