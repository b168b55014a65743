// bytes <-> digits: the QR text layer (docs/token-format.md, layer 3).
// Mirrors server/token_core/digits.py.
//
//   text = "8801" + zero_pad(decimal(int_be(bytes)), D(n))    D(n) = digits of 256^n - 1
//
// D(n) is strictly increasing, so the byte count follows from the number of digits and
// every byte string has exactly one text. Pure ES module: BigInt only, no DOM, no Node APIs.

/** "88" identifies Shikaku Pass, the next two digits the format version: 8801 (claim 15, the
 * revocation id) and 8802 (claim 18, the status index). The header is not signed; the claims of
 * the two versions are disjoint (v1 requires claim 15, v2 forbids it). */
export const HEADER = '8801';
export const HEADER_V2 = '8802';
const VERSION_OF = new Map([[HEADER, 1], [HEADER_V2, 2]]);
const HEADER_OF = new Map([[1, HEADER], [2, HEADER_V2]]);
/** Longer input is refused before anything is parsed (counted in code points, as Python does). */
export const MAX_INPUT_CHARS = 2000;

export class DigitsError extends Error {}
export class InputTooLarge extends DigitsError {}

// Full-width digits become ASCII; these whitespace characters are dropped.
const NORMALISE = /[\uFF10-\uFF19 \t\r\n\u3000\u00A0\uFEFF]/g;
const normaliseOne = (c) => {
  const code = c.charCodeAt(0);
  return code >= 0xff10 && code <= 0xff19 ? String.fromCharCode(code - 0xff10 + 0x30) : '';
};
const ASCII_DIGITS = /^[0-9]+$/;

const digitCounts = new Map();

/** Number of decimal digits needed for any `nBytes`-byte value: D(n). */
export function digitCount(nBytes) {
  if (!nBytes) return 0;
  let count = digitCounts.get(nBytes);
  if (count === undefined) {
    count = (256n ** BigInt(nBytes) - 1n).toString().length;
    digitCounts.set(nBytes, count);
  }
  return count;
}

/** Code points in `text`, counting stops once past `limit` (bounded work on huge input). */
function codePointsOver(text, limit) {
  if (text.length <= limit) return false;
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A high surrogate followed by a low one is one code point (as in a Python str).
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    if (++count > limit) return true;
  }
  return false;
}

/** Full-width digits to ASCII; spaces, tabs, line breaks, U+3000, NBSP and BOM dropped. */
export function normalise(text) {
  if (codePointsOver(text, MAX_INPUT_CHARS)) {
    throw new InputTooLarge(`more than ${MAX_INPUT_CHARS} characters`);
  }
  return text.replace(NORMALISE, normaliseOne);
}

/** Bytes (non-empty Uint8Array) to the token text of format `version` (1 or 2). */
export function encode(bytes, version = 1) {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw new DigitsError('nothing to encode');
  if (!HEADER_OF.has(version)) throw new DigitsError(`no format version ${version}`);
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return HEADER_OF.get(version) + BigInt(`0x${hex}`).toString().padStart(digitCount(bytes.length), '0');
}

/** Normalise, check the header (either version), and return the bytes. Throws DigitsError. */
export function decode(text) {
  return decodeVersioned(text).bytes;
}

/** Normalise, check the header, and return {version, bytes}. Throws DigitsError. */
export function decodeVersioned(text) {
  const digits = normalise(text);
  const version = VERSION_OF.get(digits.slice(0, HEADER.length));
  if (version === undefined) throw new DigitsError('not a Shikaku Pass code (header)');
  const body = digits.slice(HEADER.length);
  if (!ASCII_DIGITS.test(body)) throw new DigitsError('only digits are allowed');
  const nBytes = byteCount(body.length);
  if (nBytes === null) throw new DigitsError(`${body.length} digits is not a valid length`);
  const value = BigInt(body);
  if (value >= 256n ** BigInt(nBytes)) throw new DigitsError(`value too large for ${body.length} digits`);
  const hex = value.toString(16).padStart(nBytes * 2, '0');
  const bytes = new Uint8Array(nBytes);
  for (let i = 0; i < nBytes; i++) bytes[i] = parseInt(hex.substr(i * 2, 2), 16);
  return { version, bytes };
}

/** The byte count whose D(n) is exactly `nDigits`, or null (same candidates as Python). */
function byteCount(nDigits) {
  const guess = Math.floor((nDigits * 1000) / 2409); // log10(256) = 2.40824
  for (const n of [guess - 1, guess, guess + 1, guess + 2]) {
    if (n > 0 && digitCount(n) === nDigits) return n;
  }
  return null;
}
