// Keyboard-wedge scanners and paste: one focused text input, no button.
// A USB 2D scanner "types" the token and usually ends with Enter; with a Japanese IME on,
// the digits arrive full-width and the Enter only commits the composition. So a token is
// taken when Enter is pressed, when the IME commits, or when typing pauses — quickly if the
// digits already have a whole token's shape, after a longer pause otherwise (so a bad scan
// still gets a 形式不正 instead of silence). Paste is taken at once.
// Digits typed while focus is elsewhere on the page (say, on a copy button) are sent here.

import { looksComplete, normaliseScan } from '/shared/clinic/format.js';

const PAUSE_COMPLETE_MS = 200;
const PAUSE_INCOMPLETE_MS = 1500;
const DIGIT = /^[0-9０-９]$/;

const editable = (el) => el instanceof HTMLElement
  && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));

export class ScanInput {
  constructor({ document, onToken }) {
    this._doc = document;
    this._onToken = onToken;
    this._input = document.getElementById('scan-input');
    this._timer = null;

    this._input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.isComposing && event.keyCode !== 229) {
        event.preventDefault();
        this.submit('keyboard');
      }
    });
    this._input.addEventListener('input', (event) => {
      if (event.isComposing) return;
      if (event.inputType === 'insertFromPaste' || event.inputType === 'insertFromDrop') this.submit('paste');
      else this._schedule();
    });
    this._input.addEventListener('compositionend', () => this._schedule());
    document.addEventListener('keydown', (event) => this._redirect(event));
    document.addEventListener('paste', (event) => this._pasteAnywhere(event));
  }

  focus() {
    if (this._doc.activeElement !== this._input) this._input.focus({ preventScroll: true });
  }

  /** Take what has been typed so far as one token (and empty the field for the next). */
  submit(source) {
    clearTimeout(this._timer);
    const raw = this._input.value;
    this._input.value = '';
    if (normaliseScan(raw)) this._onToken(raw, source);
  }

  _schedule() {
    clearTimeout(this._timer);
    const digits = normaliseScan(this._input.value);
    if (!digits) return;
    this._timer = setTimeout(() => this.submit('keyboard'),
      looksComplete(digits) ? PAUSE_COMPLETE_MS : PAUSE_INCOMPLETE_MS);
  }

  _redirect(event) {
    if (event.target === this._input || editable(event.target)) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (DIGIT.test(event.key)) this._input.focus({ preventScroll: true });
  }

  _pasteAnywhere(event) {
    if (event.target === this._input || editable(event.target)) return;
    const text = event.clipboardData?.getData('text');
    if (!text) return;
    event.preventDefault();
    this._onToken(text, 'paste');
  }
}
