"""The clinic's QR reader on what a reception webcam sees (issue 12): a phone's QR tilted away
from the camera and slightly blurred, played by Chromium's fake camera from a Y4M clip
(bench/qr_frames.py), read by the page's worker (zxing-wasm, full-resolution frames) — also
offline; the worker's answer to damaged codes (the token or nothing, never other text); jsQR
only where WebAssembly cannot start; how the reader is served (MIME type, the one policy that
may compile WebAssembly), precached and exported."""
from __future__ import annotations

import base64
import shutil

import numpy as np
import pytest
from playwright.sync_api import expect

from bench.qr_frames import RECEPTION, Pose, frame, modules, y4m
from server.cli import main as shikaku
from server.documents import issuance
from server.extensions import db
from server.models import Member
from server.views import clinic, headers
from screenshots import keep_screenshot

ZXING_SCRIPT = "/vendor/zxing-wasm/dist/iife/reader/index.js"
ZXING_WASM = "/vendor/zxing-wasm/dist/reader/zxing_reader.wasm"
WORKER = "/clinic/js/qr-worker.js"



def issue(live_server, number="5678", branch="00") -> str:
    with live_server.app.app_context():
        member = db.session.scalar(db.select(Member).where(Member.number == number, Member.branch == branch))
        return issuance.issue_token(member).text


@pytest.fixture
def webcam(browser, tmp_path):
    """A page in a separate Chromium whose fake camera plays the given frames (a Y4M clip,
    fixed at launch: one launch per clip)."""
    launched = []

    def open_with(frames):
        clip = y4m(frames, tmp_path / f"clip-{len(launched)}.y4m", fps=10)
        camera_browser = browser.browser_type.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium", headless=True, args=[
                "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-video-capture={clip}", "--disable-background-networking",
                "--no-first-run"])
        launched.append(camera_browser)
        context = camera_browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo",
                                             permissions=["camera"])
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page
    yield open_with
    for camera_browser in launched:
        camera_browser.close()


def scan(page):
    page.get_by_role("button", name="カメラで読み取る").click()
    expect(page.locator("#camera")).to_have_attribute("data-state", "on")


def expect_valid_taro(page):
    expect(page.locator("#result")).to_have_attribute("data-verdict", "valid", timeout=20_000)
    expect(page.locator("#verdict")).to_have_text("有効")
    expect(page.locator('#details dd[data-field="name"] .value')).to_have_text("𠮷田 太郎")


# -- the reception webcam ---------------------------------------------------------------

@pytest.mark.browser
def test_a_tilted_blurred_phone_qr_at_reception_shows_valid_and_the_name(live_server, webcam):
    token = issue(live_server)
    page = webcam([frame(token, pose) for pose in RECEPTION])
    page.goto(f"{live_server.url}/clinic/")
    expect(page.locator("#trust")).to_have_attribute("data-state", "ok")
    scan(page)
    expect(page.locator("#camera")).to_have_attribute("data-decoder", "zxing-wasm")
    expect_valid_taro(page)
    assert page.evaluate("[document.getElementById('camera-video').videoWidth,"
                         " document.getElementById('camera-video').videoHeight]") == [1280, 720]
    keep_screenshot(page, "clinic-camera-tilted-qr-valid")


@pytest.mark.browser
def test_after_one_visit_the_camera_reads_a_tilted_qr_offline(live_server, webcam):
    """The service worker keeps zxing-wasm's script and .wasm: offline, the worker still starts
    it (not the jsQR fallback) and reads the tilted code."""
    token = issue(live_server)
    page = webcam([frame(token, pose) for pose in RECEPTION])
    page.goto(f"{live_server.url}/clinic/")
    expect(page.locator("#trust")).to_have_attribute("data-state", "ok")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15_000)
    cached = page.evaluate("caches.keys().then(names => Promise.all(names.map(n => caches.open(n)"
                           ".then(c => c.keys())))).then(all => all.flat().map(r => new URL(r.url).pathname))")
    assert {ZXING_SCRIPT, ZXING_WASM, WORKER} <= set(cached)
    page.context.set_offline(True)
    page.reload()
    expect(page.locator("#trust")).to_have_attribute("data-state", "ok")
    scan(page)
    expect(page.locator("#camera")).to_have_attribute("data-decoder", "zxing-wasm")
    expect_valid_taro(page)


# -- the worker's answers -----------------------------------------------------------------

READ_IN_WORKER = """async ({ frames, width, height }) => {
  const worker = new Worker('/clinic/js/qr-worker.js');
  const answers = [];
  let engine = null;
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the worker did not answer')), 20000);
    let next = 0;
    const send = () => {
      if (next === frames.length) { clearTimeout(timer); resolve(); return; }
      const grey = Uint8Array.from(atob(frames[next]), (c) => c.charCodeAt(0));
      const rgba = new Uint8ClampedArray(width * height * 4);
      for (let i = 0; i < grey.length; i++) {
        rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = grey[i];
        rgba[4 * i + 3] = 255;
      }
      worker.postMessage({ id: next + 1, width, height, buffer: rgba.buffer }, [rgba.buffer]);
      next += 1;
    };
    worker.onmessage = ({ data }) => {
      if (data.id === undefined) { engine = data.engine; send(); return; }
      answers.push(data.text);
      send();
    };
  });
  worker.terminate();
  return { engine, answers };
}"""


def read_in_worker(page, live_server, images):
    """The page's QR worker (as the clinic page starts it) on greyscale frames: the reader it
    started and its answer to each frame."""
    page.goto(f"{live_server.url}/clinic/")
    expect(page.locator("#trust")).to_have_attribute("data-state", "ok")
    width, height = images[0].size
    frames = [base64.b64encode(image.tobytes()).decode() for image in images]
    return page.evaluate(READ_IN_WORKER, {"frames": frames, "width": width, "height": height})


def damaged(dark: np.ndarray, share: float, seed: int) -> np.ndarray:
    """The modules with ``share`` of the data area flipped (finder patterns and the quiet zone
    intact, so the code is still found and its error correction has to say no)."""
    size = dark.shape[0] - 8
    spoilable = np.zeros_like(dark)
    spoilable[4:-4, 4:-4] = True
    for top, left in ((0, 0), (0, size - 8), (size - 8, 0)):      # the three finders and separators
        spoilable[4 + top:4 + top + 8, 4 + left:4 + left + 8] = False
    flips = spoilable & (np.random.default_rng(seed).random(dark.shape) < share)
    return dark ^ flips


@pytest.mark.browser
def test_a_damaged_code_reads_as_nothing_never_as_other_text(live_server, page):
    token = issue(live_server)
    dark = modules(token)
    flat = Pose(share=0.7)
    shares = [0.0, 0.005, 0.01, 0.02, 0.04, 0.08, 0.2, 0.3]
    images = [frame(damaged(dark, share, seed=7), flat, width=640, height=480) for share in shares]
    answers = read_in_worker(page, live_server, images)
    assert answers["engine"] == "zxing-wasm"
    assert answers["answers"][0] == token                             # intact: read
    assert set(answers["answers"]) <= {token, None}                   # never other text
    assert answers["answers"][-2:] == [None, None]                   # past what error correction mends


@pytest.mark.browser
def test_without_webassembly_the_worker_falls_back_to_jsqr(live_server, page, monkeypatch):
    """A policy that forbids compiling WebAssembly (an old browser, a stricter host): the
    worker starts jsQR instead, and a code held up flat is still read."""
    monkeypatch.setattr(headers, "WASM_SCRIPTS", {})
    token = issue(live_server)
    answers = read_in_worker(page, live_server, [frame(token, Pose(share=0.6), width=640, height=480)])
    assert answers == {"engine": "jsQR", "answers": [token]}


# -- served, precached, exported ---------------------------------------------------------------

def test_the_reader_is_served_with_its_types_and_only_its_worker_may_compile_webassembly(client):
    with client.get(ZXING_WASM) as wasm:
        assert wasm.status_code == 200 and wasm.mimetype == "application/wasm"
        assert wasm.get_data()[:4] == b"\0asm"
    with client.get(ZXING_SCRIPT) as script:
        assert script.mimetype == "text/javascript"
    with client.get(WORKER) as worker:
        policy = worker.headers["Content-Security-Policy"]
    assert "script-src 'self' 'wasm-unsafe-eval';" in policy
    assert "'unsafe-eval'" not in policy.replace("'wasm-unsafe-eval'", "")
    for path in ("/clinic/", "/clinic/js/qr-decoders.js", ZXING_SCRIPT, "/shared/verifier.js", "/app/"):
        with client.get(path) as response:
            assert "wasm-unsafe-eval" not in response.headers["Content-Security-Policy"], path


def test_the_service_worker_precaches_the_reader_and_the_export_carries_it(app, tmp_path):
    precached = clinic.offline_app.precache_paths()
    assert {ZXING_SCRIPT, ZXING_WASM, "/vendor/jsqr/dist/jsQR.js"} <= set(precached)
    result = app.test_cli_runner().invoke(shikaku, ["clinic", "export", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    exported = tmp_path / "site" / ZXING_WASM.lstrip("/")
    assert exported.read_bytes() == clinic.offline_app.file_for(ZXING_WASM).read_bytes()
    assert (tmp_path / "site" / ZXING_SCRIPT.lstrip("/")).is_file()
