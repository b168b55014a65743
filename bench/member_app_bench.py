"""Member app budget (a benchmark, not a test): first-visit transfer size and the time to
show the cached card offline, in headless Debian Chromium.

    .venv/bin/python -m bench.member_app_bench [--runs 10]

Transfer size: every HTML, JS and CSS response of the first visit to /app/ (signed in),
each gzip-compressed at level 6 (what a production server would send); target ≤ 100 kB.
Offline: after one online visit, the network is cut and /app/ is reloaded N times; the time
is the page's performance mark ``shikaku:card-shown`` (from navigation start to the card and
its QR on screen), median and p95.
"""
from __future__ import annotations

import argparse
import gzip
import logging
import shutil
import socket
import statistics
import tempfile
import threading
import time

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from server import create_app
from server.extensions import db
from server.models import Member


def _serve():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app({"TESTING": True, "INSTANCE_PATH": tempfile.mkdtemp(prefix="shikaku-bench-"),
                      "PUBLIC_URL": f"http://localhost:{port}"})
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return app, server, f"http://localhost:{port}"


def _member_cookie(app) -> str:
    """A signed-in member's cookie, as a passkey sign-in leaves it (a server-side session)."""
    from flask import session

    from server.auth import sessions
    with app.test_request_context():
        member = db.session.scalar(db.select(Member).where(Member.number == "5678",
                                                           Member.branch == "00"))
        sessions.start("member", member.id)
        db.session.commit()
        payload = dict(session)
    return app.session_interface.get_signing_serializer(app).dumps(payload)


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    app, server, url = _serve()
    sizes = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                    headless=True)
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP")
        context.add_cookies([{"name": app.config["SESSION_COOKIE_NAME"], "value": _member_cookie(app),
                              "url": url}])
        page = context.new_page()

        def record(response):
            kind = response.headers.get("content-type", "")
            if response.url.startswith(url) and any(t in kind for t in ("html", "javascript", "css")):
                try:
                    body = response.body()
                except Exception:      # a redirect or an aborted request has no body
                    return
                sizes.append((response.url[len(url):], len(body), len(gzip.compress(body, 6))))
        page.on("response", record)
        page.goto(f"{url}/app/")
        page.wait_for_function("() => performance.getEntriesByName('shikaku:card-shown').length > 0",
                               timeout=20_000)
        page.wait_for_function("async () => !!(await navigator.serviceWorker.ready).active",
                               timeout=20_000)
        page.wait_for_function("() => Object.keys(localStorage).some(k => k.startsWith('shikaku.token.'))",
                               timeout=20_000)
        page.remove_listener("response", record)
        online_ms = page.evaluate("() => performance.getEntriesByName('shikaku:card-shown')[0].startTime")

        context.set_offline(True)
        offline = []
        for _ in range(args.runs):
            page.reload()
            page.wait_for_function("() => performance.getEntriesByName('shikaku:card-shown').length > 0",
                                   timeout=20_000)
            offline.append(page.evaluate(
                "() => performance.getEntriesByName('shikaku:card-shown')[0].startTime"))
        browser.close()
    server.shutdown()

    raw, zipped = sum(s[1] for s in sizes), sum(s[2] for s in sizes)
    offline.sort()
    p95 = offline[min(len(offline) - 1, round(0.95 * (len(offline) - 1)))]
    print(f"member app (/app/), headless Chromium, {time.strftime('%Y-%m-%d')}")
    print()
    print(f"{'first visit: HTML+JS+CSS':<34} {'files':>6} {'raw kB':>8} {'gzip kB':>8}  target")
    print(f"{'':<34} {len(sizes):>6} {raw / 1000:>8.1f} {zipped / 1000:>8.1f}  ≤ 100 kB gzip")
    print()
    print(f"{'time to the card (ms)':<34} {'runs':>6} {'median':>8} {'p95':>8}")
    print(f"{'online, first visit':<34} {1:>6} {online_ms:>8.1f} {online_ms:>8.1f}")
    print(f"{'offline, cached (reload)':<34} {len(offline):>6} {statistics.median(offline):>8.1f} {p95:>8.1f}")


if __name__ == "__main__":
    main()
