"""The offline rules both PWAs share (server/views/pwa.py, web/shared/offline-worker.js): each
app's sw.js imports the one worker implementation and precaches it, and a change to it is a
new build, so a new worker, in both apps."""
import re
import shutil

import pytest

from server.views import clinic, member_pages
from server.views.pwa import OFFLINE_WORKER, SHARED_ROOT

APPS = {"member app": member_pages.offline_app, "clinic": clinic.offline_app}


@pytest.fixture(params=APPS.values(), ids=APPS.keys())
def offline_app(request, app):
    with app.test_request_context():    # the clinic's build includes its config.json
        yield request.param


def test_each_worker_imports_the_shared_rules_and_precaches_them(offline_app):
    source = offline_app.worker_source()
    assert re.search(r"^importScripts\('/shared/offline-worker\.js'\);$", source, re.M)
    assert re.search(r"^serveOffline\(\{$", source, re.M)
    assert "const BUILD = '__BUILD__';" in source
    assert OFFLINE_WORKER in offline_app.precache_paths()
    assert offline_app.file_for(OFFLINE_WORKER) == SHARED_ROOT / "offline-worker.js"


def test_every_precached_file_exists(offline_app):
    for path in offline_app.precache_paths():
        if path not in offline_app.generated:
            assert offline_app.file_for(path).is_file(), path


def test_a_change_to_the_shared_worker_is_a_new_build(offline_app, tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    shutil.copytree(SHARED_ROOT, shared)
    monkeypatch.setitem(offline_app.mounts, "/shared/", shared)
    first = offline_app.build_id()
    assert first == offline_app.build_id()
    worker = shared / "offline-worker.js"
    worker.write_text(worker.read_text(encoding="utf-8") + "\n// a fix\n", encoding="utf-8")
    second = offline_app.build_id()
    assert re.fullmatch(r"[0-9a-f]{12}", second) and second != first
    assert f"const BUILD = '{second}';" in offline_app.worker_text()


def test_the_shared_worker_is_served_to_both_apps(client):
    with client.get(OFFLINE_WORKER) as response:
        assert response.status_code == 200
        assert response.mimetype == "text/javascript"
        assert response.headers["Cache-Control"] == "no-cache"
        assert "function serveOffline(" in response.get_data(as_text=True)


@pytest.mark.parametrize("url, scope", [("/app/sw.js", "/app/"), ("/clinic/sw.js", "/clinic/")])
def test_each_worker_is_served_with_its_scope_and_build(client, url, scope):
    with client.get(url) as response:
        assert response.status_code == 200
        assert response.mimetype == "text/javascript"
        assert response.headers["Service-Worker-Allowed"] == scope
        assert (response.headers["Cache-Control"], response.headers["X-Content-Type-Options"]) == (
            "no-cache", "nosniff")
        assert re.search(r"^const BUILD = '[0-9a-f]{12}';$", response.get_data(as_text=True), re.M)


def test_the_shell_and_the_worker_only_through_their_own_routes(client):
    for path in ("/app/index.html", "/clinic/index.html", "/clinic/README.md"):
        with client.get(path) as response:
            assert response.status_code == 404, path
