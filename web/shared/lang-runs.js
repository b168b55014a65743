// Language runs (WCAG 3.1.2): on an English page (<html lang="en">) a Japanese run in a text
// (a name, 資格情報のお知らせ, 昭和55年) goes in a <span lang="ja">, and on a Japanese page an
// English run (three letters or more: "Chrome", "Loading…") in a <span lang="en">, so a screen
// reader switches voice for it. Used by the member app's element builder (app/js/dom.js) and
// the clinic's result and trust panels.

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

/** The page's language as the <html> element says ('ja' unless it says 'en'). */
export function pageLang() {
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

/** Put `text` in `el` (replacing what it held), other-language runs marked. */
export function setText(el, text, page = pageLang()) {
  el.replaceChildren(...textNodes(String(text ?? ''), page));
}
