"""Rate limits shared by every worker: gunicorn with two worker processes (as the Procfile
runs it) and RATELIMIT_STORAGE_URI pointing at a real Redis count one sign-in limit together.
The access log names the worker that answered each request, so the test knows both workers
took part; with the in-memory default each would have allowed the limit on its own.
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
    port = _free_port()
    log = tmp_path / "access.log"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("SHIKAKU_")},
           "SHIKAKU_INSTANCE_PATH": f'"{tmp_path / "instance"}"', "SHIKAKU_TESTING": "true",
           "SHIKAKU_RATELIMIT_STORAGE_URI": f'"{REDIS}"',
           "SHIKAKU_RATELIMIT_KEY_PREFIX": f'"shared-{port}"',
           "SHIKAKU_SIGN_IN_RATE_LIMIT": f'"{LIMIT} per minute"',
           "SHIKAKU_PUBLIC_URL": f'"http://127.0.0.1:{port}"'}
    # First start migrates and creates keys; do it once, before the workers race to.
    subprocess.run([sys.executable, "-c", "from server import create_app; create_app()"], env=env,
                   cwd=ROOT, check=True, capture_output=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--access-logfile", str(log), "--access-logformat", "%(p)s %(U)s %(s)s",
         "server:create_app()"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/api/v1/csrf", timeout=2).close()
            break
        except OSError:
            time.sleep(0.2)
    yield url, log
    server.terminate()
    server.wait(timeout=10)


def _sign_in_options(url: str) -> int:
    """One browser (its own cookie and CSRF token) asking for sign-in options, on a new
    connection each time, so that either worker may answer."""
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
    url, log = two_workers
    statuses = [_sign_in_options(url) for _ in range(4 * LIMIT)]
    time.sleep(0.5)                                  # the access log is written after the answer
    answered_by = {line.split()[0] for line in log.read_text().splitlines()
                   if "/auth/member/login/options" in line}
    assert len(answered_by) == 2, "both workers must have answered for this to mean anything"
    assert statuses.count(200) == LIMIT and statuses.count(429) == 3 * LIMIT
