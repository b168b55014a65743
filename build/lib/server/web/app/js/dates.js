// 和暦 (Japanese eras) and dates: pure functions shared by the page and the Node tests.
// ISO dates ("1980-05-15") are calendar days with no time zone: they are built and
// formatted in UTC so that no device time zone can move them by a day.

export const ERAS = [   // newest first; `offset` + era year = 西暦 year
  { key: 'reiwa', ja: '令和', en: 'Reiwa', start: '2019-05-01', end: null, offset: 2018 },
  { key: 'heisei', ja: '平成', en: 'Heisei', start: '1989-01-08', end: '2019-04-30', offset: 1988 },
  { key: 'showa', ja: '昭和', en: 'Shōwa', start: '1926-12-25', end: '1989-01-07', offset: 1925 },
  { key: 'taisho', ja: '大正', en: 'Taishō', start: '1912-07-30', end: '1926-12-24', offset: 1911 },
  { key: 'meiji', ja: '明治', en: 'Meiji', start: '1868-01-25', end: '1912-07-29', offset: 1867 },
];

/** What the birth-date picker offers: four eras and 西暦 (Gregorian). */
export const PICKER_ERAS = ['reiwa', 'heisei', 'showa', 'taisho', 'gregorian'];
export const GREGORIAN_FIRST_YEAR = 1900;

const pad = (n, width = 2) => String(n).padStart(width, '0');

export function era(key) {
  return ERAS.find((e) => e.key === key) ?? null;
}

export function daysInMonth(year, month) {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** "YYYY-MM-DD" for a real calendar day, else null. */
export function isoDate(year, month, day) {
  if (![year, month, day].every(Number.isInteger)) return null;
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return null;
  if (day > daysInMonth(year, month)) return null;
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

export function parseIso(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso ?? '');
  if (!m) return null;
  const [year, month, day] = m.slice(1).map(Number);
  return isoDate(year, month, day) ? { year, month, day } : null;
}

/** Today's ISO date in Japan (eligibility dates are Japanese calendar days). */
export function todayIso(nowMs = Date.now()) {
  return new Date(nowMs + 9 * 3600_000).toISOString().slice(0, 10);
}

/** The era of an ISO date (明治 for anything earlier, as libraries differ there). */
export function eraOf(iso) {
  return ERAS.find((e) => iso >= e.start) ?? ERAS[ERAS.length - 1];
}

/** ISO date -> { era, eraYear, month, day } in 和暦. */
export function toWareki(iso) {
  const parts = parseIso(iso);
  if (!parts) return null;
  const e = eraOf(iso);
  return { era: e, eraYear: parts.year - e.offset, month: parts.month, day: parts.day };
}

/** Year options for an era (or "gregorian"): [{ value, gregorian }] oldest first. */
export function yearsOf(eraKey, today = todayIso()) {
  const thisYear = Number(today.slice(0, 4));
  if (eraKey === 'gregorian') {
    return range(GREGORIAN_FIRST_YEAR, thisYear).map((y) => ({ value: y, gregorian: y }));
  }
  const e = era(eraKey);
  if (!e) return [];
  const started = Number(e.start.slice(0, 4));
  if (started > thisYear) return [];
  const last = Math.min(e.end ? Number(e.end.slice(0, 4)) : thisYear, thisYear) - e.offset;
  return range(1, last).map((y) => ({ value: y, gregorian: y + e.offset }));
}

function range(first, last) {
  return Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => first + i);
}

/**
 * The picker's choice -> { iso } or { error, ... }.
 * Errors: "incomplete", "no_such_day" (e.g. 2月30日), "outside_era" (e.g. 平成31年5月1日,
 * with the era's first and last day), "future".
 */
export function fromPicker(eraKey, yearText, monthText, dayText, today = todayIso()) {
  const [year, month, day] = [yearText, monthText, dayText].map((v) => Number.parseInt(v, 10));
  if (!eraKey || ![year, month, day].every(Number.isInteger)) return { error: 'incomplete' };
  let gregorian = year;
  let e = null;
  if (eraKey !== 'gregorian') {
    e = era(eraKey);
    if (!e) return { error: 'incomplete' };
    gregorian = year + e.offset;
  }
  const iso = isoDate(gregorian, month, day);
  if (!iso) {
    const days = month >= 1 && month <= 12 && gregorian >= 1 ? daysInMonth(gregorian, month) : null;
    return { error: 'no_such_day', month, days };
  }
  if (e && (iso < e.start || (e.end && iso > e.end))) {
    return { error: 'outside_era', era: e, first: e.start, last: e.end };
  }
  if (iso > today) return { error: 'future' };
  return { iso };
}

// -- formatting ---------------------------------------------------------------------

let nativeJapanese;
function japaneseFormatter() {
  if (nativeJapanese === undefined) {
    try {
      const f = new Intl.DateTimeFormat('ja-JP-u-ca-japanese',
        { era: 'long', year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });
      nativeJapanese = f.resolvedOptions().calendar === 'japanese' ? f : null;
    } catch {
      nativeJapanese = null;
    }
  }
  return nativeJapanese;
}

/** "昭和55年5月15日" (元年 for year 1): the browser's own 和暦, our table as a fallback. */
export function warekiText(iso) {
  const parts = parseIso(iso);
  if (!parts) return '';
  const native = japaneseFormatter();
  if (native) return native.format(Date.UTC(parts.year, parts.month - 1, parts.day));
  const w = toWareki(iso);
  return `${w.era.ja}${w.eraYear === 1 ? '元' : w.eraYear}年${w.month}月${w.day}日`;
}

const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A calendar day in 和暦 with 西暦 beside: "昭和55年5月15日（1980-05-15）" or
 *  "15 May 1980 (Shōwa 55)". */
export function formatDate(iso, lang = 'ja') {
  const parts = parseIso(iso);
  if (!parts) return '';
  if (lang === 'en') {
    const w = toWareki(iso);
    return `${parts.day} ${MONTHS_EN[parts.month - 1]} ${parts.year} (${w.era.en} ${w.eraYear})`;
  }
  return `${warekiText(iso)}（${iso}）`;
}

/** A moment (seconds since the epoch) in the device's time zone, 和暦 first. */
export function formatMoment(seconds, lang = 'ja', timeZone = undefined) {
  if (!Number.isFinite(seconds)) return '';
  const date = new Date(seconds * 1000);
  const local = new Intl.DateTimeFormat('en-CA', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(date).reduce((acc, p) => ({ ...acc, [p.type]: p.value }), {});
  const iso = `${local.year}-${local.month}-${local.day}`;
  const time = `${local.hour}:${local.minute}`;
  return lang === 'en' ? `${formatDate(iso, 'en')} ${time}` : `${warekiText(iso)} ${time}（${iso}）`;
}

/** Era year as the picker shows it: "元年（2019）", "2年（2020）", "Reiwa 1 (2019)". */
export function yearLabel(eraKey, year, gregorian, lang = 'ja') {
  if (eraKey === 'gregorian') return lang === 'en' ? String(year) : `${year}年`;
  if (lang === 'en') return `${era(eraKey).en} ${year} (${gregorian})`;
  return `${year === 1 ? '元' : year}年（${gregorian}）`;
}
