// The day log as CSV that Excel opens as UTF-8: a byte-order mark, CRLF line ends, RFC 4180
// quoting, and cells that a spreadsheet would run as a formula (= + - @ at the start) made
// inert with a leading apostrophe. Also as tab-separated text, for pasting into a
// spreadsheet from the clipboard. Pure: runs in Node and the page.

export const BOM = '\uFEFF';

const FORMULA_START = /^[=+\-@\t\r]/;

export function cell(value) {
  let text = value === null || value === undefined ? '' : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** columns: [{header, value: (row) => any}] → the whole file's text, BOM first. */
export function toCsv(rows, columns) {
  const lines = [columns.map((c) => cell(c.header)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => cell(c.value(row))).join(','));
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
