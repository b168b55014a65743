// What the app deliberately keeps on the device (localStorage): the last /api/v1/me answer
// and the last token per member, so the card opens offline; plus the chosen language and
// member. clear() removes everything personal (sign-out, or the server says 401).
// The storage is passed in, so the same module runs in Node's tests.

const PREFIX = 'shikaku.';
const ME = `${PREFIX}me`;
const TOKEN = `${PREFIX}token.`;
const SELECTED = `${PREFIX}selected`;
const LANG = `${PREFIX}lang`;

export class Store {
  constructor(storage = globalThis.localStorage) {
    this._storage = storage;
  }

  // -- language (kept across sign-out) --------------------------------------------
  get lang() {
    return this._get(LANG) === 'en' ? 'en' : 'ja';
  }

  /** 'ja' or 'en' when the member chose one with the toggle, else null (the browser decides). */
  get chosenLang() {
    const value = this._get(LANG);
    return value === 'en' || value === 'ja' ? value : null;
  }

  set lang(value) {
    this._set(LANG, value === 'en' ? 'en' : 'ja');
  }

  // -- the /api/v1/me answer ----------------------------------------------------------
  /** { data, savedAt } or null. */
  me() {
    const saved = this._json(ME);
    return saved && saved.data && saved.data.member ? saved : null;
  }

  saveMe(data, nowSeconds) {
    this._set(ME, JSON.stringify({ data, savedAt: nowSeconds }));
    for (const member of data.members ?? []) {
      if (member.eligible === false) this.dropToken(member.id);
    }
  }

  /** Replace one member in the saved answer (e.g. after a consent change). */
  saveMember(member, nowSeconds) {
    const saved = this.me();
    if (!saved) return;
    const replace = (m) => (m.id === member.id ? { ...m, ...member } : m);
    const data = { ...saved.data, member: replace(saved.data.member),
      members: (saved.data.members ?? []).map(replace) };
    this.saveMe(data, nowSeconds);
  }

  // -- tokens, one per member -----------------------------------------------------------
  /** { member_id, text, issued_at, expires_at, savedAt } or null (the QR is drawn from text). */
  token(memberId) {
    const saved = this._json(TOKEN + memberId);
    return saved && typeof saved.text === 'string' && Number.isFinite(saved.expires_at) ? saved : null;
  }

  saveToken(memberId, token, nowSeconds) {
    const { text, issued_at, expires_at } = token;   // claims are not kept: the card shows /me
    this._set(TOKEN + memberId, JSON.stringify({ member_id: memberId, text, issued_at,
      expires_at, savedAt: nowSeconds }));
  }

  dropToken(memberId) {
    this._remove(TOKEN + memberId);
  }

  // -- the member shown ---------------------------------------------------------------------
  get selected() {
    const id = Number(this._get(SELECTED));
    return Number.isInteger(id) && id > 0 ? id : null;
  }

  set selected(id) {
    this._set(SELECTED, String(id));
  }

  /** Forget everything personal; the language stays. */
  clear() {
    const keys = [];
    for (let i = 0; i < this._storage.length; i += 1) keys.push(this._storage.key(i));
    for (const key of keys) {
      if (key && key.startsWith(PREFIX) && key !== LANG) this._remove(key);
    }
  }

  // -- storage that may be full, disabled or corrupted ------------------------------------------
  _get(key) {
    try {
      return this._storage.getItem(key);
    } catch {
      return null;
    }
  }

  _json(key) {
    try {
      return JSON.parse(this._get(key) ?? 'null');
    } catch {
      return null;
    }
  }

  _set(key, value) {
    try {
      this._storage.setItem(key, value);
    } catch {
      // Storage full or disabled: the app still works online, it just cannot open offline.
    }
  }

  _remove(key) {
    try {
      this._storage.removeItem(key);
    } catch {
      // nothing to do
    }
  }
}
