// The clinic's day-log CSV, byte for byte: what Excel needs to open it right by double-click
// (BOM, CRLF, identifiers kept as text with their leading zeros), the columns a reception desk
// asked for (性別, 資格取得日, 限度額適用区分, 生年月日 in 和暦 and 西暦), and old records that
// lack the newer fields still exporting (empty cells).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';

import { DayLog } from '../clinic/js/day-log.js';
import { I18n } from '../clinic/js/i18n.js';
import { dayLogColumns, textCell, toCsv, toTsv } from '../shared/clinic/csv.js';
import { describe } from '../shared/clinic/verdict.js';

const vectors = JSON.parse(await readFile(new URL('../../tests/vectors/vectors.json', import.meta.url)));
const expected = (name) => vectors.vectors.find((v) => v.name === name).expected;
const AT = Date.UTC(2026, 11, 1, 0, 30, 5);           // 2026-12-01 09:30:05 in Japan

const entry = (name, source = 'keyboard') => {
  const result = expected(name);
  return DayLog.entry({ result, description: describe(result), source, at: AT });
};
const japanese = () => new I18n({ storage: null });
const csvBytes = (entries, i18n = japanese()) => Buffer.from(toCsv(entries, dayLogColumns(i18n)), 'utf8');

const HEADER = '日時,判定,理由,警告,入力,保険者番号,保険者名称,記号,番号,枝番,本人・家族,氏名,'
  + '生年月日（和暦）,生年月日（西暦）,性別,負担割合,資格取得日,限度額適用区分,書類';

test('the exact bytes: BOM, CRLF, and identifiers as ="…" so Excel keeps their leading zeros', () => {
  const bytes = csvBytes([entry('valid_limit_category'), entry('valid_kokuho_6_digit', 'camera')]);
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const text = bytes.toString('utf8').slice(1);
  assert.equal(text, [
    HEADER,
    '2026-12-01 09:30:05,有効,有効,,リーダー,"=""06138093""",シカク健康保険組合,"=""1234""","=""5678901""",'
      + '"=""01""",本人,資格 太郎,昭和60年4月2日,1985年4月2日,男,3割,平成31年4月1日（2019年4月1日）,'
      + 'A03 ウ,資格情報のお知らせ（スマホ）',
    '2026-12-01 09:30:05,有効,有効,,カメラ,"=""138156""",しかく区国民健康保険,"=""練馬""","=""0012345""",'
      + ',本人,国保 次郎,昭和45年1月1日,1970年1月1日,男,3割,令和2年4月1日（2020年4月1日）,,'
      + '資格情報のお知らせ（スマホ）',
    '',
  ].join('\r\n'));
  assert.ok(!/(?<!\r)\n/.test(text), 'every line ends CRLF');
});

test('codes that are all zeros stay "0", "000" and "01" (not 0, 0 and 1)', () => {
  const row = csvBytes([entry('valid_codes_zero_as_text')]).toString('utf8').split('\r\n')[1].split(',');
  assert.deepEqual(row.slice(5, 10), ['"=""06138093"""', 'シカク健康保険組合', '"=""0"""', '"=""000"""', '"=""01"""']);
});

test('a text cell is one string literal or an ordinary inert cell, never a formula of its own', () => {
  assert.equal(textCell('01'), '"=""01"""');
  assert.equal(textCell(''), '');
  assert.equal(textCell(null), '');
  assert.equal(textCell('1")+HYPERLINK("x'), '"1"")+HYPERLINK(""x"');   // a quote: plain cell, quoted
  assert.equal(textCell('=1+1'), '"=""=1+1"""');                        // inside a string literal: text
  assert.equal(textCell('a\nb'), '"a\nb"');
});

test('an old record without 性別, 資格取得日 or 限度額区分 still exports, with empty cells', () => {
  const old = { ...entry('valid_insured') };
  delete old.sex;
  delete old.acquired_on;
  delete old.limit_category;
  const misread = entry('malformed_truncated');
  const [, oldRow, misreadRow] = csvBytes([old, misread]).toString('utf8').split('\r\n');
  const cells = oldRow.split(',');
  assert.equal(cells.length, HEADER.split(',').length);
  assert.deepEqual([cells[14], cells[16], cells[17]], ['', '', '']);
  assert.equal(cells[12], '昭和60年4月2日');
  assert.equal(misreadRow.split(',').length, HEADER.split(',').length);
  assert.match(misreadRow, /^2026-12-01 09:30:05,読み取れませんでした,/);
});

test('the day log keeps 性別, 資格取得日 and 限度額区分 from the token', () => {
  const e = entry('valid_limit_category');
  assert.equal(e.sex, 1);
  assert.equal(e.acquired_on, '2019-04-01');
  assert.equal(e.limit_category, 'A03');
  assert.equal(entry('valid_insured').limit_category, null);
});

test('in English the headers and names are English, the dates still both 和暦 and 西暦', () => {
  const i18n = japanese();
  i18n.toggle();
  const [header, row] = csvBytes([entry('valid_limit_category')], i18n).toString('utf8').slice(1).split('\r\n');
  assert.match(header, /Date of birth \(Japanese era\),Date of birth \(Gregorian\),Sex,/);
  assert.match(row, /,昭和60年4月2日,1985-04-02,Male,30%,2019-04-01 \(平成31年4月1日\),A03 ウ,/);
});

test('the clipboard table keeps plain values (a paste is not a file Excel types by itself)', () => {
  const [, row] = toTsv([entry('valid_insured')], dayLogColumns(japanese())).split('\n');
  assert.deepEqual(row.split('\t').slice(5, 10), ['06138093', 'シカク健康保険組合', '1234', '5678901', '01']);
});
