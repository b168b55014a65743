"""Status lists and token format version 2, measured: sizes, build, apply, lookup, QR.

    .venv/bin/python -m bench.status_lists_bench [--members 7000000] [--insurers 300] [--seed 1]

Uses the token core's own formats (server/token_core/status_lists.py, web/shared/token/
status-lists.js) on the lists of bench.national's simulation (same population model, phone
lists per insurer in 2^20-index shards, card lists per 30-day expiry block):

  A) one 2^20-index shard with 0.3 % of its bits set: raw, its snapshot entry, a day's delta
  B) the whole state: snapshot bytes (split by list kind and encoding), a 1-day and a 7-day
     delta, Python build / parse / apply /
     lookup; Node and headless Chromium (the JS twin loaded from a live server, as the clinic
     page loads it): parseSnapshot / applyDelta / isRevoked and verify() of a version-2 token
  C) the QR: version-1 against version-2 texts for the token bench's population (segno, level M)

Prints tables; nothing is asserted. Times vary ±30 % on a shared machine.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np
from cryptography.hazmat.primitives.asymmetric import ec

from bench import national
from bench.population import population
from bench.token_bench import percentile, qr_version
from server.token_core import digits, issue
from server.token_core import status_lists as sl
from server.token_core.keys import public_jwk, signing_key
from server.token_core.status_lists import ListKey, StatusList, StatusState

ROOT = Path(__file__).resolve().parent.parent
STATUS_JS = ROOT / "web" / "shared" / "token" / "status-lists.js"
VERIFIER_JS = ROOT / "web" / "shared" / "verifier.js"
TRUST_JS = ROOT / "web" / "shared" / "trust-list.js"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=7_000_000)
    parser.add_argument("--insurers", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--qr-members", type=int, default=2000)
    args = parser.parse_args(argv)
    print(f"Python {sys.version.split()[0]}, node {_node_version()}")
    one_shard(args.seed)
    whole_state(args)
    qr_sizes(args)
    return 0


# -- A) one shard -------------------------------------------------------------------------------

def one_shard(seed: int) -> None:
    rng = random.Random(seed)
    n = sl.MAX_LIST_BITS
    revoked = set(rng.sample(range(n), round(n * 0.003)))
    key = ListKey(1, 6138093, 0)
    old = StatusState({key: StatusList.from_positions(n, revoked)})
    # a day at 5 %/year churn: n * 0.05 / 365 losses set, as many bits cleared (quarantine over)
    day = round(n * 0.05 / 365)
    changed = set(rng.sample(sorted(revoked), day)) | set(rng.sample(range(n), day))
    new = StatusState({key: StatusList.from_positions(n, revoked ^ changed)})
    snapshot, delta = sl.build_snapshot(old), sl.build_delta(old, new)
    print(f"\nA) one shard of 2^20 indexes, {len(revoked):,} set (0.3 %)")
    encoding = ("zlib 9", "Rice")[snapshot[8 + 11]]
    print(f"   raw {n // 8:,} B; snapshot ({encoding} + 16 B framing) {len(snapshot):,} B"
          f" (zlib 9 alone {len(zlib.compress(old.lists[key].bits, 9)) + 24:,} B);"
          f" entropy floor {_entropy_bytes(n, len(revoked)):,.0f} B")
    print(f"   a day's delta ({len(changed)} bits flipped): {len(delta):,} B")


def _entropy_bytes(n: int, ones: int) -> float:
    p = ones / n
    return -n * (p * np.log2(p) + (1 - p) * np.log2(1 - p)) / 8


# -- B) the whole state -------------------------------------------------------------------------

def to_state(sim: national.Simulation) -> StatusState:
    """bench.national's lists under the format's list keys: phone (1, insurer number, shard),
    card (2, expiry block, 0). Insurer numbers are synthetic 8-digit ones."""
    lists = {}
    for key, (n, packed) in sim.snapshot().items():
        if key >= national.CARD_KEY:
            if n == 0:
                continue
            list_key = ListKey(2, key - national.CARD_KEY, 0)
        else:
            list_key = ListKey(1, 10_000_000 + key // 64, key % 64)
        lists[list_key] = StatusList(n, packed)
    return StatusState(lists)


def timed(fn, repeat=3):
    best = None
    for _ in range(repeat):
        started = time.perf_counter()
        value = fn()
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return best, value


def whole_state(args) -> None:
    print(f"\nB) the state for {args.members:,} members, {args.insurers} insurers "
          f"(bench.national's model, seed {args.seed})")
    started = time.perf_counter()
    sim = national.Simulation(args.members, args.insurers, 0.05, 0.3, args.seed)
    for _ in range(national.REVOKED_DAYS + national.LIST_AGE_DAYS):
        sim.step()
    states = [to_state(sim)]
    for _ in range(7):
        sim.step()
        states.append(to_state(sim))
    print(f"   simulated in {time.perf_counter() - started:.1f} s")
    state, day1, day7 = states[0], states[1], states[7]
    phone = [k for k in state.lists if k.kind == 1]
    raw = sum(len(s.bits) for s in state.lists.values())
    t_build, snapshot = timed(lambda: sl.build_snapshot(state), 1)
    t_root, _ = timed(lambda: StatusState(dict(state.lists)).root, 1)
    t_delta, delta1 = timed(lambda: sl.build_delta(state, day1), 1)
    delta7 = sl.build_delta(state, day7)
    t_parse, parsed = timed(lambda: sl.parse_snapshot(snapshot, expected_root=state.root), 1)
    t_apply, applied = timed(lambda: sl.apply_delta(parsed, delta1, expected_root=day1.root), 3)
    assert applied.root == day1.root
    rng = random.Random(args.seed)
    keys = list(state.lists)
    probes = [(k, rng.randrange(state.lists[k].length)) for k in rng.choices(keys, k=100_000)]
    started = time.perf_counter()
    for k, p in probes:
        state.is_revoked(k, p)
    lookup_us = (time.perf_counter() - started) / len(probes) * 1e6
    rows = [
        ("lists (phone + card)", f"{len(state.lists):,} ({len(phone):,} + {len(state.lists) - len(phone):,})"),
        ("bits", f"{sum(s.length for s in state.lists.values()):,}"),
        ("raw bitstrings", f"{raw:,} B"),
        ("directory (43 B a list)", f"{len(state.directory()):,} B"),
        ("snapshot", f"{len(snapshot):,} B"),
        *snapshot_rows(snapshot),
        ("delta, 1 day", f"{len(delta1):,} B"),
        ("delta, 7 days", f"{len(delta7):,} B"),
        ("Python build_snapshot (zlib 9 and Rice)", f"{t_build:.2f} s"),
        ("Python digests + directory + root", f"{t_root * 1000:.0f} ms"),
        ("Python build_delta, 1 day", f"{t_delta:.2f} s"),
        ("Python parse_snapshot (decode, SHA-256, root)", f"{t_parse:.2f} s"),
        ("Python apply_delta, 1 day (best of 3)", f"{t_apply * 1000:.0f} ms"),
        ("Python is_revoked", f"{lookup_us:.2f} µs"),
    ]
    meta = js_meta(state, day1, probes)
    rows += js_rows("Node", run_node(meta, snapshot, delta1))
    rows += js_rows("Chromium", run_chromium(meta, snapshot, delta1))
    width = max(len(r[0]) for r in rows)
    for name, value in rows:
        print(f"   {name:<{width}}  {value:>14}")


def snapshot_rows(snapshot: bytes) -> list:
    """The snapshot's bytes by list kind and encoding (each list with its 16 bytes of framing),
    read from its framing."""
    split, at = {}, 8
    for _ in range(int.from_bytes(snapshot[4:8], "big")):
        kind, encoding = snapshot[at], snapshot[at + 11]
        size = 16 + int.from_bytes(snapshot[at + 12:at + 16], "big")
        count, total = split.get((kind, encoding), (0, 0))
        split[(kind, encoding)] = (count + 1, total + size)
        at += size
    names = {1: "phone", 2: "card"}
    return [(f"  {names[kind]} lists in {('zlib', 'Rice')[encoding]}", f"{count:,}: {total:,} B")
            for (kind, encoding), (count, total) in sorted(split.items())]


JS_BODY = """
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
let t = performance.now();
const state = await sl.parseSnapshot(snapshot, meta.root);
const parseMs = performance.now() - t;
const applies = [];
for (let i = 0; i < 5; i++) {
  t = performance.now();
  await sl.applyDelta(state, delta, meta.next_root);
  applies.push(performance.now() - t);
}
const probes = meta.probes.map(([kind, group, shard, position]) => [sl.listKey(kind, group, shard), position]);
t = performance.now();
let hits = 0;
for (let r = 0; r < 10; r++) for (const [key, position] of probes) hits += sl.isRevoked(state, key, position);
const lookupNs = (performance.now() - t) / (10 * probes.length) * 1e6;
const list = await parseTrustList(meta.trust_list);
const times = [];
let status;
for (let i = 0; i < 1000; i++) {
  t = performance.now();
  status = (await verify(meta.token, list, { now: meta.now, status: state })).status;
  times.push(performance.now() - t);
}
const measured = { parseMs, applyMs: median(applies), lookupNs, verifyMs: median(times), status, hits };
"""

NODE_SCRIPT = """
import { readFileSync } from 'node:fs';
const sl = await import(process.argv[2]);
const { verify } = await import(process.argv[3]);
const { parseTrustList } = await import(process.argv[4]);
const dir = process.argv[5];
const meta = JSON.parse(readFileSync(`${dir}/meta.json`, 'utf8'));
const snapshot = new Uint8Array(readFileSync(`${dir}/snapshot`));
const delta = new Uint8Array(readFileSync(`${dir}/delta`));
""" + JS_BODY + """
console.log(JSON.stringify(measured));
"""

CHROMIUM_RUN = """async ({meta}) => {
  const sl = await import('/shared/token/status-lists.js');
  const { verify } = await import('/shared/verifier.js');
  const { parseTrustList } = await import('/shared/trust-list.js');
  const snapshot = new Uint8Array(await (await fetch('/__status-bench__/snapshot')).arrayBuffer());
  const delta = new Uint8Array(await (await fetch('/__status-bench__/delta')).arrayBuffer());
""" + JS_BODY + """
  return measured;
}"""

PAGE = """<!doctype html><html lang="ja"><head><meta charset="utf-8">
<script type="importmap">{"imports": {"cborg": "/vendor/cborg/cborg.js"}}</script>
<title>status bench</title></head><body></body></html>"""


def js_meta(state, next_state, probes) -> dict:
    """A version-2 token whose bit is set, a trust list with the state's root, the probes."""
    from datetime import date

    from server.token_core import Claims, DocumentKind, Relationship, Sex, TrustedKey, TrustList
    from server.token_core.trust_list import StatusRoot
    private = ec.derive_private_key(int.from_bytes(hashlib.sha256(b"bench").digest(), "big") % 2**255,
                                    ec.SECP256R1())
    key = signing_key(private)
    phone = next(k for k in state.lists if k.kind == 1 and state.lists[k].positions())
    position = state.lists[phone].positions()[0]
    now = 1_795_000_000
    claims = Claims(insurer_number=str(phone.group), symbol="1234", number="5678", branch="00",
                    relationship=Relationship.INSURED, name="資格 太郎", sex=Sex.MALE,
                    birth_date=date(1980, 1, 1), acquired_on=date(2020, 4, 1), copay_ratio=30,
                    copay_from=date(2020, 4, 1), kind=DocumentKind.NOTICE, issued_at=now - 60,
                    expires_at=now + 7 * 86_400, status_index=(phone.shard << 20) + position)
    trust = TrustList(issued_at=now - 600, expires_at=now + 2 * 86_400, grace=14 * 86_400,
                      insurers={claims.insurer_number: "bench"},
                      keys=(TrustedKey(kid=key.kid, public_key=private.public_key(),
                                       insurers=frozenset([claims.insurer_number]),
                                       signs_from=now - 86_400, signs_until=None),),
                      revocations={}, status=StatusRoot(1, state.root, "status/"))
    return {"root": state.root.hex(), "next_root": next_state.root.hex(), "now": now,
            "probes": [[*k, p] for k, p in probes[:20_000]], "token": issue(claims, key),
            "trust_list": trust.to_json()}


def run_node(meta, snapshot, delta) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "snapshot").write_bytes(snapshot)
        Path(tmp, "delta").write_bytes(delta)
        Path(tmp, "meta.json").write_text(json.dumps(meta))
        Path(tmp, "run.mjs").write_text(NODE_SCRIPT)
        out = subprocess.run(["node", str(Path(tmp, "run.mjs")), STATUS_JS.as_uri(),
                              VERIFIER_JS.as_uri(), TRUST_JS.as_uri(), tmp],
                             capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def run_chromium(meta, snapshot, delta) -> dict | None:
    """The JS twin in headless Chromium, its modules from a live server (as bench.js_verify_bench)."""
    import logging
    import shutil
    import threading

    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from bench.js_verify_bench import _free_port
    from server import create_app
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        return None
    logging.getLogger("alembic").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="status-bench-") as tmp:
        port = _free_port()
        url = f"http://localhost:{port}"
        app = create_app({"TESTING": True, "INSTANCE_PATH": Path(tmp) / "instance", "PUBLIC_URL": url})
        for name in ("werkzeug", "alembic", "shikaku"):     # no server log in the table
            logging.getLogger(name).setLevel(logging.ERROR)
        server = make_server("127.0.0.1", port, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=executable, headless=True)
                try:
                    page = browser.new_page()
                    page.route(f"{url}/__status-bench__/page", lambda route: route.fulfill(
                        status=200, content_type="text/html; charset=utf-8", body=PAGE))
                    for name, body in (("snapshot", snapshot), ("delta", delta)):
                        page.route(f"{url}/__status-bench__/{name}", lambda route, request, body=body:
                                   route.fulfill(status=200, body=body,
                                                 content_type="application/octet-stream"))
                    page.goto(f"{url}/__status-bench__/page")
                    return page.evaluate(CHROMIUM_RUN, {"meta": meta})
                finally:
                    browser.close()
        finally:
            server.shutdown()
            thread.join(5)


def js_rows(engine: str, r: dict | None) -> list:
    if r is None:
        return [(f"{engine}", "not run")]
    assert r["status"] == "revoked", r
    return [(f"{engine} parseSnapshot (decode, SHA-256, root)", f"{r['parseMs'] / 1000:.2f} s"),
            (f"{engine} applyDelta, 1 day (median of 5)", f"{r['applyMs']:.0f} ms"),
            (f"{engine} isRevoked", f"{r['lookupNs']:.0f} ns"),
            (f"{engine} verify(), v2 token, revoked bit (median)", f"{r['verifyMs']:.3f} ms")]


def _node_version() -> str:
    try:
        return subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "absent"


# -- C) QR ----------------------------------------------------------------------------------------

def qr_sizes(args) -> None:
    private = ec.derive_private_key(
        int.from_bytes(hashlib.sha256(f"bench-key:{args.seed}".encode()).digest(), "big") % 2**255,
        ec.SECP256R1())
    key = signing_key(private)
    members = list(population(args.qr_members, args.seed))
    rng = random.Random(args.seed)
    cases = {"version 1 (rid, 8801)": [issue(m, key) for m in members]}
    for label, top in (("version 2, index < 2^16", 2**16), ("version 2, index < 2^25 (協会けんぽ-sized)", 2**25),
                       ("version 2, index < 2^32 (the limit)", 2**32)):
        texts = []
        for m in members:
            v2 = m.__class__(**{**{f: getattr(m, f) for f in m.__dataclass_fields__},
                                "revocation_id": None,
                                "status_index": rng.randrange(top // 2, top)})
            texts.append(issue(v2, key))
        cases[label] = texts
    print(f"\nC) QR, {len(members):,} members of bench.population (seed {args.seed}), level M")
    print(f"   {'token':<42} {'digits median/p95/max':>24} {'QR version median/p95/max':>28}  ≤ V9")
    for label, texts in cases.items():
        lengths = [len(t) for t in texts]
        versions = [qr_version(t) for t in texts]
        fits = sum(v <= 9 for v in versions)
        print(f"   {label:<42} {statistics.median(lengths):>8.0f} / {percentile(lengths, 95)} / "
              f"{max(lengths):<6} {statistics.median(versions):>12.0f} / {percentile(versions, 95)} / "
              f"{max(versions):<6} {fits:,}/{len(versions):,}")
    assert all(t.startswith(digits.HEADER_V2) for t in cases["version 2, index < 2^16"])


if __name__ == "__main__":
    sys.exit(main())
