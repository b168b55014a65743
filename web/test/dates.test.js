// 和暦 conversions for the birth-date picker and the card (web/app/js/dates.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  daysInMonth, formatDate, formatMoment, fromPicker, isoDate, toWareki, todayIso, warekiText,
  yearLabel, yearsOf,
} from '../app/js/dates.js';

const TODAY = '2026-11-18';

test('era years convert to 西暦, 元年 included', () => {
  assert.deepEqual(fromPicker('showa', '55', '5', '15', TODAY), { iso: '1980-05-15' });
  assert.deepEqual(fromPicker('heisei', '1', '10', '1', TODAY), { iso: '1989-10-01' });
  assert.deepEqual(fromPicker('reiwa', '1', '5', '1', TODAY), { iso: '2019-05-01' });
  assert.deepEqual(fromPicker('reiwa', '2', '1', '1', TODAY), { iso: '2020-01-01' });
  assert.deepEqual(fromPicker('taisho', '15', '12', '24', TODAY), { iso: '1926-12-24' });
  assert.deepEqual(fromPicker('gregorian', '2021', '6', '1', TODAY), { iso: '2021-06-01' });
});

test('each era starts and ends on its day', () => {
  const cases = [
    ['reiwa', 1, 5, 1, true], ['reiwa', 1, 4, 30, false],
    ['heisei', 31, 4, 30, true], ['heisei', 31, 5, 1, false],
    ['heisei', 1, 1, 8, true], ['heisei', 1, 1, 7, false],
    ['showa', 64, 1, 7, true], ['showa', 64, 1, 8, false],
    ['showa', 1, 12, 25, true], ['showa', 1, 12, 24, false],
    ['taisho', 15, 12, 24, true], ['taisho', 15, 12, 25, false],
    ['taisho', 1, 7, 30, true], ['taisho', 1, 7, 29, false],
  ];
  for (const [era, y, m, d, ok] of cases) {
    const result = fromPicker(era, String(y), String(m), String(d), TODAY);
    assert.equal('iso' in result, ok, `${era} ${y}-${m}-${d}`);
    if (!ok) assert.equal(result.error, 'outside_era');
  }
  const outside = fromPicker('heisei', '31', '5', '1', TODAY);
  assert.equal(outside.first, '1989-01-08');
  assert.equal(outside.last, '2019-04-30');
});

test('days that do not exist, the future and incomplete choices are refused', () => {
  assert.deepEqual(fromPicker('gregorian', '2023', '2', '29', TODAY), { error: 'no_such_day', month: 2, days: 28 });
  assert.equal(fromPicker('heisei', '12', '2', '29', TODAY).iso, '2000-02-29');   // leap year
  assert.equal(fromPicker('gregorian', '1900', '2', '29', TODAY).error, 'no_such_day');
  assert.equal(fromPicker('reiwa', '8', '4', '31', TODAY).error, 'no_such_day');
  assert.equal(fromPicker('reiwa', '8', '11', '19', TODAY).error, 'future');
  assert.equal(fromPicker('reiwa', '8', '11', '18', TODAY).iso, '2026-11-18');
  assert.equal(fromPicker('', '8', '1', '1', TODAY).error, 'incomplete');
  assert.equal(fromPicker('showa', '', '1', '1', TODAY).error, 'incomplete');
  assert.equal(fromPicker('edo', '1', '1', '1', TODAY).error, 'incomplete');
});

test('the picker offers each era its own years', () => {
  assert.deepEqual(yearsOf('heisei', TODAY).map((y) => y.value), Array.from({ length: 31 }, (_, i) => i + 1));
  assert.equal(yearsOf('showa', TODAY).length, 64);
  assert.equal(yearsOf('taisho', TODAY).length, 15);
  assert.deepEqual(yearsOf('reiwa', TODAY).at(-1), { value: 8, gregorian: 2026 });
  assert.equal(yearsOf('gregorian', TODAY)[0].value, 1900);
  assert.equal(yearsOf('gregorian', TODAY).at(-1).value, 2026);
  assert.equal(yearLabel('reiwa', 1, 2019, 'ja'), '元年（2019）');
  assert.equal(yearLabel('heisei', 2, 1990, 'ja'), '2年（1990）');
  assert.equal(yearLabel('showa', 55, 1980, 'en'), 'Shōwa 55 (1980)');
});

test('ISO dates and months', () => {
  assert.equal(isoDate(2024, 2, 29), '2024-02-29');
  assert.equal(isoDate(2023, 2, 29), null);
  assert.equal(isoDate(2023, 13, 1), null);
  assert.equal(daysInMonth(2024, 2), 29);
  assert.equal(daysInMonth(2023, 4), 30);
  assert.equal(todayIso(Date.UTC(2026, 10, 17, 15, 30)), '2026-11-18');   // 00:30 JST
});

test('dates are shown in 和暦 with 西暦 beside, 元年 for year one', () => {
  assert.equal(formatDate('1980-05-15'), '昭和55年5月15日（1980-05-15）');
  assert.equal(formatDate('2019-05-01'), '令和元年5月1日（2019-05-01）');
  assert.equal(formatDate('2019-04-30'), '平成31年4月30日（2019-04-30）');
  assert.equal(formatDate('1989-01-08'), '平成元年1月8日（1989-01-08）');
  assert.equal(formatDate('1989-01-07'), '昭和64年1月7日（1989-01-07）');
  assert.equal(formatDate('1926-12-25'), '昭和元年12月25日（1926-12-25）');
  assert.equal(formatDate('1980-05-15', 'en'), '15 May 1980 (Shōwa 55)');
  assert.equal(formatDate('not a date'), '');
  assert.equal(formatDate('2023-02-29'), '');
});

test('our era table agrees with the browser calendar (Intl ja-JP-u-ca-japanese)', () => {
  const native = new Intl.DateTimeFormat('ja-JP-u-ca-japanese',
    { era: 'long', year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });
  for (let t = Date.UTC(1912, 0, 1); t < Date.UTC(2030, 0, 1); t += 86400_000 * 13) {
    const iso = new Date(t).toISOString().slice(0, 10);
    const w = toWareki(iso);
    assert.equal(`${w.era.ja}${w.eraYear === 1 ? '元' : w.eraYear}年${w.month}月${w.day}日`, native.format(t), iso);
  }
  for (const iso of ['1912-07-29', '1912-07-30', '1926-12-24', '1926-12-25', '1989-01-07', '1989-01-08',
    '2019-04-30', '2019-05-01']) {
    const w = toWareki(iso);
    assert.equal(`${w.era.ja}${w.eraYear === 1 ? '元' : w.eraYear}年${w.month}月${w.day}日`, warekiText(iso), iso);
  }
});

test('moments are shown in the given time zone, 和暦 first', () => {
  assert.equal(formatMoment(1_795_000_000, 'ja', 'Asia/Tokyo'), '令和8年11月18日 20:06（2026-11-18）');
  assert.equal(formatMoment(1_795_000_000, 'en', 'Asia/Tokyo'), '18 Nov 2026 (Reiwa 8) 20:06');
  assert.equal(formatMoment(undefined), '');
});
