"""End to end at national-register scale: PostgreSQL, the CLI, gunicorn, and the clinic page.

    .venv/bin/python -m bench.national_e2e [--members 1000000] [--losses 50000] [--no-browser]

As an operator would, on a production-like stack on loopback (bench/serving.py: PostgreSQL,
Redis, gunicorn with 2 workers, ENV production, TOKEN_VERSION 2):

1. ``shikaku members import`` of N synthetic members (bench/csv_import_bench.py);
2. every eligible member has fetched a phone token once: their status indexes, handed out in
   bulk with one SQL statement (the same rows ``register.status_indexes.phone_index`` writes
   one at a time at a first fetch; one real fetch per member would take hours here), and two
   members get real tokens through the token service;
3. ``shikaku members lose`` of a CSV with L losses (資格喪失届, each through
   ``members.record_loss``: dependents, cards, status bits, audit) — one of them the member
   holding the first token;
4. the trust list is built and served (GET /api/v1/trust-list), its status snapshot fetched;
   one more loss, and the delta from the first root fetched;
5. Chromium opens /clinic/ on the stack, syncs the lists (the snapshot) and verifies the
   revoked token and the valid one through the scan box; then one more loss, a reload, the
   delta the page fetches, and the two verdicts again.

Prints a table of sizes and times. Nothing is asserted about speed; the verdicts are checked.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import time

from bench.serving import JST, Stack, http

SQL_ALLOCATE = """
INSERT INTO status_slot (kind, group_no, idx, eligibility_id, first_allocated_at, allocated_at)
SELECT 1, CAST(i.number AS BIGINT),
       row_number() OVER (PARTITION BY i.id ORDER BY e.id) - 1, e.id, :now, :now
FROM eligibility e JOIN member m ON m.id = e.member_id JOIN insurer i ON i.id = m.insurer_id
WHERE e.lost_on IS NULL OR e.lost_on > :today
"""
SQL_COUNTERS = """
INSERT INTO status_counter (kind, group_no, next_idx)
SELECT kind, group_no, max(idx) + 1 FROM status_slot WHERE kind = 1 GROUP BY kind, group_no
"""


def _timed(label: str, results: list, fn):
    start = time.monotonic()
    value = fn()
    seconds = time.monotonic() - start
    results.append((label, seconds))
    print(f"  {label}: {seconds:.1f} s", file=sys.stderr, flush=True)
    return value


def _loss_csv(rows: list[tuple]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["insurer_number", "symbol", "number", "branch", "lost_on", "reason"])
    writer.writerows(rows)
    return out.getvalue().encode()


def run(members: int, losses: int, browser: bool) -> dict:
    from datetime import datetime
    figures: dict = {"members": members, "losses": losses}
    times: list = []
    with Stack(members=members, hello=False, sign_in=False, settings={"TOKEN_VERSION": 2}) as stack:
        figures["import_s"] = stack.provision_seconds
        today = datetime.now(JST).date()
        now = int(time.time())

        def allocate():
            import sqlalchemy as sa
            engine = sa.create_engine(stack.pg.url("shikaku"))
            with engine.begin() as connection:
                connection.execute(sa.text(SQL_ALLOCATE), {"now": now, "today": today})
                connection.execute(sa.text(SQL_COUNTERS))
            engine.dispose()
        _timed("status indexes for every eligible member (bulk SQL)", times, allocate)
        figures["slots"] = stack.sql("SELECT count(*) FROM status_slot")[0][0]

        # two real tokens: 本人 of the first household (to lose), 本人 of the last (stays valid)
        insured = stack.sql("SELECT m.id FROM member m JOIN eligibility e ON e.member_id = m.id "
                            "WHERE m.relationship = 1 AND e.lost_on IS NULL ORDER BY m.id")
        lose_id, keep_id = insured[0][0], insured[-1][0]
        app = stack.flask_app()
        with app.app_context():
            from server.documents.issuance import issue_token
            from server.extensions import db
            from server.models import Member
            revoked_text = issue_token(db.session.get(Member, lose_id)).text
            valid_text = issue_token(db.session.get(Member, keep_id)).text
            db.engine.dispose()

        # the member holding the first token, then others drawn evenly over the register
        chosen = stack.sql(
            "SELECT i.number, m.symbol, m.number, m.branch FROM member m "
            "JOIN insurer i ON i.id = m.insurer_id JOIN eligibility e ON e.member_id = m.id "
            "WHERE m.relationship = 1 AND e.lost_on IS NULL AND m.id <> :keep "
            "ORDER BY m.id <> :lose, md5(CAST(m.id AS TEXT)) LIMIT :n",
            keep=keep_id, lose=lose_id, n=losses)
        lost_on = today.isoformat()
        path = stack.folder / "losses.csv"
        path.write_bytes(_loss_csv([(*row, lost_on, "retirement") for row in chosen]))
        _timed(f"shikaku members lose ({len(chosen):,} rows)", times,
               lambda: stack.cli("members", "lose", str(path)))
        figures["revoked_bits"] = stack.sql("SELECT count(*) FROM status_slot WHERE revoked_at IS NOT NULL")[0][0]

        trust = _timed("first trust list after the losses (build + sign + status publish)", times,
                       lambda: http("GET", stack.url + "/api/v1/trust-list", headers={"Accept-Encoding": "gzip"},
                                    timeout=600))
        figures["trust_list_gzip"] = len(trust[2])
        status = stack.sql("SELECT seq FROM status_publication ORDER BY seq DESC LIMIT 1")[0][0]
        snap = http("GET", f"{stack.url}/api/v1/status/{status}.snapshot", timeout=60)
        figures["snapshot_bytes"] = len(snap[2])

        def lose_one(name: str) -> None:
            """One more loss (the newest eligible 本人 but the one kept valid), through the CLI."""
            more = stack.sql("SELECT i.number, m.symbol, m.number, m.branch FROM member m "
                             "JOIN insurer i ON i.id = m.insurer_id JOIN eligibility e ON e.member_id = m.id "
                             "WHERE m.relationship = 1 AND e.lost_on IS NULL AND m.id <> :keep "
                             "ORDER BY m.id DESC LIMIT 1", keep=keep_id)
            one = stack.folder / f"{name}.csv"
            one.write_bytes(_loss_csv([(*more[0], lost_on, "retirement")]))
            stack.cli("members", "lose", str(one))

        # one more loss: the delta a clinic fetches next
        lose_one("loss-1")
        _timed("trust list after one more loss", times,
               lambda: http("GET", stack.url + "/api/v1/trust-list", timeout=600))
        latest = stack.sql("SELECT seq FROM status_publication ORDER BY seq DESC LIMIT 1")[0][0]
        delta = _timed("delta built on request", times,
                       lambda: http("GET", f"{stack.url}/api/v1/status/{status}-{latest}.delta", timeout=600))
        figures["delta_bytes"] = len(delta[2]) if delta[0] == 200 else None

        if browser:
            figures.update(_clinic(stack, revoked_text, valid_text, lambda: lose_one("loss-2")))
    figures["times"] = times
    return figures


def _clinic(stack, revoked_text: str, valid_text: str, lose_one) -> dict:
    """The clinic page in Chromium: first sync (snapshot), each token through the scan box;
    then one more loss, a reload, and the delta the page fetches to catch up."""
    import shutil

    from playwright.sync_api import sync_playwright
    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                    headless=True)
        page = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo").new_page()
        fetched = []
        page.on("response", lambda r: fetched.append((r.url.split("/api/v1/")[1], r.status, len(r.body())))
                if "/api/v1/status/" in r.url else None)
        start = time.monotonic()
        page.goto(stack.url + "/clinic/")
        page.wait_for_function("() => document.querySelector('#trust-status-lists')?.dataset.state === 'ok'",
                               timeout=600_000)
        out["clinic_first_sync_s"] = time.monotonic() - start
        out["clinic_verdicts"] = _verdicts(page, revoked_text, valid_text)

        lose_one()
        start = time.monotonic()
        with page.expect_response(lambda r: r.url.endswith(".delta"), timeout=600_000):
            page.reload()
        page.wait_for_function("() => document.querySelector('#trust-status-lists')?.dataset.state === 'ok'",
                               timeout=600_000)
        out["clinic_delta_sync_s"] = time.monotonic() - start
        out["clinic_verdicts_after_delta"] = _verdicts(page, revoked_text, valid_text)
        out["clinic_fetched"] = fetched
        browser.close()
    return out


def _verdicts(page, revoked_text: str, valid_text: str) -> dict:
    verdicts = {}
    for name, text in (("revoked", revoked_text), ("valid", valid_text)):
        box = page.locator("#scan-input")
        box.fill(text)
        box.press("Enter")
        page.wait_for_selector("#result[data-status]")
        verdicts[name] = page.locator("#result").get_attribute("data-status")
        page.locator("#next-patient").click()             # back to idle for the next one
        page.wait_for_selector("#result:not([data-status])")
    return verdicts


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--losses", type=int, default=50_000)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args(argv)
    figures = run(args.members, args.losses, not args.no_browser)
    print(f"\nmembers {figures['members']:,}; status indexes {figures['slots']:,}; "
          f"losses recorded {args.losses:,} (+ their dependents): {figures['revoked_bits']:,} bits set\n")
    print("| step | seconds |\n|---|---:|")
    print(f"| shikaku members import ({figures['members']:,} rows) | {figures['import_s']:.1f} |")
    for label, seconds in figures["times"]:
        print(f"| {label} | {seconds:.1f} |")
    print(f"\ntrust list (gzip) {figures['trust_list_gzip']:,} B; status snapshot {figures['snapshot_bytes']:,} B; "
          f"delta after one more loss {figures['delta_bytes']} B")
    if "clinic_verdicts" in figures:
        print(f"clinic: first sync {figures['clinic_first_sync_s']:.1f} s, verdicts {figures['clinic_verdicts']}; "
              f"after one more loss and a reload: {figures['clinic_delta_sync_s']:.1f} s, verdicts "
              f"{figures['clinic_verdicts_after_delta']}")
        print("clinic fetched (path, status, bytes): " + json.dumps(figures["clinic_fetched"]))
        expected = {"revoked": "revoked", "valid": "valid"}
        if expected != figures["clinic_verdicts"] or expected != figures["clinic_verdicts_after_delta"]:
            sys.exit(f"wrong verdicts: expected {expected}")

if __name__ == "__main__":
    main()
