// The member app draws its QR on the device with lean-qr (web/app/js/qr.js): check, on every
// shared token vector whose text is a token (tests/vectors/vectors.json), that the symbol is
// numeric mode at level M or higher and no bigger than numeric mode at level M allows — the
// size docs/token-format.md promises (version ≤ 9 for the median member). Texts longer than
// any version-10 symbol are refused by the verifier unread and never issued, so not drawn here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { correction, generate } from 'lean-qr';

const doc = JSON.parse(await readFile(new URL('../../tests/vectors/vectors.json', import.meta.url), 'utf8'));
// ISO/IEC 18004 table 7: numeric-mode capacity at level M, versions 1–10.
const NUMERIC_M = [34, 63, 101, 149, 202, 255, 293, 365, 432, 513];

const smallestVersion = (digits) => NUMERIC_M.findIndex((capacity) => digits <= capacity) + 1;

test('every token text draws at the smallest numeric-mode version for level M', () => {
  const texts = [...new Set(doc.vectors.map((v) => v.token).filter((t) => /^8801[0-9]+$/.test(t) && t.length <= 513))];
  assert.ok(texts.length > 100, `${texts.length} token texts`);
  const versions = [];
  for (const text of texts) {
    const code = generate(text, { minCorrectionLevel: correction.M });
    const version = (code.size - 17) / 4;
    assert.equal(version, smallestVersion(text.length), `${text.length} digits`);
    versions.push(version);
  }
  versions.sort((a, b) => a - b);
  assert.ok(versions[versions.length >> 1] <= 9, `median version ${versions[versions.length >> 1]}`);
});
