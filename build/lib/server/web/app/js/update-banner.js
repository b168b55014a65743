// "新しいバージョンがあります": a waiting service worker is offered, never forced.
import { h, replace } from './dom.js';
import { t } from './i18n.js';

export class UpdateBanner {
  constructor({ onUpdate }) {
    this._onUpdate = onUpdate;
    this._worker = null;
    this.el = h('div', { class: 'update-banner', id: 'update-banner', role: 'status', hidden: true });
  }

  show(worker) {
    this._worker = worker;
    this.render();
    this.el.hidden = false;
  }

  hide() {
    this.el.hidden = true;
  }

  render() {
    replace(this.el,
      h('span', {}, t('update_available')),
      h('button', { type: 'button', class: 'primary', id: 'update-button',
        onclick: () => { this.hide(); this._onUpdate(this._worker); } }, t('update_button')),
      h('button', { type: 'button', class: 'link', onclick: () => this.hide() }, t('update_later')));
  }
}
