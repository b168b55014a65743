"""Clinic verifier benchmark, in headless Debian Chromium against a live server.

    cd /work/main && .venv/bin/python -m bench.clinic_bench [--runs 30] [--fps 30]

(1) Camera frame → verdict on screen. Chromium's fake camera plays a Y4M of 𠮷田 太郎's token
    (segno, error correction M, ~400 px in a 640×480 frame, ``--fps`` frames per second). The
    page scans continuously: each new video frame (requestVideoFrameCallback) is drawn to a
    canvas at full size and decoded in a worker (zxing-wasm; jsQR only where WebAssembly
    cannot start); a decoded text is verified and rendered. The page
    records ``performance.measure('clinic:frame-to-verdict')`` from the frame's
    ``presentationTime`` (when that frame was shown in the page) to a requestAnimationFrame
    after the result's DOM change plus one task (≈ the paint that shows the verdict). Then the
    bench presses 次の方 and the next frame is scanned again: ``--runs`` verdicts after
    ``--warmup`` discarded ones. Also printed: the decode (worker) and verify() parts, and
    "次の方 → verdict", which adds the wait for the next camera frame.
(2) Transfer size of the first visit: a fresh browser profile opens /clinic/ and waits until
    the service worker controls the page (its precache, zxing-wasm's .wasm and jsQR included,
    is complete). A WSGI
    middleware records every response body the server sent meanwhile (a 304 sends none); each
    is gzip-compressed (level 6, as a typical front server would) and summed, by group.
(3) verify() of one token inside the page (the shared module the clinic uses), for context.

Percentiles are nearest-rank. Nothing is asserted about speed; the targets are printed.
"""
from __future__ import annotations

import argparse
import gzip
import logging
import math
import platform
import shutil
import socket
import statistics
import tempfile
import threading
from collections import defaultdict
from pathlib import Path

import numpy as np
import segno
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from bench.qr_frames import RECEPTION, frame, y4m
from server import create_app
from server.documents import issuance
from server.extensions import db
from server.models import Member

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


class Recorder:
    """WSGI middleware: remembers (path, status, body) of every response while ``on``."""

    def __init__(self, app):
        self.app, self.on, self.records = app, False, []

    def __call__(self, environ, start_response):
        seen = {}

        def record_status(status, headers, exc_info=None):
            seen["status"] = int(status.split()[0])
            return start_response(status, headers, exc_info)

        iterable = self.app(environ, record_status)
        try:
            body = b"".join(iterable)
        finally:
            getattr(iterable, "close", lambda: None)()
        if self.on:
            self.records.append((environ["PATH_INFO"], seen["status"], body))
        return [body]


def serve(instance: Path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app({"TESTING": True, "INSTANCE_PATH": instance, "PUBLIC_URL": f"http://localhost:{port}"})
    recorder = Recorder(app.wsgi_app)
    app.wsgi_app = recorder
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return app, recorder, server, f"http://localhost:{port}"


def taro_token(app) -> str:
    with app.app_context():
        member = db.session.scalar(db.select(Member).where(Member.number == "5678", Member.branch == "00"))
        return issuance.issue_token(member).text


def write_y4m(text: str, path: Path, fps: int, width=640, height=480, target=400) -> tuple[int, int]:
    qr = segno.make_qr(text, error="m")
    modules = np.array(list(qr.matrix_iter(scale=1, border=4)), dtype=bool)
    scale = max(1, target // modules.shape[0])
    image = np.kron(modules, np.ones((scale, scale), dtype=bool))
    luma = np.full((height, width), 235, np.uint8)
    top, left = (height - image.shape[0]) // 2, (width - image.shape[1]) // 2
    luma[top:top + image.shape[0], left:left + image.shape[1]][image] = 16
    chroma = np.full((height // 2, width // 2), 128, np.uint8).tobytes()
    path.write_bytes(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode()
                     + b"FRAME\n" + luma.tobytes() + chroma + chroma)
    return qr.version, image.shape[0]


def pad(text: str, width: int) -> str:
    """ljust by display width (full-width characters count two)."""
    import unicodedata
    shown = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - shown)


def pct(values, p):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


LAST_MEASURE = """() => {
  const all = performance.getEntriesByName('clinic:frame-to-verdict');
  const m = all[all.length - 1];
  return m ? {count: all.length, duration: m.duration, end: m.startTime + m.duration, ...m.detail} : {count: 0};
}"""

NEXT_PATIENT = """() => { const t = performance.now(); document.getElementById('next-patient').click(); return t; }"""


def camera_runs(p, url: str, y4m: Path, runs: int, warmup: int):
    browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
        "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={y4m}", "--no-first-run", "--disable-background-networking"])
    try:
        page = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", permissions=["camera"]).new_page()
        page.set_default_timeout(20_000)
        page.goto(f"{url}/clinic/")
        page.wait_for_selector("#trust[data-state=ok]")
        started = page.evaluate("() => performance.now()")
        page.click("#camera-toggle")
        page.wait_for_function("() => performance.getEntriesByName('clinic:frame-to-verdict').length >= 1")
        first = page.evaluate(LAST_MEASURE)
        cold = first["end"] - started
        samples = []
        for i in range(runs + warmup):
            count = page.evaluate(LAST_MEASURE)["count"]
            reset_at = page.evaluate(NEXT_PATIENT)
            page.wait_for_function(
                f"() => performance.getEntriesByName('clinic:frame-to-verdict').length > {count}")
            m = page.evaluate(LAST_MEASURE)
            if i >= warmup:
                samples.append({"frame": m["duration"], "decode": m["decodeMs"], "verify": m["verifyMs"],
                                "reset": m["end"] - reset_at})
        assert page.locator("#result").get_attribute("data-verdict") == "valid"
        decoder = page.locator("#camera").get_attribute("data-decoder")
        size = page.evaluate("() => [document.getElementById('camera-video').videoWidth, "
                             "document.getElementById('camera-video').videoHeight]")
        return cold, samples, decoder, size
    finally:
        browser.close()


GROUPS = [
    ("page: html, css, config, manifest, icon, sw.js", lambda p: p.startswith("/clinic/") and not p.startswith("/clinic/js/")),
    ("clinic app modules (/clinic/js/)", lambda p: p.startswith("/clinic/js/")),
    ("shared: verifier, token, trust-list, helpers", lambda p: p.startswith("/shared/")),
    ("cborg (npm, ES modules)", lambda p: p.startswith("/vendor/cborg/")),
    ("zxing-wasm QR reader (npm: script + .wasm)", lambda p: p.startswith("/vendor/zxing-wasm/")),
    ("jsQR (npm: the reader's fallback)", lambda p: p.startswith("/vendor/jsqr/")),
    ("trust list (data: grows with revocations)", lambda p: p.startswith("/api/")),
]


def first_visit(p, url: str, recorder: Recorder):
    browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                args=["--no-first-run", "--disable-background-networking"])
    try:
        recorder.records.clear()
        recorder.on = True
        page = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo").new_page()
        page.set_default_timeout(20_000)
        page.goto(f"{url}/clinic/")
        page.wait_for_selector("#trust[data-state=ok]")
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        page.wait_for_timeout(500)
        recorder.on = False
        return list(recorder.records), page
    finally:
        recorder.on = False


def verify_in_page(page, token: str, n: int = 2000):
    return page.evaluate("""async ([token, n]) => {
      const { verify } = await import('/shared/verifier.js');
      const { verifyTrustList } = await import('/shared/trust-list.js');
      const config = await (await fetch('/clinic/config.json')).json();
      const list = await verifyTrustList(await (await fetch(config.trust_list_url)).text(), config.anchor);
      const now = Math.floor(Date.now() / 1000);
      const first = await verify(token, list, { now });
      const times = [];
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        await verify(token, list, { now });
        times.push(performance.now() - t);
      }
      return { status: first.status, times };
    }""", [token, n])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--fps", type=int, default=30)
    args = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    logging.getLogger("shikaku").setLevel(logging.WARNING)

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        app, recorder, server, url = serve(Path(tmp) / "instance")
        token = taro_token(app)
        version, pixels = write_y4m(token, Path(tmp) / "qr.y4m", args.fps)
        reception = y4m([frame(token, pose) for pose in RECEPTION], Path(tmp) / "reception.y4m", fps=args.fps)

        clips = {}
        for name, clip in (("flat", Path(tmp) / "qr.y4m"), ("reception", reception)):
            clips[name] = camera_runs(p, url, clip, args.runs, args.warmup)
        records, page = first_visit(p, url, recorder)
        verified = verify_in_page(page, token)
        page.context.browser.close()
        server.shutdown()

    print(f"Clinic verifier benchmark — Chromium headless, {platform.machine()}, "
          f"{len(token)}-digit token (QR version {version}-M); decoder: {clips['flat'][2]}")
    print()
    print(f"(1) camera frame → verdict on screen, {args.runs} runs after {args.warmup} warm-up (target ≤ 300 ms), "
          f"two clips at {args.fps} fps:")
    print(f"    flat: {pixels} px square in a 640×480 frame (the page sees {'×'.join(map(str, clips['flat'][3]))});")
    print(f"    reception: 1280×720 (the page sees {'×'.join(map(str, clips['reception'][3]))}), "
          f"{RECEPTION[0]} (3 noisy frames, tests/test_clinic_camera_browser.py's)")
    print(f"{'':34} {'':10} {'median':>9} {'p95':>9} {'max':>9}")
    for name, (cold, samples, _, _) in clips.items():
        for key, label in [("frame", "frame shown → verdict painted"), ("decode", "  of which decode (worker)"),
                           ("verify", "  of which verify()"), ("reset", "次の方 pressed → verdict")]:
            values = [s[key] for s in samples]
            print(f"{pad(label, 34)} {name:10} {statistics.median(values):7.1f}ms {pct(values, 95):7.1f}ms "
                  f"{max(values):7.1f}ms")
        print(f"{'camera start → first verdict':34} {name:10} {cold:7.1f}ms  (once: getUserMedia, worker and reader start-up)")
    print()

    print("(2) first visit: every response body the server sent until the service worker took over (target ≤ 600 kB gzip, of which the QR reader ≈ 430 kB)")
    totals = defaultdict(lambda: [0, 0, 0, 0])   # requests, 304s, raw bytes, gzip bytes
    for path, status, body in records:
        group = next((name for name, match in GROUPS if match(path)), "other: " + path)
        row = totals[group]
        row[0] += 1
        row[1] += status == 304
        row[2] += len(body)
        row[3] += len(gzip.compress(body, 6)) if body else 0
    print(f"{'':48} {'requests':>8} {'of them 304':>11} {'raw':>10} {'gzip':>10}")
    for name, _ in GROUPS + [(g, None) for g in totals if g.startswith("other")]:
        if name in totals:
            r = totals[name]
            print(f"{name:48} {r[0]:8} {r[1]:11} {r[2] / 1000:8.1f}kB {r[3] / 1000:8.1f}kB")
    all_rows = list(totals.values())
    print(f"{'total':48} {sum(r[0] for r in all_rows):8} {sum(r[1] for r in all_rows):11} "
          f"{sum(r[2] for r in all_rows) / 1000:8.1f}kB {sum(r[3] for r in all_rows) / 1000:8.1f}kB")
    print()
    times = verified["times"]
    print(f"(3) verify() of one token in the page ({verified['status']}), {len(times)} calls: "
          f"median {statistics.median(times):.3f} ms, p95 {pct(times, 95):.3f} ms (target ≤ 2 ms)")


if __name__ == "__main__":
    main()
