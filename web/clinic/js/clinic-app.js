// The clinic verifier page: wires the configuration, the trust list, the three inputs
// (camera, keyboard-wedge scanner, paste), the verifier, the result, the day log and the
// service worker together. Each part is its own class in its own file.

import { DEFAULT_SKEW, verify } from '/shared/verifier.js';
import { normaliseScan } from '/shared/clinic/format.js';
import { describe } from '/shared/clinic/verdict.js';

import { CameraScanner } from './camera-scanner.js';
import { loadConfig } from './config.js';
import { DayLog } from './day-log.js';
import { I18n } from './i18n.js';
import { LogView } from './log-view.js';
import { ResultView } from './result-view.js';
import { ScanInput } from './scan-input.js';
import { Store } from './store.js';
import { TrustStore } from './trust-store.js';
import { TrustView } from './trust-view.js';
import { UpdateBanner } from './update-banner.js';

const TICK_MS = 30_000;
const NO_TRUST_LIST = Object.freeze({ status: 'no_trust_list', detail: 'no trust list on this device',
  warnings: Object.freeze([]), claims: null, kid: null, insurerName: null });

export class ClinicApp {
  constructor(document) {
    this._doc = document;
    this._i18n = new I18n();
    this._shownText = null;
    this._queue = Promise.resolve();
    this._ready = new Promise((resolve) => { this._setReady = resolve; });
  }

  async start() {
    const doc = this._doc;
    const i18n = this._i18n;
    const refocus = () => this._scanInput.focus();
    i18n.apply(doc);
    this._scanInput = new ScanInput({ document: doc, onToken: (text, source) => this.check(text, source) });
    this._scanInput.focus();
    this._result = new ResultView({ document: doc, i18n, onNext: () => this.next(), onCopied: refocus });
    this._camera = new CameraScanner({ document: doc, i18n, onDone: refocus,
      onCode: (text, timing) => this.check(text, 'camera', timing) });
    this._update = new UpdateBanner({ document: doc, onDone: refocus });
    doc.getElementById('lang-toggle').addEventListener('click', () => { i18n.toggle(); refocus(); });
    doc.addEventListener('keydown', (event) => this._escapeForNext(event));
    i18n.onChange(() => this._renderAll());
    this._renderLanguageToggle();
    this._result.render();
    this._camera.render();

    let config;
    try {
      config = await loadConfig();
    } catch (error) {
      this._showFatal(error.message);
      return;
    }
    this._config = config;
    this._skew = config.skewSeconds ?? DEFAULT_SKEW;
    const store = await Store.open();
    this._trustView = new TrustView({ document: doc, i18n, skewSeconds: this._skew });
    this._trust = new TrustStore({ url: config.trustListUrl, anchor: config.anchor, store,
      onChange: (trust) => this._trustView.render(trust),
      onProgress: (progress) => this._trustView.renderProgress(progress) });
    this._dayLog = new DayLog({ store, retentionDays: config.logRetentionDays });
    this._logView = new LogView({ document: doc, i18n, dayLog: this._dayLog, onDone: refocus });

    await this._trust.load();
    this._setReady();
    await this._dayLog.prune();
    await this._logView.render();
    this._refreshTrust();
    this._camera.resumeIfRemembered();
    this._registerServiceWorker();
    setInterval(() => this._tick(), TICK_MS);
    globalThis.addEventListener('online', () => this._refreshTrust());
    doc.addEventListener('visibilitychange', () => { if (!doc.hidden) this._refreshTrust(); });
  }

  /** Verify one scanned text; calls are handled one at a time, in arrival order. */
  check(raw, source, timing = null) {
    const received = performance.now();
    this._queue = this._queue.then(() => this._check(raw, source, timing?.frameAt ?? received, timing))
      .catch((error) => console.error('clinic: verification failed', error));
    return this._queue;
  }

  /** Ready for the next patient: clear the result, back to the top of the page (where the
   *  next verdict appears), focus in the scanner input. */
  next() {
    this._shownText = null;
    this._result.clear();
    this._doc.scrollingElement?.scrollTo({ top: 0, left: 0, behavior: 'instant' });
    this._scanInput.focus();
  }

  /** Escape is 次の方 while a result is shown — except in a text field other than the scan
   *  box (Escape clears a search) or while an IME is composing. */
  _escapeForNext(event) {
    if (event.key !== 'Escape' || event.isComposing || !this._result.shown) return;
    const target = event.target;
    const typing = target instanceof HTMLElement && target.id !== 'scan-input'
      && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
    if (typing) return;
    event.preventDefault();
    this.next();
  }

  async _check(raw, source, startedAt, timing) {
    await this._ready;
    const text = normaliseScan(raw);
    if (!text) return;
    // The code still in front of the camera after its verdict is not a new patient.
    if (source === 'camera' && text === this._shownText) return;
    const { list, status } = this._trust;   // read together: the pair adopted together
    const verifyStart = performance.now();
    const result = list
      ? await verify(text, list, { now: Math.floor(Date.now() / 1000), skew: this._skew, status })
      : NO_TRUST_LIST;
    const verifyMs = performance.now() - verifyStart;
    const description = describe(result, text);
    this._shownText = text;
    this._result.show(result, description);
    if (source !== 'camera') this._scanInput.focus();
    this._measure(source, startedAt, { decodeMs: timing?.decodeMs ?? null, verifyMs });
    if (result.warnings.includes('trust_list_stale') || result.status === 'trust_list_expired'
        || result.status === 'status_unavailable') this._refreshTrust();
    await this._dayLog.add(DayLog.entry({ result, description, source }));
    await this._logView.render();
  }

  /** performance.measure from the frame (camera) or the input (reader, paste) to the verdict
   *  on screen: a rendering frame after the DOM change, then one task (≈ after its paint). */
  _measure(source, start, detail) {
    requestAnimationFrame(() => setTimeout(() => {
      const name = source === 'camera' ? 'clinic:frame-to-verdict' : 'clinic:input-to-verdict';
      performance.measure(name, { start, end: performance.now(), detail: { source, ...detail } });
    }, 0));
  }

  _refreshTrust() {
    if (!this._trust) return;
    this._lastRefreshAt = Date.now();
    this._trust.refresh();
    this._registration?.update().catch(() => {});
  }

  async _tick() {
    this._trustView.render(this._trust);
    const due = Date.now() - (this._lastRefreshAt ?? 0) >= this._config.refreshSeconds * 1000;
    if (due && navigator.onLine !== false) this._refreshTrust();
    if (await this._dayLog.prune() > 0) await this._logView.render();
  }

  async _registerServiceWorker() {
    if (!('serviceWorker' in navigator)) return;
    let registration;
    try {
      registration = await navigator.serviceWorker.register('/clinic/sw.js', { scope: '/clinic/' });
    } catch (error) {
      console.warn('clinic: no service worker, no offline use', error);
      return;
    }
    this._registration = registration;
    // A new version is offered once installed, and only when an older one runs this page.
    const offer = (worker) => { if (worker && navigator.serviceWorker.controller) this._update.show(worker); };
    const follow = (worker) => worker?.addEventListener('statechange', () => {
      if (worker.state === 'installed') offer(worker);
    });
    offer(registration.waiting);
    follow(registration.installing);
    registration.addEventListener('updatefound', () => follow(registration.installing));
    let reloading = false;
    navigator.serviceWorker.addEventListener('controllerchange', () => {
      if (this._update.accepted && !reloading) {
        reloading = true;
        globalThis.location.reload();
      }
    });
  }

  _renderAll() {
    this._i18n.apply(this._doc);
    this._renderLanguageToggle();
    this._result.render();
    this._camera.render();
    if (this._trust) this._trustView.render(this._trust);
    if (this._logView) this._logView.render();
  }

  _renderLanguageToggle() {
    const toggle = this._doc.getElementById('lang-toggle');
    toggle.textContent = this._i18n.t('lang_toggle');
    toggle.lang = this._i18n.lang === 'ja' ? 'en' : 'ja';
  }

  _showFatal(message) {
    const section = this._doc.getElementById('trust');
    section.dataset.state = 'error';
    this._doc.getElementById('trust-status').textContent = this._i18n.t('trust_error', { reason: message });
    this._doc.getElementById('trust-age').textContent = this._i18n.t('trust_age_missing');
  }
}
