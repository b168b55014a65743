// The day log as CSV that Excel opens as UTF-8: a byte-order mark, CRLF line ends, RFC 4180
// quoting, and cells that a spreadsheet would run as a formula (= + - @ at the start) made
// inert with a leading apostrophe. Also as tab-separated text, for pasting into a
// spreadsheet from the clipboard. Pure: runs in Node and the page.
//
// Identifiers (保険者番号, 記号, 番号, 枝番) are "text" columns. Excel opening a CSV by
// double-click types every cell itself: "01040013" becomes the number 1040013 and 枝番 "00"
// becomes 0 — RFC 4180 quotes do not stop it (they only delimit), and a leading apostrophe
// stays visible as a character (it hides only when typed into a cell). What Excel honours is
// a formula whose result is a string: the cell ="01040013" shows 01040013, as text. So a
// text column's value goes out as ="value", CSV-quoted as a whole ("=""01040013"""). Only
// values without a double quote or a control character take that form, so what is inside is
// always one string literal and never a formula of the patient's making; any other value is
// an ordinary cell (apostrophe guard and all). LibreOffice and Numbers read the form the same.

import { copayRatio, japanDate, japanTime, kindName, limitCategory, relationshipName, seireki, sexName, wareki } from './format.js';
import { STATUS_TEXT, VERDICT_TEXT, WARNING_TEXT } from './verdict.js';

export const BOM = '\uFEFF';

const FORMULA_START = /^[=+\-@\t\r]/;
const TEXT_SAFE = /^[^"\u0000-\u001f\u007f]+$/;

export function cell(value) {
  let text = value === null || value === undefined ? '' : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A cell Excel keeps as text (leading zeros and all): ="value", CSV-quoted (see above). */
export function textCell(value) {
  const text = value === null || value === undefined ? '' : String(value);
  return TEXT_SAFE.test(text) ? `"=""${text}"""` : cell(text);
}

/** columns: [{header, value: (row) => any, text?: true}] → the whole file's text, BOM first. */
export function toCsv(rows, columns) {
  const lines = [columns.map((c) => cell(c.header)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => (c.text ? textCell : cell)(c.value(row))).join(','));
  return `${BOM}${lines.join('\r\n')}\r\n`;
}

/** The same table as tab-separated lines (tabs and line breaks inside cells become spaces). */
export function toTsv(rows, columns) {
  const tsvCell = (value) => {
    const text = value === null || value === undefined ? '' : String(value).replace(/[\t\r\n]+/g, ' ');
    return FORMULA_START.test(text) ? `'${text}` : text;
  };
  const lines = [columns.map((c) => tsvCell(c.header)).join('\t')];
  for (const row of rows) lines.push(columns.map((c) => tsvCell(c.value(row))).join('\t'));
  return `${lines.join('\n')}\n`;
}

/** The day log's columns (DayLog.entry records; an older record without a field gives an
 *  empty cell). i18n: {t(key), pick({ja, en}), lang}. 生年月日 both in 和暦 and in 西暦;
 *  資格取得日 as 和暦（西暦）; 限度額区分 with its meaning ("B04 一般"). */
export function dayLogColumns(i18n) {
  const { lang } = i18n;
  const t = (key) => i18n.t(key);
  const pick = (pair) => i18n.pick(pair);
  const both = (iso) => (lang === 'en' ? `${iso} (${wareki(iso)})` : `${wareki(iso)}（${seireki(iso)}）`);
  const columns = [
    ['log_time', (e) => `${japanDate(e.at)} ${japanTime(e.at)}`],
    ['log_verdict', (e) => pick(VERDICT_TEXT[e.verdict])],
    ['log_reason', (e) => (e.read ? pick(e.read) : pick(STATUS_TEXT[e.status]))],
    ['log_warnings', (e) => (e.warnings ?? []).map((w) => pick(WARNING_TEXT[w])).join(' ')],
    ['log_source', (e) => t(`source_${e.source}`)],
    ['log_insurer', (e) => e.insurer_number, true],
    ['log_insurer_name', (e) => e.insurer_name],
    ['log_symbol', (e) => e.symbol, true],
    ['log_number', (e) => e.number, true],
    ['log_branch', (e) => e.branch, true],
    ['log_relationship', (e) => (e.relationship ? relationshipName(e.relationship, lang) : '')],
    ['log_name', (e) => e.name],
    ['log_birth_wareki', (e) => (e.birth_date ? wareki(e.birth_date) : '')],
    ['log_birth_seireki', (e) => (e.birth_date ? seireki(e.birth_date, lang) : '')],
    ['log_sex', (e) => (e.sex ? sexName(e.sex, lang) : '')],
    ['log_copay', (e) => (e.copay_ratio ? copayRatio(e.copay_ratio, lang) : '')],
    ['log_acquired_on', (e) => (e.acquired_on ? both(e.acquired_on) : '')],
    ['log_limit', (e) => limitCategory(e.limit_category)],
    ['log_kind', (e) => (e.kind ? kindName(e.kind, lang) : '')],
  ];
  return columns.map(([key, value, text = false]) => ({ header: t(key), value, text }));
}
