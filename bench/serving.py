"""A production-like Shikaku Pass on loopback, for bench.load and bench.faults.

    from bench.serving import Stack
    with Stack(members=1000) as stack:          # everything below is started, then stopped
        stack.url, stack.hello_url              # gunicorn: our app, and Flask's hello world
        stack.members[0].cookie, .csrf          # a signed-in member (a server-side session)
        stack.pg.restart(); stack.redis.stop()  # faults

What it starts, each in one temporary folder, as production runs it:

- PostgreSQL (Debian's, ``initdb``/``pg_ctl`` as the ``postgres`` user when we are root, like
  scripts/services.sh) and Redis, on loopback, on free ports;
- the database, provisioned with the CLI as an operator would: ``shikaku db upgrade``,
  ``shikaku insurers add``, ``shikaku members import`` (N synthetic members from
  bench/csv_import_bench.py) and ``shikaku keys init``;
- a server-side session per eligible member, made with the session service
  (server/auth/sessions.py) in an app context: the cookie and the CSRF token a browser holds;
- gunicorn as the Procfile runs it (``-c config/gunicorn.conf.py 'server:create_app()'``,
  WEB_CONCURRENCY workers, ENV "production", settings as SHIKAKU_* variables), bound to
  127.0.0.1; and Flask's hello world (bench/hello.py) under the same gunicorn settings.

Everything is stopped and the folder removed on exit (``with``, atexit, SIGTERM/SIGHUP), so no
postgres, redis or gunicorn process outlives the benchmark.
"""
from __future__ import annotations

import atexit
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
JST = timezone(timedelta(hours=9))
CLI = "import sys; from server.cli import main; sys.exit(main())"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
    """The live child processes of ``pid`` (gunicorn's workers of a master)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()   # after "(comm)": state, ppid, …
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return sorted(found)


def _run(args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs)


class Postgres:
    """A PostgreSQL cluster in ``folder``, on 127.0.0.1:port."""

    def __init__(self, folder: Path):
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
        if not bins:
            raise SystemExit("PostgreSQL is not installed (bash scripts/setup --test)")
        self.bin, self.folder, self.port = bins[-1], folder / "pg", free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.running = False

    def _ctl(self, *args: str) -> None:
        _run([*self.as_postgres, str(self.bin / "pg_ctl"), "-D", str(self.folder),
              "-l", str(self.folder / "log"), "-w", "-t", "60", *args])

    def start(self) -> None:
        if not self.folder.exists():
            self.folder.mkdir(parents=True)
            if self.as_postgres:           # initdb refuses to run as root
                shutil.chown(self.folder, "postgres")
            _run([*self.as_postgres, str(self.bin / "initdb"), "-D", str(self.folder), "-A", "trust",
                  "-U", "postgres"])
        self._ctl("-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                        "-c max_connections=200", "start")
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        if self.running:
            self._ctl("-m", mode, "stop")
            self.running = False

    def restart(self) -> tuple[float, float]:
        """``pg_ctl restart -m fast`` (every connection is cut); returns when it accepts
        connections again: (start, end) in time.monotonic()."""
        start = time.monotonic()
        self._ctl("-m", "fast", "restart")
        return start, time.monotonic()

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def execute(self, *statements: str, database: str = "postgres") -> None:
        """Statements in autocommit (CREATE DATABASE cannot run in a transaction)."""
        import sqlalchemy as sa
        engine = sa.create_engine(self.url(database), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                for statement in statements:
                    connection.execute(sa.text(statement))
        finally:
            engine.dispose()


class Redis:
    """A Redis in ``folder`` on 127.0.0.1:port, nothing saved to disk (like scripts/services.sh)."""

    def __init__(self, folder: Path):
        self.folder, self.port, self.running = folder, free_port(), False
        self.url = f"redis://127.0.0.1:{self.port}/0"

    @property
    def pidfile(self) -> Path:
        return self.folder / "redis.pid"

    def start(self) -> None:
        _run(["redis-server", "--daemonize", "yes", "--port", str(self.port), "--bind", "127.0.0.1",
              "--save", "", "--appendonly", "no", "--dir", str(self.folder),
              "--pidfile", str(self.pidfile), "--logfile", str(self.folder / "redis.log")])
        self.running = True
        for _ in range(100):
            if self.ping():
                return
            time.sleep(0.05)
        raise RuntimeError("redis did not start")

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        """SIGTERM to the server (by its pid file), and wait until it is gone."""
        if not self.running:
            return
        try:
            pid = int(self.pidfile.read_text())
        except (OSError, ValueError):
            pid = None
        if pid:
            try:
                os.kill(pid, signal.SIGTERM)
                for _ in range(200):
                    os.kill(pid, 0)
                    time.sleep(0.025)
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.running = False

    def restart(self) -> None:
        self.stop()
        self.start()


class Gunicorn:
    """``gunicorn -c config/gunicorn.conf.py TARGET`` bound to 127.0.0.1:port (the command line
    overrides the file's 0.0.0.0), in its own process group."""

    def __init__(self, target: str, env: dict, log: Path, port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        with open(log, "ab") as out:
            self.process = subprocess.Popen(
                [PYTHON, "-m", "gunicorn", "-c", "config/gunicorn.conf.py",
                 "--bind", f"127.0.0.1:{self.port}", target],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    @property
    def pid(self) -> int:
        return self.process.pid

    def workers(self) -> list[int]:
        return children(self.pid)

    def wait_ready(self, path: str = "/", timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}); see {self.log}:\n"
                                   + self.log.read_text()[-3000:])
            try:
                with urllib.request.urlopen(self.url + path, timeout=2) as response:
                    if response.status == 200:
                        return
            except (OSError, urllib.error.HTTPError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer {path} in {timeout} s; see {self.log}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)     # graceful: the master stops its workers
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
        try:                                            # anything left in its group
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()


@dataclass
class Member:
    id: int
    cookie: str            # the Cookie header: shikaku_session=<signed {"sid", "csrf_token"}>
    csrf: str              # X-CSRFToken for this session's writes
    limit_category: str | None
    limit_consent: bool


def _members_csv(n: int, seed: int, number_offset: int = 0) -> bytes:
    """``n`` valid CSV rows (CP932) from the CSV import benchmark's generator, all under its
    健保組合; ``number_offset`` moves the 番号 so that a second file does not touch the first's
    members."""
    from bench.csv_import_bench import rows, to_csv
    records = rows(n, seed, datetime.now(JST).date())
    if number_offset:
        for record in records:
            record["number"] = str(int(record["number"]) + number_offset)
    return to_csv(records)


class Stack:
    """PostgreSQL, Redis, a provisioned database and gunicorn (ours and hello world).

    ``settings``: more app settings (Python values; given to gunicorn as SHIKAKU_<NAME> JSON).
    """

    def __init__(self, *, members: int = 1000, workers: int = 2, hello: bool = True, seed: int = 1,
                 settings: dict | None = None, quiet: bool = False, keep_logs: str | None = None,
                 sign_in: bool = True):
        self.n_members, self.workers, self.with_hello, self.seed = members, workers, hello, seed
        self.sign_in = sign_in
        self.provision_seconds = None
        self.extra_settings = settings or {}
        self.quiet = quiet
        self.keep_logs = Path(keep_logs) if keep_logs else None
        self.folder: Path | None = None
        self.pg: Postgres | None = None
        self.redis: Redis | None = None
        self.app: Gunicorn | None = None
        self.hello: Gunicorn | None = None
        self.members: list[Member] = []
        self._engine = None
        self._closed = False

    # -- life cycle -----------------------------------------------------------------------
    def __enter__(self) -> Stack:
        atexit.register(self.close)
        for sig in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, _exit_on_signal)
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def say(self, text: str) -> None:
        if not self.quiet:
            print(text, file=sys.stderr, flush=True)

    def start(self) -> None:
        t = time.monotonic()
        self.folder = Path(tempfile.mkdtemp(prefix="shikaku-serving-"))
        self.folder.chmod(0o755)                  # the postgres user reaches its folder inside
        self.pg, self.redis = Postgres(self.folder), Redis(self.folder)
        self.pg.start()
        self.redis.start()
        self.pg.execute("CREATE DATABASE shikaku")
        self.settings = {
            "ENV": "production", "DEMO_DATA": False,
            "SECRET_KEY": secrets.token_hex(32), "REVOCATION_SECRET": secrets.token_hex(32),
            "ACTIVATION_SECRET": secrets.token_hex(32),
            "SQLALCHEMY_DATABASE_URI": self.pg.url("shikaku"),
            "RATELIMIT_STORAGE_URI": self.redis.url,
            "INSTANCE_PATH": str(self.folder / "instance"),
            **self.extra_settings,
        }
        self.app_port = free_port()
        self.settings.setdefault("PUBLIC_URL", f"http://127.0.0.1:{self.app_port}")
        self.say(f"PostgreSQL :{self.pg.port}, Redis :{self.redis.port}; provisioning "
                 f"{self.n_members:,} members with the CLI …")
        self.provision()
        self.app = Gunicorn("server:create_app()", self.env(), self.folder / "gunicorn.log",
                            port=self.app_port)
        if self.with_hello:
            self.hello = Gunicorn("bench.hello:app", self.env(), self.folder / "hello.log")
        self.app.wait_ready("/readyz")
        if self.hello:
            self.hello.wait_ready("/")
        self.url = self.app.url
        self.hello_url = self.hello.url if self.hello else None
        self.say(f"ready in {time.monotonic() - t:.0f} s: app {self.url} ({self.workers} workers), "
                 f"hello world {self.hello_url}, {len(self.members):,} signed-in members")

    def close(self) -> None:
        """Stop everything this stack started (idempotent)."""
        if self._closed:
            return
        self._closed = True
        for step in (lambda: self.app and self.app.stop(), lambda: self.hello and self.hello.stop(),
                     lambda: self._engine and self._engine.dispose(),
                     lambda: self.redis and self.redis.stop(),
                     lambda: self.pg and self.pg.stop("immediate"),    # a throwaway cluster
                     self._copy_logs,
                     lambda: self.folder and shutil.rmtree(self.folder, ignore_errors=True)):
            try:
                step()
            except Exception as exc:          # noqa: BLE001 — stop the rest anyway
                print(f"cleanup: {exc}", file=sys.stderr)

    def _copy_logs(self) -> None:
        """With ``keep_logs``: gunicorn's, PostgreSQL's and Redis's logs copied there."""
        if self.keep_logs and self.folder:
            self.keep_logs.mkdir(parents=True, exist_ok=True)
            for log in [*self.folder.glob("*.log"), self.folder / "pg" / "log"]:
                if log.exists():
                    shutil.copy(log, self.keep_logs / (log.name if log.suffix else "postgresql.log"))

    # -- configuration ----------------------------------------------------------------------
    def env(self, **settings) -> dict:
        """The environment of gunicorn and the CLI: SHIKAKU_<NAME> as JSON (config/default.py),
        no SHIKAKU_* of the caller's (a test run's) leaking in."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("SHIKAKU_")}
        for name, value in {**self.settings, **settings}.items():
            env[f"SHIKAKU_{name}"] = json.dumps(value)
        env["WEB_CONCURRENCY"] = str(self.workers)
        return env

    def cli(self, *args: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
        """``shikaku ARGS`` with the stack's settings (this checkout's server package)."""
        result = subprocess.run([PYTHON, "-c", CLI, *args], cwd=ROOT, env=self.env(),
                                capture_output=True, text=True, **kwargs)
        if check and result.returncode != 0:
            raise RuntimeError(f"shikaku {' '.join(args)} exited {result.returncode}:\n"
                               f"{result.stdout}\n{result.stderr}")
        return result

    def flask_app(self):
        from server import create_app
        return create_app(dict(self.settings))

    def sql(self, statement: str, **params) -> list:
        """Rows of a query on the app's database (a separate engine that survives restarts)."""
        import sqlalchemy as sa
        if self._engine is None:
            self._engine = sa.create_engine(self.pg.url("shikaku"), pool_pre_ping=True)
        with self._engine.connect() as connection:
            return connection.execute(sa.text(statement), params).all()

    # -- provisioning --------------------------------------------------------------------------
    def provision(self) -> None:
        from bench.csv_import_bench import INSURER
        self.cli("db", "upgrade")
        self.cli("insurers", "add", INSURER[0], INSURER[1])
        path = self.folder / "members.csv"
        path.write_bytes(_members_csv(self.n_members, self.seed))
        start = time.monotonic()
        self.cli("members", "import", str(path))
        self.provision_seconds = time.monotonic() - start
        self.cli("keys", "init")
        self.members = self.sign_in_members() if self.sign_in else []

    def sign_in_members(self) -> list[Member]:
        """A session for every member eligible today, as a passkey sign-in leaves it
        (sessions.start) plus the CSRF token the app would fetch: the browser's cookie."""
        from flask import g, session
        from flask_wtf.csrf import generate_csrf

        from server.auth import sessions
        from server.extensions import db
        from server.models import Eligibility, Member as MemberRow
        app = self.flask_app()
        serializer = app.session_interface.get_signing_serializer(app)
        name = app.config["SESSION_COOKIE_NAME"]
        today = datetime.now(JST).date()
        out = []
        with app.test_request_context("/", headers={"User-Agent": "bench.serving"}):
            rows = db.session.execute(
                db.select(MemberRow.id, MemberRow.limit_category, MemberRow.limit_consent,
                          Eligibility.lost_on).join(Eligibility, Eligibility.member_id == MemberRow.id)
                .order_by(MemberRow.id)).all()
            for member_id, category, consent, lost_on in rows:
                if lost_on is not None and lost_on <= today:
                    continue
                sessions.start("member", member_id)
                g.pop("csrf_token", None)          # Flask-WTF keeps one per request in g
                csrf = generate_csrf()
                out.append(Member(member_id, f"{name}={serializer.dumps(dict(session))}", csrf,
                                  category, bool(consent)))
            db.session.commit()
            db.engine.dispose()
        return out

    def anonymous(self) -> tuple[str, str]:
        """(Cookie header, CSRF token) of a browser that is not signed in, as GET /api/v1/csrf
        leaves it."""
        from flask import g, session
        from flask_wtf.csrf import generate_csrf
        app = self.flask_app()
        with app.test_request_context("/"):
            g.pop("csrf_token", None)
            csrf = generate_csrf()
            cookie = app.session_interface.get_signing_serializer(app).dumps(dict(session))
            from server.extensions import db
            db.engine.dispose()
        return f"{app.config['SESSION_COOKIE_NAME']}={cookie}", csrf

    def members_csv(self, n: int, seed: int, number_offset: int) -> Path:
        path = self.folder / f"import-{n}-{seed}.csv"
        path.write_bytes(_members_csv(n, seed, number_offset))
        return path


def _exit_on_signal(signum, frame):
    raise SystemExit(128 + signum)


def http(method: str, url: str, *, headers: dict | None = None, body: bytes | None = None,
         timeout: float = 10) -> tuple[int, dict, bytes]:
    """One request on a new connection (gunicorn's sync workers close each one anyway):
    (status, headers, body). A socket error raises OSError."""
    import http.client
    from urllib.parse import urlsplit
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request(method, parts.path + (f"?{parts.query}" if parts.query else ""),
                           body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def table(rows: list[dict], columns: list[tuple[str, str, str]]) -> str:
    """Plain text: columns are (key, heading, format spec)."""
    cells = [[format(r[key], spec) if r.get(key) is not None else "-" for key, _, spec in columns]
             for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h)
              for i, (_, h, _) in enumerate(columns)]
    lines = ["  ".join(h.ljust(w) if i == 0 else h.rjust(w)
                       for i, ((_, h, _), w) in enumerate(zip(columns, widths)))]
    for c in cells:
        lines.append("  ".join(v.ljust(w) if i == 0 else v.rjust(w)
                               for i, (v, w) in enumerate(zip(c, widths))))
    return "\n".join(lines)

