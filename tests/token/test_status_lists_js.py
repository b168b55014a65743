"""Python and JavaScript read status lists alike, beyond the fixed vectors: random states, their
snapshots and deltas, and mutated ones (a byte changed, dropped or added inside the inflated
delta or anywhere in a snapshot), each given to both readers (server/token_core/status_lists.py
and web/shared/token/status-lists.js, in Node). For a mutated input the expected root is the one
Python's reader computes when the structure passes, so that the two must agree on the structure
rules themselves, not only on the root check. The states hold sparse lists (Rice, encoding 1) and
runs of set bits (zlib, encoding 0), so mutations reach both decoders.
"""
import base64
import json
import random
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest

from server.token_core import status_lists as sl
from server.token_core.errors import StatusListError
from server.token_core.status_lists import ListKey, StatusList, StatusState

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")

MODULE = Path(__file__).resolve().parents[2] / "web" / "shared" / "token" / "status-lists.js"
KEYS = [ListKey(1, 6138093, 0), ListKey(1, 6138093, 1), ListKey(1, 138156, 0),
        ListKey(2, 700, 0), ListKey(2, 701, 3)]

SCRIPT = r"""
import { readFileSync } from 'node:fs';
const sl = await import(process.argv.at(-1));
const cases = JSON.parse(readFileSync(0, 'utf8'));
const bytes = (b64) => new Uint8Array(Buffer.from(b64, 'base64'));
const out = [];
for (const c of cases) {
  try {
    let state = await sl.parseSnapshot(bytes(c.snapshot), c.snapshot_root);
    if (c.delta !== undefined) state = await sl.applyDelta(state, bytes(c.delta), c.delta_root);
    out.push({ verdict: 'accepted', root: state.root,
      lookups: c.probes.map(([k, g, s, p]) => sl.isRevoked(state, sl.listKey(k, g, s), p)) });
  } catch (error) {
    out.push({ verdict: error instanceof sl.StatusListError ? 'rejected'
      : `threw ${error?.constructor?.name}: ${error?.message}` });
  }
}
process.stdout.write(JSON.stringify(out));
"""


def random_state(rng: random.Random) -> StatusState:
    lists = {}
    for key in rng.sample(KEYS, rng.randint(0, len(KEYS))):
        length = rng.choice([1, 7, 8, 9, rng.randint(1, 5000)])
        bits = set(rng.sample(range(length), rng.randint(0, min(length, 30))))
        if rng.random() < 0.3:              # a run of set bits: zlib (encoding 0) is shorter
            start = rng.randrange(length)
            bits |= set(range(start, rng.randint(start, length)))
        lists[key] = StatusList.from_positions(length, bits)
    return StatusState(lists)


def mutate(data: bytes, rng: random.Random) -> bytes:
    data = bytearray(data)
    at = rng.randrange(len(data) + 1)
    how = rng.choice(["flip", "drop", "add", "zero"])
    if how == "flip" and at < len(data):
        data[at] ^= 1 << rng.randrange(8)
    elif how == "drop" and at < len(data):
        del data[at]
    elif how == "zero" and at < len(data):
        data[at] = 0
    else:
        data.insert(at, rng.randrange(256))
    return bytes(data)


def probes(rng: random.Random) -> list:
    return [[*rng.choice(KEYS), rng.choice([0, 1, 7, 8, rng.randrange(5000)])] for _ in range(12)]


def python_outcome(case: dict, base: StatusState | None) -> dict:
    try:
        state = sl.parse_snapshot(base64.b64decode(case["snapshot"]),
                                  expected_root=bytes.fromhex(case["snapshot_root"]))
        if "delta" in case:
            state = sl.apply_delta(state, base64.b64decode(case["delta"]),
                                   expected_root=bytes.fromhex(case["delta_root"]))
    except StatusListError:
        return {"verdict": "rejected"}
    return {"verdict": "accepted", "root": state.root.hex(),
            "lookups": [state.is_revoked(ListKey(*p[:3]), p[3]) for p in case["probes"]]}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def build_cases(seed: int, n: int) -> list[tuple[dict, StatusState | None]]:
    rng = random.Random(seed)
    cases = []
    for _ in range(n):
        old, new = random_state(rng), random_state(rng)
        snapshot, delta = sl.build_snapshot(old), sl.build_delta(old, new)
        good = {"snapshot": b64(snapshot), "snapshot_root": old.root.hex(), "probes": probes(rng)}
        cases.append(({**good, "delta": b64(delta), "delta_root": new.root.hex()}, old))
        # a mutated delta body, recompressed: the root to expect is the one its structure gives
        body = mutate(zlib.decompress(delta), rng)
        try:
            root = sl.read_delta(old, zlib.compress(body, 9)).root
        except StatusListError:
            root = new.root
        cases.append(({**good, "delta": b64(zlib.compress(body, 9)), "delta_root": root.hex()},
                      old))
        # a mutated snapshot, anywhere (framing or zlib data)
        bad = mutate(snapshot, rng)
        try:
            root = sl.read_snapshot(bad).root
        except StatusListError:
            root = old.root
        cases.append(({**good, "snapshot": b64(bad), "snapshot_root": root.hex()}, None))
    return cases


def test_node_reads_what_python_reads():
    cases = build_cases(seed=11, n=120)
    run = subprocess.run(["node", "--input-type=module", "-e", SCRIPT, "--", MODULE.as_uri()],
                         input=json.dumps([c for c, _ in cases]), capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    got = json.loads(run.stdout)
    assert len(got) == len(cases)
    expected = [python_outcome(case, base) for case, base in cases]
    differ = [(i, e, g) for i, (e, g) in enumerate(zip(expected, got)) if e != g]
    assert not differ, differ[:5]
    verdicts = [e["verdict"] for e in expected]
    # the mutations reach both outcomes, and the good cases are all accepted
    assert verdicts.count("rejected") > 50 and verdicts.count("accepted") > 150
    assert all(v == "accepted" for v in verdicts[0::3])
    # both encodings are read (and mutated)
    used = {sl.encode_list(s)[0] for case, _ in cases[0::3]
            for s in sl.read_snapshot(base64.b64decode(case["snapshot"])).lists.values()}
    assert used == {sl.ENCODING_ZLIB, sl.ENCODING_RICE}
