// The clinic's status-list sync (web/shared/clinic/status-sync.js) with a fake server made of
// the shared status vectors: which file it fetches, the adopt-together rule, a refused delta
// falling back to the snapshot, a failing snapshot failing the sync (the saved pair stays), the
// stored form read back only against the signed root, and the byte reader's progress.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';

import * as sync from '../shared/clinic/status-sync.js';
import { isRevoked, isVerifiedState, listKey, parseSnapshot } from '../shared/token/status-lists.js';

const doc = JSON.parse(await readFile(new URL('../../tests/vectors/vectors.json', import.meta.url), 'utf8'));
const { snapshots, deltas } = doc.status_vectors;
const bytes = (b64) => new Uint8Array(Buffer.from(b64, 'base64'));
const delta = (name) => bytes(deltas.find((d) => d.name === name).data);
const URL_ = 'https://ex.test/api/v1/trust-list';
const BASE = 'https://ex.test/api/v1/status/';
const MAIN = snapshots.main;
const NEXT = snapshots.next;
const listWith = (seq, root) => ({ status: { seq, root, url: 'status/' } });

/** A server of `files` (name → bytes, or an Error to throw); records what was asked. */
function server(files) {
  const asked = [];
  const fetchBytes = async (url, { onProgress } = {}) => {
    asked.push(url.slice(BASE.length));
    const file = files[url.slice(BASE.length)];
    if (file instanceof Error) throw file;
    onProgress?.({ loaded: file?.length ?? 0, total: file?.length ?? null });
    return file ?? null;
  };
  return { asked, fetchBytes };
}

const held = async (seq, snapshot) => ({ seq, root: snapshot.root, state: await parseSnapshot(bytes(snapshot.data), snapshot.root) });

describe('what to fetch', () => {
  test('the URLs resolve against the trust list\'s URL', () => {
    assert.deepEqual(sync.statusUrls(URL_, { seq: 7, url: 'status/' }, 5),
      { snapshot: `${BASE}7.snapshot`, delta: `${BASE}5-7.delta` });
    assert.equal(sync.statusUrls('https://cdn.test/x/trust-list.json', { seq: 7, url: '../s/' }).snapshot,
      'https://cdn.test/s/7.snapshot');
  });

  test('nothing, a delta or the snapshot', () => {
    const signed = { seq: 7, root: NEXT.root };
    assert.equal(sync.planSync(null, { seq: 6, root: MAIN.root }), 'none');
    assert.equal(sync.planSync(signed, { seq: 7, root: NEXT.root }), 'none');
    assert.equal(sync.planSync(signed, { seq: 6, root: MAIN.root }), 'delta');
    assert.equal(sync.planSync(signed, null), 'snapshot');
    assert.equal(sync.planSync(signed, { seq: 8, root: MAIN.root }), 'snapshot');   // a newer seq held: start over
  });
});

describe('syncStatus', () => {
  test('first visit: the snapshot, checked against the signed root', async () => {
    const { asked, fetchBytes } = server({ '7.snapshot': bytes(NEXT.data) });
    const got = await sync.syncStatus({ trustListUrl: URL_, list: listWith(7, NEXT.root), held: null, fetchBytes });
    assert.deepEqual(asked, ['7.snapshot']);
    assert.equal(got.how, 'snapshot');
    assert.equal(got.state.root, NEXT.root);
    assert.ok(isVerifiedState(got.state));
  });

  test('a newer list: the delta from the held seq, not the snapshot', async () => {
    const { asked, fetchBytes } = server({ '6-7.delta': delta('main_to_next'), '7.snapshot': bytes(NEXT.data) });
    const got = await sync.syncStatus({ trustListUrl: URL_, list: listWith(7, NEXT.root), held: await held(6, MAIN), fetchBytes });
    assert.deepEqual(asked, ['6-7.delta']);
    assert.equal(got.how, 'delta');
    assert.equal(got.state.root, NEXT.root);
  });

  test('the same root: nothing fetched, the held state kept', async () => {
    const { asked, fetchBytes } = server({});
    const pair = await held(6, MAIN);
    const got = await sync.syncStatus({ trustListUrl: URL_, list: listWith(6, MAIN.root), held: pair, fetchBytes });
    assert.deepEqual(asked, []);
    assert.equal(got.state, pair.state);
  });

  test('a list without status lists needs none', async () => {
    const got = await sync.syncStatus({ trustListUrl: URL_, list: { status: null }, held: await held(6, MAIN), fetchBytes: server({}).fetchBytes });
    assert.equal(got.state, null);
  });

  test('a delta the server does not have (404): the snapshot', async () => {
    const { asked, fetchBytes } = server({ '7.snapshot': bytes(NEXT.data) });
    const got = await sync.syncStatus({ trustListUrl: URL_, list: listWith(7, NEXT.root), held: await held(6, MAIN), fetchBytes });
    assert.deepEqual(asked, ['6-7.delta', '7.snapshot']);
    assert.equal(got.how, 'snapshot');
  });

  test('a refused delta (tampered: another root) falls back to the snapshot', async () => {
    const { asked, fetchBytes } = server({ '6-7.delta': delta('extra_flip'), '7.snapshot': bytes(NEXT.data) });
    const got = await sync.syncStatus({ trustListUrl: URL_, list: listWith(7, NEXT.root), held: await held(6, MAIN), fetchBytes });
    assert.deepEqual(asked, ['6-7.delta', '7.snapshot']);
    assert.equal(got.how, 'snapshot');
    assert.match(got.refused, /root/);
  });

  test('a refused delta and a bad snapshot: the sync fails and the held state is untouched', async () => {
    const pair = await held(6, MAIN);
    const { fetchBytes } = server({ '6-7.delta': delta('extra_flip'), '7.snapshot': bytes(snapshots.bit_flipped.data) });
    await assert.rejects(sync.syncStatus({ trustListUrl: URL_, list: listWith(7, NEXT.root), held: pair, fetchBytes }),
      sync.StatusListError);
    assert.equal(pair.state.root, MAIN.root);
    for (const [kind, group, shard, position, revoked] of MAIN.lookups) {
      assert.equal(isRevoked(pair.state, listKey(kind, group, shard), position), revoked);
    }
  });

  test('a failing network fails the sync (the caller keeps the old pair)', async () => {
    const { fetchBytes } = server({ '6-7.delta': new TypeError('Failed to fetch') });
    await assert.rejects(sync.syncStatus({ trustListUrl: URL_, list: listWith(7, NEXT.root), held: await held(6, MAIN), fetchBytes }),
      TypeError);
  });

  test('a snapshot the server does not have fails the sync', async () => {
    await assert.rejects(sync.syncStatus({ trustListUrl: URL_, list: listWith(7, NEXT.root), held: null,
      fetchBytes: server({}).fetchBytes }), sync.StatusListError);
  });
});

describe('the stored form', () => {
  test('a state after a delta, encoded and read back, is the same state', async () => {
    const { fetchBytes } = server({ '6-7.delta': delta('main_to_next') });
    const got = await sync.syncStatus({ trustListUrl: URL_, list: listWith(7, NEXT.root), held: await held(6, MAIN), fetchBytes });
    const stored = await sync.encodeSnapshot(got.state);
    const back = await sync.loadSnapshot(stored, NEXT.root);
    assert.equal(back.root, NEXT.root);
    for (const [kind, group, shard, position, revoked] of NEXT.lookups) {
      assert.equal(isRevoked(back, listKey(kind, group, shard), position), revoked);
    }
  });

  test('a downloaded snapshot is stored as it came', async () => {
    const state = await sync.loadSnapshot(bytes(MAIN.data), MAIN.root);
    assert.deepEqual(await sync.encodeSnapshot(state), bytes(MAIN.data));
  });

  test('a stored state is read back only for the root the saved list signs', async () => {
    await assert.rejects(sync.loadSnapshot(bytes(MAIN.data), NEXT.root), sync.StatusListError);
  });
});

describe('fetchBytes', () => {
  const respond = (body, headers = {}, status = 200) => async () => new Response(body, { status, headers });

  test('reports progress against Content-Length', async () => {
    const seen = [];
    const data = new Uint8Array(100_000).fill(7);
    const got = await sync.fetchBytes('x', { fetchImpl: respond(data, { 'Content-Length': '100000' }), onProgress: (p) => seen.push(p) });
    assert.deepEqual(got, data);
    assert.equal(seen.at(-1).loaded, 100_000);
    assert.deepEqual(seen[0], { loaded: 0, total: null });        // before the answer
    assert.ok(seen.slice(1).every((p) => p.total === 100_000));
  });

  test('without Content-Length the total is unknown', async () => {
    const seen = [];
    await sync.fetchBytes('x', { fetchImpl: respond(new Uint8Array(10)), onProgress: (p) => seen.push(p) });
    assert.ok(seen.every((p) => p.total === null));
  });

  test('404 is null, another error rejects', async () => {
    assert.equal(await sync.fetchBytes('x', { fetchImpl: respond('', {}, 404) }), null);
    await assert.rejects(sync.fetchBytes('x', { fetchImpl: respond('', {}, 500) }), /HTTP 500/);
  });
});
