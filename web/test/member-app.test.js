// The member app's pure helpers: what the device keeps (store.js), when a token is
// valid or due (tokens.js), the API client's CSRF retry (api.js), activation input
// and messages (activation.js), base64url for passkeys (webauthn.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { activationMessageKey, birthMessage, codeDigits, codeFromHash, groupCode } from '../app/js/activation.js';
import { Api, ApiError, NetworkError, isCsrfFailure } from '../app/js/api.js';
import { fromPicker } from '../app/js/dates.js';
import { setLang, t } from '../app/js/i18n.js';
import { Store } from '../app/js/store.js';
import { needsRefresh, tokenState } from '../app/js/tokens.js';
import { creationOptions, fromBase64url, requestOptions, toBase64url } from '../app/js/webauthn.js';

class MemoryStorage {
  constructor() { this.map = new Map(); }
  get length() { return this.map.size; }
  key(i) { return [...this.map.keys()][i] ?? null; }
  getItem(k) { return this.map.has(k) ? this.map.get(k) : null; }
  setItem(k, v) { this.map.set(k, String(v)); }
  removeItem(k) { this.map.delete(k); }
}

const member = (id, extra = {}) => ({ id, name: `member ${id}`, eligible: true, limit_consent: false, ...extra });
const TOKEN = { member_id: 1, text: '8801', issued_at: 1000, expires_at: 1000 + 7 * 86400,
  claims: { name: 'x' } };

test('the store keeps /me and tokens, and clear() forgets them but not the language', () => {
  const storage = new MemoryStorage();
  const store = new Store(storage);
  assert.equal(store.me(), null);
  store.lang = 'en';
  store.saveMe({ member: member(1), members: [member(1), member(2)], passkeys: [] }, 500);
  store.saveToken(1, TOKEN, 1001);
  store.selected = 2;
  assert.equal(store.me().savedAt, 500);
  assert.equal(store.token(1).savedAt, 1001);
  assert.equal(store.token(1).claims, undefined, 'claims are not kept');
  assert.equal(store.selected, 2);
  storage.setItem('other-app', 'kept');
  store.clear();
  assert.equal(store.me(), null);
  assert.equal(store.token(1), null);
  assert.equal(store.selected, null);
  assert.equal(store.lang, 'en');
  assert.equal(storage.getItem('other-app'), 'kept');
});

test('a member who lost eligibility loses their stored token', () => {
  const store = new Store(new MemoryStorage());
  store.saveMe({ member: member(1), members: [member(1), member(2)] }, 1);
  store.saveToken(2, TOKEN, 1);
  store.saveMember(member(2, { eligible: false, lost_on: '2026-11-30' }), 2);
  assert.equal(store.token(2), null);
  assert.equal(store.me().data.members[1].lost_on, '2026-11-30');
  store.saveToken(1, TOKEN, 1);
  store.saveMe({ member: member(1, { eligible: false }), members: [member(1, { eligible: false })] }, 3);
  assert.equal(store.token(1), null);
});

test('corrupted or unavailable storage reads as empty', () => {
  const storage = new MemoryStorage();
  storage.setItem('shikaku.me', '{not json');
  storage.setItem('shikaku.token.1', '{"text": 3}');
  const store = new Store(storage);
  assert.equal(store.me(), null);
  assert.equal(store.token(1), null);
  const broken = new Store({ getItem() { throw new Error('denied'); }, setItem() { throw new Error('full'); },
    removeItem() {}, key() { return null; }, length: 0 });
  assert.equal(broken.me(), null);
  broken.saveToken(1, TOKEN, 1);   // no throw
  assert.equal(broken.lang, 'ja');
});

test('a token is valid until its expiry, never after', () => {
  assert.equal(tokenState(null, 0), 'none');
  assert.equal(tokenState(TOKEN, TOKEN.expires_at - 1), 'valid');
  assert.equal(tokenState(TOKEN, TOKEN.expires_at), 'expired');
  assert.equal(tokenState(TOKEN, TOKEN.expires_at + 86400 * 30), 'expired');
});

test('a new token is due when older than the setting or within a day of expiry', () => {
  assert.equal(needsRefresh(null, 0), true);
  assert.equal(needsRefresh(TOKEN, 1000 + 3600, 86400), false);
  assert.equal(needsRefresh(TOKEN, 1000 + 86400, 86400), true);
  assert.equal(needsRefresh(TOKEN, 1000 + 600, 300), true);
  assert.equal(needsRefresh(TOKEN, TOKEN.expires_at - 86400, 30 * 86400), true);
  assert.equal(needsRefresh({ ...TOKEN, expires_at: undefined }, 1000), true);
});

function fakeFetch(responses) {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url, init });
    const next = responses.shift();
    if (next instanceof Error) throw next;
    const [status, body, type = 'json'] = next;
    return { ok: status < 400, status,
      text: async () => (type === 'json' ? JSON.stringify(body) : body) };
  };
  return { fetch, calls };
}

test('POSTs carry the page CSRF token; a refused one is renewed from /api/v1/csrf once', async () => {
  const { fetch, calls } = fakeFetch([
    [400, '<p>The CSRF token is invalid.</p>', 'html'],
    [200, { csrf_token: 'fresh' }],
    [200, { ok: true }],
  ]);
  const api = new Api({ fetch, csrfFromPage: () => 'from-page' });
  assert.deepEqual(await api.deletePasskey(3, true), { ok: true });
  assert.equal(calls[0].init.headers['X-CSRFToken'], 'from-page');
  assert.equal(calls[1].url, '/api/v1/csrf');
  assert.equal(calls[2].init.headers['X-CSRFToken'], 'fresh');
  assert.equal(calls[2].url, '/api/v1/me/passkeys/3/delete');
  assert.deepEqual(JSON.parse(calls[2].init.body), { confirm: true });
});

test('after sign-in the client asks for the new session CSRF token before posting', async () => {
  const { fetch, calls } = fakeFetch([[200, { csrf_token: 'new' }], [200, { id: 1, limit_consent: true }]]);
  const api = new Api({ fetch, csrfFromPage: () => 'old' });
  api.sessionChanged();
  await api.consent(1, true);
  assert.equal(calls[0].url, '/api/v1/csrf');
  assert.equal(calls[1].init.headers['X-CSRFToken'], 'new');
  assert.deepEqual(JSON.parse(calls[1].init.body), { member: 1, consent: true });
});

test('errors: ApiError with status and code, NetworkError when there is no answer', async () => {
  const { fetch } = fakeFetch([[401, { error: 'signed_out', message: 'サインインしてください', message_en: 'please sign in' }],
    new TypeError('Failed to fetch'), [400, { error: 'invalid', message: 'x', message_en: 'x' }]]);
  const api = new Api({ fetch, csrfFromPage: () => 'tok' });
  await assert.rejects(api.me(), (e) => e instanceof ApiError && e.status === 401 && e.code === 'signed_out');
  await assert.rejects(api.token(2), NetworkError);
  await assert.rejects(api.post('/auth/member/activate/options', {}),
    (e) => e instanceof ApiError && e.code === 'invalid' && !e.csrf && e.url === '/auth/member/activate/options');
  assert.equal(isCsrfFailure(400, { error: 'invalid' }, 'no csrf here'), false);
  assert.equal(isCsrfFailure(400, { error: 'csrf_failed' }, ''), true);
  assert.equal(isCsrfFailure(400, {}, 'The CSRF session token is missing.'), true);
});

test('activation codes: full-width digits, spaces and hyphens; the #code= fragment', () => {
  assert.equal(codeDigits('１２３４-5678 9012－3456　7890'), '12345678901234567890');
  assert.equal(codeDigits(null), '');
  assert.equal(codeFromHash('#code=12345678901234567890'), '12345678901234567890');
  assert.equal(codeFromHash('#x=1&code=1234%2D5678'), '1234-5678');
  assert.equal(codeFromHash(''), '');
  assert.equal(groupCode('12345678901234567890'), '1234-5678-9012-3456-7890');
  assert.equal(groupCode('１２３４５'), '１２３４５');
});

test('refusals: one generic message for wrong code or birth date, a new notice for dead codes', () => {
  setLang('ja');
  assert.equal(t(activationMessageKey(400, 'invalid')), 'コード・生年月日・暗証番号のいずれかが正しくありません。');
  for (const code of ['expired', 'used', 'replaced', 'locked']) {
    assert.match(t(activationMessageKey(410, code)), /新しい「資格情報のお知らせ」の発行を依頼/, code);
  }
  assert.match(t(activationMessageKey(410, 'not_eligible')), /資格がありません/);
  assert.equal(activationMessageKey(429, null), 'try_later');
  assert.equal(activationMessageKey(500, null), null);
});

test('birth-date errors in words', () => {
  setLang('ja');
  assert.equal(birthMessage(fromPicker('heisei', '31', '5', '1', '2026-01-01')),
    '平成は平成元年1月8日（1989-01-08）から平成31年4月30日（2019-04-30）までです。');
  assert.equal(birthMessage(fromPicker('gregorian', '2023', '2', '30', '2026-01-01')),
    'その日付は存在しません（2月は28日まで）。');
  setLang('en');
  assert.equal(birthMessage({ error: 'incomplete' }), 'Please choose the era, year, month and day of your birth.');
  setLang('ja');
});

test('every Japanese string has an English twin', async () => {
  const { STRINGS } = await import('../app/js/i18n.js');
  assert.deepEqual(Object.keys(STRINGS.en).sort(), Object.keys(STRINGS.ja).sort());
});

test('base64url round trip and options without the native JSON parsers', () => {
  const bytes = Uint8Array.from([0, 1, 2, 250, 251, 252, 253, 254, 255]);
  const text = toBase64url(bytes.buffer);
  assert.equal(text, 'AAEC-vv8_f7_');
  assert.deepEqual(new Uint8Array(fromBase64url(text)), bytes);
  const created = creationOptions({ challenge: 'AAEC', user: { id: 'AQ', name: 'n' },
    excludeCredentials: [{ id: 'Ag', type: 'public-key' }] }, {});
  assert.deepEqual(new Uint8Array(created.challenge), Uint8Array.from([0, 1, 2]));
  assert.deepEqual(new Uint8Array(created.user.id), Uint8Array.from([1]));
  assert.deepEqual(new Uint8Array(created.excludeCredentials[0].id), Uint8Array.from([2]));
  const requested = requestOptions({ challenge: 'AAEC', rpId: 'localhost' }, {});
  assert.deepEqual(requested.allowCredentials, []);
});
