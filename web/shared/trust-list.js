// The signed trust list, checked with WebCrypto alone (browser and Node alike).
// Format: docs/token-format.md ("The trust list"). Pure ES module: no DOM, no network.
// Mirrors server/token_core/trust_list.py; both pass tests/vectors/vectors.json.

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }); // a BOM stays: JSON refuses it
const ascii = new TextEncoder();
const TYP = 'shikaku-trust-list';
const ECDSA_P256 = { name: 'ECDSA', namedCurve: 'P-256' };

/** The whole JWS text, counted in UTF-8 bytes, is refused beyond this before it is parsed. */
export const MAX_TRUST_LIST_BYTES = 5_000_000;
/** Strict JSON: containers nest at most this deep (the list itself needs 4). */
export const MAX_JSON_DEPTH = 16;

/** A kid is 1-16 bytes, as in a token (token/cose.js; not imported here, to keep cborg out). */
export const MIN_KID_BYTES = 1;
export const MAX_KID_BYTES = 16;

export class TrustListError extends Error {}

export function b64urlToBytes(text) {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) {
    throw new TrustListError('base64url expected');
  }
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

function hexOf(text, minBytes, maxBytes, what) {
  if (typeof text !== 'string' || text.length % 2 || text.length < 2 * minBytes
      || text.length > 2 * maxBytes || !/^[0-9a-f]*$/.test(text)) {
    throw new TrustListError(`${what}: ${2 * minBytes}-${2 * maxBytes} lowercase hex digits expected`);
  }
  return Uint8Array.from(text.match(/../g), (h) => parseInt(h, 16));
}

/** A revocation id: 1-32 bytes as lowercase hex. */
export function hexToBytes(text) {
  return hexOf(text, 1, 32, 'rid');
}

/** A key id: 1-16 bytes as lowercase hex (as in a token's protected header). */
export function kidToBytes(text) {
  return hexOf(text, MIN_KID_BYTES, MAX_KID_BYTES, 'kid');
}

export async function importPublicKey(jwk) {
  if (jwk?.kty !== 'EC' || jwk.crv !== 'P-256') throw new TrustListError('not a P-256 key');
  if (b64urlToBytes(jwk.x).length !== 32 || b64urlToBytes(jwk.y).length !== 32) {
    throw new TrustListError('bad coordinate length');
  }
  try {
    return await crypto.subtle.importKey('jwk', { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y },
      ECDSA_P256, false, ['verify']);
  } catch (error) {
    throw new TrustListError(`unusable key: ${error.message}`);
  }
}

// -- strict JSON: what Python's json and JavaScript's JSON.parse read the same way ----------

const isDigitOrSign = (c) => (c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46 || c === 69 || c === 101;
const INTEGER_LITERAL = /^-?(?:0|[1-9][0-9]*)$/;

/**
 * What JSON.parse lets through and the spec refuses, found by one scan of text JSON.parse has
 * already accepted: duplicate member names at any depth (JSON.parse keeps the last one silently;
 * names are compared after unescaping), numbers with a fraction or exponent or beyond 2^53 - 1,
 * containers nested deeper than MAX_JSON_DEPTH.
 */
export function checkStrictJson(text) {
  const open = []; // per open container: a Set of member names (object) or null (array)
  let expectName = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) { // "
      let j = i + 1;
      while (text.charCodeAt(j) !== 34) j += text.charCodeAt(j) === 92 ? 2 : 1;
      if (expectName) {
        const name = JSON.parse(text.slice(i, j + 1));
        const names = open[open.length - 1];
        if (names.has(name)) throw new TrustListError('duplicate JSON member names');
        names.add(name);
        expectName = false;
      }
      i = j;
    } else if (c === 123 || c === 91) { // { [
      open.push(c === 123 ? new Set() : null);
      if (open.length > MAX_JSON_DEPTH) throw new TrustListError(`JSON nested deeper than ${MAX_JSON_DEPTH}`);
      expectName = c === 123;
    } else if (c === 125 || c === 93) { // } ]
      open.pop();
      expectName = false;
    } else if (c === 44) { // ,
      expectName = open[open.length - 1] instanceof Set;
    } else if (c === 45 || (c >= 48 && c <= 57)) {
      let j = i;
      while (j < text.length && isDigitOrSign(text.charCodeAt(j))) j++;
      const literal = text.slice(i, j);
      if (!INTEGER_LITERAL.test(literal) || !Number.isSafeInteger(Number(literal))) {
        throw new TrustListError(`JSON number ${literal.slice(0, 20)} is not an integer up to 2^53 - 1`);
      }
      i = j - 1;
    }
  }
}

/** JSON.parse, then checkStrictJson. Bytes are strict UTF-8 and keep a BOM (which JSON refuses). */
export function loadsStrict(data) {
  const text = typeof data === 'string' ? data : utf8.decode(data);
  const value = JSON.parse(text);
  checkStrictJson(text);
  return value;
}

function utf8Size(text) {
  // A UTF-16 unit is at least one UTF-8 byte (a lone surrogate counts as U+FFFD, 3 bytes).
  return text.length > MAX_TRUST_LIST_BYTES ? text.length : ascii.encode(text).length;
}

// -- the document -----------------------------------------------------------------------------

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

function object(value, what) {
  if (!isObject(value)) throw new TrustListError(`${what} must be a JSON object`);
  return value;
}

function array(value, what) {
  if (!Array.isArray(value)) throw new TrustListError(`${what} must be a JSON array`);
  return value;
}

function textValue(value, what) {
  if (typeof value !== 'string') throw new TrustListError(`${what} must be text`);
  return value;
}

/** Instants and durations: non-negative integers up to 2^53 - 1. */
const int = (value, what) => {
  if (!Number.isSafeInteger(value) || value < 0) throw new TrustListError(`${what} must be a non-negative integer`);
  return value;
};

const strings = (value, what) => {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new TrustListError(`${what} must be a list of text`);
  }
  return value;
};

// Verify the JWS (flattened JSON, ES256) against the pinned anchor, then parse it.
export async function verifyTrustList(text, anchorJwk) {
  try {
    return await verifyAndParse(text, anchorJwk);
  } catch (error) {
    if (error instanceof TrustListError) throw error;
    throw new TrustListError(`malformed trust list: ${error.message}`);
  }
}

/**
 * alg ES256 and our typ; no crit (no extension is understood). The kid is not used: the pinned
 * anchor is the only key a verifier has, and the signature decides.
 */
function checkHeader(header) {
  if (header.alg !== 'ES256' || header.typ !== `${TYP}+jws`) {
    throw new TrustListError('unexpected JWS header');
  }
  if (Object.hasOwn(header, 'crit')) throw new TrustListError('JWS header crit: no extension is understood');
}

async function verifyAndParse(text, anchorJwk) {
  if (typeof text !== 'string' || utf8Size(text) > MAX_TRUST_LIST_BYTES) {
    throw new TrustListError('trust list too large');
  }
  const jws = object(loadsStrict(text), 'the JWS');
  checkHeader(object(loadsStrict(b64urlToBytes(jws.protected)), 'the JWS header'));
  const signature = b64urlToBytes(jws.signature);
  if (signature.length !== 64) throw new TrustListError('signature must be 64 bytes');
  const signed = ascii.encode(`${jws.protected}.${textValue(jws.payload, 'payload')}`);
  const ok = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' },
    await importPublicKey(anchorJwk), signature, signed);
  if (!ok) throw new TrustListError('trust list signature does not verify with the pinned anchor');
  return parseTrustList(loadsStrict(b64urlToBytes(jws.payload)));
}

async function trustedKey(k) {
  return {
    kid: kidToBytes(k.kid),
    kidText: k.kid,
    publicKey: await importPublicKey(k),
    insurers: new Set(strings(k.insurers, 'insurers')),
    signsFrom: int(k.signs_from, 'signs_from'),
    signsUntil: k.signs_until === null ? null : int(k.signs_until, 'signs_until'),
  };
}

/** `status.url`: a relative reference (no scheme, not "//host"), printable ASCII, 1-1000 chars. */
const RELATIVE_URL = /^(?![A-Za-z][A-Za-z0-9+.-]*:)(?!\/\/)[!-~]{1,1000}$/;

/** The optional `status` member: the status lists' signed root (version-2 tokens). */
function statusRoot(value) {
  object(value, 'status');
  if (typeof value.root !== 'string' || !/^[0-9a-f]{64}$/.test(value.root)) {
    throw new TrustListError('status root: 64 lowercase hex digits expected');
  }
  const url = textValue(value.url, 'status url');
  if (!RELATIVE_URL.test(url) || url.includes('\\')) {
    throw new TrustListError('status url: a relative reference of 1-1000 printable ASCII characters');
  }
  return Object.freeze({ seq: int(value.seq, 'status seq'), root: value.root, url });
}

// The payload document (already strict JSON), checked member by member as the Python core does.
export async function parseTrustList(doc) {
  object(doc, 'the payload');
  if (doc.typ !== TYP || doc.v !== 1) throw new TrustListError('not a version-1 Shikaku Pass trust list');
  const keys = [];
  for (const k of array(doc.keys, 'keys')) {
    if (textValue(object(k, 'a key entry').alg, 'alg') === 'ES256') keys.push(await trustedKey(k));
  }
  const revocations = new Map();
  for (const r of array(doc.revocations, 'revocations')) {
    object(r, 'a revocation entry');
    hexToBytes(r.rid);
    const before = int(r.before, 'before');
    revocations.set(r.rid, Math.max(before, revocations.get(r.rid) ?? before));
  }
  const insurers = object(doc.insurers, 'insurers');
  if (!Object.values(insurers).every((name) => typeof name === 'string')) {
    throw new TrustListError('insurer names must be text');
  }
  const status = Object.hasOwn(doc, 'status') ? statusRoot(doc.status) : null;
  return {
    issuedAt: int(doc.iat, 'iat'),
    expiresAt: int(doc.exp, 'exp'),
    grace: int(doc.grace, 'grace'),
    insurers: { ...insurers },
    keys,
    revocations,
    status,
  };
}
