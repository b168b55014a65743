// A tiny element builder: h('p', { class: 'note', onclick: fn }, 'text', child).
// Text always goes in as text (never as HTML); only the QR's SVG is parsed (see qr.js).
//
// Two things every screen gets for free here:
// - Language runs (web/shared/lang-runs.js): on an English page (<html lang="en">) a Japanese run in a text
//   (a name, 資格情報のお知らせ, 昭和55年) is wrapped in <span lang="ja">, and on a Japanese page an
//   English run (three letters or more: "Chrome", "Loading…") in <span lang="en">, so a
//   screen reader switches voice for it (WCAG 3.1.2).
// - Focus: replace() gives keyboard focus back to the control with the same id in the new
//   content (a re-render never drops it to <body>); one that is disabled for the moment gets
//   it back at the first render that enables it again.

import { textNodes } from '/shared/lang-runs.js';

export { textNodes };

const PROPERTIES = new Set(['checked', 'disabled', 'hidden', 'value', 'selected', 'open']);
/** Elements whose content is text only: their text is never split into spans. */
const TEXT_ONLY = new Set(['OPTION', 'TITLE', 'TEXTAREA', 'STYLE', 'SCRIPT']);

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
