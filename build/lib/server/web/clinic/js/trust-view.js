// The trust list's state, always on screen: its age in the top bar, and a panel with its
// signature state, the last refresh (or why a received list was refused) and its contents.

import { dateTime, duration, japanTime } from '/shared/clinic/format.js';
import { STATUS_TEXT, WARNING_TEXT } from '/shared/clinic/verdict.js';

// The short label beside the age in the top bar, when the list is not simply fine.
const SHORT = {
  stale: WARNING_TEXT.trust_list_stale, expired: STATUS_TEXT.trust_list_expired,
  clock: WARNING_TEXT.clock_suspect,
};

export class TrustView {
  constructor({ document, i18n, skewSeconds }) {
    this._doc = document;
    this._i18n = i18n;
    this._skew = skewSeconds;
    this._el = (id) => document.getElementById(id);
  }

  /** State of a list at `now` (seconds): ok, stale (past exp), expired (past exp + grace),
   *  clock (device clock before its iat), or error/missing/loading without a list. */
  static state(trust, now, skew) {
    const list = trust.list;
    if (!list) {
      if (trust.error) return 'error';
      return trust.lastRefresh ? 'missing' : 'loading';
    }
    if (now > list.expiresAt + list.grace) return 'expired';
    if (now + skew < list.issuedAt) return 'clock';
    if (now > list.expiresAt) return 'stale';
    return 'ok';
  }

  render(trust) {
    const t = (key, params) => this._i18n.t(key, params);
    const lang = this._i18n.lang;
    const now = Math.floor(Date.now() / 1000);
    const state = TrustView.state(trust, now, this._skew);
    const section = this._el('trust');
    section.dataset.state = state;
    section.dataset.refresh = trust.lastRefresh?.outcome ?? '';

    const status = {
      ok: t('trust_ok'), stale: t('trust_stale'), expired: t('trust_expired'), clock: t('trust_clock'),
      error: t('trust_error', { reason: trust.error }), missing: t('trust_missing'), loading: t('trust_loading'),
    }[state];
    this._el('trust-status').textContent = status;

    const age = this._el('trust-age');
    age.dataset.state = state;
    age.textContent = trust.list
      ? t('trust_age', { age: duration(now - trust.list.issuedAt, lang) })
      : t('trust_age_missing');
    if (SHORT[state]) age.textContent += ` — ${this._i18n.pick(SHORT[state])}`;

    this._renderRefresh(trust);
    this._renderDetails(trust.list, lang);
  }

  _renderRefresh(trust) {
    const el = this._el('trust-refresh');
    const refresh = trust.lastRefresh;
    el.hidden = !refresh;
    if (!refresh) return;
    const t = (key, params) => this._i18n.t(key, params);
    const checked = trust.record?.checkedAt;
    const time = (ms) => (ms ? japanTime(ms).slice(0, 5) : t('never'));
    el.dataset.outcome = refresh.outcome;
    el.textContent = {
      updated: () => t('refresh_updated', { time: time(refresh.at) }),
      unchanged: () => t('refresh_unchanged', { time: time(refresh.at) }),
      offline: () => t('refresh_offline', { time: time(checked) }),
      http: () => t('refresh_http', { status: refresh.status }),
      refused: () => (refresh.why === 'older' ? t('refresh_refused_older')
        : t('refresh_refused_signature', { reason: refresh.reason })),
    }[refresh.outcome]();
  }

  _renderDetails(list, lang) {
    this._el('trust-details').hidden = !list;
    if (!list) return;
    this._el('trust-issued').textContent = dateTime(list.issuedAt, lang);
    this._el('trust-expires').textContent = dateTime(list.expiresAt, lang);
    this._el('trust-insurers').textContent = Object.entries(list.insurers)
      .map(([number, name]) => `${number} ${name}`).join('、');
    this._el('trust-keys').textContent = String(list.keys.length);
    this._el('trust-revocations').textContent = String(list.revocations.size);
  }
}
