// The signed trust list, checked with WebCrypto alone (browser and Node alike).
// Format: docs/token-format.md ("The trust list"). Pure ES module: no DOM, no network.
// Mirrors server/token_core/trust_list.py; both pass tests/vectors/vectors.json.

const utf8 = new TextDecoder('utf-8', { fatal: true });
const ascii = new TextEncoder();
const TYP = 'shikaku-trust-list';
const ECDSA_P256 = { name: 'ECDSA', namedCurve: 'P-256' };

export class TrustListError extends Error {}

export function b64urlToBytes(text) {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) {
    throw new TrustListError('base64url expected');
  }
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

export function hexToBytes(text) {
  if (typeof text !== 'string' || !/^(?:[0-9a-f]{2}){1,32}$/.test(text)) {
    throw new TrustListError('hex expected');
  }
  return Uint8Array.from(text.match(/../g), (h) => parseInt(h, 16));
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

const int = (value, what) => {
  if (!Number.isSafeInteger(value)) throw new TrustListError(`${what} must be an integer`);
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

async function verifyAndParse(text, anchorJwk) {
  if (typeof text !== 'string' || text.length > 5_000_000) throw new TrustListError('trust list too large');
  const jws = JSON.parse(text);
  const header = JSON.parse(utf8.decode(b64urlToBytes(jws.protected)));
  if (header.alg !== 'ES256' || header.typ !== `${TYP}+jws`) {
    throw new TrustListError('unexpected JWS header');
  }
  const signature = b64urlToBytes(jws.signature);
  if (signature.length !== 64) throw new TrustListError('signature must be 64 bytes');
  const signed = ascii.encode(`${jws.protected}.${jws.payload}`);
  const ok = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' },
    await importPublicKey(anchorJwk), signature, signed);
  if (!ok) throw new TrustListError('trust list signature does not verify with the pinned anchor');
  return parseTrustList(JSON.parse(utf8.decode(b64urlToBytes(jws.payload))));
}

// The payload, checked field by field as the Python core does.
export async function parseTrustList(doc) {
  if (doc?.typ !== TYP || doc.v !== 1) throw new TrustListError('not a version-1 Shikaku Pass trust list');
  const insurers = doc.insurers;
  if (typeof insurers !== 'object' || insurers === null || Array.isArray(insurers)
      || !Object.values(insurers).every((name) => typeof name === 'string')) {
    throw new TrustListError('insurer names must be text');
  }
  const keys = [];
  for (const k of doc.keys) {
    if (k.alg !== 'ES256') continue;
    keys.push({
      kid: hexToBytes(k.kid),
      kidText: k.kid,
      publicKey: await importPublicKey(k),
      insurers: new Set(strings(k.insurers, 'insurers')),
      signsFrom: int(k.signs_from, 'signs_from'),
      signsUntil: k.signs_until === null ? null : int(k.signs_until, 'signs_until'),
    });
  }
  const revocations = new Map();
  for (const r of doc.revocations) {
    const rid = hexToBytes(r.rid);
    const before = int(r.before, 'before');
    const hex = r.rid;
    if (rid.length === 0) throw new TrustListError('empty revocation id');
    revocations.set(hex, Math.max(before, revocations.get(hex) ?? before));
  }
  return {
    issuedAt: int(doc.iat, 'iat'),
    expiresAt: int(doc.exp, 'exp'),
    grace: int(doc.grace, 'grace'),
    insurers: { ...insurers },
    keys,
    revocations,
  };
}
