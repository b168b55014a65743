"""`shikaku clinic export`: the verifier as plain static files on another origin, fetching
the trust list cross-origin (CORS) and verifying in real Chromium."""
import functools
import http.server
import json
import threading

import pytest
from playwright.sync_api import expect

from server.cli import main as shikaku
from server.documents import issuance
from server.extensions import db
from server.models import Member

FULL_WIDTH = {ord(str(i)): chr(0xFF10 + i) for i in range(10)}


@pytest.fixture
def static_site(live_server, tmp_path):
    """The exported files served by Python's plain static file server on its own port."""
    target = tmp_path / "site"
    result = live_server.app.test_cli_runner().invoke(shikaku, ["clinic", "export", str(target)])
    assert result.exit_code == 0, result.output
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(target))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.root = target
    server.url = f"http://localhost:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()


def test_export_writes_the_pinned_configuration(static_site, live_server):
    config = json.loads((static_site.root / "clinic" / "config.json").read_text())
    assert config["trust_list_url"] == f"{live_server.url}/api/v1/trust-list"
    assert set(config["anchor"]) >= {"kty", "crv", "x", "y"} and "d" not in config["anchor"]
    assert "__BUILD__" not in (static_site.root / "clinic" / "sw.js").read_text()
    assert (static_site.root / "vendor" / "cborg" / "cborg.js").is_file()
    assert (static_site.root / "shared" / "offline-worker.js").is_file()   # the worker's shared rules


@pytest.mark.browser
def test_the_exported_verifier_works_from_another_origin(static_site, live_server, page):
    with live_server.app.app_context():
        member = db.session.scalar(db.select(Member).where(Member.number == "5678",
                                                           Member.branch == "00"))
        text = issuance.issue_token(member).text
    page.goto(f"{static_site.url}/clinic/")
    expect(page.locator("#trust")).to_have_attribute("data-state", "ok", timeout=15_000)
    page.keyboard.type(text.translate(FULL_WIDTH))
    page.keyboard.press("Enter")
    expect(page.locator("#result")).to_have_attribute("data-verdict", "valid")
    expect(page.locator("#verdict")).to_have_text("有効")
    # The exported worker, with the shared rules it imports, installs and takes the page offline.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15_000)
    cached = page.evaluate("caches.keys().then(([name]) => caches.open(name))"
                           ".then(cache => cache.keys()).then(requests => requests.map(r => r.url))")
    assert f"{static_site.url}/shared/offline-worker.js" in cached
