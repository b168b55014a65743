// The signed trust list, checked with WebCrypto alone (browser and Node alike).
// Format: docs/token-format.md ("Trust list"). Pure ES module: no DOM, no network.

const enc = new TextEncoder();

export class TrustListError extends Error {}

export function b64urlToBytes(text) {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text)) {
    throw new TrustListError('base64url expected');
  }
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - text.length % 4) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

export async function importAnchor(jwk) {
  return crypto.subtle.importKey('jwk', { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y },
    { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
}

// Verify the JWS (flattened JSON, ES256) against the pinned anchor; return the payload object.
export async function verifyTrustList(text, anchorJwk) {
  let jws;
  try {
    jws = JSON.parse(text);
  } catch {
    throw new TrustListError('trust list is not JSON');
  }
  const header = JSON.parse(new TextDecoder().decode(b64urlToBytes(jws.protected)));
  if (header.alg !== 'ES256' || header.typ !== 'shikaku-trust-list+jws') {
    throw new TrustListError('unexpected JWS header');
  }
  const signature = b64urlToBytes(jws.signature);
  if (signature.length !== 64) throw new TrustListError('signature must be 64 bytes');
  const ok = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' },
    await importAnchor(anchorJwk), signature, enc.encode(`${jws.protected}.${jws.payload}`));
  if (!ok) throw new TrustListError('trust list signature does not verify with the pinned anchor');
  const payload = JSON.parse(new TextDecoder().decode(b64urlToBytes(jws.payload)));
  if (payload.typ !== 'shikaku-trust-list' || payload.v !== 1) {
    throw new TrustListError('not a version-1 Shikaku Pass trust list');
  }
  return payload;
}
