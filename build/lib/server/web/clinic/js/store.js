// The device's own storage (IndexedDB, database "shikaku-clinic"):
// - "trust": the last accepted trust list, as the raw signed text with its ETag and times;
// - "log": the day log, one record per verification, indexed by time.
// Nothing here is ever sent anywhere.

const DB_NAME = 'shikaku-clinic';
const DB_VERSION = 1;

const done = (request) => new Promise((resolve, reject) => {
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error);
});

export class Store {
  constructor(db) {
    this._db = db;
  }

  static async open(name = DB_NAME) {
    const request = indexedDB.open(name, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore('trust');
      const log = db.createObjectStore('log', { keyPath: 'id', autoIncrement: true });
      log.createIndex('at', 'at');
    };
    return new Store(await done(request));
  }

  async get(storeName, key) {
    return done(this._tx(storeName, 'readonly').get(key));
  }

  async put(storeName, value, key) {
    const store = this._tx(storeName, 'readwrite');
    return done(key === undefined ? store.put(value) : store.put(value, key));
  }

  async delete(storeName, key) {
    return done(this._tx(storeName, 'readwrite').delete(key));
  }

  async clear(storeName) {
    return done(this._tx(storeName, 'readwrite').clear());
  }

  /** Every record, newest first by the "at" index. */
  async newestFirst(storeName, limit = Infinity) {
    const index = this._tx(storeName, 'readonly').index('at');
    const rows = [];
    return new Promise((resolve, reject) => {
      const request = index.openCursor(null, 'prev');
      request.onerror = () => reject(request.error);
      request.onsuccess = () => {
        const cursor = request.result;
        if (!cursor || rows.length >= limit) return resolve(rows);
        rows.push(cursor.value);
        cursor.continue();
      };
    });
  }

  async count(storeName) {
    return done(this._tx(storeName, 'readonly').count());
  }

  /** Delete records whose "at" is before `before` (milliseconds); resolves to how many. */
  async deleteBefore(storeName, before) {
    const store = this._tx(storeName, 'readwrite');
    let deleted = 0;
    return new Promise((resolve, reject) => {
      const request = store.index('at').openCursor(IDBKeyRange.upperBound(before, true));
      request.onerror = () => reject(request.error);
      request.onsuccess = () => {
        const cursor = request.result;
        if (!cursor) return resolve(deleted);
        cursor.delete();
        deleted += 1;
        cursor.continue();
      };
    });
  }

  _tx(storeName, mode) {
    return this._db.transaction(storeName, mode).objectStore(storeName);
  }
}
