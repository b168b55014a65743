// 利用開始: the code from the notice (prefilled from #code=…), the birth date, the 6-digit
// 暗証番号 from its separate sheet, then "パスキーを作成". Errors: one generic message for a wrong code or birth date; a clear
// "ask your insurer for a new notice" for expired, used, replaced, locked codes.
import { CODE_DIGITS, PIN_DIGITS, birthMessage, codeDigits } from './activation.js';
import { BirthDatePicker } from './birth-date-picker.js';
import { h, replace } from './dom.js';
import { t } from './i18n.js';

export class ActivationView {
  constructor({ code = '', onActivate, signInHref = '/app/' }) {
    this._code = code;
    this._pin = '';
    this._onActivate = onActivate;
    this._signInHref = signInHref;
    this._picker = new BirthDatePicker({ idPrefix: 'birth', onChange: () => this._setStatus('') });
    this._status = { text: '', kind: '' };
    this._busy = false;
    this.el = h('section', { class: 'view activation-view', 'aria-labelledby': 'activation-title' });
    this.render();
  }

  render() {
    this._statusEl = h('p', { id: 'activation-status', class: 'status', role: 'status', 'aria-live': 'polite' });
    // Busy is aria-disabled, not disabled: a disabled button would drop the keyboard focus to the page.
    this._button = h('button', { type: 'submit', class: 'primary', id: 'activate-button',
      'aria-disabled': this._busy ? 'true' : null, 'aria-describedby': 'passkey-explained' }, t('activate_button'));
    this._picker.render();
    replace(this.el,
      h('h2', { id: 'activation-title' }, t('activate_title')),
      h('p', { class: 'lead' }, t('activate_lead')),
      h('form', { novalidate: true, onsubmit: (event) => { event.preventDefault(); this._submit(); } },
        h('div', { class: 'field' },
          h('label', { for: 'activation-code' }, t('code_label')),
          h('input', { id: 'activation-code', name: 'code', type: 'text', inputmode: 'numeric',
            autocomplete: 'off', spellcheck: 'false', value: this._code, 'aria-describedby': 'code-hint',
            oninput: (event) => { this._code = event.target.value; } }),
          h('small', { id: 'code-hint' }, t('code_hint'))),
        this._picker.el,
        h('div', { class: 'field' },
          h('label', { for: 'activation-pin' }, t('pin_label')),
          h('input', { id: 'activation-pin', name: 'pin', type: 'text', inputmode: 'numeric',
            autocomplete: 'off', spellcheck: 'false', maxlength: '8', value: this._pin,
            'aria-describedby': 'pin-hint', oninput: (event) => { this._pin = event.target.value; } }),
          h('small', { id: 'pin-hint' }, t('pin_hint'))),
        h('p', { class: 'help', id: 'passkey-explained' }, t('passkey_explained')),
        this._button,
        this._statusEl),
      h('p', { class: 'aside' }, h('a', { href: this._signInHref }, t('have_passkey'))));
    this._setStatus(this._status.text, this._status.kind, this._status.phone);
  }

  /** The status line; a telephone number in it becomes a link that calls it. */
  _setStatus(text, kind = '', phone = '') {
    this._status = { text, kind, phone };
    if (!this._statusEl) return;
    const at = phone ? text.indexOf(phone) : -1;
    if (at < 0) replace(this._statusEl, text);
    else {
      replace(this._statusEl, text.slice(0, at),
        h('a', { href: `tel:${phone.replace(/[^\d+]/g, '')}`, class: 'tel', id: 'insurer-tel' }, phone),
        text.slice(at + phone.length));
    }
    this._statusEl.className = `status ${kind}`.trim();
  }

  async _submit() {
    if (this._busy) return;
    const digits = codeDigits(this._code);
    if (digits.length !== CODE_DIGITS) {
      this._setStatus(t('code_length', { n: digits.length }), 'error');
      return;
    }
    const birth = this._picker.value();
    if (birth.error) {
      this._setStatus(birthMessage(birth), 'error');
      return;
    }
    const pin = codeDigits(this._pin);
    if (pin.length !== PIN_DIGITS) {
      this._setStatus(t('pin_length'), 'error');
      return;
    }
    this._busy = true;
    this._button.setAttribute('aria-disabled', 'true');
    this._setStatus(t('checking'));
    try {
      await this._onActivate(digits, birth.iso, pin);
    } catch (error) {
      this._setStatus(error.userMessage ?? error.message, 'error', error.phone);
    } finally {
      this._busy = false;
      this._button.removeAttribute('aria-disabled');
    }
  }
}
