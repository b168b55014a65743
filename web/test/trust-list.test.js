// The same ES module the clinic page imports, run unchanged in Node against the
// shared vectors (tests/vectors/vectors.json) that the Python verifier passes too.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';

import { MAX_KID_BYTES as TOKEN_MAX_KID_BYTES, MIN_KID_BYTES as TOKEN_MIN_KID_BYTES } from '../shared/token/cose.js';
import {
  MAX_JSON_DEPTH, MAX_KID_BYTES, MAX_TRUST_LIST_BYTES, MIN_KID_BYTES, TrustListError, loadsStrict, verifyTrustList,
} from '../shared/trust-list.js';

const vectors = JSON.parse(await readFile(new URL('../../tests/vectors/vectors.json', import.meta.url)));

test('the main trust list verifies against the pinned anchor', async () => {
  const list = await verifyTrustList(vectors.trust_lists.main, vectors.anchor);
  assert.ok(Number.isSafeInteger(list.issuedAt) && list.expiresAt > list.issuedAt);
  assert.ok(list.keys.length >= 1);
  assert.ok(Object.keys(list.insurers).length >= 1);
});

test('every trust-list vector is accepted or rejected as expected', async () => {
  for (const v of vectors.trust_list_vectors) {
    const run = verifyTrustList(vectors.trust_lists[v.trust_list], vectors.anchor);
    if (v.expected === 'accepted') await run;
    else await assert.rejects(run, TrustListError, v.name);
  }
});

test('a tampered payload is refused', async () => {
  const jws = JSON.parse(vectors.trust_lists.main);
  const payload = JSON.parse(Buffer.from(jws.payload, 'base64url'));
  payload.revocations = [];
  payload.insurers['99999999'] = '偽保険者';
  jws.payload = Buffer.from(JSON.stringify(payload)).toString('base64url');
  await assert.rejects(verifyTrustList(JSON.stringify(jws), vectors.anchor), TrustListError);
});

test('garbage is refused with TrustListError', async () => {
  await assert.rejects(verifyTrustList('not json', vectors.anchor), TrustListError);
  await assert.rejects(verifyTrustList('{"protected":"!!","payload":"","signature":""}', vectors.anchor),
    TrustListError);
});

test('a kid has the same limits in a trust list as in a token', () => {
  assert.deepEqual([MIN_KID_BYTES, MAX_KID_BYTES], [TOKEN_MIN_KID_BYTES, TOKEN_MAX_KID_BYTES]);
});

// -- strict JSON: what JSON.parse lets through -------------------------------------------------

const nested = (depth) => '['.repeat(depth) + ']'.repeat(depth);
const utf8 = (text) => new TextEncoder().encode(text);

test('strict JSON refuses duplicate names at any depth, non-integers, deep nesting, a BOM', () => {
  for (const text of ['{"a":1,"a":1}', '{"a":1,"\\u0061":2}', '[{"x":{"b":[{"c":1,"c":2}]}}]',
    '{"":1,"":2}', '{"a":{"q":"}"},"a":0}', '{"a\\"":1,"a\\u0022":2}', '1.0', '1e3', '1E3', '-0.0',
    '[NaN]', '[Infinity]', String(2 ** 53), String(-(2 ** 53)), '1'.repeat(5000),
    nested(MAX_JSON_DEPTH + 1), '\uFEFF{}', '{"a":1}x']) {
    assert.throws(() => loadsStrict(text), (e) => e instanceof TrustListError || e instanceof SyntaxError, text);
  }
  for (const bytes of [Uint8Array.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]), Uint8Array.from([0xff, 0xfe, 0x7b, 0, 0x7d, 0])]) {
    assert.throws(() => loadsStrict(bytes));
  }
});

test('strict JSON reads what it should, names inside strings included', () => {
  assert.deepEqual(loadsStrict('{"a":{"a":1},"b":[{"a":2},{"a":3}]}'), { a: { a: 1 }, b: [{ a: 2 }, { a: 3 }] });
  assert.deepEqual(loadsStrict('{"k":"{\\"k\\":1,\\"k\\":2}","n":-12,"e":[]}'), { k: '{"k":1,"k":2}', n: -12, e: [] });
  assert.deepEqual(loadsStrict(' { "a" : [ 1 , { "a" : "\\\\" } ] , "b" : "\\"" } '), { a: [1, { a: '\\' }], b: '"' });
  assert.equal(loadsStrict(String(2 ** 53 - 1)), 2 ** 53 - 1);
  assert.equal(loadsStrict(String(1 - 2 ** 53)), 1 - 2 ** 53);
  assert.deepEqual(loadsStrict(nested(MAX_JSON_DEPTH)), JSON.parse(nested(MAX_JSON_DEPTH)));
  assert.deepEqual(loadsStrict(utf8('{"名":"資格"}')), { 名: '資格' });
});

test('the size limit counts UTF-8 bytes, as the Python core does', async () => {
  const jws = JSON.parse(vectors.trust_lists.main);
  const base = utf8(JSON.stringify({ ...jws, x: '' })).length;
  const fits = Math.floor((MAX_TRUST_LIST_BYTES - base) / 3);
  const text = JSON.stringify({ ...jws, x: 'あ'.repeat(fits) });
  assert.ok(utf8(text).length <= MAX_TRUST_LIST_BYTES);
  await verifyTrustList(text, vectors.anchor);
  const over = JSON.stringify({ ...jws, x: 'あ'.repeat(fits + 1) });
  assert.ok(over.length < MAX_TRUST_LIST_BYTES && utf8(over).length > MAX_TRUST_LIST_BYTES);
  await assert.rejects(verifyTrustList(over, vectors.anchor), /too large/);
});
