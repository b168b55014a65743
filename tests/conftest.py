"""Fixtures shared by the server and browser tests: app, client, runner, a frozen
clock, a live server on localhost and a real Debian Chromium."""
from __future__ import annotations

import itertools
import os
import shutil
import socket
import threading
import time

import pytest
from werkzeug.serving import make_server

from server import create_app
from server.extensions import db
from server.models import Insurer, Member

NOW = 1_795_000_000   # 2026-11-18 (JST), a Wednesday


class FrozenClock:
    """Injected as config["CLOCK"]: time stands still until a test moves it."""
    def __init__(self, now: int = NOW):
        self.now = now

    def __call__(self) -> int:
        return self.now

    def advance(self, seconds: int) -> None:
        self.now += seconds


@pytest.fixture(autouse=True)
def known_pin(monkeypatch):
    """Every 暗証番号 issued during a test is TEST_PIN (tests/pins.py); test_activation_codes
    checks the real ones are random."""
    from pins import TEST_PIN

    from server.documents import activation_codes
    monkeypatch.setattr(activation_codes, "_new_pin", lambda: TEST_PIN)
    return TEST_PIN


@pytest.fixture
def clock():
    return FrozenClock()


#: Set (e.g. by scripts/test) to run the suite against PostgreSQL instead of SQLite: the URL
#: of a server where the tests may create and drop databases.
SERVER_URL = os.environ.get("SHIKAKU_TEST_DATABASE_URL")


def _on_server(*statements: str) -> None:
    """Run statements on the PostgreSQL server of SHIKAKU_TEST_DATABASE_URL (autocommit: CREATE
    and DROP DATABASE cannot run in a transaction), through one engine for the whole run."""
    import sqlalchemy as sa
    global _server
    if _server is None:
        _server = sa.create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with _server.connect() as connection:
        for statement in statements:
            connection.execute(sa.text(statement))


def _url_of(name: str) -> str:
    from sqlalchemy.engine import make_url
    return make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)


_server = None


@pytest.fixture(scope="session")
def database_template():
    """PostgreSQL only: one database migrated to head, copied for every test (CREATE DATABASE
    … TEMPLATE is much faster than migrating each time); dropped at the end of the run."""
    if not SERVER_URL:
        yield None
        return
    import tempfile

    from flask_migrate import upgrade
    name = f"shikaku_tpl_{os.getpid()}"
    _on_server(f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}")
    app = create_app({"TESTING": True, "AUTO_BOOTSTRAP": False, "SQLALCHEMY_DATABASE_URI": _url_of(name),
                      "INSTANCE_PATH": tempfile.mkdtemp(prefix="shikaku-tpl-")})
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        db.engine.dispose()
    yield name
    _on_server(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _server.dispose()


@pytest.fixture
def database_url(database_template, tmp_path):
    """SQLite in the test's instance folder by default; with SHIKAKU_TEST_DATABASE_URL, a new
    PostgreSQL database copied from the migrated template, dropped after the test."""
    if database_template is None:
        yield None
        return
    name = f"shikaku_t_{os.getpid()}_{next(_numbers)}"
    _on_server(f"CREATE DATABASE {name} TEMPLATE {database_template}")
    yield _url_of(name)
    _on_server(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


_numbers = itertools.count()


@pytest.fixture
def make_app(tmp_path, clock, database_url):
    """Build an app on a fresh database (SQLite, or PostgreSQL with SHIKAKU_TEST_DATABASE_URL)
    in a temporary instance folder."""
    apps = []

    def make(**overrides):
        config = {"TESTING": True, "INSTANCE_PATH": tmp_path / "instance", "CLOCK": clock}
        if database_url:
            config["SQLALCHEMY_DATABASE_URI"] = database_url
        config.update(overrides)
        app = create_app(config)
        apps.append(app)
        return app
    yield make
    for app in apps:                  # close every connection before the database is dropped
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(make_app, request):
    """The app on a fresh database; ``@pytest.mark.token_version(1)`` for the version-1 path."""
    marker = request.node.get_closest_marker("token_version")
    return make_app(TOKEN_VERSION=marker.args[0]) if marker else make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def csv_file(tmp_path):
    """Write CSV bytes to a file and return its path (as text, for the CLI)."""
    def write(data: bytes, name: str = "upload.csv") -> str:
        path = tmp_path / name
        path.write_bytes(data)
        return str(path)
    return write


@pytest.fixture
def phone_tokens(app):
    """Every demo member has fetched a phone token (so a loss has tokens to revoke); returns
    {member id: token text}."""
    from server.documents.issuance import issue_token
    with app.app_context():
        return {m.id: issue_token(m).text for m in db.session.scalars(db.select(Member).order_by(Member.id))}


@pytest.fixture
def demo_member(app):
    """Look up a demo member (default: 𠮷田 太郎, 本人) inside an app context."""
    def find(number="5678", branch="00") -> Member:
        return db.session.scalar(db.select(Member).join(Insurer).where(
            Member.number == number, Member.branch == branch))
    return find


# -- the live server and the browser ----------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _whole_bodies(wsgi_app):
    """Each response read to its end (and its file closed) before a byte is sent: Werkzeug's
    development server leaves a file response open when the browser hangs up mid-way (a page
    closed while its service worker still fetches), which a test then fails on as a
    ResourceWarning. Test-only: production runs gunicorn."""
    def app(environ, start_response):
        body = wsgi_app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()
    return app


@pytest.fixture
def live_server(make_app):
    """The app served on http://localhost:PORT in a thread (WebAuthn needs `localhost`)."""
    port = _free_port()
    app = make_app(PUBLIC_URL=f"http://localhost:{port}", CLOCK=None)
    server = make_server("127.0.0.1", port, _whole_bodies(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://localhost:{port}"
    server.app = app
    yield server
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=[
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--disable-quic"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def authenticator(page):
    """Chromium's virtual platform authenticator: resident keys, user verification on."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})

    def add():
        return cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
            "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
            "hasUserVerification": True, "isUserVerified": True,
            "automaticPresenceSimulation": True}})["authenticatorId"]

    class Authenticator:
        id = add()

        def credentials(self):
            return cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.id})["credentials"]

        def user_verified(self, value: bool):
            cdp.send("WebAuthn.setUserVerified", {"authenticatorId": self.id, "isUserVerified": value})

        def new_device(self):
            """Swap in another (empty) authenticator, as if on another phone."""
            cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": self.id})
            self.id = add()
    return Authenticator()


# -- action helpers -----------------------------------------------------------

def new_staff(app, role: str, email: str | None = None, insurers=None, now: int | None = None) -> int:
    """A staff account as an accepted invitation leaves it; returns its id. ``insurers``: the
    保険者番号 of a clerk's or admin's scope (default: every insurer there is now; an
    operator has none)."""
    import secrets as _secrets

    from server import clock
    from server.models import Staff
    with app.app_context():
        scope = [] if role == "operator" else db.session.scalars(db.select(Insurer).where(
            Insurer.number.in_(insurers)) if insurers is not None else db.select(Insurer)).all()
        staff = Staff(email=email or f"{role}-{_secrets.token_hex(3)}@example.jp", role=role,
                      user_handle=_secrets.token_bytes(32),
                      created_at=now if now is not None else clock.now(), insurers=list(scope))
        db.session.add(staff)
        db.session.commit()
        return staff.id


@pytest.fixture
def as_staff(app, client):
    """Sign the test client in as a staff member (role "clerk", "admin" or "operator"; a
    clerk's or admin's ``insurers`` default to every insurer), the way a passkey sign-in
    leaves the session. Returns the CSRF token for form posts."""
    def sign_in(role="clerk", email=None, insurers=None):
        start_session(app, client, "staff", new_staff(app, role, email, insurers))
        return csrf_token(client)
    return sign_in


def session_token(app, owner_type: str, owner_id: int, now: int | None = None) -> str:
    """A server-side session as a passkey sign-in leaves it; returns the cookie's token."""
    import hashlib
    import secrets as _secrets

    from server.models import AuthSession
    token = _secrets.token_urlsafe(32)
    now = now if now is not None else (app.config["CLOCK"] or time.time)()
    with app.app_context():
        db.session.add(AuthSession(token_hash=hashlib.sha256(token.encode()).digest(),
                                   owner_type=owner_type, owner_id=owner_id, created_at=int(now),
                                   last_seen_at=int(now), verified_at=int(now),
                                   expires_at=int(now) + 86400, device="test client"))
        db.session.commit()
    return token


@pytest.fixture
def staff_in_browser():
    """Sign a Playwright page in as a new staff member of the live app (its session cookie),
    the way a passkey sign-in leaves it."""
    def sign_in(live_server, page, role="clerk", insurers=None) -> None:
        app = live_server.app
        staff_id = new_staff(app, role, insurers=insurers, now=int(time.time()))
        value = app.session_interface.get_signing_serializer(app).dumps(
            {"sid": session_token(app, "staff", staff_id, now=time.time())})
        page.context.add_cookies([{"name": app.config["SESSION_COOKIE_NAME"], "value": value,
                                   "url": live_server.url}])
    return sign_in


def start_session(app, client, owner_type: str, owner_id: int) -> str:
    """Sign the test client in as ``owner_type`` ``owner_id`` (server-side session)."""
    token = session_token(app, owner_type, owner_id)
    with client.session_transaction() as session:
        session.clear()
        session["sid"] = token
        session.permanent = True
    return token


def csrf_token(client) -> str:
    """The CSRF token of the client's session, read from a page as a browser would."""
    import re
    with client.get("/admin/login") as response:
        html = response.get_data(as_text=True)
    if 'name="csrf-token"' not in html:
        with client.get("/admin/", follow_redirects=True) as response:
            html = response.get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


@pytest.fixture
def as_member(app, client):
    """Sign the test client in as a member, the way a passkey sign-in leaves the session.
    Returns the CSRF token for writes."""
    def sign_in(member_id: int):
        start_session(app, client, "member", member_id)
        return client.get("/api/v1/csrf").get_json()["csrf_token"]
    return sign_in
