// Signed out: one button, "パスキーでサインイン" (usernameless), and the way to activation.
import { h, replace } from './dom.js';
import { t } from './i18n.js';

export class SignInView {
  constructor({ onSignIn, activateHref = '/app/activate' }) {
    this._onSignIn = onSignIn;
    this._activateHref = activateHref;
    this._status = { text: '', kind: '' };
    this.el = h('section', { class: 'view sign-in-view', 'aria-labelledby': 'sign-in-title' });
    this.render();
  }

  /** A note shown above the button (e.g. "signed out", "your sign-in ended"). */
  setStatus(text, kind = '') {
    this._status = { text, kind };
    if (this._statusEl) {
      this._statusEl.textContent = text;
      this._statusEl.className = `status ${kind}`.trim();
    }
  }

  render() {
    this._button = h('button', { type: 'button', class: 'primary', id: 'sign-in-button',
      onclick: () => this._signIn() }, t('signin_button'));
    this._statusEl = h('p', { id: 'sign-in-status', class: 'status', role: 'status', 'aria-live': 'polite' });
    replace(this.el,
      h('h2', { id: 'sign-in-title', tabindex: '-1' }, t('signin_title')),
      h('p', { class: 'lead' }, t('signin_lead')),
      this._button,
      this._statusEl,
      h('p', { class: 'aside' }, h('a', { href: this._activateHref, id: 'activate-link' }, t('signin_first'))));
    this.setStatus(this._status.text, this._status.kind);
  }

  async _signIn() {
    this._button.disabled = true;
    this.setStatus(t('checking'));
    try {
      await this._onSignIn();
    } catch (error) {
      this.setStatus(error.userMessage ?? error.message, 'error');
    } finally {
      this._button.disabled = false;
    }
  }
}
