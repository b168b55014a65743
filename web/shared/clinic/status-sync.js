// The clinic's status lists (docs/token-format.md, "Status lists"), kept in step with its trust
// list. Pure ES module (fetching is passed in), so Node's test runner runs it as the page does.
//
// Rules:
// - a trust list and its status state are adopted together: the state's root must be the root
//   the new list signed (parseSnapshot/applyDelta check it); a list whose state cannot be had
//   is not adopted, and the saved pair stays;
// - the state held for the same root is reused; with an older seq, the delta from it
//   (`{url}{from}-{seq}.delta`, resolved against the trust list's URL) is tried first; a delta
//   the server does not have (404) or that does not reach the signed root → the snapshot
//   (`{url}{seq}.snapshot`); a failing snapshot fails the sync.
//
// What the device stores is the state in the snapshot format (encodeSnapshot): on every start
// parseSnapshot() checks it again against the root the saved, signed list carries, so nothing
// stored is trusted without the signature. A downloaded snapshot is stored as received; after
// a delta only the lists it changed are compressed again, with zlib (encoding 0: the others keep
// their encoding and bytes).

import { StatusListError, applyDelta, parseSnapshot } from '../token/status-lists.js';

export { StatusListError };

const SNAPSHOT_MAGIC = [0x53, 0x50, 0x53, 0x02];
const KEY_BYTES = 7;
const ENTRY_HEADER = KEY_BYTES + 4 + 1 + 4;      // key ‖ u32 bit length ‖ u8 encoding ‖ u32 n
const ZLIB = 0;
/** list object (from a state) → [encoding, payload], for lists that came from or went into a snapshot. */
const compressed = new WeakMap();

/** The URLs of the status files for a signed `status` member ({seq, root, url}). */
export function statusUrls(trustListUrl, signed, fromSeq = null) {
  const base = new URL(signed.url, trustListUrl);
  return {
    snapshot: new URL(`${signed.seq}.snapshot`, base).href,
    delta: fromSeq === null ? null : new URL(`${fromSeq}-${signed.seq}.delta`, base).href,
  };
}

/**
 * What to fetch for the new list's signed status, holding `held` ({seq, root} or null):
 * 'none' (no status in the list, or the same root held), 'delta' (an older seq held) or
 * 'snapshot'.
 */
export function planSync(signed, held) {
  if (!signed) return 'none';
  if (held && held.root === signed.root) return 'none';
  if (held && Number.isInteger(held.seq) && held.seq < signed.seq) return 'delta';
  return 'snapshot';
}

/**
 * The state for the verified trust list `list`, from the `held` pair ({seq, root, state} or null).
 * `fetchBytes(url, {onProgress})` resolves to a Uint8Array, or null for a 404; it rejects when
 * the network fails. Resolves to {state, how: none|delta|snapshot, bytes, snapshot?, refused?}
 * (`snapshot`: the downloaded snapshot's bytes, to store as they are); rejects with the error
 * of the snapshot (a StatusListError when it does not reach the signed root).
 */
export async function syncStatus({ trustListUrl, list, held, fetchBytes, onProgress = () => {} }) {
  const signed = list.status ?? null;
  const plan = planSync(signed, held?.state ? held : null);
  if (plan === 'none') return { state: signed ? held.state : null, how: 'none', bytes: 0 };
  const urls = statusUrls(trustListUrl, signed, plan === 'delta' ? held.seq : null);
  let refused = null;
  if (plan === 'delta') {
    const data = await fetchBytes(urls.delta, {});
    if (data !== null) {
      try {
        const state = await applyDelta(held.state, data, signed.root);
        return { state, how: 'delta', bytes: data.length };
      } catch (error) {
        if (!(error instanceof StatusListError)) throw error;
        refused = error.message;
      }
    }
  }
  const data = await fetchBytes(urls.snapshot, { onProgress });
  if (data === null) throw new StatusListError(`no snapshot ${signed.seq} on the server`);
  const state = await parseSnapshot(data, signed.root);
  remember(state, data);
  return { state, how: 'snapshot', bytes: data.length, snapshot: data, refused };
}

/** Split a snapshot into its lists' encodings and payloads (the order of parseSnapshot's sorted map). */
function remember(state, data) {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let at = 8;
  for (const list of state.lists.values()) {
    const encoding = data[at + KEY_BYTES + 4];
    const size = view.getUint32(at + KEY_BYTES + 5);
    at += ENTRY_HEADER;
    compressed.set(list, [encoding, data.subarray(at, at + size)]);
    at += size;
  }
}

async function deflate(bits) {
  const stream = new Blob([bits]).stream().pipeThrough(new CompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A state (verified) in the snapshot format, to store; parseSnapshot() reads it back. */
export async function encodeSnapshot(state) {
  const parts = await Promise.all([...state.lists].map(async ([key, list]) => {
    let stored = compressed.get(list);
    if (!stored) {
      stored = [ZLIB, await deflate(list.bits)];
      compressed.set(list, stored);
    }
    return [key, list.length, ...stored];
  }));
  const total = parts.reduce((sum, [, , , z]) => sum + ENTRY_HEADER + z.length, 8);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(SNAPSHOT_MAGIC);
  view.setUint32(4, parts.length);
  let at = 8;
  for (const [key, length, encoding, z] of parts) {
    out.set(key.match(/../g).map((h) => parseInt(h, 16)), at);
    view.setUint32(at + KEY_BYTES, length);
    out[at + KEY_BYTES + 4] = encoding;
    view.setUint32(at + KEY_BYTES + 5, z.length);
    out.set(z, at + ENTRY_HEADER);
    at += ENTRY_HEADER + z.length;
  }
  return out;
}

/** The stored snapshot read back, checked against the signed root; remembered for re-encoding. */
export async function loadSnapshot(data, root) {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  const state = await parseSnapshot(bytes, root);
  remember(state, bytes);
  return state;
}

/**
 * fetch() of a status file as bytes, reading the body chunk by chunk to report progress:
 * onProgress({loaded, total}) with total = Content-Length (null before the answer, and when
 * absent or the body is encoded). Resolves to null for a 404; rejects on any other failure.
 */
export async function fetchBytes(url, { onProgress = () => {}, fetchImpl = globalThis.fetch } = {}) {
  onProgress({ loaded: 0, total: null });          // shown (indeterminate) while the server answers
  const response = await fetchImpl(url, { credentials: 'omit' });
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${url}`);
  const length = Number(response.headers.get('Content-Length'));
  const total = Number.isFinite(length) && length > 0 && !response.headers.get('Content-Encoding') ? length : null;
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks = [];
  let loaded = 0;
  onProgress({ loaded, total });
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    onProgress({ loaded, total });
  }
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const chunk of chunks) { out.set(chunk, at); at += chunk.length; }
  return out;
}
