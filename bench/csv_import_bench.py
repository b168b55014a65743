"""CSV member import benchmark: rows/s for a first import, a re-import and dry runs.

    cd /work/main && .venv/bin/python -m bench.csv_import_bench [--rows 100000] [--seed 1]

Generates N rows from the synthetic population (bench/population.py): households of an
insured person (本人) and dependents (家族) sharing 記号・番号, all under the 健保組合
06138093, with フリガナ from Faker ja_JP, dates in ISO and 和暦 (平成元年10月1日, H1.10.1),
2 % of one-person households with a loss date, and writes them as a CP932 CSV (𠮷, which CP932
cannot encode, is written 吉). Imports into a fresh SQLite instance (a temporary
INSTANCE_PATH, no demo data, the insurer added first), single process, wall-clock time of
``import_members`` (decode → validate → plan → write → commit). Asserts the counts, not
the speed. The target is 100,000 rows in ≤ 60 s on the 2-core machine.
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import platform
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--changed", type=float, default=0.01,
                        help="share of rows corrected for the update run (default 0.01)")
    args = parser.parse_args(argv)

    t = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="shikaku-bench-") as tmp:
        app = create_app({"INSTANCE_PATH": tmp, "DEMO_DATA": False, "TESTING": True})
        with app.app_context():
            from server import clock
            today = clock.today()
            records = rows(args.rows, args.seed, today)
            data = to_csv(records)
            update = to_csv(changed(records, args.changed, args.seed))
            db.session.add(Insurer(number=INSURER[0], name=INSURER[1]))
            db.session.commit()
        made = time.perf_counter() - t
        n = len(records)
        print(f"CSV import benchmark: {n:,} rows, CP932, {len(data) / 1e6:.1f} MB "
              f"(generated in {made:.1f} s)")
        print(f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
              f"{os.cpu_count()} CPUs, {platform.machine()}")
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
        for label, payload, dry_run, expected in runs:
            with app.app_context():
                start = time.perf_counter()
                report = import_members(payload, dry_run=dry_run, actor="bench")
                seconds = time.perf_counter() - start
                if report.errors:
                    sys.exit("\n".join(str(e) for e in report.errors[:20]))
                counts = (report.created, report.updated, report.unchanged)
                assert counts == expected, (label, counts, expected)
                assert report.encoding == "cp932"
            print(f"{label:<28} {n:>8,} {counts[0]:>8,} {counts[1]:>8,} {counts[2]:>9,} "
                  f"{seconds:>8.2f} {n / seconds:>8,.0f}")
        with app.app_context():
            members = db.session.scalar(db.select(db.func.count(Member.id)))
            entries = db.session.scalar(db.select(db.func.count(AuditEntry.id)))
            db.engine.dispose()
        assert members == n, members
        assert entries == n + n_changed, entries
        print(f"\nregister: {members:,} members, {entries:,} audit entries "
              f"({n:,} member.create + {n_changed:,} member.update)")


if __name__ == "__main__":
    main()
