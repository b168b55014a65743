// The member app: routes between activation, sign-in and the card; keeps the last answers
// on the device (Store) so the card opens offline; refreshes the token when it is due;
// offers a new version of the app when the service worker has one waiting.
import { activationMessageKey, codeFromHash, groupCode } from './activation.js';
import { ActivationView } from './activation-view.js';
import { Api, ApiError, NetworkError } from './api.js';
import { CardView } from './card-view.js';
import { h, moveFocus, replace } from './dom.js';
import { initialLang, lang, setLang, t } from './i18n.js';
import { PasskeysView } from './passkeys-view.js';
import { SignInView } from './sign-in-view.js';
import { Store } from './store.js';
import { needsRefresh } from './tokens.js';
import { UpdateBanner } from './update-banner.js';
import { createPasskey, getPasskey } from './webauthn.js';

const HOME = '/app/';
const ACTIVATE = '/app/activate';
const TICK_MS = 30_000;
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** An error with words for the member (error.userMessage). */
export function explain(error, { activation = false } = {}) {
  let message;
  if (error instanceof NetworkError) message = t('network_error');
  else if (error instanceof ApiError) {
    const key = activation && /\/activate\/options$/.test(error.url ?? '') ? activationMessageKey(error.status, error.code)
      : error.status === 429 ? 'try_later' : null;
    const detail = lang() === 'en' && error.messageEn ? error.messageEn : error.message;
    message = key ? t(key) + activationDetails(error.data) : t('server_error', { detail });
    if (key && typeof error.data?.insurer_phone === 'string') error.phone = error.data.insurer_phone;
  } else if (error?.name === 'NotAllowedError' || error?.name === 'AbortError') message = t('passkey_cancelled');
  else if (error?.name === 'InvalidStateError') message = t('passkey_exists');
  else if (error?.name === 'NotSupportedError' || !globalThis.PublicKeyCredential) message = t('passkey_unsupported');
  else message = t('server_error', { detail: error?.message ?? String(error) });
  return Object.assign(error instanceof Error ? error : new Error(String(error)), { userMessage: message });
}

/** After a refused activation: how many tries are left, or whom to call once locked. */
export function activationDetails(data = {}) {
  const parts = [];
  const locked = data.attempts_left === 0 || data.error === 'locked';
  if (data.attempts_left === 0) parts.push(t('act_locked_now'));
  else if (Number.isInteger(data.attempts_left)) parts.push(t('act_attempts_left', { n: data.attempts_left }));
  if (typeof data.insurer_phone === 'string') parts.push(t('act_call', { phone: data.insurer_phone }));
  else if (locked) parts.push(t('act_phone_on_sheet'));
  return parts.length ? ` ${parts.join(' ')}` : '';
}

export class App {
  constructor({ root = document.getElementById('app'), store = new Store(), api = new Api() } = {}) {
    this._root = root;
    this._store = store;
    this._api = api;
    this._offline = !navigator.onLine;
    this._refreshing = new Set();
    this._notice = null;
    this._view = null;
    this._session = 0;   // bumped at sign-in and sign-out: late answers for an old session are dropped
    this._card = new CardView({
      onSelect: (id) => this._select(id),
      onRefresh: () => this._refreshAll({ forceToken: true }),
      onConsent: (id, value) => this._consent(id, value),
    });
    this._passkeys = new PasskeysView({
      onAdd: () => this._addPasskey(),
      onRemove: (passkey, count) => this._removePasskey(passkey, count),
      onSignOut: () => this._signOut(),
      onSignOutEverywhere: () => this._signOutEverywhere(),
    });
    this._banner = new UpdateBanner({ onUpdate: (worker) => this._applyUpdate(worker) });
  }

  start() {
    setLang(initialLang(this._store.chosenLang, navigator.languages ?? [navigator.language]));
    this._announcer = document.getElementById('announcer');
    this._langButton = document.getElementById('lang-toggle');
    this._langButton?.addEventListener('click', () => this._toggleLang());
    this._netBadge = document.getElementById('net-status');
    document.body.append(this._banner.el);
    addEventListener('online', () => {
      this._offline = false;
      this.announce(t('back_online'));
      this._render();
      if (this._view === 'card') this._refreshAll();
    });
    addEventListener('offline', () => { this._goneOffline(); this._render(); });
    document.addEventListener('visibilitychange', () => { if (!document.hidden) this._tick(); });
    setInterval(() => this._tick(), TICK_MS);
    this._registerServiceWorker();
    return this._route();
  }

  /** Say `text` to a screen reader: into the polite live region that is in the page from the
   *  start (index.html), emptied first so the same words twice are said twice. */
  announce(text) {
    if (!this._announcer || !text) return;
    this._announcer.textContent = '';
    clearTimeout(this._announceTimer);
    this._announceTimer = setTimeout(() => { this._announcer.textContent = text; }, 100);
  }

  _goneOffline() {
    if (!this._offline) this.announce(t('went_offline'));
    this._offline = true;
  }

  /** After a screen changed under the member's finger: focus on its heading, once it is drawn. */
  _focusHeadingWhenShown(id) {
    this._focusHeading = id;
    this._applyHeadingFocus();
  }

  _applyHeadingFocus() {
    const el = this._focusHeading && document.getElementById(this._focusHeading);
    if (!el) return;
    this._focusHeading = null;
    moveFocus(el);
  }

  // -- routing ---------------------------------------------------------------------------------
  _route() {
    if (location.pathname.replace(/\/+$/, '') === ACTIVATE) return this._showActivation(groupCode(codeFromHash(location.hash)));
    return this._showHome();
  }

  _showActivation(code) {
    this._view = 'activation';
    this._activation = new ActivationView({ code, signInHref: HOME, onActivate: (digits, iso, pin) => this._activate(digits, iso, pin) });
    this._render();
  }

  async _showHome() {
    this._view = this._store.me() ? 'card' : 'loading';
    this._render();
    await this._refreshAll();
  }

  _showSignIn(note = '', kind = '') {
    this._view = 'signin';
    this._signIn = new SignInView({ activateHref: ACTIVATE, onSignIn: () => this._signInWithPasskey() });
    if (note) this._signIn.setStatus(note, kind);
    this._render();
  }

  // -- rendering -----------------------------------------------------------------------------------
  _render() {
    document.documentElement.dataset.view = this._view ?? '';
    if (this._langButton) {
      this._langButton.textContent = t('lang_toggle');
      this._langButton.lang = lang() === 'ja' ? 'en' : 'ja';   // the toggle is in the other language
      this._langButton.setAttribute('aria-label', t('lang_toggle_label'));
    }
    document.querySelector('header h1')?.replaceChildren(t('app_name'));
    if (this._netBadge) {
      this._netBadge.hidden = !this._offline;
      this._netBadge.textContent = t('offline');
    }
    if (this._view === 'activation') this._mount(this._activation.el);
    else if (this._view === 'signin') this._mount(this._signIn.el);
    else if (this._view === 'loading') this._mount(h('p', { class: 'loading' }, t('checking')));
    else if (this._view === 'card') this._renderCard();
    this._applyHeadingFocus();
  }

  _mount(...elements) {
    if (elements.every((el, i) => this._root.children[i] === el) && this._root.children.length === elements.length) return;
    replace(this._root, ...elements);
  }

  _renderCard() {
    const saved = this._store.me();
    if (!saved) return;
    const { data } = saved;
    const members = data.members?.length ? data.members : [data.member];
    const member = members.find((m) => m.id === this._store.selected) ?? members[0];
    this._card.render({
      members, member, now: nowSeconds(), offline: this._offline, savedAt: saved.savedAt,
      token: member.eligible === false ? null : this._store.token(member.id),
      refreshing: this._refreshing.has(member.id), notice: this._notice,
    });
    this._passkeys.render(data.passkeys ?? [], this._offline, data.sessions ?? []);
    this._mount(this._card.el, this._passkeys.el);
    if (!this._cardShown) {
      this._cardShown = true;
      performance.mark('shikaku:card-shown');   // for the benchmark: time to the card (and QR)
    }
  }

  _toggleLang() {
    setLang(lang() === 'ja' ? 'en' : 'ja');
    this._store.lang = lang();
    this._activation?.render();
    this._signIn?.render();
    this._banner.render();
    this._render();
  }

  /** Every half minute and when the app comes back to the front: expiry shown on time, a
   *  token fetched when due, and a retry when offline (not every browser says when it is back). */
  _tick() {
    if (this._view !== 'card') return;
    this._render();
    if (this._offline) this._refreshAll();
    else this._refreshTokens();
  }

  // -- data -------------------------------------------------------------------------------------------
  _members() {
    const saved = this._store.me();
    if (!saved) return [];
    return saved.data.members?.length ? saved.data.members : [saved.data.member];
  }

  _current() {
    const members = this._members();
    return members.find((m) => m.id === this._store.selected) ?? members[0] ?? null;
  }

  /** /api/v1/me, then each token that is due (the one shown first), so that every card
   *  of the family opens offline too. */
  async _refreshAll({ forceToken = false } = {}) {
    const session = this._session;
    try {
      const data = await this._api.me();
      if (session !== this._session) return;
      this._offline = false;
      this._store.saveMe(data, nowSeconds());
      this._view = 'card';
      this._render();
    } catch (error) {
      if (session !== this._session || this._handleFailure(error)) return;
      if (this._view === 'loading') this._showSignIn(explain(error).userMessage, 'error');
      return;
    }
    await this._refreshTokens({ forceCurrent: forceToken });
  }

  async _refreshTokens({ forceCurrent = false } = {}) {
    const current = this._current();
    if (!current) return;
    for (const member of [current, ...this._members().filter((m) => m.id !== current.id)]) {
      const ok = await this._refreshToken(member, { force: forceCurrent && member.id === current.id });
      if (!ok || this._view !== 'card') return;
    }
  }

  /** Fetch a new token for `member` when due (or forced). False when the session ended or
   *  the network is gone. */
  async _refreshToken(member, { force = false } = {}) {
    if (member.eligible === false) {
      this._store.dropToken(member.id);
      return true;
    }
    const refreshSeconds = this._store.me()?.data.settings?.token_refresh_seconds ?? 86400;
    if (this._refreshing.has(member.id)) return true;
    if (!force && !needsRefresh(this._store.token(member.id), nowSeconds(), refreshSeconds)) return true;
    const session = this._session;
    this._refreshing.add(member.id);
    this._render();
    try {
      const token = await this._api.token(member.id);
      if (session !== this._session) return false;
      this._offline = false;
      this._store.saveToken(member.id, token, nowSeconds());
      return true;
    } catch (error) {
      if (session !== this._session) return false;
      if (error instanceof ApiError && error.status === 409 && error.code === 'not_eligible') {
        this._store.saveMember({ ...member, eligible: false, lost_on: error.data.lost_on ?? member.lost_on }, nowSeconds());
        return true;
      }
      if (this._handleFailure(error)) return false;
      if (member.id === this._current()?.id) this._notice = { text: explain(error).userMessage, kind: 'error' };
      return true;
    } finally {
      this._refreshing.delete(member.id);
      this._render();
    }
  }

  /** 401: the session ended (forget what the device kept); no network: offline.
   *  Returns true when handled. */
  _handleFailure(error) {
    if (error instanceof ApiError && error.status === 401) {
      const hadData = Boolean(this._store.me());
      this._session += 1;
      this._store.clear();
      this._showSignIn(hadData ? t('session_ended') : '');
      return true;
    }
    if (error instanceof NetworkError) {
      this._goneOffline();
      if (this._view === 'loading') this._showSignIn(t('network_error'), 'error');
      else this._render();
      return true;
    }
    return false;
  }

  _select(id) {
    this._store.selected = id;
    this._notice = null;
    this._render();
    if (!this._offline) this._refreshToken(this._current());
  }

  async _consent(id, value) {
    this._notice = null;
    try {
      const member = await this._api.consent(id, value);
      this._store.saveMember(member, nowSeconds());
      this._notice = { text: t(member.limit_consent ? 'consent_on' : 'consent_off'), kind: '', near: 'consent' };
      this.announce(this._notice.text);
    } catch (error) {
      if (!this._handleFailure(error)) this._notice = { text: explain(error).userMessage, kind: 'error', near: 'consent' };
      this._card.invalidate();   // put the switch back as the server has it
      this._render();
      return;
    }
    const member = this._members().find((m) => m.id === id);
    if (member) await this._refreshToken(member, { force: true });
  }

  // -- passkey ceremonies ---------------------------------------------------------------------------------
  async _activate(digits, iso, pin) {
    try {
      await createPasskey(this._api, '/auth/member/activate', { code: digits, birth_date: iso, pin });
    } catch (error) {
      throw explain(error, { activation: true });
    }
    this._signedIn();
    this._notice = { text: t('activated'), kind: '' };
    this.announce(t('activated'));
    this._focusHeadingWhenShown('card-title');
    await this._showHome();
  }

  async _signInWithPasskey() {
    try {
      await getPasskey(this._api, '/auth/member/login');
    } catch (error) {
      throw explain(error);
    }
    this._signedIn();
    this._focusHeadingWhenShown('card-title');
    await this._showHome();
  }

  _signedIn() {
    this._session += 1;
    this._api.sessionChanged();
    this._store.clear();
    this._notice = null;
    if (location.pathname !== HOME) history.replaceState(null, '', HOME);
  }

  async _addPasskey() {
    try {
      await createPasskey(this._api, '/auth/member/passkeys');
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 'reauth_required')) throw explain(error);
      try {   // a stolen cookie is not enough: confirm with a passkey first, then add
        await getPasskey(this._api, '/auth/member/reauth');
        await createPasskey(this._api, '/auth/member/passkeys');
      } catch (again) {
        throw explain(again);
      }
    }
    await this._refreshAll();
    this.announce(t('passkey_added'));
    return t('passkey_added');
  }

  async _removePasskey(passkey, count) {
    let confirmed = false;
    if (count <= 1) {
      if (!confirm(t('passkey_last_confirm'))) return '';
      confirmed = true;
    }
    try {
      await this._api.deletePasskey(passkey.id, confirmed);
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 'last_passkey') || !confirm(t('passkey_last_confirm'))) {
        if (this._handleFailure(error)) return '';
        throw explain(error);
      }
      await this._api.deletePasskey(passkey.id, true);
    }
    await this._refreshAll();
    this.announce(t('passkey_removed'));
    return t('passkey_removed');
  }

  async _signOutEverywhere() {
    if (this._offline) throw Object.assign(new Error('offline'), { userMessage: t('signout_offline') });
    if (!confirm(t('signout_everywhere_confirm'))) return '';
    try {
      await this._api.post('/api/v1/me/sessions/end-all', {});
    } catch (error) {
      if (error instanceof NetworkError) throw Object.assign(error, { userMessage: t('signout_offline') });
      if (!(error instanceof ApiError && error.status === 401)) throw explain(error);
    }
    this._session += 1;
    this._api.sessionChanged();
    this._store.clear();
    this._notice = null;
    this._focusHeadingWhenShown('sign-in-title');
    this._showSignIn(t('signed_out_everywhere'));
    return '';
  }

  async _signOut() {
    if (this._offline) throw Object.assign(new Error('offline'), { userMessage: t('signout_offline') });
    try {
      await this._api.logout();
    } catch (error) {
      if (error instanceof NetworkError) throw Object.assign(error, { userMessage: t('signout_offline') });
      if (!(error instanceof ApiError && error.status === 401)) throw explain(error);
    }
    this._session += 1;
    this._store.clear();
    this._notice = null;
    this._focusHeadingWhenShown('sign-in-title');
    this._showSignIn(t('signed_out'));
  }

  // -- the service worker: offline shell, updates offered ----------------------------------------------------
  async _registerServiceWorker() {
    if (!('serviceWorker' in navigator)) return;
    try {
      const registration = await navigator.serviceWorker.register('/app/sw.js', { scope: HOME });
      const offer = (worker) => { if (worker && navigator.serviceWorker.controller) this._banner.show(worker); };
      offer(registration.waiting);
      registration.addEventListener('updatefound', () => {
        const worker = registration.installing;
        worker?.addEventListener('statechange', () => { if (worker.state === 'installed') offer(worker); });
      });
      navigator.serviceWorker.addEventListener('controllerchange', () => {
        if (this._updating) location.reload();
      });
      await navigator.serviceWorker.ready;
      document.documentElement.dataset.offlineReady = 'true';
    } catch {
      // No service worker (private mode, old browser): the app still works online.
    }
  }

  _applyUpdate(worker) {
    this._updating = true;
    worker.postMessage({ type: 'SKIP_WAITING' });
  }
}
