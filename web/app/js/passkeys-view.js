// The member's passkeys: list, add another, remove (the last one only after a
// confirmation, asked by the app); the signed-in devices; sign out here or everywhere.
import { formatMoment } from './dates.js';
import { h, moveFocus, replace } from './dom.js';
import { lang, t } from './i18n.js';

export class PasskeysView {
  constructor({ onAdd, onRemove, onSignOut, onSignOutEverywhere }) {
    this._onAdd = onAdd;
    this._onRemove = onRemove;
    this._onSignOut = onSignOut;
    this._onSignOutEverywhere = onSignOutEverywhere;
    this._devices = [];
    this._busy = false;
    this._status = { text: '', kind: '' };
    this._passkeys = [];
    this.el = h('section', { class: 'view passkeys-view', 'aria-labelledby': 'passkeys-title' });
  }

  setStatus(text, kind = '') {
    this._status = { text, kind };
    this.render(this._passkeys, this._offline, this._devices);
  }

  render(passkeys = [], offline = false, devices = this._devices) {
    this._passkeys = passkeys;
    this._offline = offline;
    this._devices = devices ?? [];
    // Offline: disabled. Busy (a ceremony running): aria-disabled, so the focused button keeps the focus.
    const disabled = offline;
    const busy = this._busy ? 'true' : null;
    replace(this.el,
      h('h2', { id: 'passkeys-title', tabindex: '-1' }, t('passkeys_title')),
      h('ul', { class: 'passkeys', id: 'passkeys' }, passkeys.map((p) => h('li', { 'data-passkey-id': p.id },
        h('span', { class: 'passkey-name' }, p.name || `#${p.id}`),
        h('small', {}, t('passkey_created', { date: formatMoment(p.created_at, lang()) }), ' · ',
          p.last_used_at ? t('passkey_used', { date: formatMoment(p.last_used_at, lang()) }) : t('passkey_never_used')),
        h('button', { type: 'button', class: 'link danger', id: `remove-passkey-${p.id}`, disabled, 'aria-disabled': busy, 'aria-label': t('passkey_remove_label', { name: p.name || `#${p.id}` }),
          onclick: () => this._run(() => this._onRemove(p, passkeys.length)) }, t('passkey_remove'))))),
      h('p', {}, h('button', { type: 'button', class: 'secondary', id: 'add-passkey', disabled, 'aria-disabled': busy,
        onclick: () => this._run(() => this._onAdd()) }, t('passkey_add'))),
      h('p', { id: 'passkeys-status', class: `status ${this._status.kind}`.trim(), role: 'status', 'aria-live': 'polite' },
        this._status.text),
      h('h3', { id: 'devices-title' }, t('devices_title')),
      h('ul', { class: 'devices', id: 'devices', 'aria-labelledby': 'devices-title' }, this._devices.map((d) => h('li', { 'data-session-id': d.id },
        h('span', { class: 'device-name' }, deviceName(d.device), d.current ? ` ${t('device_this')}` : ''),
        h('small', {}, t('device_used', { date: formatMoment(d.last_seen_at, lang()) }))))),
      h('p', { class: 'help' }, t('signout_note')),
      h('p', {}, h('button', { type: 'button', class: 'secondary', id: 'sign-out', 'aria-disabled': busy,
        onclick: () => this._run(() => this._onSignOut()) }, t('signout'))),
      h('p', {}, h('button', { type: 'button', class: 'secondary danger', id: 'sign-out-everywhere', disabled, 'aria-disabled': busy,
        onclick: () => this._run(() => this._onSignOutEverywhere()) }, t('signout_everywhere'))),
      h('p', { class: 'help' }, t('signout_everywhere_note')));
  }

  async _run(action) {
    if (this._busy) return;
    const hadFocus = this.el.contains(document.activeElement);
    this._busy = true;
    this._status = { text: '', kind: '' };
    this.render(this._passkeys, this._offline, this._devices);
    try {
      const message = await action();
      this._status = { text: message ?? '', kind: '' };
    } catch (error) {
      this._status = { text: error.userMessage ?? error.message, kind: 'error' };
    } finally {
      this._busy = false;
      if (this.el.isConnected) this.render(this._passkeys, this._offline, this._devices);
      // The button pressed is gone (a removed passkey): the focus goes to this section's heading.
      const lost = !document.activeElement || document.activeElement === document.body;
      if (hadFocus && lost && this.el.isConnected) moveFocus(this.el.querySelector('#passkeys-title'));
    }
  }
}

/** A readable name for a browser's User-Agent: "Chrome · Android", else the first words. */
export function deviceName(agent = '') {
  const browser = /Edg\//.test(agent) ? 'Edge' : /Chrome\//.test(agent) ? 'Chrome'
    : /Firefox\//.test(agent) ? 'Firefox' : /Safari\//.test(agent) ? 'Safari' : '';
  const system = /Android/.test(agent) ? 'Android' : /iPhone|iPad/.test(agent) ? 'iOS'
    : /Windows/.test(agent) ? 'Windows' : /Mac OS X/.test(agent) ? 'macOS' : /Linux/.test(agent) ? 'Linux' : '';
  return [browser, system].filter(Boolean).join(' · ') || agent.slice(0, 40) || '—';
}
