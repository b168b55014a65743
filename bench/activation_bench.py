"""Activation answers without the second factors: the same answer and the same work for an
unknown code, a live code with a wrong birth date, and a used, replaced or locked code.

Prints the median and p90 time of POST /auth/member/activate/options (Flask test client, SQLite
in a temporary folder) per case, side by side, and the answer each case got. A difference in
time between the cases would tell an attacker which codes exist; the table shows there is
none beyond noise. Run: .venv/bin/python -m bench.activation_bench [--runs 200]
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time

from server import create_app
from server.documents import activation_codes
from server.extensions import db
from server.models import ActivationCode, Member

WRONG = {"birth_date": "1999-01-01", "pin": "000000"}


def _app():
    return create_app({"TESTING": True, "INSTANCE_PATH": tempfile.mkdtemp(prefix="shikaku-bench-"),
                       "ACTIVATION_RATE_LIMIT": "1000000 per minute", "ACTIVATION_MAX_ATTEMPTS": 10**9,
                       "ACTIVATION_CODE_DAYS": 3650})


def _codes(app) -> dict[str, str]:
    """One code in each state, for members of the demo register."""
    with app.app_context():
        members = db.session.scalars(db.select(Member).order_by(Member.id)).all()
        live = activation_codes.issue(members[0]).code
        used = activation_codes.issue(members[1])
        activation_codes.consume(db.session.get(ActivationCode, used.record.id))
        db.session.commit()
        replaced = activation_codes.issue(members[2]).code
        activation_codes.issue(members[2])
        locked = activation_codes.issue(members[3])
        db.session.get(ActivationCode, locked.record.id).failed_attempts = 10**9
        db.session.commit()
    return {"unknown code": "1234" * 5, "live code, wrong birth date and PIN": live,
            "used code": used.code, "replaced code": replaced, "locked code": locked.code}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    app = _app()
    client = app.test_client()
    token = client.get("/api/v1/csrf").get_json()["csrf_token"]
    cases = _codes(app)
    times = {name: [] for name in cases}
    answers = {name: set() for name in cases}
    for _ in range(args.runs):                      # interleaved, so drift hits every case alike
        for name, code in cases.items():
            start = time.perf_counter()
            response = client.post("/auth/member/activate/options", json={"code": code, **WRONG},
                                   headers={"X-CSRFToken": token})
            times[name].append((time.perf_counter() - start) * 1000)
            answers[name].add((response.status_code, response.get_json()["error"]))
    print(f"POST /auth/member/activate/options without the right birth date and PIN ({args.runs} runs each)")
    print(f"{'case':<40} {'median ms':>10} {'p90 ms':>8}  answer")
    for name, values in times.items():
        values.sort()
        answer = ", ".join(f"{s} {e}" for s, e in sorted(answers[name]))
        print(f"{name:<40} {statistics.median(values):>10.2f} {values[int(len(values) * .9)]:>8.2f}  {answer}")


if __name__ == "__main__":
    main()
