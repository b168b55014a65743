"""CSV member import benchmark: rows/s for a first import, a re-import and dry runs.

    cd /work/main && .venv/bin/python -m bench.csv_import_bench [--rows 100000] [--seed 1]
        [--database-url URL] [--profile]

Generates N rows from the synthetic population (bench/population.py): households of an
insured person (本人) and dependents (家族) sharing 記号・番号, all under the 健保組合
06138093, with フリガナ from Faker ja_JP, dates in ISO and 和暦 (平成元年10月1日, H1.10.1),
2 % of one-person households with a loss date, and writes them as a CP932 CSV (𠮷, which CP932
cannot encode, is written 吉). Imports into a fresh register, migrated to head with the
insurer added first: by default SQLite in a temporary INSTANCE_PATH; with ``--database-url``
a server database (PostgreSQL: a new database is created on the server of the URL and
dropped at the end; the URL's own database is only used to connect). Single process,
wall-clock time of ``import_members`` (decode → validate → plan → write → commit). Asserts
the counts, not the speed. ``--profile`` runs each import under cProfile and prints the
25 entries with the most cumulative time (the times in the table then include cProfile's
overhead). The targets on the 2-core machine: 100,000 rows in ≤ 60 s on SQLite and ≤ 15 s
on PostgreSQL.
"""
from __future__ import annotations

import argparse
import contextlib
import cProfile
import csv
import io
import os
import platform
import pstats
import random
import sqlite3
import sys
import tempfile
import time
from datetime import date, timedelta

from faker import Faker

from bench.population import population
from server import create_app
from server.extensions import db
from server.models import AuditEntry, Insurer, Member
from server.register.csv_import import COLUMNS, import_members
from server.register.wareki import ERAS, era_of, format_wareki

INSURER = ("06138093", "資格パス健康保険組合（ベンチマーク）")
_LETTER = {name: letter for name, letter, _ in ERAS}


def rows(n: int, seed: int, today: date) -> list[dict]:
    """``n`` valid rows, household by household."""
    rng, kana = random.Random(seed), Faker("ja_JP")
    kana.seed_instance(seed)
    households, current = [], []
    for claims in population(n, seed, as_of=today):
        if claims.relationship == 1 and current:
            households.append(current)
            current = []
        current.append(claims)
    households.append(current)
    out = []
    for h, members in enumerate(households):
        symbol, number = str(1 + h % 9999), str(1 + h // 9999)
        lost = None
        if len(members) == 1 and rng.random() < 0.02:   # no new 家族 under a lost 本人
            start = members[0].acquired_on
            lost = min(today, start + timedelta(days=rng.randrange(1, 400)))
        for i, c in enumerate(members):
            out.append({
                "insurer_number": INSURER[0], "symbol": symbol, "number": number,
                "branch": "" if len(members) == 1 and c.branch == "" else f"{i:02d}",
                "relationship": str(int(c.relationship)), "name": c.name.replace("𠮷", "吉"),
                "name_kana": f"{kana.last_kana_name()} {kana.first_kana_name()}",
                "sex": str(int(c.sex)), "birth_date": _date(rng, c.birth_date),
                "acquired_on": _date(rng, c.acquired_on),
                "copay_ratio": rng.choice((str(c.copay_ratio // 10), str(c.copay_ratio))),
                "copay_from": "" if c.copay_from == c.acquired_on else _date(rng, c.copay_from),
                "mynumber_last4": f"{rng.randrange(10_000):04d}",
                "lost_on": _date(rng, lost) if lost else "",
                "limit_category": c.limit_category or "",
                "limit_consent": "1" if c.limit_category else "0",
            })
    return out


def _date(rng: random.Random, day: date) -> str:
    style = rng.random()
    if style < 0.2:
        return format_wareki(day)                       # 平成元年10月1日
    if style < 0.4:
        era, year = era_of(day)
        return f"{_LETTER[era]}{year}.{day.month}.{day.day}"   # H1.10.1
    return day.isoformat()


def to_csv(records: list[dict], encoding: str = "cp932") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(records)
    return buffer.getvalue().encode(encoding)


def changed(records: list[dict], share: float, seed: int) -> list[dict]:
    """A copy with ``share`` of the rows corrected (a new name or フリガナ or last 4 digits)."""
    rng = random.Random(f"changed:{seed}")
    out = [dict(r) for r in records]
    for r in rng.sample(out, int(len(out) * share)):
        field = rng.choice(("name", "name_kana", "mynumber_last4"))
        r[field] = {"name": r["name"] + "子", "name_kana": r["name_kana"] + "コ",
                    "mynumber_last4": f"{(int(r['mynumber_last4']) + 1) % 10_000:04d}"}[field]
    return out


@contextlib.contextmanager
def fresh_database(url: str | None, instance: str):
    """The URL of an empty database: SQLite in ``instance`` (no URL), the URL itself (an
    SQLite URL), or a new database on the URL's server, dropped on the way out."""
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url
    if url is None:
        yield f"sqlite:///{os.path.join(instance, 'shikaku.sqlite3')}"
        return
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        yield url
        return
    name = f"shikaku_bench_{os.getpid()}"
    server = sa.create_engine(parsed, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
            connection.execute(sa.text(f"CREATE DATABASE {name}"))
        try:
            yield parsed.set(database=name).render_as_string(hide_password=False)
        finally:
            with server.connect() as connection:
                connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    finally:
        server.dispose()


def describe_database() -> str:
    """Which database, in one line (in an app context)."""
    engine = db.engine
    if engine.dialect.name == "sqlite":
        return f"SQLite {sqlite3.sqlite_version} ({engine.url.database})"
    with engine.connect() as connection:
        version = connection.exec_driver_sql("SHOW server_version").scalar()
        settings = ", ".join(f"{s}={connection.exec_driver_sql(f'SHOW {s}').scalar()}"
                             for s in ("fsync", "synchronous_commit"))
    driver = f"{engine.dialect.driver} {getattr(engine.dialect.dbapi, '__version__', '')}".strip()
    return (f"PostgreSQL {version}, {driver} ({settings}) "
            f"{engine.url.render_as_string(hide_password=True)}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--changed", type=float, default=0.01,
                        help="share of rows corrected for the update run (default 0.01)")
    parser.add_argument("--database-url", metavar="URL",
                        help="the database to import into (default: a fresh SQLite file); "
                             "PostgreSQL: a new database is created on this URL's server "
                             "and dropped at the end")
    parser.add_argument("--profile", action="store_true",
                        help="run each import under cProfile; print the top 25 by cumulative time")
    args = parser.parse_args(argv)

    t = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="shikaku-bench-") as tmp, \
            fresh_database(args.database_url, tmp) as url:
        run(args, url, tmp, t)


def run(args, url: str, instance: str, t: float) -> None:
    from flask_migrate import upgrade
    app = create_app({"INSTANCE_PATH": instance, "DEMO_DATA": False, "TESTING": True,
                      "AUTO_BOOTSTRAP": False, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        from server import clock
        today = clock.today()
        records = rows(args.rows, args.seed, today)
        data = to_csv(records)
        update = to_csv(changed(records, args.changed, args.seed))
        db.session.add(Insurer(number=INSURER[0], name=INSURER[1]))
        db.session.commit()
        database = describe_database()
    made = time.perf_counter() - t
    n = len(records)
    print(f"CSV import benchmark: {n:,} rows, CP932, {len(data) / 1e6:.1f} MB "
          f"(generated and migrated in {made:.1f} s)")
    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}")
    print(f"Database: {database}")
    n_changed = int(n * args.changed)
    runs = [("dry run, empty register", data, True, (n, 0, 0)),
            ("first import", data, False, (n, 0, 0)),
            ("re-import, same file", data, False, (0, 0, n)),
            ("dry run, same file", data, True, (0, 0, n)),
            (f"import, {args.changed:.0%} rows changed", update, False,
             (0, n_changed, n - n_changed))]
    print()
    print(f"{'run':<28} {'rows':>8} {'created':>8} {'updated':>8} {'unchanged':>9} "
          f"{'seconds':>8} {'rows/s':>8}")
    profiles = []
    for label, payload, dry_run, expected in runs:
        with app.app_context():
            profiler = cProfile.Profile() if args.profile else None
            start = time.perf_counter()
            if profiler:
                profiler.enable()
            report = import_members(payload, dry_run=dry_run, actor="bench")
            if profiler:
                profiler.disable()
                profiles.append((label, profiler))
            seconds = time.perf_counter() - start
            if report.errors:
                sys.exit("\n".join(str(e) for e in report.errors[:20]))
            counts = (report.created, report.updated, report.unchanged)
            assert counts == expected, (label, counts, expected)
            assert report.encoding == "cp932"
        print(f"{label:<28} {n:>8,} {counts[0]:>8,} {counts[1]:>8,} {counts[2]:>9,} "
              f"{seconds:>8.2f} {n / seconds:>8,.0f}", flush=True)
    with app.app_context():
        members = db.session.scalar(db.select(db.func.count(Member.id)))
        entries = db.session.scalar(db.select(db.func.count(AuditEntry.id)))
        db.engine.dispose()
    assert members == n, members
    assert entries == n + n_changed, entries
    print(f"\nregister: {members:,} members, {entries:,} audit entries "
          f"({n:,} member.create + {n_changed:,} member.update)")
    for label, profiler in profiles:
        print(f"\n-- profile: {label} (top 25 by cumulative time) --")
        stats = io.StringIO()
        pstats.Stats(profiler, stream=stats).sort_stats("cumulative").print_stats(25)
        print(stats.getvalue().split("\n\n", 1)[-1].rstrip())


if __name__ == "__main__":
    main()
