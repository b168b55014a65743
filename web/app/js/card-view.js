// わたしの資格情報: the member tabs (an insured person and their dependents), the QR with
// its validity, every field of the notice, and the consent switch for 限度額適用区分.
import { limitCategory } from '/shared/clinic/format.js';
import { formatDate, formatMoment } from './dates.js';
import { h, replace } from './dom.js';
import { lang, t } from './i18n.js';
import { qrElement } from './qr.js';
import { tokenState } from './tokens.js';

/** A code's words as the server names them (member.labels, from the token core's enums). */
export function codeLabel(member, name) {
  return member.labels?.[name]?.[lang()] ?? member.labels?.[name]?.ja ?? '—';
}

export class CardView {
  constructor({ onSelect, onRefresh, onConsent }) {
    this._onSelect = onSelect;
    this._onRefresh = onRefresh;
    this._onConsent = onConsent;
    this._key = null;
    this.el = h('section', { class: 'view card-view', 'aria-labelledby': 'card-title' });
  }

  /**
   * state: { members, member, token, now, offline, savedAt, refreshing, notice: {text, kind} }
   * Re-renders only when something visible changed (the app ticks every half minute).
   */
  render(state) {
    const { member, token, now } = state;
    const key = JSON.stringify([lang(), state.members.map((m) => [m.id, m.name]), member,
      token && [token.issued_at, token.savedAt], tokenState(token, now), state.offline, state.savedAt,
      state.refreshing, state.notice]);
    if (key === this._key) return;
    this._key = key;
    replace(this.el,
      h('h2', { id: 'card-title', tabindex: '-1' }, t('card_title')),
      state.members.length > 1 ? this._tabs(state.members, member.id) : null,
      state.offline ? h('p', { class: 'offline-note', id: 'offline-note' },
        t('offline_note', { time: formatMoment(token?.savedAt ?? state.savedAt, lang()) })) : null,
      h('article', { class: 'card', id: 'card', 'data-member-id': member.id, 'data-eligible': String(member.eligible !== false) },
        h('p', { class: 'card-name' }, member.name, ' ', h('small', {}, codeLabel(member, 'relationship'))),
        member.eligible === false ? this._lost(member) : this._qr(state),
        state.notice?.text && state.notice.near !== 'consent' ? this._notice(state.notice) : null,
        this._fields(member),
        member.eligible === false ? null : this._consent(member, state)));
  }

  _notice(notice) {
    return h('p', { class: `status ${notice.kind ?? ''}`.trim(), id: 'card-status', role: 'status' }, notice.text);
  }

  /** Draw again at the next render even if nothing seems to have changed. */
  invalidate() {
    this._key = null;
  }

  _tabs(members, selectedId) {
    return h('nav', { class: 'member-tabs', 'aria-label': t('family') },
      members.map((m) => h('button', { type: 'button', class: 'member-tab', id: `member-tab-${m.id}`, 'data-member-id': m.id,
        'aria-pressed': String(m.id === selectedId), onclick: () => this._onSelect(m.id) },
      m.name, ' ', h('small', {}, codeLabel(m, 'relationship')))));
  }

  _lost(member) {
    return [
      h('div', { class: 'lost', id: 'loss', role: 'alert' },
        h('p', { class: 'lost-title' }, t('lost_title')),
        member.lost_on ? h('p', {}, t('lost_on', { date: formatDate(member.lost_on, lang()) })) : null,
        h('p', {}, t('lost_note'))),
      h('section', { class: 'next-steps', id: 'after-loss', 'aria-labelledby': 'after-loss-title' },
        h('h3', { id: 'after-loss-title' }, t('lost_next_title')),
        h('ol', {},
          h('li', {}, t('lost_next_join')),
          h('li', {}, t('lost_next_card')),
          h('li', {}, t('lost_next_call', { insurer: member.insurer_name }),
            member.insurer_phone ? [' ', t('lost_next_phone'), h('a', { class: 'tel', id: 'loss-tel',
              href: `tel:${member.insurer_phone.replace(/[^\d+]/g, '')}` }, member.insurer_phone)] : null))),
    ];
  }

  _qr(state) {
    const { member, token, now } = state;
    const status = tokenState(token, now);
    const refresh = h('button', { type: 'button', class: 'secondary', id: 'refresh-button',
      disabled: state.refreshing, onclick: () => this._onRefresh() },
    state.refreshing ? t('refreshing') : t('refresh'));
    const reminder = h('p', { class: 'reminder', id: 'reminder' }, t('reminder'));
    if (status === 'none') {
      return h('div', { class: 'qr-block', 'data-state': 'none' },
        h('p', { class: 'qr-missing' }, state.refreshing ? t('qr_loading') : t('qr_none')), reminder, refresh);
    }
    const svg = qrElement(token.text, t('qr_alt', { name: member.name }));
    const expired = status === 'expired';
    return h('div', { class: 'qr-block', 'data-state': status },
      h('h3', { class: 'visually-hidden' }, t('qr_heading')),
      h('div', { class: 'qr', id: 'qr' }, svg,
        expired ? h('span', { class: 'qr-expired-label', 'aria-hidden': 'true' }, t('qr_expired')) : null),
      h('p', { class: `qr-status ${status}`, id: 'qr-status' }, expired ? t('qr_expired') : t('qr_valid')),
      expired ? h('p', { class: 'status error' }, t('qr_expired_note')) : null,
      h('dl', { class: 'qr-meta' },
        h('dt', { id: 'qr-expires-label' }, t('expires')), h('dd', { id: 'qr-expires' }, formatMoment(token.expires_at, lang())),
        h('dt', {}, t('updated')), h('dd', { id: 'qr-updated' }, formatMoment(token.savedAt, lang()))),
      h('p', { class: 'help qr-validity-note', id: 'qr-validity-note' }, t('qr_validity_note')),
      reminder, refresh);
  }

  _fields(m) {
    const rows = [
      ['name', m.name, m.name_kana ? h('small', { class: 'kana' }, `${t('kana')}: ${m.name_kana}`) : null],
      ['birth_date', formatDate(m.birth_date, lang())],
      ['sex', codeLabel(m, 'sex')],
      ['relationship', codeLabel(m, 'relationship')],
      ['insurer_number', m.insurer_number],
      ['insurer_name', m.insurer_name],
      ['symbol_number', t('symbol_number_value', { symbol: m.symbol || '—', number: m.number, branch: m.branch || '—' })],
      ['copay', t('copay_value', { ratio: codeLabel(m, 'copay_ratio'), from: formatDate(m.copay_from, lang()) })],
      ['acquired_on', formatDate(m.acquired_on, lang())],
      ['limit', m.limit_category
        ? t('limit_value', { category: limitCategory(m.limit_category), qr: m.limit_consent ? t('limit_in_qr') : t('limit_not_in_qr') })
        : t('limit_none')],
      m.mynumber_last4 ? ['mynumber', m.mynumber_last4, h('small', {}, t('mynumber_note'))] : null,
    ].filter(Boolean);
    return h('dl', { class: 'fields', id: 'fields' },
      rows.map(([key, value, extra]) => [h('dt', {}, t(key)), h('dd', { 'data-field': key }, value, extra ? [h('br'), extra] : null)]));
  }

  /** The switch, its feedback right under it, and — when it cannot be used — why. It is
   *  aria-disabled rather than disabled, so it keeps the keyboard focus and can be read. */
  _consent(member, state) {
    const id = `consent-${member.id}`;
    const why = !member.limit_category && !member.limit_consent ? 'consent_why_no_category'
      : state.offline ? 'consent_why_offline' : state.refreshing ? 'consent_why_busy' : null;
    const notice = state.notice?.near === 'consent' ? state.notice : null;
    return h('div', { class: 'consent' },
      h('label', { class: 'switch', for: id },
        h('input', { type: 'checkbox', role: 'switch', id, name: 'consent', checked: Boolean(member.limit_consent),
          'aria-disabled': why ? 'true' : null,
          'aria-describedby': [why ? `${id}-why` : null, notice ? 'card-status' : null, `${id}-help`].filter(Boolean).join(' '),
          onclick: (event) => { if (event.currentTarget.getAttribute('aria-disabled') === 'true') event.preventDefault(); },
          onchange: (event) => this._onConsent(member.id, event.target.checked) }),
        h('span', {}, t('consent_label'))),
      why ? h('p', { class: 'consent-why', id: `${id}-why` }, t(why)) : null,
      notice ? this._notice(notice) : null,
      h('p', { class: 'help', id: `${id}-help` }, t('consent_help')));
  }
}
