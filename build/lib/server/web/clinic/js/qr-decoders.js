// Two ways to find a QR code in a video frame, same interface: decode(video) →
// {text | null, ms}. The browser's own BarcodeDetector when it has one (Android Chrome,
// macOS), otherwise jsQR in a worker (desktop Linux/Windows Chromium, Firefox).

const MAX_SIDE = 960;   // frames are scaled down to this before jsQR (speed; a QR held up still has ≥ 3 px per module)

export class NativeDecoder {
  static async create() {
    if (!('BarcodeDetector' in globalThis)) return null;
    try {
      const formats = await globalThis.BarcodeDetector.getSupportedFormats();
      return formats.includes('qr_code') ? new NativeDecoder() : null;
    } catch {
      return null;
    }
  }

  constructor() {
    this._detector = new globalThis.BarcodeDetector({ formats: ['qr_code'] });
    this.name = 'BarcodeDetector';
  }

  async decode(video) {
    const started = performance.now();
    const codes = await this._detector.detect(video);
    return { text: codes[0]?.rawValue ?? null, ms: performance.now() - started };
  }

  close() {}
}

export class WorkerDecoder {
  constructor(workerUrl = new URL('./qr-worker.js', import.meta.url)) {
    this._worker = new Worker(workerUrl);
    this._pending = new Map();
    this._nextId = 1;
    this._canvas = document.createElement('canvas');
    this._context = this._canvas.getContext('2d', { willReadFrequently: true });
    this.name = 'jsQR';
    this._worker.onmessage = ({ data }) => {
      this._pending.get(data.id)?.({ text: data.text, ms: data.ms });
      this._pending.delete(data.id);
    };
  }

  decode(video) {
    const scale = Math.min(1, MAX_SIDE / Math.max(video.videoWidth, video.videoHeight));
    const width = Math.round(video.videoWidth * scale);
    const height = Math.round(video.videoHeight * scale);
    if (!width || !height) return Promise.resolve({ text: null, ms: 0 });
    if (this._canvas.width !== width || this._canvas.height !== height) {
      this._canvas.width = width;
      this._canvas.height = height;
    }
    this._context.drawImage(video, 0, 0, width, height);
    const pixels = this._context.getImageData(0, 0, width, height).data;
    const id = this._nextId++;
    return new Promise((resolve) => {
      this._pending.set(id, resolve);
      this._worker.postMessage({ id, width, height, buffer: pixels.buffer }, [pixels.buffer]);
    });
  }

  close() {
    this._worker.terminate();
    for (const resolve of this._pending.values()) resolve({ text: null, ms: 0 });
    this._pending.clear();
  }
}
