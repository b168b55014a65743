"""Fault benchmark: what members and operators see when a part of production fails under load.

    .venv/bin/python -m bench.faults [--members 6000] [--import-rows 50000] [--only 1,2,3,4]

On the production-like stack of bench/serving.py (PostgreSQL, Redis, gunicorn with
config/gunicorn.conf.py, ENV production), with a Python client (threads, a new connection per
request as gunicorn's sync workers want), one table per scenario:

1. ``kill -9`` one gunicorn worker during token fetches: errors seen, seconds until the master
   has forked a new worker, and until the throughput is back.
2. ``pg_ctl restart -m fast``, three times 5 s apart, during token fetches and consent writes
   (``POST /api/v1/me/consent``, each write to a member no other write touches, so the
   database afterwards tells exactly which writes were committed): answers by status; every
   acknowledged (200) write must be in the database (lost: 0); a 503 that says the change was
   not saved must not have been committed. Then a restart while nobody asks, and 20 token
   fetches: do dead pooled connections cost requests? Run with the configured engine options
   and, for comparison, with ``pool_pre_ping`` off.
3. Redis stopped and started again between sign-in-rate-limited requests
   (``POST /auth/member/login/options``, SIGN_IN_RATE_LIMIT, each probe from its own client
   address via X-Forwarded-For from the trusted proxy): do the limits fail open or closed?
   With the configured setting and, for comparison, Flask-Limiter's other two choices.
4. ``shikaku members import`` of N rows (one transaction) cut by a PostgreSQL restart while it
   writes: the register must be unchanged, and a rerun must import every row.

Nothing is asserted about speed; the correctness counts (lost writes, untrue 503s,
half-written imports) are printed as found. About 3 minutes at the defaults.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import queue
import signal
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass

from bench.serving import CLI, PYTHON, ROOT, Gunicorn, Stack, http, table

#: The words of a 503 that tell the member the change was not saved (old and new wording).
NOT_SAVED = ("保存できません", "保存されませんでした")
#: The words of a 503 that says it is not known whether the change was saved.
UNCONFIRMED = ("確認できませんでした",)
SIGN_IN_LIMIT = 5


@dataclass
class Answer:
    kind: str
    t0: float
    t1: float
    status: int | None          # None: no HTTP answer (a socket error)
    code: str | None = None
    message: str | None = None
    member: int | None = None
    wanted: bool | None = None


class Load:
    """Threads sending requests until stopped; every answer kept with its times."""

    def __init__(self, stack: Stack):
        self.stack, self.answers, self.lock = stack, [], threading.Lock()
        self.stopping, self.threads = threading.Event(), []
        self.t0 = time.monotonic()

    def now(self) -> float:
        return time.monotonic() - self.t0

    def _record(self, answer: Answer) -> None:
        with self.lock:
            self.answers.append(answer)

    def _send(self, kind, method, path, headers, body=None, **extra) -> Answer:
        t0 = self.now()
        try:
            status, _, data = http(method, self.stack.url + path, headers=headers, body=body, timeout=15)
        except OSError as exc:
            answer = Answer(kind, t0, self.now(), None, code=type(exc).__name__, **extra)
        else:
            code = message = None
            if status >= 400:
                try:
                    payload = json.loads(data)
                    code, message = payload.get("error"), payload.get("message")
                except ValueError:
                    code = "not-json"
            answer = Answer(kind, t0, self.now(), status, code, message, **extra)
        self._record(answer)
        return answer

    def readers(self, n: int) -> None:
        """Token fetches, rotating through every signed-in member."""
        members = itertools.cycle(self.stack.members)
        pick = threading.Lock()

        def loop():
            while not self.stopping.is_set():
                with pick:
                    m = next(members)
                self._send("token", "GET", "/api/v1/me/token", {"Cookie": m.cookie}, member=m.id)
        self._start(n, loop)

    def writers(self, n: int, targets: queue.Queue) -> None:
        """Consent changes, each to a member of its own (taken from ``targets``)."""
        def loop():
            while not self.stopping.is_set():
                try:
                    m = targets.get_nowait()
                except queue.Empty:
                    return
                wanted = not m.limit_consent
                self._send("consent", "POST", "/api/v1/me/consent",
                           {"Cookie": m.cookie, "X-CSRFToken": m.csrf, "Content-Type": "application/json"},
                           json.dumps({"member": m.id, "consent": wanted}).encode(),
                           member=m.id, wanted=wanted)
        self._start(n, loop)

    def _start(self, n, loop) -> None:
        for _ in range(n):
            thread = threading.Thread(target=loop, daemon=True)
            thread.start()
            self.threads.append(thread)

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(30)


def _rate(answers: list[Answer], start: float, end: float) -> float:
    ok = sum(1 for a in answers if start <= a.t1 < end and a.status == 200)
    return ok / (end - start)


# -- 1. a worker killed ---------------------------------------------------------------------

def worker_killed(stack: Stack, seconds: float = 16, kill_at: float = 5) -> None:
    load = Load(stack)
    load.readers(6)
    time.sleep(kill_at)
    before = stack.app.workers()
    victim = before[0]
    killed_at = load.now()
    os.kill(victim, signal.SIGKILL)
    forked_at = None
    while load.now() < seconds:
        if forked_at is None:
            current = stack.app.workers()
            if len(current) == len(before) and victim not in current:
                forked_at = load.now()
        time.sleep(0.01)
    load.stop()
    answers = load.answers
    baseline = _rate(answers, 1, killed_at)
    recovered_at = None
    t = killed_at
    while t + 2 <= load.now():        # the first 2-second window at ≥ 90 % of before
        if _rate(answers, t, t + 2) >= 0.9 * baseline:
            recovered_at = t
            break
        t += 0.25
    timeline = " ".join(f"{_rate(answers, killed_at + k, killed_at + k + 1):.0f}"
                        for k in range(-3, int(seconds - killed_at) - 1))
    errors = [a for a in answers if a.status != 200]
    kinds = Counter(a.code if a.status is None else a.status for a in errors)
    print(f"\n1. kill -9 one of {len(before)} gunicorn workers (pid {victim}) after {killed_at:.1f} s of "
          f"token fetches (6 client threads, {seconds:.0f} s)")
    print(table([
        {"what": "token fetches answered 200", "value": f"{sum(a.status == 200 for a in answers):,}"},
        {"what": "errors (any non-200 or socket error)",
         "value": f"{len(errors)}" + (f" ({', '.join(f'{v}× {k}' for k, v in kinds.items())})" if kinds else "")},
        {"what": "throughput before the kill", "value": f"{baseline:.1f} req/s"},
        {"what": "throughput in the second after the kill",
         "value": f"{_rate(answers, killed_at, killed_at + 1):.1f} req/s"},
        {"what": "new worker forked by the master after",
         "value": f"{forked_at - killed_at:.2f} s" if forked_at else "not seen"},
        {"what": "throughput ≥ 90 % of before again (2 s average) after",
         "value": f"{max(0.0, recovered_at - killed_at):.2f} s" if recovered_at is not None else "not within the run"},
    ], [("what", "", ""), ("value", "", "")]))
    print(f"   req/s per second from 3 s before the kill: {timeline}")


# -- 2. PostgreSQL restarted ------------------------------------------------------------------

def database_restart(stack: Stack, targets: queue.Queue, label: str, restarts: int = 3,
                     every: float = 5, lead: float = 3) -> dict:
    """``restarts`` restarts, ``every`` seconds apart, after ``lead`` seconds of load."""
    load = Load(stack)
    load.readers(4)
    load.writers(4, targets)
    outages = []
    for i in range(restarts):
        time.sleep(max(0.0, lead + i * every - load.now()))
        down = load.now()
        stack.pg.restart()
        outages.append((down, load.now()))
    time.sleep(max(0.0, lead + restarts * every - load.now()))
    load.stop()
    ups = [up for _, up in outages]

    def clear_of_outages(a: Answer) -> bool:   # sent and answered while PostgreSQL was up
        return not any(a.t0 < up and a.t1 > down for down, up in outages)
    answers = load.answers
    # What the database holds for each write (each member was written once).
    written = {a.member: a for a in answers if a.kind == "consent"}
    held = dict(stack.sql("SELECT id, limit_consent FROM member WHERE id = ANY(:ids)", ids=list(written)))
    committed = {m: held[m] == a.wanted for m, a in written.items()}
    rows = []
    for kind in ("token", "consent"):
        mine = [a for a in answers if a.kind == kind]
        statuses = Counter("socket" if a.status is None else a.status for a in mine)
        failed = [a for a in mine if a.status != 200]
        after = [a for a in failed if clear_of_outages(a)]
        first_ok = [min((a.t1 for a in mine if a.status == 200 and a.t0 >= up), default=None) for up in ups]
        row = {"what": f"{label}: {'token fetch' if kind == 'token' else 'consent write'}",
               "outage": sum(up - down for down, up in outages),
               "answers": ", ".join(f"{v:,}×{k}" for k, v in sorted(statuses.items(), key=str)),
               "failed": len(failed), "after_up": len(after),
               "first_ok": max((t - up for t, up in zip(first_ok, ups) if t is not None), default=None)}
        if kind == "consent":
            acked = [a for a in mine if a.status == 200]
            row["acked"] = len(acked)
            row["lost"] = sum(1 for a in acked if not committed[a.member])
            says_not_saved = [a for a in mine if a.status == 503 and any(w in (a.message or "") for w in NOT_SAVED)]
            row["untrue_503"] = sum(1 for a in says_not_saved if committed[a.member])
            unconfirmed = [a for a in mine if a.status == 503 and any(w in (a.message or "") for w in UNCONFIRMED)]
            row["unconfirmed"] = f"{len(unconfirmed)} ({sum(committed[a.member] for a in unconfirmed)} committed)"
            explained = {id(a) for a in says_not_saved + unconfirmed}
            row["other_committed"] = sum(1 for a in failed if committed[a.member] and id(a) not in explained)
        rows.append(row)
    return {"rows": rows, "outages": [up - down for down, up in outages], "messages": Counter(
        (a.kind, a.status, a.code, a.message) for a in answers if a.status not in (200, None))}


def idle_restart(stack: Stack, label: str, n: int = 20) -> dict:
    """PostgreSQL restarted while nobody asks, then ``n`` token fetches one after another:
    do the pooled connections (dead now) cost the first requests?"""
    load = Load(stack)
    for m in stack.members[:4]:           # every worker has a pooled connection
        load._send("token", "GET", "/api/v1/me/token", {"Cookie": m.cookie})
    time.sleep(1)
    stack.pg.restart()
    time.sleep(1)
    load.answers.clear()
    for m in stack.members[4:4 + n]:
        load._send("token", "GET", "/api/v1/me/token", {"Cookie": m.cookie})
    statuses = Counter("socket" if a.status is None else a.status for a in load.answers)
    return {"what": f"{label}: restart while idle, then {n} token fetches",
            "answers": ", ".join(f"{v:,}×{k}" for k, v in sorted(statuses.items(), key=str)),
            "failed": n - statuses[200], "after_up": n - statuses[200]}


def database_restarts(stack: Stack) -> None:
    writable = [m for m in stack.members if m.limit_category]
    half = len(writable) // 2
    configured = stack.settings_app_default("SQLALCHEMY_ENGINE_OPTIONS")
    runs = [(f"configured {json.dumps(configured)}", writable[:half], {}),
            ("pool_pre_ping off", writable[half:],
             {"SQLALCHEMY_ENGINE_OPTIONS": {**configured, "pool_pre_ping": False}})]
    stack.pg.restart()       # once without load: its shutdown checkpoint writes the provisioning
    results, messages = [], Counter()
    for label, members, settings in runs:
        stack.restart_app(**settings)
        targets = queue.Queue()
        for m in members:
            targets.put(m)
        result = database_restart(stack, targets, label)
        result["rows"].append(idle_restart(stack, label))
        results.append(result)
        messages.update(result["messages"])
    print(f"\n2. pg_ctl restart -m fast during token fetches (4 threads) and consent writes (4 threads, "
          f"each write to its own member), 3 restarts 5 s apart per run; pg_ctl restart took "
          + ", ".join(f"{t:.1f}" for r in results for t in r["outages"]) + " s")
    print(table([row for r in results for row in r["rows"]], [
        ("what", "run", ""), ("outage", "PG restarting (s)", ".1f"), ("answers", "answers by status", ""), ("failed", "failed", "d"),
        ("after_up", "failed, PG up all along", "d"), ("first_ok", "first 200 after up, worst (s)", ".2f"),
        ("acked", "acked 200", "d"), ("lost", "acked but lost", "d"),
        ("untrue_503", "503 'not saved' but committed", "d"), ("unconfirmed", "503 'could not confirm'", ""),
        ("other_committed", "other failures committed", "d")]))
    print("   what the failed answers said:")
    for (kind, status, code, message), count in sorted(messages.items(), key=lambda x: -x[1]):
        print(f"   {count:>5}× {kind:<7} {status} {code}: {message}")


# -- 3. Redis restarted -------------------------------------------------------------------------

def _probe(stack: Stack, address: str, n: int) -> Counter:
    """``n`` sign-in option requests from one client address (X-Forwarded-For, from the trusted
    proxy), each on a new connection, so either worker may answer."""
    cookie, csrf = stack.anonymous_browser
    counts = Counter()
    for _ in range(n):
        try:
            status, _, _ = http("POST", stack.url + "/auth/member/login/options", body=b"{}", headers={
                "Cookie": cookie, "X-CSRFToken": csrf, "Content-Type": "application/json",
                "X-Forwarded-For": address})
        except OSError:
            status = "socket"
        counts[status] += 1
    return counts


def _ready(stack: Stack) -> str:
    status, _, body = http("GET", stack.url + "/readyz")
    return f"{status} {json.loads(body)['checks']['rate_limit_store']}"


def redis_restart(stack: Stack, label: str, settings: dict, addresses) -> list[dict]:
    stack.restart_app(SIGN_IN_RATE_LIMIT=f"{SIGN_IN_LIMIT} per minute", **settings)
    n = 3 * SIGN_IN_LIMIT
    fmt = lambda c: ", ".join(f"{v}×{k}" for k, v in sorted(c.items(), key=str))   # noqa: E731
    rows = []
    first = next(addresses)
    before = _probe(stack, first, n)
    rows.append({"run": label, "phase": "Redis up", "answers": fmt(before), "readyz": _ready(stack)})
    stack.redis.stop()
    down = _probe(stack, next(addresses), n)
    rows.append({"run": "", "phase": "Redis down", "answers": fmt(down), "readyz": _ready(stack)})
    stack.redis.start()
    started = time.monotonic()
    again = _probe(stack, next(addresses), n)
    rows.append({"run": "", "phase": "Redis back, at once", "answers": fmt(again), "readyz": _ready(stack)})
    shared_at = None        # first probe counted in Redis again (exactly the limit, over both workers)
    streak = 0
    while time.monotonic() - started < 75:
        c = _probe(stack, next(addresses), n)
        streak = streak + 1 if c[200] == SIGN_IN_LIMIT and c[429] == n - SIGN_IN_LIMIT else 0
        if streak == 1:
            shared_at = time.monotonic() - started
        if streak == 3:
            break
        time.sleep(0.5)
    rows.append({"run": "", "phase": "Redis back: shared limit again after",
                 "answers": f"{shared_at:.1f} s" if shared_at is not None and streak == 3 else "not within 75 s"})
    rows.append({"run": "", "phase": "the first client again (limited before the stop)",
                 "answers": fmt(_probe(stack, first, n))})
    return rows


def redis_restarts(stack: Stack) -> None:
    addresses = (f"203.0.113.{i}" for i in itertools.count(1))
    configured = {name: stack.settings_app_default(name)
                  for name in ("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", "RATELIMIT_SWALLOW_ERRORS")}
    configured = {k: bool(v) for k, v in configured.items()}       # unset: Flask-Limiter's False
    variants = [("configured: " + ", ".join(f"{k.removeprefix('RATELIMIT_')}={v}"
                                            for k, v in configured.items()), {})]
    for label, values in [("fail closed (no fallback, errors raised)", (False, False)),
                          ("fail open (errors swallowed)", (False, True)),
                          ("in-memory fallback per worker", (True, False))]:
        if tuple(configured.values()) != values:
            variants.append((label, dict(zip(configured, values))))
    rows = []
    for label, settings in variants:
        rows += redis_restart(stack, label, settings, addresses)
    print(f"\n3. Redis stopped and started between sign-in option requests (POST /auth/member/login/options, "
          f"limit {SIGN_IN_LIMIT} per minute per address; each probe {3 * SIGN_IN_LIMIT} requests from a new "
          f"address; {stack.workers} workers)")
    print(table(rows, [("run", "settings", ""), ("phase", "phase", ""), ("answers", "answers", ""),
                       ("readyz", "/readyz, rate_limit_store", "")]))


# -- 4. an import cut by a restart --------------------------------------------------------------

def import_cut(stack: Stack, n_rows: int) -> None:
    path = stack.members_csv(n_rows, seed=7, number_offset=1000)
    count = lambda table_name: stack.sql(f"SELECT count(*) FROM {table_name}")[0][0]   # noqa: E731
    before = {t: count(t) for t in ("member", "eligibility", "audit_entry")}
    t = time.monotonic()
    process = subprocess.Popen([PYTHON, "-c", CLI, "members", "import", str(path)], cwd=ROOT,
                               env=stack.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    writing_at, statement = None, None
    while process.poll() is None:      # cut it once its transaction has written (has an xid)
        rows = stack.sql("SELECT left(query, 40) FROM pg_stat_activity WHERE datname = 'shikaku' "
                         "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()")
        if rows:
            writing_at, statement = time.monotonic() - t, rows[0][0]
            time.sleep(0.3)
            break
        time.sleep(0.02)
    cut = None
    if writing_at is not None and process.poll() is None:
        statement = (stack.sql("SELECT left(query, 40) FROM pg_stat_activity WHERE datname = 'shikaku' "
                               "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()") or [[statement]])[0][0]
        stack.pg.restart()
        cut = time.monotonic() - t
    out, err = process.communicate(timeout=600)
    first = {"run": "import, PostgreSQL restarted", "exit": process.returncode, "seconds": time.monotonic() - t,
             "says": _last_words(out, err)}
    after_cut = {name: count(name) for name in before}
    first.update({k: after_cut[k] - before[k] for k in before})
    t = time.monotonic()
    rerun = stack.cli("members", "import", str(path), check=False, timeout=900)
    second = {"run": "rerun", "exit": rerun.returncode, "seconds": time.monotonic() - t,
              "says": _last_words(rerun.stdout, rerun.stderr)}
    after = {name: count(name) for name in before}
    second.update({k: after[k] - after_cut[k] for k in before})
    print(f"\n4. shikaku members import of {n_rows:,} rows (one transaction) into a register of "
          f"{before['member']:,} members; PostgreSQL restarted "
          + (f"{cut:.1f} s after the start, while the import's transaction ran \"{statement}…\""
             if cut else "— not done: the import had finished before it wrote"))
    print(table([first, second], [("run", "run", ""), ("exit", "exit", "d"), ("seconds", "seconds", ".1f"),
                                  ("member", "+members", ",d"), ("eligibility", "+eligibility", ",d"),
                                  ("audit_entry", "+audit entries", ",d"), ("says", "last line printed", "")]))
    ok = after_cut == before and after["member"] - before["member"] == n_rows
    print(f"   nothing half-written: {'yes' if after_cut == before else 'NO'}; rerun imported every row: "
          f"{'yes' if after['member'] - before['member'] == n_rows else 'NO'}" + ("" if ok else "  <-- check"))


def _last_words(out: str, err: str) -> str:
    """What the operator reads last: the exception line of a traceback, else the last line."""
    lines = [ln for ln in (err or "").splitlines() + (out or "").splitlines() if ln.strip()]
    raised = [ln for ln in lines if ln.startswith(("sqlalchemy.exc.", "psycopg.", "Traceback"))]
    if any(ln.startswith("Traceback") for ln in raised):
        exception = next((ln for ln in raised if not ln.startswith("Traceback")), "a traceback")
        return f"traceback: {exception}"[:100]
    return (lines or [""])[-1][:100]


# -- the stack's extras ----------------------------------------------------------------------------

class FaultStack(Stack):
    """The serving stack, plus restarting gunicorn with other settings, a browser that is not
    signed in, and the app's configured default of a setting."""

    def restart_app(self, **settings) -> None:
        self.app.stop()
        self.app = Gunicorn("server:create_app()", self.env(**settings), self.folder / "gunicorn.log",
                            port=self.app_port)
        self.app.wait_ready("/readyz")
        self.anonymous_browser = self.anonymous()

    def settings_app_default(self, name: str):
        from server import create_app
        app = create_app(dict(self.settings))
        value = app.config.get(name)
        from server.extensions import db
        with app.app_context():
            db.engine.dispose()
        return value


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=6000, help="members signed in (default 6000)")
    parser.add_argument("--import-rows", type=int, default=50_000, help="rows of the cut import (default 50000)")
    parser.add_argument("--only", default="1,2,3,4", help="scenarios to run (default 1,2,3,4)")
    parser.add_argument("--logs", help="copy gunicorn's, PostgreSQL's and Redis's logs into this folder")
    args = parser.parse_args(argv)
    only = {int(s) for s in args.only.split(",")}
    started = time.monotonic()
    # Behind one proxy (gunicorn trusts X-Forwarded-For from 127.0.0.1, config/gunicorn.conf.py),
    # so scenario 3 can speak for several client addresses.
    with FaultStack(members=args.members, hello=False, settings={"PROXY_FIX_HOPS": 1},
                    keep_logs=args.logs) as stack:
        stack.anonymous_browser = stack.anonymous()
        print(f"Faults: gunicorn {stack.workers} sync workers, ENV production, PostgreSQL "
              f"{stack.pg.bin.parent.name}, Redis, {len(stack.members):,} signed-in members; "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
        if 1 in only:
            worker_killed(stack)
        if 2 in only:
            database_restarts(stack)
        if 3 in only:
            redis_restarts(stack)
        if 4 in only:
            import_cut(stack, args.import_rows)
    print(f"\n(total {time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
