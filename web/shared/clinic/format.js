// Pure formatting helpers for the clinic verifier: scanned text, 和暦 dates, ages and the
// names a reception desk transcribes. No DOM, no network: runs unchanged in Node and the page.

const FULL_WIDTH_ZERO = 0xff10;
const MAX_SCAN_CHARS = 10_000;   // the verifier refuses > 2,000 anyway; this bounds our own work

/** Scanner input to plain digits: full-width digits (IME on) become ASCII; every kind of
 *  white space (spaces, U+3000, line breaks, the scanner's Enter suffix) is dropped. */
export function normaliseScan(text) {
  if (typeof text !== 'string') return '';
  return text.slice(0, MAX_SCAN_CHARS)
    .replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - FULL_WIDTH_ZERO + 48))
    .replace(/\s+/gu, '');
}

// D(n) = number of decimal digits of 256^n − 1 (docs/token-format.md, layer 3).
const BODY_LENGTHS = new Set();
for (let n = 1, max = 256n - 1n; n <= 830; n += 1, max = max * 256n + 255n) {
  BODY_LENGTHS.add(max.toString().length);
}

/** True when the digits have the shape of a whole token ("8801" or "8802", the format
 *  version, and a body of D(n) digits).
 *  A shorter prefix of a token can have that shape too, so callers still wait for the
 *  scanner to pause (or its Enter) before acting on it. */
export function looksComplete(digits) {
  return /^880[12]\d+$/.test(digits) && BODY_LENGTHS.has(digits.length - 4);
}

const ERA_FORMAT = new Intl.DateTimeFormat('ja-JP-u-ca-japanese',
  { era: 'long', year: 'numeric', month: 'numeric', day: 'numeric', timeZone: 'UTC' });
const JST_DATE = new Intl.DateTimeFormat('en-CA',
  { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit' });
const JST_TIME = new Intl.DateTimeFormat('en-GB',
  { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

const isoDate = (iso) => (typeof iso === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(iso)
  ? new Date(`${iso}T00:00:00Z`) : null);

/** "1980-05-15" → "昭和55年5月15日" (year 1 is 元年). Built from the parts, because ICU
 *  versions differ in the literals between them ("昭和55/5/15" in some). */
export function wareki(iso) {
  const date = isoDate(iso);
  if (!date) return '';
  const part = Object.fromEntries(ERA_FORMAT.formatToParts(date).map((p) => [p.type, p.value]));
  const year = part.year === '1' ? '元' : part.year;
  return `${part.era}${year}年${Number(part.month)}月${Number(part.day)}日`;
}

/** "1980-05-15" → "1980年5月15日" (ja) or "1980-05-15" (en). */
export function seireki(iso, lang = 'ja') {
  const date = isoDate(iso);
  if (!date) return '';
  if (lang === 'en') return iso;
  return `${date.getUTCFullYear()}年${date.getUTCMonth() + 1}月${date.getUTCDate()}日`;
}

/** The calendar date in Japan at `ms` (milliseconds since the epoch), ISO "YYYY-MM-DD". */
export function japanDate(ms) {
  return JST_DATE.format(new Date(ms));
}

/** "HH:MM:SS" in Japan at `ms`. */
export function japanTime(ms) {
  return JST_TIME.format(new Date(ms));
}

/** Age in whole years on `todayIso` (both ISO dates). */
export function ageOn(birthIso, todayIso) {
  const [by, bm, bd] = birthIso.split('-').map(Number);
  const [ty, tm, td] = todayIso.split('-').map(Number);
  return ty - by - ((tm < bm || (tm === bm && td < bd)) ? 1 : 0);
}

/** Seconds since the epoch → "令和8年11月25日 00:00" in Japan (ja) or ISO-like (en). */
export function dateTime(seconds, lang = 'ja') {
  const ms = seconds * 1000;
  const day = japanDate(ms);
  const time = japanTime(ms).slice(0, 5);
  return lang === 'en' ? `${day} ${time}` : `${wareki(day)} ${time}`;
}

/** A duration in seconds, rounded for people: "3分", "5時間", "2日" / "3 min", "5 h", "2 days". */
export function duration(seconds, lang = 'ja') {
  const s = Math.max(0, Math.round(seconds));
  const [value, unit] = s < 3600 ? [Math.floor(s / 60), 'min']
    : s < 172800 ? [Math.floor(s / 3600), 'h'] : [Math.floor(s / 86400), 'd'];
  if (lang === 'en') return `${value} ${{ min: 'min', h: 'h', d: value === 1 ? 'day' : 'days' }[unit]}`;
  return `${value}${{ min: '分', h: '時間', d: '日' }[unit]}`;
}

/** 限度額適用区分 (domain.md): code → name, as in the online eligibility result. */
export const LIMIT_CATEGORIES = Object.freeze({
  A01: 'ア', A02: 'イ', A03: 'ウ', A04: 'エ', A05: 'オ', A06: 'オ(境)',
  B01: '現役並みⅢ', B02: '現役並みⅡ', B03: '現役並みⅠ', B04: '一般', B05: '低所得Ⅱ',
  B06: '低所得Ⅰ', B07: '低所得Ⅰ(老福)', B08: '低所得Ⅰ(境)', B09: '一般Ⅱ', B10: '一般Ⅰ',
});

export function limitCategory(code) {
  return code ? `${code} ${LIMIT_CATEGORIES[code] ?? ''}`.trim() : '';
}

const TEXT = {
  ja: {
    relationship: { 1: '本人', 2: '家族' },
    sex: { 1: '男', 2: '女', 3: '未設定' },
    kind: { 1: '資格情報のお知らせ（スマホ）', 2: '資格確認書' },
  },
  en: {
    relationship: { 1: 'Insured person (本人)', 2: 'Dependent (家族)' },
    sex: { 1: 'Male', 2: 'Female', 3: 'Not set' },
    kind: { 1: 'Eligibility notice (phone)', 2: 'Eligibility certificate (資格確認書)' },
  },
};

export const relationshipName = (value, lang = 'ja') => TEXT[lang].relationship[value] ?? '';
export const sexName = (value, lang = 'ja') => TEXT[lang].sex[value] ?? '';
export const kindName = (value, lang = 'ja') => TEXT[lang].kind[value] ?? '';

/** copay_ratio is in percent (10, 20, 30) → "3割". */
export function copayRatio(percent, lang = 'ja') {
  return lang === 'en' ? `${percent}%` : `${percent / 10}割`;
}
