// CBOR <-> COSE_Sign1 (RFC 9052), ES256 with a raw r||s signature (docs/token-format.md, layer 2).
// Mirrors server/token_core/cose.py. We accept exactly one shape:
//
//   18([ bstr .cbor {1: -7, 4: kid}, {}, bstr payload, bstr 64-byte signature ])
//
// Strict CBOR on top of cborg (npm): definite lengths, shortest forms, no duplicate keys,
// depth <= 8, no floats, no undefined or other simple values, strict UTF-8 text, and no tags
// except tag 18 as the very first item of a COSE structure. Then the decoded value is
// re-encoded deterministically (RFC 8949 §4.2.1 with the length-first map-key order of
// §4.2.3, as cbor2's canonical mode) and must give back the input bytes exactly.
//
// Module resolution: 'cborg' is a bare specifier. Node finds it in web/node_modules; a page
// must declare, before any module script:
//   <script type="importmap">{"imports": {"cborg": "/vendor/cborg/cborg.js"}}</script>
import { Tagged, Token, Tokenizer, Type, decode, encode } from 'cborg';

export const COSE_SIGN1_TAG = 18;
export const ALG = 1;
export const KID = 4;
export const ES256 = -7;
export const SIG_BYTES = 64;
/** A kid is 1-16 bytes, in a token and in a trust list (this issuer writes 4). */
export const MIN_KID_BYTES = 1;
export const MAX_KID_BYTES = 16;
/** Containers may nest 8 deep (an item inside more than 8 containers is refused, as cbor2). */
export const MAX_DEPTH = 8;

export class CoseError extends Error {}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// Options for cborg's tokenizer (used by its per-type decoders).
const TOKENIZER_OPTIONS = Object.freeze({
  strict: true,              // shortest integer and length forms
  allowIndefinite: false,
  allowUndefined: false,
  allowInfinity: false,
  allowNaN: false,
  allowBigInt: true,         // 64-bit integers come back as BigInt
  retainStringBytes: true,   // text is re-decoded below with a fatal, BOM-keeping decoder
});

/**
 * Wraps cborg's tokenizer to refuse what cborg would let through: floats, tags other than
 * an allowed one at position 0, nesting deeper than MAX_DEPTH. Text tokens are re-decoded
 * strictly (cborg's TextDecoder replaces bad sequences and strips a leading BOM).
 */
class StrictTokenizer {
  constructor(data, topTag) {
    this.inner = new Tokenizer(data, TOKENIZER_OPTIONS);
    this.topTag = topTag;
    this.open = []; // children still expected by each open container
  }

  done() {
    return this.inner.done();
  }

  pos() {
    return this.inner.pos();
  }

  next() {
    const start = this.inner.pos();
    let token = this.inner.next();
    const type = token.type;
    const open = this.open;
    if (open.length > MAX_DEPTH) throw new CoseError('CBOR nested too deep');
    if (open.length) open[open.length - 1] -= 1;
    let children = 0;
    if (Type.equals(type, Type.array)) children = token.value;
    else if (Type.equals(type, Type.map)) children = token.value * 2;
    else if (Type.equals(type, Type.tag)) {
      if (start !== 0 || token.value !== this.topTag) throw new CoseError(`tag ${token.value} not allowed`);
      children = 1;
    } else if (Type.equals(type, Type.string)) {
      token = new Token(Type.string, utf8.decode(token.byteValue), token.encodedLength);
    } else if (!(Type.equals(type, Type.uint) || Type.equals(type, Type.negint)
        || Type.equals(type, Type.bytes) || Type.equals(type, Type.false)
        || Type.equals(type, Type.true) || Type.equals(type, Type.null))) {
      throw new CoseError(`CBOR ${type.name} not allowed`);
    }
    if (!Number.isSafeInteger(children)) throw new CoseError('indefinite length');
    if (children > 0) open.push(children);
    else while (open.length && open[open.length - 1] === 0) open.pop();
    return token;
  }
}

// -- deterministic encoding ---------------------------------------------------

function keyBytes(token) {
  if (!(token instanceof Token)) throw new CoseError('complex map keys are not allowed');
  if (token._deterministicKey === undefined) {
    const type = token.type;
    if (!(Type.equals(type, Type.uint) || Type.equals(type, Type.negint)
        || Type.equals(type, Type.string) || Type.equals(type, Type.bytes))) {
      throw new CoseError(`map keys of type ${type.name} are not allowed`);
    }
    token._deterministicKey = encode(token.value);
  }
  return token._deterministicKey;
}

/** RFC 8949 §4.2.3 (and cbor2 canonical): shorter encoded key first, then bytewise. */
function lengthFirstMapSorter(e1, e2) {
  const k1 = keyBytes(e1[0]);
  const k2 = keyBytes(e2[0]);
  if (k1.length !== k2.length) return k1.length - k2.length;
  for (let i = 0; i < k1.length; i++) {
    if (k1[i] !== k2[i]) return k1[i] - k2[i];
  }
  return 0;
}

const ENCODE_OPTIONS = Object.freeze({ mapSorter: lengthFirstMapSorter });

/** Deterministic CBOR of a value (Maps, Arrays, Uint8Arrays, text, integers, Tagged). */
export function dumps(value) {
  return encode(value, ENCODE_OPTIONS);
}

function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Decode one CBOR item that must be in deterministic encoding, with nothing after it.
 * Maps come back as Map (integer keys as numbers, or BigInt beyond 2^53), byte strings as
 * Uint8Array. `topTag` is the one tag number allowed, and only as the first item.
 * Throws CoseError.
 */
export function loadsStrict(data, { topTag = null } = {}) {
  let value;
  try {
    value = decode(data, {
      tokenizer: new StrictTokenizer(data, topTag),
      useMaps: true,
      rejectDuplicateMapKeys: true,
      tags: topTag === null ? {} : { [topTag]: Tagged.decoder(topTag) },
    });
  } catch (error) {
    throw new CoseError(`not CBOR: ${error.message}`);
  }
  let canonical;
  try {
    canonical = equalBytes(dumps(value), data);
  } catch {
    canonical = false;
  }
  if (!canonical) throw new CoseError('not deterministic CBOR, or trailing bytes');
  return value;
}

const isBytes = (v) => v instanceof Uint8Array;

/**
 * Parse a COSE_Sign1 of exactly our shape. Returns a frozen
 * {protected, kid, payload, signature} (Uint8Arrays). Throws CoseError.
 */
export function parse(data) {
  const item = loadsStrict(data, { topTag: COSE_SIGN1_TAG });
  if (!(item instanceof Tagged) || item.tag !== COSE_SIGN1_TAG) throw new CoseError('not a tagged COSE_Sign1');
  const body = item.value;
  if (!Array.isArray(body) || body.length !== 4) throw new CoseError('COSE_Sign1 must be an array of 4');
  const [protectedBytes, unprotected, payload, signature] = body;
  if (!isBytes(protectedBytes) || !(unprotected instanceof Map) || unprotected.size !== 0 || !isBytes(payload)) {
    throw new CoseError('bad COSE_Sign1 members');
  }
  if (!isBytes(signature) || signature.length !== SIG_BYTES) throw new CoseError('signature must be 64 bytes (r||s)');
  const header = loadsStrict(protectedBytes);
  if (!(header instanceof Map) || header.size !== 2 || !header.has(ALG) || !header.has(KID)
      || header.get(ALG) !== ES256) {
    throw new CoseError('protected header must be exactly {alg: ES256, kid}');
  }
  const kid = header.get(KID);
  if (!isBytes(kid) || kid.length < MIN_KID_BYTES || kid.length > MAX_KID_BYTES) throw new CoseError('bad key id');
  return Object.freeze({ protected: protectedBytes, kid, payload, signature });
}

/** The bytes the signature covers: ["Signature1", protected, h'', payload], deterministic CBOR. */
export function toBeSigned(message) {
  return dumps(['Signature1', message.protected, new Uint8Array(0), message.payload]);
}

/** ECDSA P-256 / SHA-256 over the Sig_structure with WebCrypto; false on any failure. */
export async function verifySignature(message, publicKey, data = toBeSigned(message)) {
  try {
    return await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, publicKey, message.signature, data);
  } catch {
    return false;
  }
}
