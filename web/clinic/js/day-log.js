// The day log: one record per verification, kept in this device's IndexedDB only.
// Entries older than the configured number of days are deleted automatically. Records
// written before 性別, 資格取得日 and 限度額適用区分 were kept simply lack them (empty cells).

const DAY_MS = 86_400_000;

export class DayLog {
  constructor({ store, retentionDays }) {
    this._store = store;
    this.retentionDays = retentionDays;
  }

  /** A record of one verification: time, verdict, reason, warnings and the key details. */
  static entry({ result, description, source, at = Date.now() }) {
    const c = result.claims;
    return {
      at,
      source,
      verdict: description.verdict,
      status: result.status,
      warnings: [...(result.warnings ?? [])],
      ...(description.read ? { read: { ja: description.read.ja, en: description.read.en } } : {}),
      ...(c ? {
        insurer_number: c.insurer_number,
        insurer_name: result.insurerName ?? result.insurer_name ?? '',
        symbol: c.symbol, number: c.number, branch: c.branch,
        relationship: c.relationship, name: c.name, birth_date: c.birth_date, sex: c.sex,
        copay_ratio: c.copay_ratio, acquired_on: c.acquired_on, limit_category: c.limit_category ?? null,
        kind: c.kind,
      } : {}),
    };
  }

  async add(entry) {
    await this._store.put('log', entry);
    await this.prune(entry.at);
  }

  entries(limit) {
    return this._store.newestFirst('log', limit);
  }

  clear() {
    return this._store.clear('log');
  }

  /** Delete entries older than the retention period; resolves to how many went. */
  prune(now = Date.now()) {
    return this._store.deleteBefore('log', now - this.retentionDays * DAY_MS);
  }
}
