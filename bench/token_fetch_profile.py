"""Where a member's token fetch spends its time, in process (a profile, not a load test).

    .venv/bin/python -m bench.token_fetch_profile [--fetches 300] [--database-url URL] [--top 20]

Builds the app on a fresh demo register (SQLite in a temporary instance folder, or the
PostgreSQL database at --database-url, migrated first), signs a member in as a passkey sign-in
leaves the session, and calls ``GET /api/v1/me/token`` through the Flask test client: the
milliseconds per fetch without a profiler, then cProfile's top functions by cumulative time,
grouped into the parts a reader cares about (session, register queries, signing, QR drawing,
Flask). bench/load.py measures the same endpoint under gunicorn.
"""
from __future__ import annotations

import argparse
import cProfile
import hashlib
import pstats
import secrets
import tempfile
import time

from server import create_app
from server.extensions import db
from server.models import AuthSession, Member

#: Parts of a fetch, by the file a function lives in (first match wins).
PARTS = [("segno QR drawing", "segno/"), ("ECDSA signing", "token_core/"),
         ("ECDSA signing", "cryptography"), ("SQL (SQLAlchemy + driver)", "sqlalchemy/"),
         ("SQL (SQLAlchemy + driver)", "sqlite3"), ("SQL (SQLAlchemy + driver)", "psycopg"),
         ("session lookup", "auth/sessions.py"),
         ("issuance rules", "documents/"), ("Flask / Werkzeug", "werkzeug/")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fetches", type=int, default=300)
    parser.add_argument("--database-url")
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()
    config = {"TESTING": True, "INSTANCE_PATH": tempfile.mkdtemp(prefix="shikaku-profile-")}
    if args.database_url:
        config["SQLALCHEMY_DATABASE_URI"] = args.database_url
    app = create_app(config)
    with app.app_context():
        member = db.session.scalar(db.select(Member).where(Member.relationship == 1))
        token, now = secrets.token_urlsafe(32), int(time.time())
        db.session.add(AuthSession(token_hash=hashlib.sha256(token.encode()).digest(),
                                   owner_type="member", owner_id=member.id, created_at=now,
                                   last_seen_at=now, verified_at=now, expires_at=now + 86400,
                                   device="bench"))
        db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["sid"], session.permanent = token, True
    for _ in range(20):                                   # warm up: keys parsed, pools filled
        assert client.get("/api/v1/me/token").status_code == 200
    started = time.perf_counter()
    for _ in range(args.fetches):
        client.get("/api/v1/me/token")
    plain = (time.perf_counter() - started) / args.fetches * 1000
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.fetches):
        client.get("/api/v1/me/token")
    profile.disable()
    stats = pstats.Stats(profile)
    total = sum(row[2] for row in stats.stats.values())       # tottime over every function
    parts = dict.fromkeys([name for name, _ in PARTS] + ["other"], 0.0)
    for (filename, _, function), row in stats.stats.items():
        where = filename + " " + function                    # C functions: filename "~"
        name = next((n for n, marker in PARTS if marker in where), "other")
        parts[name] += row[2]
    print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1].split('?')[0]}")
    print(f"{args.fetches} fetches: {plain:.2f} ms per fetch without a profiler\n")
    print(f"{'part (own time, under cProfile)':<32} {'share':>6}")
    for name, seconds in sorted(parts.items(), key=lambda kv: -kv[1]):
        print(f"{name:<32} {seconds / total:>6.0%}")
    print()
    stats.sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
