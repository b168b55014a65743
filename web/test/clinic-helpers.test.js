// The clinic verifier's pure helpers (web/shared/clinic/), run unchanged in Node:
// scanner input, 和暦, verdicts and the day-log CSV.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';

import { BOM, cell, toCsv, toTsv } from '../shared/clinic/csv.js';
import {
  ageOn, copayRatio, dateTime, duration, japanDate, limitCategory, looksComplete, normaliseScan, wareki,
} from '../shared/clinic/format.js';
import { STATUS_TEXT, describe } from '../shared/clinic/verdict.js';

const vectors = JSON.parse(await readFile(new URL('../../tests/vectors/vectors.json', import.meta.url)));
const validToken = vectors.vectors.find((v) => v.name === 'valid_insured').token;

test('scanner input: full-width digits, spaces, U+3000 and line breaks normalise away', () => {
  assert.equal(normaliseScan(' ８８０１ 23\u3000４\r\n'), '8801234');
  assert.equal(normaliseScan(null), '');
  assert.equal(normaliseScan('８'.repeat(20_000)).length, 10_000);   // bounded work
});

test('a whole token has a complete shape; its prefixes mostly do not', () => {
  assert.ok(looksComplete(validToken));
  assert.ok(!looksComplete(validToken.slice(0, -1)));
  assert.ok(!looksComplete(`9901${validToken.slice(4)}`));
  assert.ok(!looksComplete('8801'));
  assert.ok(looksComplete(`8802${validToken.slice(4)}`));      // format version 2
  assert.ok(!looksComplete(`8803${validToken.slice(4)}`));
});

test('和暦 with 元年 and era boundaries; ages; times in Japan', () => {
  assert.equal(wareki('1980-05-15'), '昭和55年5月15日');
  assert.equal(wareki('1989-01-07'), '昭和64年1月7日');
  assert.equal(wareki('1989-01-08'), '平成元年1月8日');
  assert.equal(wareki('2019-05-01'), '令和元年5月1日');
  assert.equal(wareki('1926-12-25'), '昭和元年12月25日');
  assert.equal(wareki('1912-07-30'), '大正元年7月30日');
  assert.equal(wareki('not a date'), '');
  assert.equal(ageOn('1980-05-15', '2026-05-14'), 45);
  assert.equal(ageOn('1980-05-15', '2026-05-15'), 46);
  assert.equal(japanDate(Date.UTC(2026, 10, 17, 15, 0)), '2026-11-18');   // 00:00 JST
  assert.equal(dateTime(1795000000), '令和8年11月18日 20:06');
  assert.equal(duration(59), '0分');
  assert.equal(duration(7200), '2時間');
  assert.equal(duration(3 * 86400, 'en'), '3 days');
  assert.equal(copayRatio(30), '3割');
  assert.equal(limitCategory('B04'), 'B04 一般');
  assert.equal(limitCategory(null), '');
});

test('every verifier status has a plain-Japanese reason', () => {
  for (const status of new Set(vectors.vectors.map((v) => v.expected.status))) {
    assert.ok(STATUS_TEXT[status]?.ja, status);
  }
  assert.equal(describe({ status: 'revoked', warnings: [] }).reason.ja, '資格喪失');
  assert.equal(describe({ status: 'not_yet_valid', warnings: [] }).reason.ja, '発行日時が未来（端末の時刻を確認）');
});

test('verdicts: valid, invalid, resync and clock; never a plain 有効 when the device cannot decide', () => {
  assert.equal(describe({ status: 'valid', warnings: [] }).verdict, 'valid');
  assert.equal(describe({ status: 'expired', warnings: [] }).verdict, 'invalid');
  assert.equal(describe({ status: 'trust_list_expired', warnings: [] }).headline.ja, '要再同期');
  assert.equal(describe({ status: 'no_trust_list', warnings: [] }).verdict, 'resync');
  for (const status of ['valid', 'expired', 'not_yet_valid']) {
    const d = describe({ status, warnings: ['clock_suspect'] });
    assert.equal(d.verdict, 'clock', status);
    assert.equal(d.headline.ja, '端末時刻異常');
    assert.equal(d.trustworthy, false);
  }
  // A bad signature is bad whatever the clock says; the warning still shows.
  const forged = describe({ status: 'bad_signature', warnings: ['clock_suspect'] });
  assert.equal(forged.verdict, 'invalid');
  assert.deepEqual(forged.warnings.map((w) => w.code), ['clock_suspect']);
  const stale = describe({ status: 'valid', warnings: ['trust_list_stale'] });
  assert.equal(stale.verdict, 'valid');
  assert.equal(stale.warnings[0].ja, '信頼リストが古い');
  assert.equal(describe({ status: 'no such status' }).verdict, 'misread');
});

test('a misread is never 無効: amber 読み取れませんでした with what was read, and scan again', () => {
  const token = vectors.vectors.find((v) => v.expected.status === 'valid').token;
  const cases = [
    ['https://example.jp/clinic?id=1', 'URLのQRコード'],
    ['WWW.EXAMPLE.JP', 'URLのQRコード'],
    [token.slice(0, 120), '資格パスのQRコードの一部'],
    ['4901234567894', '資格パスではない数字のコード（13桁）'],
    ['ABC-123', '資格パスではない文字のコード'],
  ];
  for (const [scanned, said] of cases) {
    const d = describe({ status: 'malformed', warnings: [] }, scanned);
    assert.equal(d.verdict, 'misread', scanned);
    assert.equal(d.headline.ja, '読み取れませんでした');
    assert.notEqual(d.headline.ja, '無効');
    assert.ok(d.read.ja.includes(said), `${scanned}: ${d.read.ja}`);
    assert.equal(d.reason.ja, 'もう一度読み取ってください。');
    assert.equal(d.trustworthy, false);
  }
  // signed verdicts stay red 無効 with their reason, and say nothing of a misread
  for (const status of ['revoked', 'expired', 'bad_signature', 'unknown_key']) {
    const d = describe({ status, warnings: [] }, token);
    assert.equal(d.verdict, 'invalid', status);
    assert.equal(d.read, null);
  }
});

test('CSV: BOM, header, CRLF, quoting, and formulas made inert', () => {
  const text = toCsv([{ a: 'x,y', b: '=1+1' }, { a: 'say "hi"', b: null }],
    [{ header: '日時', value: (r) => r.a }, { header: '氏名', value: (r) => r.b }]);
  assert.ok(text.startsWith(BOM));
  assert.equal(text, `${BOM}日時,氏名\r\n"x,y",'=1+1\r\n"say ""hi""",\r\n`);
  assert.equal(cell('-3'), "'-3");
  assert.equal(cell('line\nbreak'), '"line\nbreak"');
});

test('TSV for the clipboard: tabs and line breaks inside cells become spaces', () => {
  const text = toTsv([{ a: 'x\ty', b: 'two\nlines' }], [{ header: '日時', value: (r) => r.a }, { header: '氏名', value: (r) => r.b }]);
  assert.equal(text, '日時\t氏名\nx y\ttwo lines\n');
});
