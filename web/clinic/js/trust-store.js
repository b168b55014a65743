// The trust list on this device and the status lists of its root, as one pair: the last
// accepted signed text with its status state (kept together in one IndexedDB record and both
// re-verified on every start: the text against the pinned anchor, the state against the root
// the text signs), refreshed whenever online.
//
// Rules (issues 5 and 11):
// - a received list is accepted only if its JWS verifies with the pinned anchor and its iat
//   is not older than the saved one; otherwise it is refused and the saved pair kept;
// - it is adopted only with the status state of its signed root (web/shared/clinic/
//   status-sync.js: the delta from the held seq, else the snapshot); when that fails the saved
//   pair stays, never a new list with an old state nor a state without its list;
// - the refresh is conditional (If-None-Match with the saved ETag): 304 means unchanged (a
//   saved list whose state is missing gets its snapshot then).

import { encodeSnapshot, fetchBytes, loadSnapshot, syncStatus } from '/shared/clinic/status-sync.js';
import { verifyTrustList } from '/shared/trust-list.js';

const RECORD_KEY = 'current';

export class TrustStore {
  constructor({ url, anchor, store, onChange = () => {}, onProgress = () => {} }) {
    this._url = url;
    this._anchor = anchor;
    this._store = store;
    this._onChange = onChange;
    this._onProgress = onProgress;
    this._refreshing = null;
    /** The parsed, verified list (verifyTrustList's shape) or null. */
    this.list = null;
    /** The status state (status-lists.js) for list.status.root, or null. */
    this.status = null;
    /** {text, etag, fetchedAt, checkedAt, status: {seq, root, snapshot}|null} (milliseconds). */
    this.record = null;
    /** The last refresh: {outcome: updated|unchanged|offline|refused|http|status, at, reason?,
     *  status?, sync?: {how, bytes, ms}}. */
    this.lastRefresh = null;
    /** Why there is no list, when there is none. */
    this.error = null;
    /** A download in progress: {loaded, total} (total null when unknown), else null. */
    this.progress = null;
  }

  /** Load the saved pair; a saved text that no longer verifies with the pin is dropped, a
   *  state that no longer reaches its root is dropped (fetched again on the next refresh). */
  async load() {
    const record = await this._store.get('trust', RECORD_KEY);
    if (record) {
      try {
        this.list = await verifyTrustList(record.text, this._anchor);
        this.record = record;
      } catch (error) {
        this.error = error.message;
        await this._store.delete('trust', RECORD_KEY);
      }
    }
    if (this.list?.status && record.status?.root === this.list.status.root) {
      try {
        this.status = await loadSnapshot(record.status.snapshot, this.list.status.root);
      } catch (error) {
        console.warn('clinic: saved status lists dropped', error);
      }
    }
    this._onChange(this);
  }

  /** Fetch the list if the network allows; concurrent calls share one fetch. */
  refresh() {
    this._refreshing ??= this._refresh().finally(() => { this._refreshing = null; });
    return this._refreshing;
  }

  async _refresh() {
    const at = Date.now();
    const headers = this.record?.etag && this.list ? { 'If-None-Match': this.record.etag } : {};
    let response;
    try {
      response = await fetch(this._url, { cache: 'no-store', credentials: 'omit', headers });
    } catch (error) {
      return this._finish({ outcome: 'offline', at, reason: error.message });
    }
    if (response.status === 304 && this.list) {
      if (this.list.status && !this.status) return this._adopt(this.record.text, this.list, this.record.etag, at);
      this.record = { ...this.record, checkedAt: at };
      await this._store.put('trust', this.record, RECORD_KEY);
      return this._finish({ outcome: 'unchanged', at });
    }
    if (!response.ok) return this._finish({ outcome: 'http', at, status: response.status });
    const text = await response.text();
    let list;
    try {
      list = await verifyTrustList(text, this._anchor);
    } catch (error) {
      if (!this.list) this.error = error.message;
      return this._finish({ outcome: 'refused', why: 'signature', at, reason: error.message });
    }
    if (this.list && list.issuedAt < this.list.issuedAt) {
      return this._finish({ outcome: 'refused', why: 'older', at });
    }
    return this._adopt(text, list, response.headers.get('ETag'), at);
  }

  /** The list with the state of its root, both or neither. */
  async _adopt(text, list, etag, at) {
    const held = this.list?.status && this.status
      ? { seq: this.list.status.seq, root: this.status.root, state: this.status } : null;
    const started = performance.now();
    let sync;
    try {
      sync = await syncStatus({ trustListUrl: this._url, list, held, fetchBytes: (url, options) => fetchBytes(url, {
        ...options, onProgress: options.onProgress && ((progress) => this._progress(progress)) }) });
    } catch (error) {
      if (!this.list) this.error = error.message;
      return this._finish({ outcome: 'status', at, reason: error.message ?? String(error) });
    } finally {
      this._progress(null);
    }
    let saved = null;
    if (list.status) {
      const snapshot = sync.snapshot ?? (sync.how === 'none' && this.record?.status?.root === list.status.root
        ? this.record.status.snapshot : await encodeSnapshot(sync.state));
      saved = { seq: list.status.seq, root: list.status.root, snapshot };
    }
    const ms = Math.round(performance.now() - started);
    const record = { text, etag, fetchedAt: at, checkedAt: at, status: saved };
    await this._store.put('trust', record, RECORD_KEY);
    this.list = list;
    this.status = sync.state;
    this.record = record;
    this.error = null;
    return this._finish({ outcome: 'updated', at, sync: { how: sync.how, bytes: sync.bytes, ms, refused: sync.refused ?? null } });
  }

  _progress(progress) {
    this.progress = progress;
    this._onProgress(progress);
  }

  _finish(refresh) {
    this.lastRefresh = refresh;
    this._onChange(this);
    return refresh;
  }
}
