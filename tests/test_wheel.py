"""An installable package: the wheel, installed (not editable) into a fresh virtual
environment, serves every audience's pages from another working directory."""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.package

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "/admin/login": "資格パス",
    "/app/": "資格パス",
    "/app/js/app.js": "export class App",
    "/app/sw.js": "importScripts('/shared/offline-worker.js')",
    "/clinic/": "importmap",
    "/clinic/config.json": '"anchor"',
    "/shared/verifier.js": "export",
    "/vendor/cborg/cborg.js": "export",
    "/vendor/jsqr/dist/jsQR.js": "jsQR",
    "/vendor/lean-qr/index.mjs": "generate",
    "/": "Shikaku Pass",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode("utf-8")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """Build the wheel, install it into a new venv; yields the venv's `shikaku`."""
    base = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(base / "dist"),
                    str(ROOT)], check=True, capture_output=True)
    wheel = next((base / "dist").glob("shikaku_pass-*.whl"))
    subprocess.run([sys.executable, "-m", "venv", str(base / "venv")], check=True)
    subprocess.run([str(base / "venv" / "bin" / "pip"), "install", "--quiet", str(wheel)],
                   check=True, capture_output=True)
    return base / "venv" / "bin" / "shikaku", base


def test_the_wheel_is_not_a_link_to_this_checkout(installed):
    shikaku, base = installed
    python = shikaku.parent / "python"
    location = subprocess.run([str(python), "-c", "import server, sys; print(server.__file__)"],
                              cwd=base, check=True, capture_output=True, text=True).stdout.strip()
    assert str(base / "venv") in location and str(ROOT) not in location


def test_the_installed_server_serves_every_page_from_another_directory(installed):
    shikaku, base = installed
    workdir = base / "elsewhere"
    workdir.mkdir()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHIKAKU_", "FLASK_"))}
    env["SHIKAKU_INSTANCE_PATH"] = f'"{base / "instance"}"'
    log = base / "server.log"
    with log.open("w") as output:
        server = subprocess.Popen([str(shikaku), "run", "--port", str(port)], cwd=workdir, env=env,
                                  stdout=output, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                _get(url + "/")
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(log.read_text())
                time.sleep(0.2)
        for path, marker in PAGES.items():
            status, body = _get(url + path)
            assert status == 200 and marker in body, path
    finally:
        server.terminate()
        server.wait(timeout=10)
