"""Rate limits shared by every worker: two gunicorn worker processes (two servers here, so that
the test chooses which one answers each request, alternately) with RATELIMIT_STORAGE_URI
pointing at a real Redis count one sign-in limit together; with the in-memory default each
would allow the limit on its own (the same test then sees twice as many pass).
Runs where scripts/test started Redis (SHIKAKU_TEST_REDIS_URL)."""
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

REDIS = os.environ.get("SHIKAKU_TEST_REDIS_URL")
ROOT = Path(__file__).resolve().parent.parent
LIMIT = 6


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def two_workers(tmp_path):
    """Two worker processes of one deployment (one database, one Redis); their URLs."""
    ports = [_free_port(), _free_port()]
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("SHIKAKU_")},
           "SHIKAKU_INSTANCE_PATH": f'"{tmp_path / "instance"}"', "SHIKAKU_TESTING": "true",
           "SHIKAKU_RATELIMIT_STORAGE_URI": f'"{REDIS}"',
           "SHIKAKU_RATELIMIT_KEY_PREFIX": f'"shared-{ports[0]}"',
           "SHIKAKU_SIGN_IN_RATE_LIMIT": f'"{LIMIT} per minute"'}
    # First start migrates and creates keys; do it once, before the workers race to.
    subprocess.run([sys.executable, "-c", "from server import create_app; create_app()"], env=env,
                   cwd=ROOT, check=True, capture_output=True)
    servers = [subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}",
         "server:create_app()"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for port in ports]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    for url in urls:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/healthz", timeout=2).close()
                break
            except OSError:
                time.sleep(0.2)
    yield urls, [server.pid for server in servers]
    for server in servers:
        server.terminate()
        server.wait(timeout=10)


def _sign_in_options(url: str) -> int:
    """One browser (its own cookie and CSRF token) asking for sign-in options, on a new
    connection each time, so that either worker may answer (sync workers take one at a time)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    import json
    with opener.open(url + "/api/v1/csrf", timeout=5) as response:
        token = json.loads(response.read())["csrf_token"]
    request = urllib.request.Request(url + "/auth/member/login/options", data=b"{}", method="POST",
                                     headers={"X-CSRFToken": token, "Content-Type": "application/json"})
    try:
        with opener.open(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.skipif(not REDIS, reason="needs the Redis that scripts/test starts")
def test_two_workers_count_one_sign_in_limit_in_redis(two_workers):
    urls, pids = two_workers
    assert len(set(pids)) == 2
    statuses = [_sign_in_options(urls[i % 2]) for i in range(4 * LIMIT)]   # alternately
    assert statuses.count(200) == LIMIT and statuses.count(429) == 3 * LIMIT
    assert statuses[:LIMIT] == [200] * LIMIT                # the first LIMIT, from both workers
