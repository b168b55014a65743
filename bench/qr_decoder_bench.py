"""QR decoders side by side on reception-webcam frames (issue 12), in headless Debian Chromium.

    cd /work/main && .venv/bin/python -m bench.qr_decoder_bench [--repeat 3]

Frames: 𠮷田 太郎's real token (segno, error correction M) on a 1280×720 frame, drawn by
bench/qr_frames.py at every pose of a grid — tilt 0–50° (perspective), turned 0°/12°/−20° in
the image plane, 35 %, 45 % or 60 % of the height, a Gaussian blur of 1 or 2 px, light sensor
noise. The page is the clinic page (/clinic/, with its real policy); each frame is fetched as a
PNG, drawn to a canvas and read by

- jsQR as the page called it before (the frame scaled down to 960 px, inversion off), timed
  in the page;
- jsQR on the full frame, timed in the page;
- the page's worker (web/clinic/js/qr-worker.js: zxing-wasm, full frame), timed inside the
  worker (the ``ms`` it reports: the read itself, not the message).

A read is right if its text is the token, wrong if it is any other text (never seen), missed
if nothing. ms/frame is the median over every frame and ``--repeat`` reads of it. Nothing is
asserted; the table is printed.
"""
from __future__ import annotations

import argparse
import io
import logging
import platform
import statistics
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench.clinic_bench import CHROMIUM, serve, taro_token
from bench.qr_frames import Pose, frame

TILTS = (0, 20, 30, 35, 40, 45, 50)
TURNS = (0, 12, -20)
SHARES = (0.35, 0.45, 0.60)
BLURS = (1.0, 2.0)

READ_ALL = """async ({ names, repeat }) => {
  await new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/vendor/jsqr/dist/jsQR.js';
    script.onload = resolve;
    script.onerror = reject;
    document.head.append(script);
  });
  const worker = new Worker('/clinic/js/qr-worker.js');
  const pending = new Map();
  let engine;
  const started = new Promise((resolve) => { engine = resolve; });
  worker.onmessage = ({ data }) => {
    if (data.id === undefined) engine(data.engine);
    else { pending.get(data.id)(data); pending.delete(data.id); }
  };
  const workerEngine = await started;
  let nextId = 1;
  const inWorker = (image) => new Promise((resolve) => {
    const id = nextId++;
    const copy = new Uint8ClampedArray(image.data);
    pending.set(id, resolve);
    worker.postMessage({ id, width: image.width, height: image.height, buffer: copy.buffer }, [copy.buffer]);
  });
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d', { willReadFrequently: true });
  const pixels = (bitmap, side) => {
    const scale = Math.min(1, side / Math.max(bitmap.width, bitmap.height));
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    return context.getImageData(0, 0, canvas.width, canvas.height);
  };
  const jsqr = (image) => {
    const t = performance.now();
    const code = jsQR(image.data, image.width, image.height, { inversionAttempts: 'dontInvert' });
    return { text: code ? code.data : null, ms: performance.now() - t };
  };
  const rows = [];
  for (const name of names) {
    const bitmap = await createImageBitmap(await (await fetch('/bench-frames/' + name)).blob());
    const small = pixels(bitmap, 960);
    const full = pixels(bitmap, 1e9);
    const row = { name, old: [], full: [], zxing: [] };
    for (let i = 0; i < repeat; i++) {
      row.old.push(jsqr(small));
      row.full.push(jsqr(full));
      const read = await inWorker(full);
      row.zxing.push({ text: read.text, ms: read.ms });
    }
    rows.push(row);
  }
  worker.terminate();
  return { workerEngine, rows };
}"""

DECODERS = [("old", "jsQR, frame scaled to 960 px (before)"), ("full", "jsQR, full 1280×720 frame"),
            ("zxing", "zxing-wasm in the page's worker (now)")]
SHORT = ("jsQR 960 px", "jsQR full", "zxing-wasm")


def grid() -> list[Pose]:
    return [Pose(tilt=tilt, turn=turn, share=share, blur=blur, noise=2.0, seed=i)
            for i, (tilt, turn, share, blur) in enumerate(
                (t, u, s, b) for t in TILTS for u in TURNS for s in SHARES for b in BLURS)]


def read_frames(p, url: str, token: str, poses: list[Pose], repeat: int):
    """Every pose's frame read by the three decoders in a fresh Chromium on ``url``/clinic/:
    ``(worker engine, rows)``, a row per pose in order."""
    frames = {}
    for i, pose in enumerate(poses):
        buffer = io.BytesIO()
        frame(token, pose).save(buffer, "PNG")
        frames[f"{i:03d}.png"] = buffer.getvalue()
    browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                args=["--no-first-run", "--disable-background-networking"])
    try:
        page = browser.new_context().new_page()
        page.route("**/bench-frames/*", lambda route: route.fulfill(
            body=frames[route.request.url.rsplit("/", 1)[1]], content_type="image/png"))
        page.goto(f"{url}/clinic/")
        page.wait_for_selector("#trust[data-state=ok]")
        result = page.evaluate(READ_ALL, {"names": sorted(frames), "repeat": repeat})
    finally:
        browser.close()
    return result["workerEngine"], result["rows"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="reads of each frame per decoder")
    args = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    logging.getLogger("shikaku").setLevel(logging.WARNING)

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        app, _, server, url = serve(Path(tmp) / "instance")
        token = taro_token(app)
        pose_list = grid()
        try:
            engine, rows = read_frames(p, url, token, pose_list, args.repeat)
        finally:
            server.shutdown()
    poses = {row["name"]: pose for row, pose in zip(rows, pose_list)}

    print(f"QR decoders on {len(rows)} generated reception-webcam frames (1280×720, the real "
          f"{len(token)}-digit token, QR error correction M), Chromium headless, {platform.machine()}; "
          f"the page's worker started: {engine}; {args.repeat} reads of each frame")
    print()
    print("(1) all frames (read: every read of the frame gave the token)")
    table(rows, token, lambda pose: True, poses)
    print()
    print("(2) frames read, by tilt (every turn, size and blur)")
    print(f"{'tilt':>5} {'frames':>6}  " + "  ".join(f"{short:>12}" for short in SHORT))
    for tilt in TILTS:
        chosen = [r for r in rows if poses[r["name"]].tilt == tilt]
        cells = [f"{rate(chosen, key, token):>12}" for key, _ in DECODERS]
        print(f"{tilt:>4}° {len(chosen):>6}  " + "  ".join(cells))
    print()
    print("(3) frames read, by the code's size and the blur (every tilt and turn)")
    print(f"{'size, blur':>16} {'frames':>6}  " + "  ".join(f"{short:>12}" for short in SHORT))
    for share in SHARES:
        for blur in BLURS:
            chosen = [r for r in rows if (poses[r["name"]].share, poses[r["name"]].blur) == (share, blur)]
            cells = [f"{rate(chosen, key, token):>12}" for key, _ in DECODERS]
            print(f"{f'{share:.0%}, {blur:g} px':>16} {len(chosen):>6}  " + "  ".join(cells))


def rate(rows, key, token) -> str:
    right = sum(all(read["text"] == token for read in row[key]) for row in rows)
    return f"{right}/{len(rows)} {right / len(rows):4.0%}"


def table(rows, token, keep, poses):
    chosen = [r for r in rows if keep(poses[r["name"]])]
    print(f"{'decoder':44} {'read':>9} {'wrong':>6} {'missed':>7} {'ms/frame':>9} {'p95':>7}")
    for key, label in DECODERS:
        reads = [read for row in chosen for read in row[key]]
        right = sum(all(read["text"] == token for read in row[key]) for row in chosen)
        wrong = sum(read["text"] is not None and read["text"] != token for read in reads)
        missed = sum(all(read["text"] is None for read in row[key]) for row in chosen)
        times = sorted(read["ms"] for read in reads)
        p95 = times[max(0, round(0.95 * len(times)) - 1)]
        print(f"{label:44} {right:>4} {right / len(chosen):4.0%} {wrong:>6} {missed:>7} "
              f"{statistics.median(times):7.1f}ms {p95:5.1f}ms")


if __name__ == "__main__":
    main()
