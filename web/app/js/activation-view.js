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
    this._button = h('button', { type: 'submit', class: 'primary', id: 'activate-button', disabled: this._busy },
      t('activate_button'));
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
        h('p', { class: 'help' }, t('passkey_explained')),
        this._button,
        this._statusEl),
      h('p', { class: 'aside' }, h('a', { href: this._signInHref }, t('have_passkey'))));
    this._setStatus(this._status.text, this._status.kind);
  }

  _setStatus(text, kind = '') {
    this._status = { text, kind };
    if (!this._statusEl) return;
    this._statusEl.textContent = text;
    this._statusEl.className = `status ${kind}`.trim();
  }

  async _submit() {
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
    this._button.disabled = true;
    this._setStatus(t('checking'));
    try {
      await this._onActivate(digits, birth.iso, pin);
    } catch (error) {
      this._setStatus(error.userMessage ?? error.message, 'error');
    } finally {
      this._busy = false;
      this._button.disabled = false;
    }
  }
}
