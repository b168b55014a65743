"""The JavaScript verifier (web/shared/verifier.js) inside real Chromium, on every shared vector.

Node runs the same module on the same file (web/test/verifier.test.js); the Python core runs it
in tests/test_vectors.py. Here the modules are loaded from the live server exactly as a page
loads them: /shared/verifier.js, /shared/trust-list.js, and cborg through the import map that
every page using the verifier must declare ({"cborg": "/vendor/cborg/cborg.js"}).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

DOC = json.loads((Path(__file__).parent / "vectors" / "vectors.json").read_text(encoding="utf-8"))

#: What a page must put before its first module script to use the verifier.
IMPORT_MAP = {"imports": {"cborg": "/vendor/cborg/cborg.js"}}

#: A blank page on the live server's origin, with the import map and no other script.
PAGE = f"""<!doctype html><html lang="ja"><head><meta charset="utf-8">
<script type="importmap">{json.dumps(IMPORT_MAP)}</script>
<title>vectors</title></head><body></body></html>"""

RUN_ALL = """async ({doc, timeoutMs}) => {
  const work = (async () => {
    const { verify } = await import('/shared/verifier.js');
    const { verifyTrustList } = await import('/shared/trust-list.js');
    const { parseSnapshot } = await import('/shared/token/status-lists.js');
    const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const lists = new Map();
    const states = new Map();
    const results = {};
    for (const v of doc.vectors) {
      if (!lists.has(v.trust_list)) {
        lists.set(v.trust_list, await verifyTrustList(doc.trust_lists[v.trust_list], doc.anchor));
      }
      let status = null;
      if (v.status !== undefined) {
        const s = doc.status_vectors.snapshots[v.status];
        if (!states.has(v.status)) states.set(v.status, await parseSnapshot(bytes(s.data), s.root));
        status = states.get(v.status);
      }
      const r = await verify(v.token, lists.get(v.trust_list),
                             { now: v.now, skew: v.skew ?? doc.default_skew, status });
      results[v.name] = { status: r.status, warnings: [...r.warnings].sort(), claims: r.claims,
                          kid: r.kid, insurer_name: r.insurerName, detail: r.detail,
                          frozen: Object.isFrozen(r) };
    }
    return results;
  })();
  const timeout = new Promise((_, reject) =>
    setTimeout(() => reject(new Error(`vectors did not finish in ${timeoutMs} ms`)), timeoutMs));
  return Promise.race([work, timeout]);
}"""


@pytest.fixture
def vector_page(live_server, page):
    """A page on the live server's origin (so /shared/ and /vendor/ resolve) with the import map."""
    url = f"{live_server.url}/__js-vectors__"
    page.route(url, lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8",
                                                body=PAGE))
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(url)
    page.requests = requests
    return page


def test_every_vector_in_chromium(vector_page, live_server):
    results = vector_page.evaluate(RUN_ALL, {"doc": DOC, "timeoutMs": 30_000})
    assert set(results) == {v["name"] for v in DOC["vectors"]}
    failures = []
    for vector in DOC["vectors"]:
        expected, got = vector["expected"], results[vector["name"]]
        actual = {"status": got["status"], "warnings": got["warnings"], "claims": got["claims"],
                  "kid": got["kid"], "insurer_name": got["insurer_name"]}
        wanted = {**expected, "warnings": sorted(expected["warnings"])}
        if actual != wanted or not got["frozen"]:
            failures.append(f"{vector['name']}: expected {wanted}, got {actual} ({got['detail']})")
    assert not failures, "\n".join(failures)
    # cborg came from the server's vendor route, through the import map.
    assert f"{live_server.url}/vendor/cborg/cborg.js" in vector_page.requests


LIST_VERDICTS = """async ({doc}) => {
  const { verifyTrustList } = await import('/shared/trust-list.js');
  const { FORBIDDEN_TEXT_RANGES } = await import('/shared/token/claims.js');
  const verdicts = {};
  for (const v of doc.trust_list_vectors) {
    try {
      await verifyTrustList(doc.trust_lists[v.trust_list], doc.anchor);
      verdicts[v.name] = 'accepted';
    } catch (error) {
      verdicts[v.name] = error?.name === 'Error' && error.constructor.name === 'TrustListError'
        ? 'rejected' : `threw ${error?.constructor?.name}: ${error?.message}`;
    }
  }
  return { verdicts, ranges: FORBIDDEN_TEXT_RANGES.map((r) => [...r]) };
}"""


def test_every_trust_list_vector_in_chromium(vector_page):
    """Strict JSON (duplicate names, integer-only numbers, depth) and the list's structure
    decide the same in the browser's JSON.parse + scan as in Python's json."""
    got = vector_page.evaluate(LIST_VERDICTS, {"doc": DOC})
    assert got["verdicts"] == {v["name"]: v["expected"] for v in DOC["trust_list_vectors"]}
    assert got["ranges"] == DOC["forbidden_text_ranges"]


def test_chromium_covers_every_status_and_warning(vector_page):
    statuses, warnings = vector_page.evaluate("""async () => {
      const { STATUS, WARNING } = await import('/shared/verifier.js');
      return [Object.values(STATUS), Object.values(WARNING)];
    }""")
    assert set(statuses) == {v["expected"]["status"] for v in DOC["vectors"]}
    assert set(warnings) == {w for v in DOC["vectors"] for w in v["expected"]["warnings"]}


STATUS_VERDICTS = """async ({doc}) => {
  const sl = await import('/shared/token/status-lists.js');
  const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const lookups = (state, probes) => probes.map(([kind, group, shard, position]) =>
    [kind, group, shard, position, sl.isRevoked(state, sl.listKey(kind, group, shard), position)]);
  const outcome = async (promise, probes) => {
    try {
      const state = await promise;
      return { verdict: 'accepted', root: state.root, lookups: probes ? lookups(state, probes) : null };
    } catch (error) {
      return { verdict: error instanceof sl.StatusListError ? 'rejected'
        : `threw ${error?.constructor?.name}: ${error?.message}` };
    }
  };
  const { snapshots, deltas } = doc.status_vectors;
  const got = { snapshots: {}, deltas: {} };
  for (const [name, v] of Object.entries(snapshots)) {
    got.snapshots[name] = await outcome(sl.parseSnapshot(bytes(v.data), v.root), v.lookups);
  }
  for (const v of deltas) {
    const base = await sl.parseSnapshot(bytes(snapshots[v.base].data), snapshots[v.base].root);
    got.deltas[v.name] = await outcome(sl.applyDelta(base, bytes(v.data), v.root), v.lookups);
  }
  return got;
}"""


def test_every_status_vector_in_chromium(vector_page):
    """Snapshots and deltas: the same verdicts, roots and lookups with Chromium's WebCrypto and
    DecompressionStream as with Python's hashlib and zlib."""
    got = vector_page.evaluate(STATUS_VERDICTS, {"doc": DOC})
    status = DOC["status_vectors"]
    for name, vector in status["snapshots"].items():
        wanted = {"verdict": vector["expected"]}
        if vector["expected"] == "accepted":
            wanted.update(root=vector["root"], lookups=vector["lookups"])
        assert {k: v for k, v in got["snapshots"][name].items() if v is not None} == wanted, name
    for vector in status["deltas"]:
        wanted = {"verdict": vector["expected"]}
        if vector["expected"] == "accepted":
            wanted.update(root=vector["root"], lookups=vector["lookups"])
        assert {k: v for k, v in got["deltas"][vector["name"]].items() if v is not None} == wanted, \
            vector["name"]
