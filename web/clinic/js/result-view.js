// The result: a full-width verdict (有効 green, 無効 red, 読み取れませんでした / 要再同期 /
// 端末時刻異常 amber), the reason in plain Japanese (for a misread: what was read), the warnings, and — only for 有効 — the details to transcribe for
// the claim in レセプト order, each with a copy button. A refused token whose signature
// verified shows its name and birth date for reference only, without copy buttons.

import { setText } from '/shared/lang-runs.js';
import {
  ageOn, copayRatio, dateTime, japanDate, kindName, limitCategory, relationshipName, seireki, sexName, wareki,
} from '/shared/clinic/format.js';

export class ResultView {
  constructor({ document, i18n, onNext, onCopied = () => {} }) {
    this._doc = document;
    this._i18n = i18n;
    this._onCopied = onCopied;
    this._el = (id) => document.getElementById(id);
    this._shown = null;
    this._el('next-patient').addEventListener('click', () => onNext());
  }

  /** result: the verifier's frozen result; description: verdict.js describe(result).
   *  The verdict banner is scrolled into view if the page was scrolled away from it. */
  show(result, description) {
    this._shown = { result, description };
    this.render();
    this._announce();
    const banner = this._el('verdict').getBoundingClientRect();
    if (banner.top < 0 || banner.bottom > globalThis.innerHeight) {
      this._el('verdict').scrollIntoView({ block: 'start', behavior: 'instant' });
    }
  }

  clear() {
    this._shown = null;
    this.render();
    this._announce();
  }

  get shown() {
    return this._shown !== null;
  }

  /** The assertive live region gets the verdict and the name only (a 無効 with its reason, as
   *  the day log writes it) — not the whole panel with "コピー" after every field. */
  _announce() {
    const region = this._el('result-announce');
    if (!this._shown) {
      region.textContent = '';
      return;
    }
    const { result, description } = this._shown;
    const pick = (pair) => this._i18n.pick(pair);
    let verdict = pick(description.headline);
    if (description.verdict === 'invalid' && description.reason) verdict += `（${pick(description.reason)}）`;
    // said in the page's language of the moment: a later switch of language does not rewrite
    // (and so re-announce) it, and its lang keeps saying which language it is in
    region.lang = this._i18n.lang;
    setText(region, [verdict, result.claims?.name].filter(Boolean).join(' '), this._i18n.lang);
  }

  render() {
    const section = this._el('result');
    const verdictEl = this._el('verdict');
    const reasonEl = this._el('verdict-reason');
    const warningsEl = this._el('result-warnings');
    const detailsArea = this._el('details-area');
    const shown = this._shown;
    this._el('next-patient').hidden = !shown;
    // 照合 (name and birth date against the photo ID) only for details to transcribe
    this._el('reminder').hidden = !(shown?.description.trustworthy && shown.result.claims);
    if (!shown) {
      section.dataset.verdict = 'idle';
      delete section.dataset.status;
      verdictEl.textContent = this._i18n.t('verdict_idle');
      reasonEl.hidden = true;
      warningsEl.hidden = true;
      detailsArea.hidden = true;
      return;
    }
    const { result, description } = shown;
    const pick = (pair) => this._i18n.pick(pair);
    section.dataset.verdict = description.verdict;
    section.dataset.status = result.status;
    setText(verdictEl, pick(description.headline));
    reasonEl.hidden = !description.reason;
    reasonEl.replaceChildren(...(description.read          // a misread: what it was, then the ask
      ? [this._i18n.t('misread_what', { what: pick(description.read) }), this._doc.createElement('br')]
      : []), description.reason ? pick(description.reason) : '');
    warningsEl.hidden = description.warnings.length === 0;
    warningsEl.replaceChildren(...description.warnings.map((w) => {
      const li = this._doc.createElement('li');
      li.dataset.warning = w.code;
      const strong = this._doc.createElement('strong');
      setText(strong, pick(w));
      li.append(strong, ` ${pick(w.hint)}`);
      return li;
    }));
    this._renderDetails(result, description);
  }

  _renderDetails(result, description) {
    const trustworthy = description.trustworthy;
    const area = this._el('details-area');
    const claims = result.claims;
    area.hidden = !claims;
    if (!claims) return;
    area.dataset.reference = String(!trustworthy);
    const heading = trustworthy ? 'details_heading'
      : description.verdict === 'invalid' ? 'reference_heading' : 'reference_heading_undecided';
    this._el('details-heading').textContent = this._i18n.t(heading);
    const rows = trustworthy ? this._rows(result) : this._rows(result).filter((r) => ['name', 'birth_date'].includes(r.field));
    this._el('details').replaceChildren(...rows.flatMap((row) => this._row(row, trustworthy)));
  }

  /** The fields in the order a レセプト needs them: [{field, label, text, copy}]. */
  _rows(result) {
    const c = result.claims;
    const lang = this._i18n.lang;
    const t = (key, params) => this._i18n.t(key, params);
    const none = t('none');
    const both = (iso) => (lang === 'en' ? `${iso} (${wareki(iso)})` : `${wareki(iso)}（${seireki(iso)}）`);
    const age = ageOn(c.birth_date, japanDate(Date.now()));
    const insurerName = result.insurerName ?? result.insurer_name ?? '';
    const rows = [
      ['insurer_number', 'f_insurer_number', c.insurer_number],
      ['insurer_name', 'f_insurer_name', insurerName],
      ['symbol', 'f_symbol', c.symbol || none, c.symbol],
      ['number', 'f_number', c.number],
      ['branch', 'f_branch', c.branch || none, c.branch],
      ['relationship', 'f_relationship', relationshipName(c.relationship, lang), relationshipName(c.relationship, 'ja')],
      ['name', 'f_name', c.name],
      ['birth_date', 'f_birth_date', `${both(c.birth_date)} ${t('age', { age })}`, wareki(c.birth_date)],
      ['sex', 'f_sex', sexName(c.sex, lang), sexName(c.sex, 'ja')],
      ['copay', 'f_copay', t('copay_from', { ratio: copayRatio(c.copay_ratio, lang), date: both(c.copay_from) }),
        copayRatio(c.copay_ratio)],
      ['acquired_on', 'f_acquired_on', both(c.acquired_on), wareki(c.acquired_on)],
      ...(c.limit_category ? [['limit_category', 'f_limit', limitCategory(c.limit_category), c.limit_category]] : []),
      ['kind', 'f_kind', kindName(c.kind, lang), kindName(c.kind, 'ja')],
      ['expires_at', 'f_expires_at', dateTime(c.expires_at, lang), dateTime(c.expires_at, 'ja')],
    ];
    return rows.map(([field, label, text, copy = text]) => ({ field, label: t(label), text, copy }));
  }

  _row({ field, label, text, copy }, withCopy) {
    const dt = this._doc.createElement('dt');
    dt.textContent = label;
    const dd = this._doc.createElement('dd');
    dd.dataset.field = field;
    const value = this._doc.createElement('span');
    value.className = 'value';
    setText(value, text);
    dd.append(value);
    if (withCopy && copy) {
      const button = this._doc.createElement('button');
      button.type = 'button';
      button.className = 'copy';
      button.textContent = this._i18n.t('copy');
      button.setAttribute('aria-label', `${label}: ${this._i18n.t('copy')}`);
      button.addEventListener('click', () => this._copy(button, copy));
      dd.append(button);
    }
    return [dt, dd];
  }

  async _copy(button, text) {
    let ok = true;
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      ok = copyWithSelection(this._doc, text);
    }
    button.textContent = this._i18n.t(ok ? 'copied' : 'copy_failed');
    button.dataset.copied = String(ok);
    setTimeout(() => {
      button.textContent = this._i18n.t('copy');
      delete button.dataset.copied;
    }, 1500);
    this._onCopied();
  }
}

/** The old way, for browsers that refuse the async clipboard. */
function copyWithSelection(doc, text) {
  const area = doc.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  doc.body.append(area);
  area.select();
  let ok = false;
  try { ok = doc.execCommand('copy'); } catch { ok = false; }
  area.remove();
  return ok;
}
