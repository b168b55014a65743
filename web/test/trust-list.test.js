// The same ES module the clinic page imports, run unchanged in Node against the
// shared vectors (tests/vectors/vectors.json) that the Python verifier passes too.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';

import { TrustListError, verifyTrustList } from '../shared/trust-list.js';

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
