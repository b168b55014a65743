// Keyboard-wedge scanners and paste: one focused text input, no button.
// A USB 2D scanner "types" the token and usually ends with Enter; with a Japanese IME on,
// the digits arrive full-width and the Enter only commits the composition. So a token is
// taken when Enter is pressed, when the IME commits, or when typing pauses — quickly if the
// digits already have a whole token's shape, after a longer pause otherwise (so a bad scan
// still gets a 形式不正 instead of silence). Paste is taken at once.
// A scanner's burst while focus is elsewhere on the page (a copy button, the trust panel, the
// page itself) is caught page-wide: its digits (half- or full-width, or an IME's "Process"
// keys) are gathered and shown in the scan box, and Enter takes them without pressing the
// focused button. Inside another text field the user is typing, so nothing is caught there.

import { looksComplete, normaliseScan } from '/shared/clinic/format.js';

const PAUSE_COMPLETE_MS = 200;
const PAUSE_INCOMPLETE_MS = 1500;
const SCAN_MIN_DIGITS = 16;         // a burst without Enter shorter than this: keys, not a scan
const DIGIT = /^[0-9０-９]$/;

const editable = (el) => el instanceof HTMLElement
  && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));

export class ScanInput {
  constructor({ document, onToken }) {
    this._doc = document;
    this._onToken = onToken;
    this._input = document.getElementById('scan-input');
    this._timer = null;
    this._burst = '';                 // digits caught outside the scan box
    this._burstTimer = null;

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
    document.addEventListener('keydown', (event) => this._catch(event), { capture: true });
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

  /** A key pressed outside any text field: a scanner's digits are gathered (and shown in the
   *  scan box) wherever the focus is; its Enter (or Tab) takes the scan and presses nothing. */
  _catch(event) {
    if (event.target === this._input || editable(event.target)) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const digit = DIGIT.test(event.key) ? event.key
      // an IME on: the key is "Process", the physical key still says which digit it was
      : event.key === 'Process' && /^(Digit|Numpad)[0-9]$/.test(event.code) ? event.code.slice(-1) : null;
    if (digit) {
      event.preventDefault();          // not a shortcut, not a button press: part of a scan
      this._burst += digit;
      this._input.value = this._burst;
      clearTimeout(this._burstTimer);
      const whole = looksComplete(normaliseScan(this._burst));
      this._burstTimer = setTimeout(() => this._endBurst(), whole ? PAUSE_COMPLETE_MS : PAUSE_INCOMPLETE_MS);
    } else if ((event.key === 'Enter' || event.key === 'Tab') && this._burst) {
      event.preventDefault();          // ends the scan; does not press the focused button
      this._endBurst(true);
    }
  }

  /** The burst is over: a scan when it ended with Enter or has a token's length, else a few
   *  keys someone pressed (dropped). */
  _endBurst(entered = false) {
    clearTimeout(this._burstTimer);
    const raw = this._burst;
    this._burst = '';
    this._input.value = '';
    this.focus();
    if (entered || raw.length >= SCAN_MIN_DIGITS) this._onToken(raw, 'keyboard');
  }

  _pasteAnywhere(event) {
    if (event.target === this._input || editable(event.target)) return;
    const text = event.clipboardData?.getData('text');
    if (!text) return;
    event.preventDefault();
    this._onToken(text, 'paste');
  }
}
