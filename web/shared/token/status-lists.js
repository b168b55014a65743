// Status lists: the revocation data of format-version-2 tokens (docs/token-format.md, "Status
// lists"). Mirrors server/token_core/status_lists.py (which also builds them); both pass the
// status vectors in tests/vectors/vectors.json.
//
// One bit per status index, bit i = bit (i & 7) of byte (i >> 3); set = revoked. A token's list:
//   phone notice (kind 1): key (1, insurer number,                      index >> 20)
//   資格確認書   (kind 2): key (2, floor(expires_at / CARD_BLOCK_SECONDS), index >> 20)
// and its bit in it: index & 0xFFFFF.
//   list digest = SHA-256(u32 bit length ‖ packed bits)
//   directory   = per list in key order: key (7 bytes) ‖ u32 bit length ‖ list digest
//   root        = SHA-256(directory)        — signed in the trust list's "status" member
//
// parseSnapshot() and applyDelta() resolve to a frozen state only when its recomputed root is
// the expected (signed) one; anything else rejects with StatusListError. A snapshot's list is zlib
// data (encoding 0) or Golomb-Rice coded gaps (encoding 1); inflating and decoding are bounded:
// nothing is read past the MAX_* limits. Pure ES module: WebCrypto and DecompressionStream
// (Chromium, Node >= 18), no DOM, no Node APIs.

export const SHARD_BITS = 20;
export const MAX_LIST_BITS = 2 ** SHARD_BITS;       // 1,048,576 indexes
export const MAX_SHARD = 4095;                        // indexes are below 2^32
export const CARD_BLOCK_SECONDS = 30 * 86_400;
export const MAX_LISTS = 65_536;
export const MAX_STATE_BYTES = 2 ** 25;               // 32 MiB of bitstrings
export const MAX_SNAPSHOT_BYTES = 2 ** 26;
export const MAX_DELTA_BYTES = 2 ** 24;
export const KIND_NOTICE = 1;
export const KIND_CARD = 2;
/** SHA-256 of the empty directory: the root of the state without lists. */
export const EMPTY_ROOT = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const SNAPSHOT_MAGIC = [0x53, 0x50, 0x53, 0x02]; // "SPS" 2
const DELTA_MAGIC = [0x53, 0x50, 0x44, 0x01];    // "SPD" 1
const KEY_BYTES = 7;
const DIGEST_BYTES = 32;
export const ENCODING_ZLIB = 0;
export const ENCODING_RICE = 1;
export const MAX_RICE_BITS = 20;

export class StatusListError extends Error {}

const fail = (message) => { throw new StatusListError(message); };
const verified = new WeakSet(); // states this module built and checked against a root

function hex(bytes) {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

function u32(value) {
  return Uint8Array.of(value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255);
}

/** A list key as 14 lowercase hex digits (key order = string order). */
export function listKey(kind, group, shard) {
  return hex(Uint8Array.of(kind, ...u32(group), shard >>> 8, shard & 255));
}

function checkKey(keyBytes) {
  const kind = keyBytes[0];
  const shard = keyBytes[5] * 256 + keyBytes[6];
  if ((kind !== KIND_NOTICE && kind !== KIND_CARD) || shard > MAX_SHARD) fail(`not a list key: ${hex(keyBytes)}`);
}

/** The list key (hex) and bit of a version-2 token's claims (the JSON view of claims.js). */
export function positionOf(claims) {
  const index = claims.status_index;
  const group = claims.kind === KIND_NOTICE ? Number(claims.insurer_number)
    : Math.floor(claims.expires_at / CARD_BLOCK_SECONDS);
  return { key: listKey(claims.kind, group, Math.floor(index / MAX_LIST_BITS)), position: index % MAX_LIST_BITS };
}

/** Absent list, or a bit past the list's length: not revoked. */
export function isRevoked(state, key, position) {
  const list = state.lists.get(key);
  return list !== undefined && position < list.length && ((list.bits[position >>> 3] >>> (position & 7)) & 1) === 1;
}

export function isVerifiedState(state) {
  return verified.has(state);
}

async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

async function makeList(length, bits) {
  if (length % 8 && bits[bits.length - 1] >>> (length % 8)) fail('bits past the list\'s length must be zero');
  const input = new Uint8Array(4 + bits.length);
  input.set(u32(length));
  input.set(bits, 4);
  return Object.freeze({ length, bits, digest: await sha256(input) });
}

/** The directory of a Map of lists (key hex -> {length, bits, digest}). */
export function directoryOf(lists) {
  const keys = [...lists.keys()].sort();
  const out = new Uint8Array(keys.length * (KEY_BYTES + 4 + DIGEST_BYTES));
  keys.forEach((key, i) => {
    const list = lists.get(key);
    const at = i * (KEY_BYTES + 4 + DIGEST_BYTES);
    out.set(key.match(/../g).map((h) => parseInt(h, 16)), at);
    out.set(u32(list.length), at + KEY_BYTES);
    out.set(list.digest, at + KEY_BYTES + 4);
  });
  return out;
}

async function finish(lists, expectedRoot) {
  if (lists.size > MAX_LISTS) fail(`more than ${MAX_LISTS} lists`);
  let total = 0;
  for (const list of lists.values()) total += list.bits.length;
  if (total > MAX_STATE_BYTES) fail(`more than ${MAX_STATE_BYTES} bytes of lists`);
  const sorted = new Map([...lists.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
  const root = hex(await sha256(directoryOf(sorted)));
  if (root !== expectedRoot) fail('the lists\' root is not the signed root');
  const state = Object.freeze({ lists: sorted, root });
  verified.add(state);
  return state;
}

// -- zlib ---------------------------------------------------------------------------------------

async function inflateOnce(data, limit) {
  const stream = new DecompressionStream('deflate');
  const writer = stream.writable.getWriter();
  writer.write(data).catch(() => {});
  writer.close().catch(() => {});
  const reader = stream.readable.getReader();
  const chunks = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > limit) {
        reader.cancel().catch(() => {});
        fail(`inflates past ${limit} bytes`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof StatusListError) throw error;
    fail(`not zlib data: ${error?.message ?? error}`);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) { out.set(chunk, at); at += chunk.length; }
  return out;
}

// zlib("") followed by one byte: does this engine's DecompressionStream refuse bytes after the
// stream itself (Chromium), or ignore them (Node 20)? Asked once.
const JUNK_PROBE = Uint8Array.of(0x78, 0xda, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00);
let refusesTrailingBytes = null;

async function engineRefusesTrailingBytes() {
  if (refusesTrailingBytes === null) {
    refusesTrailingBytes = inflateOnce(JUNK_PROBE, 16).then(() => false, () => true);
  }
  return refusesTrailingBytes;
}

/**
 * zlib (RFC 1950) data inflated to at most `limit` bytes, the stream complete and nothing after
 * it. Where DecompressionStream ignores bytes after the stream (Node 20), the data less its last
 * byte must be an incomplete stream: that holds exactly when the stream ends at the end.
 */
export async function inflate(data, limit) {
  const out = await inflateOnce(data, limit);
  if (await engineRefusesTrailingBytes()) return out;
  let complete = true;
  try {
    await inflateOnce(data.subarray(0, data.length - 1), limit);
  } catch {
    complete = false;
  }
  if (complete) fail('bytes after the zlib data');
  return out;
}

// -- reading --------------------------------------------------------------------------------

class Reader {
  constructor(data) {
    this.data = data;
    this.at = 0;
  }

  take(n) {
    if (this.at + n > this.data.length) fail('truncated');
    this.at += n;
    return this.data.subarray(this.at - n, this.at);
  }

  u32() {
    const b = this.take(4);
    return ((b[0] << 24) >>> 0) + (b[1] << 16) + (b[2] << 8) + b[3];
  }

  /** Unsigned LEB128 in its shortest form, below 2^32 (at most 5 bytes). */
  varint() {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = this.take(1)[0];
      value += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) {
        if ((byte === 0 && shift) || value >= 2 ** 32) fail('varint not in its shortest form, or too large');
        return value;
      }
    }
    return fail('varint too long');
  }

  end() {
    if (this.at !== this.data.length) fail('bytes after the end');
  }
}

function magic(reader, expected, what) {
  const got = reader.take(4);
  if (!expected.every((b, i) => got[i] === b)) fail(`not a status-list ${what}`);
}

function bytesOf(data) {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return fail('bytes expected');
}

function rootHex(expectedRoot) {
  if (typeof expectedRoot !== 'string' || !/^[0-9a-f]{64}$/.test(expectedRoot)) fail('the expected root: 64 lowercase hex digits');
  return expectedRoot;
}

// -- Golomb-Rice --------------------------------------------------------------------------------

/**
 * The packed bits of a `length`-bit list from its encoding-1 payload: varint k ‖ u8 r ‖ k
 * remainders of r bits ‖ k quotients in unary (q zeros then a one), both bit streams LSB-first;
 * gap i = (q << r) + remainder = p_i - p_(i-1) - 1. Refuses, before any work beyond what
 * `length` allows, r > 20, k > length, non-zero padding after the remainders, quotient bytes
 * that could only reach past the end, other than k ones, bytes after the last one's byte, and a
 * set bit at or past `length`. The same rules as the Python reader's rice_decode().
 */
export function riceDecode(payload, length) {
  const reader = new Reader(payload);
  const k = reader.varint();
  const r = reader.take(1)[0];
  if (r > MAX_RICE_BITS) fail(`Rice parameter ${r}: at most ${MAX_RICE_BITS}`);
  if (k > length) fail(`${k} set bits in a list of ${length}`);
  const nbits = k * r;
  const remainders = reader.take(Math.ceil(nbits / 8));
  if (nbits % 8 && remainders[remainders.length - 1] >>> (nbits % 8)) fail('Rice remainders: padding bits not zero');
  const unary = payload.subarray(reader.at);
  const bits = new Uint8Array(Math.ceil(length / 8));
  if (k === 0) {
    if (unary.length) fail('bytes after a list\'s Rice code');
    return bits;
  }
  // the quotients sum to at most (length - k) >> r: more bytes can only reach past the end
  if (unary.length > Math.ceil((k + Math.floor((length - k) / 2 ** r)) / 8)) fail('a list\'s Rice quotients run past its length');
  if (unary.length === 0 || unary[unary.length - 1] === 0) fail('bytes after a list\'s Rice code, or a Rice code cut short');
  // remainders with 3 zero bytes after them, so that every read is 4 bytes in bounds
  const low = new Uint8Array(remainders.length + 3);
  low.set(remainders);
  const mask = (1 << r) - 1;
  const scale = 2 ** r;
  let count = 0;
  let previousOne = -1;         // bit index in the unary stream
  let position = -1;
  let at = 0;                   // bit index in the remainder stream
  for (let j = 0; j < unary.length; j++) {
    let byte = unary[j];
    while (byte !== 0) {
      const lowest = byte & -byte;
      byte ^= lowest;
      const one = j * 8 + 31 - Math.clz32(lowest);
      const quotient = one - previousOne - 1;
      previousOne = one;
      if (count === k) fail(`more than ${k} Rice quotients for ${k} set bits`);
      const b = at >>> 3;
      const remainder = ((low[b] | (low[b + 1] << 8) | (low[b + 2] << 16) | (low[b + 3] << 24)) >>> (at & 7)) & mask;
      at += r;
      position += quotient * scale + remainder + 1;
      if (position >= length) fail(`a set bit at ${position}, past the list's ${length} bits`);
      bits[position >>> 3] |= 1 << (position & 7);
      count++;
    }
  }
  if (count !== k) fail(`${count} Rice quotients for ${k} set bits`);
  return bits;
}

/**
 * The state in a snapshot, if its root is `expectedRoot` (hex, from the verified trust list's
 * status member). Resolves to a frozen {lists, root}; rejects with StatusListError.
 */
export async function parseSnapshot(data, expectedRoot) {
  try {
    rootHex(expectedRoot);
    const bytes = bytesOf(data);
    if (bytes.length > MAX_SNAPSHOT_BYTES) fail('snapshot too large');
    const reader = new Reader(bytes);
    magic(reader, SNAPSHOT_MAGIC, 'snapshot');
    const count = reader.u32();
    if (count > MAX_LISTS) fail(`more than ${MAX_LISTS} lists`);
    const lists = new Map();
    let previous = '';
    let total = 0;
    for (let i = 0; i < count; i++) {
      const keyBytes = reader.take(KEY_BYTES);
      const key = hex(keyBytes);
      if (key <= previous) fail('lists out of order or repeated');
      previous = key;
      const length = reader.u32();
      if (length < 1 || length > MAX_LIST_BITS) fail(`list length ${length}: must be 1 - ${MAX_LIST_BITS}`);
      const size = Math.ceil(length / 8);
      total += size;
      if (total > MAX_STATE_BYTES) fail(`more than ${MAX_STATE_BYTES} bytes of lists`);
      const encoding = reader.take(1)[0];
      const payload = reader.take(reader.u32());
      let bits;
      if (encoding === ENCODING_ZLIB) {
        bits = await inflate(payload, size);
        if (bits.length !== size) fail('a list inflates to the wrong size');
      } else if (encoding === ENCODING_RICE) {
        bits = riceDecode(payload, length);
      } else {
        fail(`list encoding ${encoding}: not 0 (zlib) or 1 (Rice)`);
      }
      checkKey(keyBytes);
      lists.set(key, await makeList(length, bits));
    }
    reader.end();
    return await finish(lists, expectedRoot);
  } catch (error) {
    if (error instanceof StatusListError) throw error;
    throw new StatusListError(`malformed snapshot: ${error?.message ?? error}`);
  }
}

function resized(found, length) {
  const bits = new Uint8Array(Math.ceil(length / 8));
  if (found) bits.set(found.bits.subarray(0, bits.length));
  if (length % 8) bits[bits.length - 1] &= (1 << (length % 8)) - 1;
  return bits;
}

/**
 * `state` (from parseSnapshot or applyDelta) with a delta applied, if the result's root is
 * `expectedRoot`; only the changed lists are hashed again. Rejects with StatusListError (then
 * fetch a snapshot).
 */
export async function applyDelta(state, data, expectedRoot) {
  try {
    rootHex(expectedRoot);
    if (!isVerifiedState(state)) fail('not a verified status state');
    const input = bytesOf(data);
    if (input.length > MAX_DELTA_BYTES) fail('delta too large');
    const reader = new Reader(await inflate(input, MAX_DELTA_BYTES));
    magic(reader, DELTA_MAGIC, 'delta');
    if (hex(reader.take(DIGEST_BYTES)) !== state.root) fail('the delta is for another state');
    const count = reader.u32();
    if (count > MAX_LISTS) fail(`more than ${MAX_LISTS} lists`);
    const lists = new Map(state.lists);
    let previous = '';
    for (let i = 0; i < count; i++) {
      const keyBytes = reader.take(KEY_BYTES);
      const key = hex(keyBytes);
      if (key <= previous) fail('lists out of order or repeated');
      previous = key;
      checkKey(keyBytes);
      const length = reader.u32();
      const flips = reader.varint();
      if (length === 0) {
        if (!lists.has(key) || flips) fail(`list ${key}: dropped, but absent or with flips`);
        lists.delete(key);
        continue;
      }
      if (length > MAX_LIST_BITS || flips > length) fail(`list ${key}: length ${length}, ${flips} flips`);
      const bits = resized(lists.get(key), length);
      let position = -1;
      for (let j = 0; j < flips; j++) {
        position += reader.varint() + 1;
        if (position >= length) fail(`list ${key}: bit ${position} past its length`);
        bits[position >>> 3] ^= 1 << (position & 7);
      }
      lists.set(key, await makeList(length, bits));
    }
    reader.end();
    return await finish(lists, expectedRoot);
  } catch (error) {
    if (error instanceof StatusListError) throw error;
    throw new StatusListError(`malformed delta: ${error?.message ?? error}`);
  }
}
