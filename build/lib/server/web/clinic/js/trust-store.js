// The trust list on this device: the last accepted signed text (kept in IndexedDB and
// re-verified against the pinned anchor on every start), refreshed whenever online.
//
// Rules (issue 5):
// - a received list is accepted only if its JWS verifies with the pinned anchor and its iat
//   is not older than the saved one; otherwise it is refused and the saved one kept;
// - the refresh is conditional (If-None-Match with the saved ETag): 304 means unchanged.

import { verifyTrustList } from '/shared/trust-list.js';

const RECORD_KEY = 'current';

export class TrustStore {
  constructor({ url, anchor, store, onChange = () => {} }) {
    this._url = url;
    this._anchor = anchor;
    this._store = store;
    this._onChange = onChange;
    this._refreshing = null;
    /** The parsed, verified list (verifyTrustList's shape) or null. */
    this.list = null;
    /** {text, etag, fetchedAt, checkedAt} of the accepted list (milliseconds). */
    this.record = null;
    /** The last refresh: {outcome: updated|unchanged|offline|refused|http, at, reason?, status?}. */
    this.lastRefresh = null;
    /** Why there is no list, when there is none. */
    this.error = null;
  }

  /** Load the saved list; a saved text that no longer verifies with the pin is dropped. */
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
    this.list = list;
    this.error = null;
    this.record = { text, etag: response.headers.get('ETag'), fetchedAt: at, checkedAt: at };
    await this._store.put('trust', this.record, RECORD_KEY);
    return this._finish({ outcome: 'updated', at });
  }

  _finish(refresh) {
    this.lastRefresh = refresh;
    this._onChange(this);
    return refresh;
  }
}
