"""Load benchmark: requests per second and latency of our endpoints under gunicorn, beside
Flask's hello world served the same way.

    .venv/bin/python -m bench.load [--duration 10] [--concurrency 1,8,32,128] [--members 1000]

Starts the production-like stack of bench/serving.py (PostgreSQL, Redis, gunicorn with
config/gunicorn.conf.py and WEB_CONCURRENCY workers, N members signed in), then runs Debian's
``wrk -t min(c,2) -c c -d DURATION --latency --timeout 5s`` against:

- hello world (bench/hello.py, same gunicorn settings): the floor of the stack;
- ``GET /healthz``: our app's cheapest answer (no database);
- ``GET /api/v1/trust-list`` with ``Accept-Encoding: gzip``: 200 with the signed list;
- the same with ``If-None-Match`` the current ETag: 304;
- ``GET /api/v1/me/token`` with a member's session cookie: a wrk Lua script rotates through
  every signed-in member's cookie, so it is not one member's token again and again.

Each endpoint is checked once by hand before it is measured (status, and a token's text for
the token fetch). Concurrencies are the outer loop, so every endpoint at one concurrency is
measured minutes apart at most. Errors: answers other than 2xx/3xx plus socket errors
(connect, read, write, timeouts). Nothing is asserted about speed. About 4 minutes at the
defaults.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.serving import Stack, http, table

#: The wrk script: optional rotating cookies, fixed headers, a count per status, and a JSON
#: summary line from done() (wrk's own text does not split errors by kind).
LUA = """
threads = {}
statuses = {}
counter = 0
local cookies = %(cookies)s
local headers = %(headers)s
local path = %(path)s

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  counter = id * 7919
end

function request()
  counter = counter + 1
  if #cookies > 0 then
    headers["Cookie"] = cookies[(counter %% #cookies) + 1]
  end
  return wrk.format("GET", path, headers)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local merged = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do
      merged[tostring(k)] = (merged[tostring(k)] or 0) + v
    end
  end
  local parts = {}
  for k, v in pairs(merged) do table.insert(parts, string.format('"%%s": %%d', k, v)) end
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests": %%d, "duration_us": %%d, "connect": %%d, "read": %%d, '
    .. '"write": %%d, "status": %%d, "timeout": %%d, "p50_us": %%d, "p99_us": %%d, "statuses": {%%s}}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), table.concat(parts, ", ")))
end
"""


def _lua_string(text: str) -> str:
    return json.dumps(text)          # a JSON string literal is a valid Lua string literal here


def _lua_table(items) -> str:
    if isinstance(items, dict):
        return "{" + ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in items.items()) + "}"
    return "{" + ",\n".join(_lua_string(v) for v in items) + "}"


def wrk(base: str, path: str, concurrency: int, duration: float, folder: Path, *,
        headers: dict | None = None, cookies: list[str] | None = None) -> dict:
    script = folder / f"wrk-{abs(hash((path, tuple(sorted((headers or {}).items())))))}.lua"
    script.write_text(LUA % {"cookies": _lua_table(cookies or []), "headers": _lua_table(headers or {}),
                             "path": _lua_string(path)})
    threads = min(concurrency, 2)
    result = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(concurrency), "-d", f"{int(duration)}s", "--latency",
         "--timeout", "5s", "-s", str(script), base + path],
        capture_output=True, text=True, timeout=duration + 60)
    line = next((ln for ln in result.stdout.splitlines() if ln.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no summary:\n{result.stdout}\n{result.stderr}")
    data = json.loads(line[len("WRKJSON "):])
    seconds = data["duration_us"] / 1e6
    data["rps"] = data["requests"] / seconds
    data["errors"] = data["status"] + data["connect"] + data["read"] + data["write"] + data["timeout"]
    return data


def endpoints(stack: Stack) -> list[dict]:
    """What is measured, each checked once by hand first."""
    status, headers, body = http("GET", stack.url + "/api/v1/trust-list",
                                 headers={"Accept-Encoding": "gzip"})
    assert status == 200 and headers.get("ETag"), (status, headers)
    etag = headers["ETag"]
    trust_list = {"Accept-Encoding": "gzip"}
    cookies = [m.cookie for m in stack.members]
    out = [
        {"name": "hello world (Flask)", "base": stack.hello_url, "path": "/", "expect": 200},
        {"name": "GET /healthz", "base": stack.url, "path": "/healthz", "expect": 200},
        {"name": "trust list 200 (gzip asked)", "base": stack.url, "path": "/api/v1/trust-list",
         "headers": trust_list, "expect": 200,
         "note": f"{len(body):,} bytes, Content-Encoding: {headers.get('Content-Encoding', 'none')}"},
        {"name": "trust list 304 (If-None-Match)", "base": stack.url, "path": "/api/v1/trust-list",
         "headers": {**trust_list, "If-None-Match": etag}, "expect": 304},
        {"name": "member token fetch", "base": stack.url, "path": "/api/v1/me/token",
         "cookies": cookies, "expect": 200, "note": f"rotating {len(cookies):,} members' sessions"},
    ]
    for e in out:
        for cookie in (e.get("cookies") or [None])[:3]:
            h = dict(e.get("headers") or {})
            if cookie:
                h["Cookie"] = cookie
            status, _, body = http("GET", e["base"] + e["path"], headers=h)
            assert status == e["expect"], (e["name"], status, body[:300])
            if e["path"] == "/api/v1/me/token":
                assert json.loads(body)["text"].startswith("8801"), body[:200]
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per run (default 10)")
    parser.add_argument("--concurrency", default="1,8,32,128",
                        help="comma-separated connection counts (default 1,8,32,128)")
    parser.add_argument("--members", type=int, default=1000, help="signed-in members (default 1000)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")),
                        help="gunicorn workers (default WEB_CONCURRENCY or 2)")
    args = parser.parse_args(argv)
    levels = [int(c) for c in args.concurrency.split(",")]

    started = time.monotonic()
    with Stack(members=args.members, workers=args.workers) as stack, \
            tempfile.TemporaryDirectory(prefix="shikaku-wrk-") as tmp:
        folder = Path(tmp)
        targets = endpoints(stack)
        for e in targets:                      # warm every worker up (imports, pools, caches)
            wrk(e["base"], e["path"], 8, 2, folder, headers=e.get("headers"), cookies=e.get("cookies"))
        wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
        print(f"Load: {wrk_version.split(' Copyright')[0]}; gunicorn sync workers: {args.workers} "
              f"(config/gunicorn.conf.py), ENV production, PostgreSQL {stack.pg.bin.parent.name} and Redis "
              f"on loopback; Python {platform.python_version()}, {os.cpu_count()} CPUs shared by wrk, "
              f"gunicorn and PostgreSQL; load average {os.getloadavg()[0]:.1f} at start; "
              f"{args.duration:g} s per run, wrk -t min(c,2) --timeout 5s")
        for e in targets:
            if e.get("note"):
                print(f"  {e['name']}: {e['note']}")
        rows, floor = [], {}
        for c in levels:
            for e in targets:
                r = wrk(e["base"], e["path"], c, args.duration, folder, headers=e.get("headers"),
                        cookies=e.get("cookies"))
                if e["base"] == stack.hello_url:
                    floor[c] = r["rps"]
                unexpected = {k: v for k, v in r["statuses"].items() if int(k) != e["expect"]}
                rows.append({"endpoint": e["name"], "c": c, "rps": r["rps"], "p50": r["p50_us"] / 1000,
                             "p99": r["p99_us"] / 1000, "errors": r["errors"],
                             "ratio": r["rps"] / floor[c] if floor.get(c) else None,
                             "detail": _detail(r, unexpected)})
                print(f"  {e['name']:<32} c={c:<4} {r['rps']:>8.1f} req/s", file=sys.stderr, flush=True)
        print()
        print(table(sorted(rows, key=lambda r: ([t["name"] for t in targets].index(r["endpoint"]), r["c"])),
                    [("endpoint", "endpoint", ""), ("c", "conc.", "d"), ("rps", "req/s", ",.1f"),
                     ("p50", "p50 ms", ".1f"), ("p99", "p99 ms", ".1f"), ("errors", "errors", ",d"),
                     ("ratio", "vs hello", ".3f"), ("detail", "", "")]))
    print(f"\n(total {time.monotonic() - started:.0f} s; errors = non-2xx/3xx answers + socket errors; "
          f"'vs hello' = req/s ÷ hello world's req/s at the same concurrency)")


def _detail(r: dict, unexpected: dict) -> str:
    parts = [f"{v:,}×{k}" for k, v in sorted(unexpected.items())]
    parts += [f"{r[kind]:,} {kind}" for kind in ("connect", "read", "write", "timeout") if r[kind]]
    return ", ".join(parts)


if __name__ == "__main__":
    main()
