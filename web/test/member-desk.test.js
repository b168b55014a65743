// The member app's first language (issue 12): the member's own choice, else English for an
// English browser, else Japanese; and every new Japanese word has its English.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { STRINGS, initialLang } from '../app/js/i18n.js';
import { Store } from '../app/js/store.js';

class MemoryStorage {
  constructor() { this.map = new Map(); }
  getItem(k) { return this.map.has(k) ? this.map.get(k) : null; }
  setItem(k, v) { this.map.set(k, String(v)); }
  removeItem(k) { this.map.delete(k); }
}

test('an English browser opens in English; Japanese and other browsers in Japanese', () => {
  assert.equal(initialLang(null, ['en-US', 'ja']), 'en');
  assert.equal(initialLang(null, ['en']), 'en');
  assert.equal(initialLang(null, ['EN-gb']), 'en');
  assert.equal(initialLang(null, ['ja-JP', 'en-US']), 'ja');
  assert.equal(initialLang(null, ['fr-FR', 'en']), 'ja');
  assert.equal(initialLang(null, ['eng']), 'ja');           // not a BCP 47 "en"
  assert.equal(initialLang(null, []), 'ja');
  assert.equal(initialLang(null, undefined), 'ja');
});

test('the member\'s own choice wins over the browser, and is remembered by the store', () => {
  const store = new Store(new MemoryStorage());
  assert.equal(store.chosenLang, null);
  assert.equal(initialLang(store.chosenLang, ['en-US']), 'en');
  store.lang = 'ja';
  assert.equal(store.chosenLang, 'ja');
  assert.equal(initialLang(store.chosenLang, ['en-US']), 'ja');
  store.lang = 'en';
  assert.equal(initialLang(store.chosenLang, ['ja-JP']), 'en');
});

test('every Japanese string has its English', () => {
  const missing = Object.keys(STRINGS.ja).filter((key) => !(key in STRINGS.en));
  assert.deepEqual(missing, []);
  assert.equal(STRINGS.ja.expires, 'QRコードの有効期限（通信時に自動更新）');
});
