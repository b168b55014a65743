// The trust list's state, always on screen: its age (and the last sync's) in the top bar, and a
// panel with its signature state, the last refresh (or why a received list was refused), the
// status lists' download progress and its contents (insurers as a count, listed on demand,
// searchable, at most INSURERS_SHOWN at a time: a national list has 3,000).

import { setText as setRuns } from '/shared/lang-runs.js';
import { dateTime, duration, japanTime } from '/shared/clinic/format.js';
import { STATUS_TEXT, WARNING_TEXT } from '/shared/clinic/verdict.js';

// The short label beside the age in the top bar, when the list is not simply fine.
const INSURERS_SHOWN = 50;

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
    this._insurers = null;
    this._el('trust-insurer-search').addEventListener('input', () => this._renderInsurers());
    this._el('trust-insurer-details').addEventListener('toggle', () => this._renderInsurers());
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
    setText(this._el('trust-status'), status);   // a polite live region: announced on a change only

    const age = this._el('trust-age');
    age.dataset.state = state;
    let ageText = trust.list
      ? t('trust_age', { age: duration(now - trust.list.issuedAt, lang) })
      : t('trust_age_missing');
    if (trust.list && trust.record?.checkedAt) {
      ageText += t('trust_age_synced', { ago: duration(now - trust.record.checkedAt / 1000, lang) });
    }
    if (SHORT[state]) ageText += ` — ${this._i18n.pick(SHORT[state])}`;
    setText(age, ageText);

    this._renderRefresh(trust);
    this.renderProgress(trust.progress);
    this._renderDetails(trust, lang, now);
  }

  /** The status lists' download: a bar (indeterminate without a Content-Length), or nothing. */
  renderProgress(progress) {
    const box = this._el('trust-download');
    box.hidden = !progress;
    if (!progress) return;
    const bar = this._el('trust-progress');
    const kb = (n) => `${(n / 1024).toFixed(n < 10_240 ? 1 : 0)} kB`;
    if (progress.total) {
      bar.max = progress.total;
      bar.value = Math.min(progress.loaded, progress.total);
      this._el('trust-progress-text').textContent = this._i18n.t('trust_progress',
        { loaded: kb(progress.loaded), total: kb(progress.total) });
    } else {
      bar.removeAttribute('value');
      this._el('trust-progress-text').textContent = this._i18n.t('trust_progress_unknown', { loaded: kb(progress.loaded) });
    }
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
    // How the status lists came (none|delta|snapshot), their bytes and the sync's duration.
    el.dataset.sync = refresh.sync ? `${refresh.sync.how} ${refresh.sync.bytes} ${refresh.sync.ms}` : '';
    el.textContent = {
      updated: () => t('refresh_updated', { time: time(refresh.at) }),
      unchanged: () => t('refresh_unchanged', { time: time(refresh.at) }),
      offline: () => t('refresh_offline', { time: time(checked) }),
      http: () => t('refresh_http', { status: refresh.status }),
      status: () => t('refresh_status', { reason: refresh.reason }),
      refused: () => (refresh.why === 'older' ? t('refresh_refused_older')
        : t('refresh_refused_signature', { reason: refresh.reason })),
    }[refresh.outcome]();
  }

  _renderDetails(trust, lang, now) {
    const t = (key, params) => this._i18n.t(key, params);
    const list = trust.list;
    this._el('trust-details').hidden = !list;
    if (!list) return;
    this._el('trust-issued').textContent = dateTime(list.issuedAt, lang);
    const checked = trust.record?.checkedAt;
    this._el('trust-synced').textContent = checked
      ? t('trust_synced_value', { time: dateTime(Math.floor(checked / 1000), lang), ago: duration(now - checked / 1000, lang) })
      : t('never');
    this._el('trust-expires').textContent = dateTime(list.expiresAt, lang);
    const lists = this._el('trust-status-lists');
    lists.dataset.state = !list.status ? 'none' : trust.status ? 'ok' : 'missing';
    lists.textContent = !list.status ? t('trust_status_none')
      : trust.status ? t('trust_status_value', { seq: list.status.seq, lists: trust.status.lists.size })
        : t('trust_status_missing');
    const insurers = Object.entries(list.insurers);
    this._el('trust-insurer-count').textContent = t('trust_insurer_count', { count: insurers.length.toLocaleString() });
    this._el('trust-keys').textContent = String(list.keys.length);
    this._el('trust-revocations').textContent = String(list.revocations.size);
    if (this._insurers !== list.insurers || this._insurersLang !== lang) {
      this._insurers = list.insurers;
      this._insurersLang = lang;
      this._renderInsurers();
    }
  }

  /** The insurers matching the search box (number or name), only while the list is open. */
  _renderInsurers() {
    const ul = this._el('trust-insurers');
    const more = this._el('trust-insurers-more');
    if (!this._insurers || !this._el('trust-insurer-details').open) {
      ul.replaceChildren();
      more.hidden = true;
      return;
    }
    const query = this._el('trust-insurer-search').value.trim().normalize('NFKC').toLowerCase();
    const found = Object.entries(this._insurers)
      .filter(([number, name]) => !query || number.includes(query) || name.normalize('NFKC').toLowerCase().includes(query));
    ul.replaceChildren(...found.slice(0, INSURERS_SHOWN).map(([number, name]) => {
      const li = this._doc.createElement('li');
      setRuns(li, `${number} ${name}`);
      return li;
    }));
    more.hidden = found.length <= INSURERS_SHOWN && found.length > 0;
    more.textContent = found.length ? this._i18n.t('trust_insurers_more', { count: found.length - INSURERS_SHOWN })
      : this._i18n.t('trust_insurers_none');
  }
}

/** Write the text only when it differs: the page re-renders every 30 s, and rewriting the same
 *  words into a live region makes a screen reader say them again. */
function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}
