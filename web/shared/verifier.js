// The Shikaku Pass token verifier: the JavaScript twin of server/token_core/verify.py.
// Spec: docs/token-format.md. Both verifiers pass every vector in tests/vectors/vectors.json,
// in Node (web/test/verifier.test.js) and in Chromium (tests/test_js_vectors_browser.py).
//
// Pure ES module (WebCrypto, BigInt, the npm package cborg): no DOM, no network, no Node APIs.
//
// ┌─ REQUIRED in every page that imports this module (directly or indirectly) ──────────────┐
// │ cose.js imports the bare specifier 'cborg'. Node resolves it from web/node_modules; a     │
// │ browser needs an import map, declared in the HTML BEFORE any <script type="module">:      │
// │                                                                                           │
// │   <script type="importmap">{"imports": {"cborg": "/vendor/cborg/cborg.js"}}</script>      │
// │                                                                                           │
// │ (server/clinic.py serves web/node_modules/cborg at /vendor/cborg/; cborg's own files      │
// │ import each other by relative paths, so the whole directory resolves from there.)         │
// │ A service worker that works offline must cache /vendor/cborg/cborg.js and the files of    │
// │ /vendor/cborg/lib/ it imports, next to /shared/verifier.js and /shared/token/*.js.        │
// └───────────────────────────────────────────────────────────────────────────────────────────┘
//
//   import { verify } from '/shared/verifier.js';
//   import { verifyTrustList } from '/shared/trust-list.js';
//   const list = await verifyTrustList(jwsText, pinnedAnchorJwk);
//   const result = await verify(scannedText, list, { now: Math.floor(Date.now() / 1000), status });
//   // status: for version-2 tokens, the lists from parseSnapshot()/applyDelta() in
//   // ./token/status-lists.js, checked against list.status.root (null/absent when none)
//   // result: frozen {status, detail, warnings, claims, kid, insurerName}
//
// verify() is total: whatever it is given it resolves to a result and never throws or rejects.
// The checks run in this order and the first failure decides the status:
//   1. size, alphabet, header, digit count                  -> malformed
//   2. COSE_Sign1 shape, protected header {alg: ES256, kid} -> malformed
//   3. trust list past exp + grace                          -> trust_list_expired (re-sync first)
//   4. a trusted key with the token's kid (at most 8 tried) -> unknown_key
//   5. the signature with one of those keys                 -> bad_signature
//   6. the claims map                                       -> malformed
//   7. key scope: insurer and signing window (± skew)       -> key_not_for_insurer
//   8. version 1: a revocation entry with before > issued_at -> revoked
//      version 2: the token's bit in the status lists of the list's root -> revoked;
//                 no lists for that root                      -> status_unavailable
//   9. issued_at > now + skew                               -> not_yet_valid
//  10. now > expires_at + skew                              -> expired
// Claims are set whenever the signature verified (statuses from 7 on); only `valid` makes them
// trustworthy. kid (lowercase hex) is set once the COSE_Sign1 parsed.
// Warnings, independent of the status: trust_list_stale (now > the list's exp) and
// clock_suspect (now + skew < the list's iat: the device clock is behind the list).
//
// Beyond Python's contract (which assumes a valid list and clock): a `trustList` that is not a
// parsed list gives trust_list_expired once the token's form checks pass (no list can decide),
// with no warnings; a `now` or `skew` that is not a finite number gives malformed. `now`
// defaults to the device clock. Bytes (Uint8Array) are read as UTF-8, like Python's bytes input.
import { claimsFromMap } from './token/claims.js';
import { loadsStrict, parse, toBeSigned, verifySignature } from './token/cose.js';
import { MAX_INPUT_CHARS, decodeVersioned } from './token/digits.js';
import { EMPTY_ROOT, isRevoked, isVerifiedState, positionOf } from './token/status-lists.js';

/** Default tolerance for clocks that disagree (device vs. issuer), in seconds. */
export const DEFAULT_SKEW = 300;
/** At most this many keys with one kid are tried. */
export const MAX_KEYS_PER_KID = 8;

export const STATUS = Object.freeze({
  VALID: 'valid',
  MALFORMED: 'malformed',
  BAD_SIGNATURE: 'bad_signature',
  UNKNOWN_KEY: 'unknown_key',
  KEY_NOT_FOR_INSURER: 'key_not_for_insurer',
  EXPIRED: 'expired',
  NOT_YET_VALID: 'not_yet_valid',
  REVOKED: 'revoked',
  TRUST_LIST_EXPIRED: 'trust_list_expired',
  STATUS_UNAVAILABLE: 'status_unavailable',
});

export const WARNING = Object.freeze({
  TRUST_LIST_STALE: 'trust_list_stale',
  CLOCK_SUSPECT: 'clock_suspect',
});

class Rejected {
  constructor(status, detail, extra = {}) {
    this.status = status;
    this.detail = detail;
    this.extra = extra;
  }
}

function result(status, detail, warnings, { claims = null, kid = null, insurerName = null } = {}) {
  return Object.freeze({ status, detail, warnings: Object.freeze([...warnings]), claims, kid, insurerName });
}

const isFiniteNumber = (v) => typeof v === 'number' && Number.isFinite(v);

function usableTrustList(list) {
  return list !== null && typeof list === 'object' && isFiniteNumber(list.issuedAt)
    && isFiniteNumber(list.expiresAt) && isFiniteNumber(list.grace) && Array.isArray(list.keys)
    && list.revocations instanceof Map && list.insurers !== null && typeof list.insurers === 'object';
}

function warningsFor(list, now, skew) {
  const found = [];
  if (now > list.expiresAt) found.push(WARNING.TRUST_LIST_STALE);
  if (now + skew < list.issuedAt) found.push(WARNING.CLOCK_SUSPECT);
  return found;
}

function hex(bytes) {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

function equalBytes(a, b) {
  if (!(a instanceof Uint8Array) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function insurerName(list, number) {
  return Object.prototype.hasOwnProperty.call(list.insurers, number) ? list.insurers[number] : null;
}

const bytesInput = new TextDecoder('utf-8', { ignoreBOM: true }); // replaces bad sequences

/**
 * Verify a token's text against a parsed trust list (from web/shared/trust-list.js) at `now`
 * (seconds since the epoch). Resolves to a frozen {status, detail, warnings, claims, kid,
 * insurerName}; never rejects.
 * @param {unknown} text the scanned text (or its UTF-8 bytes)
 * @param {object} trustList what verifyTrustList() from ./trust-list.js resolved to
 * @param {{now?: number, skew?: number, status?: object}} [options] now: seconds since the epoch
 *   (default: the device clock); skew: tolerated clock difference in seconds (default
 *   DEFAULT_SKEW = 300); status: the status lists (parseSnapshot/applyDelta) for version 2
 */
export async function verify(text, trustList, options = {}) {
  try {
    // The documented shape: verify(text, trustList, { now, skew = DEFAULT_SKEW } = {}),
    // destructured in here so that even `null` options give a result instead of a TypeError.
    let { now, skew = DEFAULT_SKEW, status = null } = options ?? {};
    if (now === undefined) now = Math.floor(Date.now() / 1000);
    if (!isFiniteNumber(now) || !isFiniteNumber(skew)) {
      return result(STATUS.MALFORMED, 'verifier called without a usable clock (now, skew)', []);
    }
    const listOk = usableTrustList(trustList);
    const warnings = listOk ? warningsFor(trustList, now, skew) : [];
    try {
      const { claims, kid } = await check(text, listOk ? trustList : null, now, skew, status);
      return result(STATUS.VALID, '', warnings, { claims, kid, insurerName: insurerName(trustList, claims.insurer_number) });
    } catch (error) {
      if (error instanceof Rejected) return result(error.status, error.detail, warnings, error.extra);
      return result(STATUS.MALFORMED, `unexpected: ${error?.name ?? typeof error}`, warnings);
    }
  } catch (error) {
    return result(STATUS.MALFORMED, `unexpected: ${error?.name ?? typeof error}`, []);
  }
}

async function check(text, list, now, skew, status) {
  if (text instanceof Uint8Array) text = bytesInput.decode(text.subarray(0, MAX_INPUT_CHARS + 1));
  if (typeof text !== 'string') throw new Rejected(STATUS.MALFORMED, 'input is not text');
  let message;
  let version;
  try {
    let bytes;
    ({ version, bytes } = decodeVersioned(text));
    message = parse(bytes);
  } catch (error) {
    throw new Rejected(STATUS.MALFORMED, String(error?.message ?? error));
  }
  const kid = hex(message.kid);
  if (list === null) {
    throw new Rejected(STATUS.TRUST_LIST_EXPIRED, 'no usable trust list: load one first', { kid });
  }
  if (now > list.expiresAt + list.grace) {
    // Keys and revocations may have changed since: no verdict from this list.
    throw new Rejected(STATUS.TRUST_LIST_EXPIRED, 'trust list too old: refresh it', { kid });
  }
  const candidates = list.keys.filter((k) => equalBytes(k?.kid, message.kid)).slice(0, MAX_KEYS_PER_KID);
  if (candidates.length === 0) throw new Rejected(STATUS.UNKNOWN_KEY, `no trusted key ${kid}`, { kid });
  const key = await verifyingKey(message, candidates);
  if (key === null) throw new Rejected(STATUS.BAD_SIGNATURE, 'signature does not verify', { kid });
  let claims;
  try {
    claims = claimsFromMap(loadsStrict(message.payload), version);
  } catch (error) {
    throw new Rejected(STATUS.MALFORMED, `claims: ${error?.message ?? error}`, { kid });
  }
  const extra = { kid, claims, insurerName: insurerName(list, claims.insurer_number) };
  if (!(key.insurers instanceof Set) || !key.insurers.has(claims.insurer_number)) {
    throw new Rejected(STATUS.KEY_NOT_FOR_INSURER, 'key may not sign for this insurer', extra);
  }
  if (claims.issued_at + skew < key.signsFrom
      || (key.signsUntil !== null && key.signsUntil !== undefined && claims.issued_at > key.signsUntil + skew)) {
    throw new Rejected(STATUS.KEY_NOT_FOR_INSURER, "issued outside the key's signing period", extra);
  }
  if (version === 1) {
    const before = list.revocations.get(claims.revocation_id);
    if (before !== undefined && claims.issued_at < before) {
      throw new Rejected(STATUS.REVOKED, 'revoked by the insurer', extra);
    }
  } else {
    checkStatus(claims, list, status, extra);
  }
  if (claims.issued_at > now + skew) throw new Rejected(STATUS.NOT_YET_VALID, 'issued in the future', extra);
  if (now > claims.expires_at + skew) throw new Rejected(STATUS.EXPIRED, 'past expiry', extra);
  return { claims, kid };
}

/**
 * Step 8 for version 2: the token's bit, in the lists whose root the trust list signed. No lists
 * is the empty state, which is enough only when the signed root is the empty one.
 */
function checkStatus(claims, list, state, extra) {
  const signed = list.status ?? null;
  if (signed === null) {
    throw new Rejected(STATUS.STATUS_UNAVAILABLE, 'the trust list has no status lists: re-sync', extra);
  }
  if ((state === null || state === undefined) && signed.root === EMPTY_ROOT) return;
  if (!isVerifiedState(state) || state.root !== signed.root) {
    throw new Rejected(STATUS.STATUS_UNAVAILABLE, "no status lists for the trust list's root: re-sync", extra);
  }
  const { key, position } = positionOf(claims);
  if (isRevoked(state, key, position)) throw new Rejected(STATUS.REVOKED, 'revoked by the insurer (status list)', extra);
}

async function verifyingKey(message, candidates) {
  const data = toBeSigned(message);
  for (const key of candidates) {
    if (await verifySignature(message, key.publicKey, data)) return key;
  }
  return null;
}
