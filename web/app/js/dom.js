// A tiny element builder: h('p', { class: 'note', onclick: fn }, 'text', child).
// Text always goes in as text (never as HTML); only the QR's SVG is parsed (see qr.js).
//
// Two things every screen gets for free here:
// - Language runs: on an English page (<html lang="en">) a Japanese run in a text
//   (a name, 資格情報のお知らせ, 昭和55年) is wrapped in <span lang="ja">, and on a Japanese page an
//   English run (three letters or more: "Chrome", "Loading…") in <span lang="en">, so a
//   screen reader switches voice for it (WCAG 3.1.2).
// - Focus: replace() gives keyboard focus back to the control with the same id in the new
//   content (a re-render never drops it to <body>); one that is disabled for the moment gets
//   it back at the first render that enables it again.

const PROPERTIES = new Set(['checked', 'disabled', 'hidden', 'value', 'selected', 'open']);
/** Elements whose content is text only: their text is never split into spans. */
const TEXT_ONLY = new Set(['OPTION', 'TITLE', 'TEXTAREA', 'STYLE', 'SCRIPT']);

const JA_CHAR = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}ー々〆〇';
const JA_OPEN = '「『（［【〔';
const JA_CLOSE = '」』）］】〕。、・：！？';
/** A Japanese run: starts with a kana, kanji or opening bracket, may hold digits, spaces and
 *  Japanese punctuation inside, ends with a kana, kanji or Japanese punctuation. */
const JA_RUN = new RegExp(`[${JA_CHAR}${JA_OPEN}](?:[${JA_CHAR}${JA_OPEN}${JA_CLOSE}0-9０-９ 　.]*[${JA_CHAR}${JA_CLOSE}])?`, 'gu');
/** An English run: words of Latin letters (one of them three letters or more) with the
 *  spaces and punctuation between them. "QR" or "PIN" inside a Japanese phrase stay as they are. */
const EN_RUN = /[A-Za-z][A-Za-z0-9'’.,:;!?&()\- ·…]*[A-Za-z.…)]/g;
const EN_WORD = /[A-Za-z]{3,}/;

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (PROPERTIES.has(name)) el[name] = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/** The page's language as the <html> element says ('ja' unless it says 'en'). */
function pageLang() {
  return globalThis.document?.documentElement?.lang === 'en' ? 'en' : 'ja';
}

/** `text` as nodes: runs in the other language wrapped in <span lang="…">. */
export function textNodes(text, page = pageLang()) {
  const pattern = page === 'en' ? JA_RUN : EN_RUN;
  const other = page === 'en' ? 'ja' : 'en';
  const nodes = [];
  let at = 0;
  for (const match of text.matchAll(pattern)) {
    if (page === 'ja' && !EN_WORD.test(match[0])) continue;
    if (match.index > at) nodes.push(document.createTextNode(text.slice(at, match.index)));
    const span = document.createElement('span');
    span.lang = other;
    span.textContent = match[0];
    nodes.push(span);
    at = match.index + match[0].length;
  }
  if (at < text.length || !nodes.length) nodes.push(document.createTextNode(text.slice(at)));
  return nodes;
}

export function append(el, children) {
  const split = !TEXT_ONLY.has(el.tagName) && !el.closest?.('[lang]:not(html)');
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    if (child instanceof Node) el.append(child);
    else if (split) el.append(...textNodes(String(child)));
    else el.append(document.createTextNode(String(child)));
  }
  return el;
}

let wanted = null;   // the id of a control that had focus and is to get it back

function focusable(el) {
  return el && !el.disabled && !el.hidden && el.isConnected;
}

export function replace(el, ...children) {
  const active = document.activeElement;
  if (active && active !== document.body && active.id && el.contains(active)) wanted = active.id;
  el.replaceChildren();
  append(el, children);
  restoreFocus();
  return el;
}

/** Give focus back to the control that lost it in a re-render, when it is there (and enabled) again. */
export function restoreFocus() {
  if (!wanted) return;
  const active = document.activeElement;
  if (active && active !== document.body && active.id !== wanted) {
    wanted = null;                     // focus went somewhere else meanwhile: leave it there
    return;
  }
  const again = document.getElementById(wanted);
  if (!again) {
    wanted = null;
    return;
  }
  if (focusable(again)) {
    again.focus({ preventScroll: true });
    wanted = null;
  }
}

/** Move focus to `el` (a new heading: tabindex="-1" is set when needed); the control that had it is gone. */
export function moveFocus(el) {
  if (!el) return;
  wanted = null;
  if (!el.hasAttribute('tabindex') && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(el.tagName)) el.setAttribute('tabindex', '-1');
  el.focus({ preventScroll: false });
}
