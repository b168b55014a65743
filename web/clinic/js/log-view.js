// The day log on screen: newest first, CSV export (UTF-8 with BOM, identifiers kept as text
// for Excel — see /shared/clinic/csv.js — built as a Blob and downloaded), a copy to the clipboard (tab-separated, for a spreadsheet) and clear-all.
// Nothing leaves the device otherwise.

import { setText } from '/shared/lang-runs.js';
import { dayLogColumns, toCsv, toTsv } from '/shared/clinic/csv.js';
import { japanDate, japanTime, wareki } from '/shared/clinic/format.js';
import { STATUS_TEXT, VERDICT_TEXT } from '/shared/clinic/verdict.js';

const SHOWN = 500;

export class LogView {
  constructor({ document, i18n, dayLog, onDone = () => {} }) {
    this._doc = document;
    this._i18n = i18n;
    this._log = dayLog;
    this._onDone = onDone;
    this._el = (id) => document.getElementById(id);
    this._el('log-export').addEventListener('click', () => this.exportCsv().finally(onDone));
    this._el('log-copy').addEventListener('click', () => this.copyAll().finally(onDone));
    this._el('log-clear').addEventListener('click', () => this.clearAll().finally(onDone));
  }

  async render() {
    const entries = await this._log.entries(SHOWN);
    const t = (key, params) => this._i18n.t(key, params);
    this._el('log-retention').textContent = t('log_retention', { days: this._log.retentionDays });
    this._el('log-empty').hidden = entries.length > 0;
    this._el('log-table').hidden = entries.length === 0;
    this._el('log-entries').replaceChildren(...entries.map((e) => this._row(e)));
  }

  _row(entry) {
    const tr = this._doc.createElement('tr');
    tr.dataset.verdict = entry.verdict;
    const cells = [
      `${japanDate(entry.at)} ${japanTime(entry.at)}`,
      this._verdictText(entry),
      entry.name ?? '',
      entry.birth_date ? wareki(entry.birth_date) : '',
      entry.insurer_number ?? '',
      entry.number ? [entry.symbol, entry.number, entry.branch].filter(Boolean).join('・') : '',
    ];
    tr.replaceChildren(...cells.map((text) => {
      const td = this._doc.createElement('td');
      setText(td, text);
      return td;
    }));
    return tr;
  }

  _verdictText(entry) {
    const pick = (pair) => this._i18n.pick(pair);
    const headline = pick(VERDICT_TEXT[entry.verdict]);
    if (entry.verdict === 'invalid') return `${headline}（${pick(STATUS_TEXT[entry.status])}）`;
    if (entry.verdict === 'misread' && entry.read) return `${headline}（${pick(entry.read)}）`;
    return headline;
  }

  csv(entries) {
    return toCsv(entries, this._columns());
  }

  _columns() {
    return dayLogColumns(this._i18n);
  }

  async exportCsv() {
    const entries = (await this._log.entries()).reverse();   // oldest first, as a day reads
    const blob = new Blob([this.csv(entries)], { type: 'text/csv;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    const link = this._doc.createElement('a');
    link.href = url;
    link.download = `shikaku-log-${japanDate(Date.now())}.csv`;
    this._doc.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  async copyAll() {
    const entries = (await this._log.entries()).reverse();
    const button = this._el('log-copy');
    let ok = true;
    try {
      await navigator.clipboard.writeText(toTsv(entries, this._columns()));
    } catch {
      ok = false;
    }
    button.textContent = this._i18n.t(ok ? 'copied' : 'copy_failed');
    setTimeout(() => { button.textContent = this._i18n.t('log_copy'); }, 1500);
  }

  async clearAll() {
    if (!globalThis.confirm(this._i18n.t('log_clear_confirm'))) return;
    await this._log.clear();
    await this.render();
  }
}
