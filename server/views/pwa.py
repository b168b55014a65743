"""An installable offline web app as this server hands it out, written once for the member
app (web/app, server/views/member_pages.py) and the clinic verifier (web/clinic,
server/views/clinic.py). They differ in their shell's policy and a few routes of their own,
not in how they serve their worker and their files.

- The shell, the worker and every file are ``Cache-Control: no-cache`` (set for the two
  blueprints in views/caching.py) and ``nosniff``: the
  service worker is the offline cache, the HTTP cache only revalidates.
- The worker (``sw.js``) is served with ``Service-Worker-Allowed: <scope>``; its ``__BUILD__``
  becomes a digest of the worker and of everything its ``PRECACHE`` list names (the shared
  rules, web/shared/offline-worker.js, included), so any change installs a new worker with a
  new cache, which the page offers, never forces.
- The app's other files are served only with a suffix its ``mimetypes`` allow.
"""
from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Mapping
from pathlib import Path

from flask import Response, abort, send_from_directory

from ..paths import WEB_ROOT

SHARED_ROOT = WEB_ROOT / "shared"
#: npm packages the browser apps import (installed by scripts/setup into web/node_modules),
#: served at /vendor/ by server/views/clinic.py.
VENDOR_ROOT = WEB_ROOT / "node_modules"
#: The service-worker rules every app's sw.js imports, and precaches, served from /shared/.
OFFLINE_WORKER = "/shared/offline-worker.js"
BUILD_PLACEHOLDER = "__BUILD__"


class OfflineApp:
    """One PWA under ``scope`` (``/app/``) whose files live in ``root``.

    ``mounts`` maps other URL prefixes the worker precaches to their folders (``/shared/``,
    ``/vendor/``); ``generated`` maps precached URL paths that are no file (the clinic's
    config.json) to the function writing their text, so their text is part of the build too.
    """

    def __init__(self, scope: str, root: Path, mimetypes: Mapping[str, str], *,
                 shell: str = "index.html", service_worker: str = "sw.js",
                 mounts: Mapping[str, Path] | None = None,
                 generated: Mapping[str, Callable[[], str]] | None = None):
        self.scope = scope
        self.root = root
        self.mimetypes = dict(mimetypes)
        self.shell = shell
        self.service_worker = service_worker
        self.mounts = dict(mounts or {})
        self.generated = dict(generated or {})

    @property
    def worker_url(self) -> str:
        return self.scope + self.service_worker

    # -- responses ---------------------------------------------------------------------

    def shell_text(self) -> str:
        return (self.root / self.shell).read_text(encoding="utf-8")

    def shell_response(self, html: str) -> Response:
        """The page. Its Content-Security-Policy and Referrer-Policy are its blueprint's, set
        with every other response's in views/headers.py."""
        return Response(html, mimetype="text/html")

    def worker_response(self) -> Response:
        """The worker, allowed on the whole scope, named after this version's files."""
        response = Response(self.worker_text(), mimetype="text/javascript")
        response.headers["Service-Worker-Allowed"] = self.scope
        return response

    def file_response(self, filename: str) -> Response:
        """One of the app's files; the shell and the worker only through their own routes."""
        suffix = "." + filename.rsplit(".", 1)[-1] if "." in filename else ""
        if suffix not in self.mimetypes or filename in (self.shell, self.service_worker):
            abort(404)
        return send_from_directory(self.root, filename, mimetype=self.mimetypes[suffix], max_age=0)

    # -- the worker, its precache list and its build -------------------------------------

    def worker_text(self) -> str:
        return self.worker_source().replace(BUILD_PLACEHOLDER, self.build_id())

    def worker_source(self) -> str:
        return (self.root / self.service_worker).read_text(encoding="utf-8")

    def precache_paths(self) -> list[str]:
        """The worker's PRECACHE list, read from its source (``SHELL`` is the scope)."""
        block = re.search(r"const PRECACHE = \[(.*?)\];", self.worker_source(), re.S).group(1)
        return [self.scope if shell else path
                for path, shell in re.findall(r"'([^']+)'|\b(SHELL)\b", block)]

    def file_for(self, path: str) -> Path:
        """The file behind a precached URL path (generated paths have none: see ``contents``)."""
        if path == self.scope:
            return self.root / self.shell
        for prefix, root in ((self.scope, self.root), *self.mounts.items()):
            if path.startswith(prefix):
                return root / path[len(prefix):]
        raise ValueError(path)

    def contents(self, path: str) -> bytes:
        """What a static host serves at ``path``: the worker or anything it precaches."""
        if path == self.worker_url:
            return self.worker_text().encode()
        if path in self.generated:
            return self.generated[path]().encode()
        return self.file_for(path).read_bytes()

    def build_id(self) -> str:
        """12 hex digits naming this version: a digest of the worker, every file it precaches
        and every generated text, recomputed only when one of them changes."""
        files = [(self.worker_url, self.root / self.service_worker)]
        files += [(path, self.file_for(path)) for path in self.precache_paths()
                  if path not in self.generated]
        stamp = tuple((url, str(file), *_size_and_time(file)) for url, file in files)
        texts = tuple((url, text()) for url, text in sorted(self.generated.items()))
        return _digest(stamp, texts)


def _size_and_time(file: Path) -> tuple[int, int] | tuple[()]:
    try:
        status = file.stat()
    except FileNotFoundError:
        return ()
    return status.st_size, status.st_mtime_ns


@functools.lru_cache(maxsize=8)
def _digest(stamp: tuple[tuple, ...], texts: tuple[tuple[str, str], ...]) -> str:
    """Hash the files named in ``stamp`` (URL, file, size, mtime) and the generated texts.
    Keyed by the stamp, so a file that changes (size or time) is read again; a missing file
    counts as missing rather than failing the page."""
    digest = hashlib.sha256()
    for url, file, *_ in stamp:
        path = Path(file)
        digest.update(url.encode() + b"\0")
        digest.update((path.read_bytes() if path.is_file() else b"(missing)") + b"\0")
    for url, text in texts:
        digest.update(url.encode() + b"\0" + text.encode() + b"\0")
    return digest.hexdigest()[:12]
