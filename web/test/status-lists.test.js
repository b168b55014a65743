// Status lists (web/shared/token/status-lists.js) on the shared status vectors
// (tests/vectors/vectors.json, "status_vectors"), which the Python core passes too; Chromium runs
// them in tests/test_js_vectors_browser.py.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { deflateSync } from 'node:zlib';
import { describe, test } from 'node:test';

import * as sl from '../shared/token/status-lists.js';

const doc = JSON.parse(await readFile(new URL('../../tests/vectors/vectors.json', import.meta.url), 'utf8'));
const { snapshots, deltas, limits } = doc.status_vectors;
const bytes = (b64) => new Uint8Array(Buffer.from(b64, 'base64'));
const lookups = (state, probes) => probes.map(([kind, group, shard, position]) => [
  kind, group, shard, position, sl.isRevoked(state, sl.listKey(kind, group, shard), position)]);

async function outcome(promise) {
  try {
    return { verdict: 'accepted', state: await promise };
  } catch (error) {
    assert.ok(error instanceof sl.StatusListError, `${error?.constructor?.name}: ${error?.message}`);
    return { verdict: 'rejected', error };
  }
}

const state = (name) => sl.parseSnapshot(bytes(snapshots[name].data), snapshots[name].root);

describe('every snapshot vector', () => {
  for (const [name, vector] of Object.entries(snapshots)) {
    test(name, async () => {
      const got = await outcome(sl.parseSnapshot(bytes(vector.data), vector.root));
      assert.equal(got.verdict, vector.expected, got.error?.message);
      if (got.verdict !== 'accepted') return;
      assert.equal(got.state.root, vector.root);
      assert.equal(Buffer.from(sl.directoryOf(got.state.lists)).toString('hex'), vector.directory);
      assert.deepEqual(lookups(got.state, vector.lookups), vector.lookups);
      assert.ok(Object.isFrozen(got.state) && sl.isVerifiedState(got.state));
    });
  }
});

describe('every delta vector', () => {
  for (const vector of deltas) {
    test(vector.name, async () => {
      const base = await state(vector.base);
      const got = await outcome(sl.applyDelta(base, bytes(vector.data), vector.root));
      assert.equal(got.verdict, vector.expected, got.error?.message);
      if (got.verdict !== 'accepted') return;
      assert.equal(got.state.root, (await state(vector.result)).root);
      assert.deepEqual(lookups(got.state, vector.lookups), vector.lookups);
      // The base state is left as it was (a refused delta must not damage what the clinic holds).
      assert.equal(base.root, snapshots[vector.base].root);
      assert.deepEqual(lookups(base, snapshots[vector.base].lookups), snapshots[vector.base].lookups);
    });
  }
});

test('the limits and the empty root are the Python core\'s', () => {
  assert.deepEqual(limits, {
    max_list_bits: sl.MAX_LIST_BITS, max_lists: sl.MAX_LISTS, max_state_bytes: sl.MAX_STATE_BYTES,
    max_snapshot_bytes: sl.MAX_SNAPSHOT_BYTES, max_delta_bytes: sl.MAX_DELTA_BYTES,
    card_block_seconds: sl.CARD_BLOCK_SECONDS,
  });
  assert.equal(doc.status_vectors.empty_root, sl.EMPTY_ROOT);
});

test('inflate: bounded, complete, nothing after the stream', async () => {
  const data = new Uint8Array(deflateSync(Buffer.alloc(1000, 7), { level: 9 }));
  assert.equal((await sl.inflate(data, 1000)).length, 1000);
  await assert.rejects(sl.inflate(data, 999), sl.StatusListError);
  await assert.rejects(sl.inflate(data.subarray(0, data.length - 1), 1000), sl.StatusListError);
  for (const tail of [[0], [1, 2, 3, 4]]) {
    await assert.rejects(sl.inflate(Uint8Array.from([...data, ...tail]), 1000), sl.StatusListError);
  }
  // A 2^24 + 1-byte bomb is refused without keeping it.
  const bomb = new Uint8Array(deflateSync(Buffer.alloc(2 ** 24 + 1), { level: 9 }));
  await assert.rejects(sl.inflate(bomb, 2 ** 24), /inflates past/);
});

test('positionOf: phone lists by insurer and shard, cards by expiry block', () => {
  const phone = sl.positionOf({ kind: 1, insurer_number: '06138093', expires_at: 0, status_index: 2 ** 20 + 5 });
  assert.deepEqual(phone, { key: sl.listKey(1, 6138093, 1), position: 5 });
  assert.equal(phone.key, '01005da8ed0001');
  const card = sl.positionOf({ kind: 2, insurer_number: '06138093', expires_at: 30 * 86_400 * 700 + 1, status_index: 2 ** 32 - 1 });
  assert.deepEqual(card, { key: sl.listKey(2, 700, 4095), position: 2 ** 20 - 1 });
});

test('applyDelta refuses a state it did not verify', async () => {
  const main = await state('main');
  const copy = { lists: main.lists, root: main.root };
  const forward = deltas.find((d) => d.name === 'main_to_next');
  await assert.rejects(sl.applyDelta(copy, bytes(forward.data), forward.root), /not a verified/);
});

test('the clinic shows status_unavailable as 要再同期, never as 有効 or 無効', async () => {
  const { describe: describeResult } = await import('../shared/clinic/verdict.js');
  const shown = describeResult({ status: 'status_unavailable', warnings: [] });
  assert.equal(shown.verdict, 'resync');
  assert.equal(shown.headline.ja, '要再同期');
  assert.equal(shown.trustworthy, false);
});

test('riceDecode: a hostile code is refused before work', () => {
  const varint = (n) => { const out = []; do { out.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0)); n = Math.floor(n / 128); } while (n); return out; };
  const refused = (bytes, pattern) => assert.throws(() => sl.riceDecode(Uint8Array.from(bytes), 1000), (e) => e instanceof sl.StatusListError && pattern.test(e.message));
  refused([...varint(2 ** 20), 0, 255, 255], /set bits in a list/);                       // k > length
  refused([...varint(1), 0, ...new Uint8Array(10_000), 1], /run past/);                 // a long zero run
  refused([1, 21, 0, 0, 0, 1], /at most 20/);
  refused([3, 0, 0b101], /2 Rice quotients for 3/);
  // [5, 7, 999] in r = 8: remainders 5, 1, 223; quotients 0, 0, 3 (the stream 1 1 0001, LSB first)
  const bits = sl.riceDecode(Uint8Array.of(3, 8, 5, 1, 223, 0b100011), 1000);
  assert.deepEqual([...bits.keys()].filter((i) => bits[i]).map((i) => [i, bits[i]]), [[0, 0b10100000], [124, 0b10000000]]);
});
