// The camera: getUserMedia, a visible aim box, continuous scanning (each new video frame is
// decoded as soon as the previous decode is done), a torch toggle where the camera has one,
// and the camera stops whenever the page is hidden (and comes back when it is shown again).
//
// onCode(text, timing) gets every decoded text; timing.frameAt is the performance.now() time
// at which the frame that held the code was presented (requestVideoFrameCallback), so the
// app can measure frame → verdict on screen.

import { NativeDecoder, WorkerDecoder } from './qr-decoders.js';

const PREFERENCE_KEY = 'shikaku-clinic-camera';
const FALLBACK_FRAME_MS = 100;

export class CameraScanner {
  constructor({ document, i18n, onCode, onDone = () => {}, storage = globalThis.localStorage }) {
    this._doc = document;
    this._i18n = i18n;
    this._onCode = onCode;
    this._storage = storage;
    this._el = (id) => document.getElementById(id);
    this._video = this._el('camera-video');
    this._stream = null;
    this._decoder = null;
    this._torchOn = false;
    this._pausedByHiding = false;
    this._generation = 0;
    this.state = 'off';
    this._message = 'camera_off';
    this._reason = '';

    this._el('camera-toggle').addEventListener('click', () => {
      const turnOn = !(this.running || this.state === 'starting');
      this._remember(turnOn);
      Promise.resolve(turnOn ? this.start() : this.stop()).finally(onDone);
    });
    this._el('torch-toggle').addEventListener('click', () => this.toggleTorch().finally(onDone));
    document.addEventListener('visibilitychange', () => this._onVisibility());
  }

  get running() {
    return this.state === 'on';
  }

  /** Start again if the camera was on when this device last used the page. */
  resumeIfRemembered() {
    let wanted = false;
    try { wanted = this._storage?.getItem(PREFERENCE_KEY) === 'on'; } catch { wanted = false; }
    if (wanted && !this._doc.hidden) this.start();
  }

  async start() {
    if (this.state === 'starting' || this.running) return;
    if (!navigator.mediaDevices?.getUserMedia) {
      this._set('error', 'camera_unsupported');
      return;
    }
    const generation = ++this._generation;
    this._set('starting', 'camera_starting');
    try {
      const stream = await navigator.mediaDevices.getUserMedia({
        audio: false,
        video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
      });
      if (generation !== this._generation) {   // stopped while the permission prompt was up
        stream.getTracks().forEach((track) => track.stop());
        return;
      }
      this._stream = stream;
      this._video.srcObject = stream;
      await this._video.play();
      this._decoder ??= (await NativeDecoder.create()) ?? (await WorkerDecoder.create());
      this._camera().dataset.decoder = this._decoder.name;
      this._setUpTorch();
      this._set('on', 'camera_on');
      this._nextFrame(generation);
    } catch (error) {
      this._release();
      if (error.name === 'NotAllowedError') this._set('error', 'camera_denied');
      else this._set('error', 'camera_error', error.message || error.name);
    }
  }

  stop(message = 'camera_off') {
    this._generation += 1;
    this._release();
    this._set('off', message);
  }

  async toggleTorch() {
    const track = this._stream?.getVideoTracks()[0];
    if (!track) return;
    try {
      await track.applyConstraints({ advanced: [{ torch: !this._torchOn }] });
      this._torchOn = !this._torchOn;
    } catch { /* the camera refused; leave the button as it was */ }
    this._el('torch-toggle').setAttribute('aria-pressed', String(this._torchOn));
  }

  render() {
    const t = (key, params) => this._i18n.t(key, params);
    this._camera().dataset.state = this.state;
    this._el('camera-message').textContent = t(this._message, { reason: this._reason });
    const toggle = this._el('camera-toggle');
    toggle.textContent = t(this.running || this.state === 'starting' ? 'camera_stop' : 'camera_start');
    toggle.setAttribute('aria-pressed', String(this.running));
    this._el('torch-toggle').textContent = t('torch');
  }

  _nextFrame(generation) {
    if (generation !== this._generation || !this.running) return;
    if (this._video.requestVideoFrameCallback) {
      this._video.requestVideoFrameCallback((now, metadata) => this._scan(generation, metadata.presentationTime ?? now));
    } else {
      setTimeout(() => this._scan(generation, performance.now()), FALLBACK_FRAME_MS);
    }
  }

  async _scan(generation, frameAt) {
    if (generation !== this._generation) return;
    let found = null;
    try {
      found = await this._decoder.decode(this._video);
    } catch {
      found = null;
    }
    if (generation !== this._generation) return;
    if (found?.text) this._onCode(found.text, { frameAt, decodeMs: found.ms });
    this._nextFrame(generation);
  }

  _setUpTorch() {
    const track = this._stream.getVideoTracks()[0];
    const capabilities = track?.getCapabilities?.() ?? {};
    this._torchOn = false;
    const button = this._el('torch-toggle');
    button.hidden = !capabilities.torch;
    button.setAttribute('aria-pressed', 'false');
  }

  _release() {
    this._stream?.getTracks().forEach((track) => track.stop());
    this._stream = null;
    this._video.srcObject = null;
    this._el('torch-toggle').hidden = true;
  }

  _onVisibility() {
    if (this._doc.hidden && (this.running || this.state === 'starting')) {
      this._pausedByHiding = true;
      this.stop('camera_paused');
    } else if (!this._doc.hidden && this._pausedByHiding) {
      this._pausedByHiding = false;
      this.start();
    }
  }

  _remember(on) {
    try { this._storage?.setItem(PREFERENCE_KEY, on ? 'on' : 'off'); } catch { /* private mode */ }
  }

  _camera() {
    return this._el('camera');
  }

  _set(state, message, reason = '') {
    this.state = state;
    this._message = message;
    this._reason = reason;
    this.render();
  }
}
