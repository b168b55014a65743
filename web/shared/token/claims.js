// CBOR map -> claims (docs/token-format.md, layer 1). Mirrors server/token_core/claims.py:
// the same types, ranges and canonical forms, and the same JSON view as Claims.to_json().
//
//  1 insurer_number  保険者番号  uint: < 1,000,000 -> 6 digits, else 8 digits; never "00…"
//  2 symbol          記号        uint (canonical digits) or text; absent when empty
//  3 number          番号        as 記号 (required)
//  4 branch          枝番        uint 0-99 (two digits); absent when empty
//  5 relationship    本人・家族   1, 2
//  6 name            氏名        text, 1-100 code points, none of FORBIDDEN_TEXT_RANGES
//  7 sex             性別        1, 2, 3
//  8 birth_date      生年月日     day number since 1970-01-01, -40000..80000
//  9 acquired_on     資格取得年月日 day number
// 10 copay_ratio     負担割合     1, 2, 3 (割) -> 10, 20, 30 (percent)
// 11 copay_from      発効日       day number
// 12 kind            種別         1 notice, 2 資格確認書
// 13 issued_at       発行日時     uint < 2^32
// 14 expires_at      有効期限     uint < 2^32, > issued_at
// 15 revocation_id   失効ID       8-byte bstr
// 16 limit_category  限度額区分   text code A01-A06, B01-B10 (optional)
// 18 status_index    失効リスト番号 uint < 2^32 (version 2 only, required there)
// Version 1 (header 8801) requires 15; version 2 (8802) requires 18 and forbids 15. Claim 18 in
// version 1 is an unknown claim. Unknown integer keys are kept and ignored (must-ignore) if
// their values are plain CBOR.

export class ClaimsError extends Error {}

export const KEY = Object.freeze({
  INSURER_NUMBER: 1, SYMBOL: 2, NUMBER: 3, BRANCH: 4, RELATIONSHIP: 5, NAME: 6, SEX: 7,
  BIRTH_DATE: 8, ACQUIRED_ON: 9, COPAY_RATIO: 10, COPAY_FROM: 11, KIND: 12, ISSUED_AT: 13,
  EXPIRES_AT: 14, REVOCATION_ID: 15, LIMIT_CATEGORY: 16, STATUS_INDEX: 18,
});
const V1_KEYS = new Set(Object.values(KEY).filter((k) => k !== KEY.STATUS_INDEX));
const KNOWN_KEYS = { 1: V1_KEYS, 2: new Set(Object.values(KEY)) };
const OPTIONAL = new Set([KEY.SYMBOL, KEY.BRANCH, KEY.LIMIT_CATEGORY]);
const REQUIRED = {
  1: [...V1_KEYS].filter((k) => !OPTIONAL.has(k)),
  2: [...KNOWN_KEYS[2]].filter((k) => !OPTIONAL.has(k) && k !== KEY.REVOCATION_ID),
};
export const MAX_STATUS_INDEX = 2 ** 32 - 1;

export const REVOCATION_ID_BYTES = 8;
export const MAX_TEXT_CHARS = 100;
export const MAX_CODE_BYTES = 38;
export const MIN_DAY = -40_000;
export const MAX_DAY = 80_000;
export const LIMIT_CATEGORIES = Object.freeze(new Set([
  ...Array.from({ length: 6 }, (_, i) => `A${String(i + 1).padStart(2, '0')}`),
  ...Array.from({ length: 10 }, (_, i) => `B${String(i + 1).padStart(2, '0')}`),
]));

const INSURER_NUMBER = /^(?!00)(?:[0-9]{6}|[0-9]{8})$/;
const COMPACT_DIGITS = /^[1-9][0-9]{0,17}$/;
/**
 * Code points no text claim (記号, 番号, 氏名) may hold, as inclusive ranges: every control (Cc),
 * every format character (Cf, as of Unicode 17) except the joiners ZWNJ/ZWJ (U+200C, U+200D), the
 * line and paragraph separators and the surrogates. A fixed list rather than \p{Cf}, so that
 * every engine's Unicode version refuses the same names (claims.py holds the same table).
 */
export const FORBIDDEN_TEXT_RANGES = Object.freeze([
  [0x0000, 0x001F], [0x007F, 0x009F], [0x00AD, 0x00AD], [0x0600, 0x0605], [0x061C, 0x061C],
  [0x06DD, 0x06DD], [0x070F, 0x070F], [0x0890, 0x0891], [0x08E2, 0x08E2], [0x180E, 0x180E],
  [0x200B, 0x200B], [0x200E, 0x200F], [0x2028, 0x202E], [0x2060, 0x2064], [0x2066, 0x206F],
  [0xD800, 0xDFFF], [0xFEFF, 0xFEFF], [0xFFF9, 0xFFFB], [0x110BD, 0x110BD], [0x110CD, 0x110CD],
  [0x13430, 0x1343F], [0x1BCA0, 0x1BCA3], [0x1D173, 0x1D17A], [0xE0001, 0xE0001],
  [0xE0020, 0xE007F],
].map((range) => Object.freeze(range)));
const hexCode = (c) => `\\u{${c.toString(16)}}`;
// Without the u flag's \p classes; `v`-free so that older engines parse it too. Lone surrogates
// in a JS string match [\u{d800}-\u{dfff}] under the u flag.
const FORBIDDEN_CHARS = new RegExp(`[${FORBIDDEN_TEXT_RANGES
  .map(([a, b]) => (a === b ? hexCode(a) : `${hexCode(a)}-${hexCode(b)}`)).join('')}]`, 'u');

/** True when `value` holds a character no text claim may hold (see FORBIDDEN_TEXT_RANGES). */
export function hasForbiddenCharacter(value) {
  return FORBIDDEN_CHARS.test(value);
}
const TEN_POW_18 = 10n ** 18n;
const DAY_MS = 86_400_000;
const PLAIN_MAX_DEPTH = 4;
const utf8 = new TextEncoder();

const isInt = (v) => (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint';

function fail(message) {
  throw new ClaimsError(message);
}

function uint(m, key, maximum) {
  const value = m.get(key);
  if (!isInt(value) || value < 0 || value > maximum) fail(`claim ${key}: must be an integer 0-${maximum}`);
  return Number(value);
}

function oneOf(m, key, allowed) {
  const value = uint(m, key, Math.max(...allowed));
  if (!allowed.includes(value)) fail(`claim ${key}: must be one of ${allowed.join(', ')}`);
  return value;
}

function text(m, key) {
  const value = m.get(key);
  if (typeof value !== 'string') fail(`claim ${key}: must be text`);
  return value;
}

function codePoints(value) {
  let count = 0;
  for (const _ of value) count++; // eslint-disable-line no-unused-vars
  return count;
}

function checkText(value, name) {
  const length = codePoints(value);
  if (length < 1 || length > MAX_TEXT_CHARS) fail(`${name}: must be 1-${MAX_TEXT_CHARS} characters`);
  if (hasForbiddenCharacter(value)) {
    fail(`${name}: must be free of control, format (bidi, invisible) and line-separator characters`);
  }
}

function checkCode(value, name) {
  checkText(value, name);
  if (utf8.encode(value).length > MAX_CODE_BYTES) fail(`${name}: must be at most ${MAX_CODE_BYTES} bytes`);
}

/** 記号/番号: an integer for canonical digits, else non-empty text that is not canonical digits. */
function expand(m, key) {
  const value = m.get(key);
  if (isInt(value)) {
    if (!(value > 0 && value < TEN_POW_18)) fail(`claim ${key}: out of range`);
    return String(value);
  }
  if (typeof value === 'string' && value && !COMPACT_DIGITS.test(value)) return value;
  return fail(`claim ${key}: must be canonical (digits as an integer)`);
}

function isoDate(m, key) {
  const value = m.get(key);
  if (!isInt(value) || value < MIN_DAY || value > MAX_DAY) fail(`claim ${key}: must be a day number`);
  return new Date(Number(value) * DAY_MS).toISOString().slice(0, 10);
}

function revocationId(m, key) {
  const value = m.get(key);
  if (!(value instanceof Uint8Array)) fail(`claim ${key}: must be a byte string`);
  if (value.length !== REVOCATION_ID_BYTES) fail(`revocation_id: must be ${REVOCATION_ID_BYTES} bytes`);
  let hex = '';
  for (const b of value) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/** Values an extension claim may hold: what every CBOR decoder reads back unchanged. */
function plain(value, depth) {
  if (depth > PLAIN_MAX_DEPTH) return false;
  if (value === null || typeof value === 'boolean' || isInt(value) || typeof value === 'string'
      || value instanceof Uint8Array) {
    return true;
  }
  if (Array.isArray(value)) return value.every((v) => plain(v, depth + 1));
  if (value instanceof Map) {
    for (const [k, v] of value) {
      if (!(isInt(k) || typeof k === 'string') || !plain(v, depth + 1)) return false;
    }
    return true;
  }
  return false;
}

/**
 * A decoded claims map (Map with integer keys, from cose.loadsStrict) to the frozen JSON view
 * of Python's Claims.to_json(): snake_case keys, ISO dates, revocation_id hex, copay_ratio in
 * percent, limit_category null when absent. Throws ClaimsError.
 */
export function claimsFromMap(m, version = 1) {
  if (!(m instanceof Map)) fail('claims must be a map with integer keys');
  for (const k of m.keys()) if (!isInt(k)) fail('claims must be a map with integer keys');
  if (!Object.hasOwn(REQUIRED, version)) fail(`unknown format version ${version}`);
  const missing = REQUIRED[version].filter((k) => !m.has(k));
  if (missing.length) fail(`missing claims ${JSON.stringify(missing)}`);
  if (version === 2 && m.has(KEY.REVOCATION_ID)) fail('claim 15 (revocation_id) is not allowed in version 2');

  const insurer = uint(m, KEY.INSURER_NUMBER, 99_999_999);
  const insurerNumber = String(insurer).padStart(insurer < 1_000_000 ? 6 : 8, '0');
  if (!INSURER_NUMBER.test(insurerNumber)) fail('insurer_number: must be 6 or 8 digits, not starting with 00');

  const symbol = m.has(KEY.SYMBOL) ? expand(m, KEY.SYMBOL) : '';
  if (symbol) checkCode(symbol, 'symbol');
  const number = expand(m, KEY.NUMBER);
  checkCode(number, 'number');
  const branch = m.has(KEY.BRANCH) ? String(uint(m, KEY.BRANCH, 99)).padStart(2, '0') : '';
  const relationship = oneOf(m, KEY.RELATIONSHIP, [1, 2]);
  const name = text(m, KEY.NAME);
  checkText(name, 'name');
  const sex = oneOf(m, KEY.SEX, [1, 2, 3]);
  const birthDate = isoDate(m, KEY.BIRTH_DATE);
  const acquiredOn = isoDate(m, KEY.ACQUIRED_ON);
  const copayRatio = oneOf(m, KEY.COPAY_RATIO, [1, 2, 3]) * 10;
  const copayFrom = isoDate(m, KEY.COPAY_FROM);
  const kind = oneOf(m, KEY.KIND, [1, 2]);
  const issuedAt = uint(m, KEY.ISSUED_AT, 2 ** 32 - 1);
  const expiresAt = uint(m, KEY.EXPIRES_AT, 2 ** 32 - 1);
  if (!(expiresAt > issuedAt)) fail('expires_at: must be after issued_at');
  const rid = version === 1 ? revocationId(m, KEY.REVOCATION_ID) : null;
  const statusIndex = version === 2 ? uint(m, KEY.STATUS_INDEX, MAX_STATUS_INDEX) : null;
  let limitCategory = null;
  if (m.has(KEY.LIMIT_CATEGORY)) {
    limitCategory = text(m, KEY.LIMIT_CATEGORY);
    if (!LIMIT_CATEGORIES.has(limitCategory)) fail('limit_category: must be a known 限度額区分 code');
  }
  for (const [k, v] of m) {
    if (!KNOWN_KEYS[version].has(k) && !plain(v, 0)) {
      fail('extensions: plain CBOR only (integers, text, bytes, booleans, null, arrays and maps)');
    }
  }
  return Object.freeze({
    insurer_number: insurerNumber, symbol, number, branch, relationship, name, sex,
    birth_date: birthDate, acquired_on: acquiredOn, copay_ratio: copayRatio, copay_from: copayFrom,
    kind, issued_at: issuedAt, expires_at: expiresAt, revocation_id: rid, limit_category: limitCategory,
    status_index: statusIndex,
  });
}
