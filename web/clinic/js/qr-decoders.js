// Two ways to find a QR code in a video frame, same interface: decode(video) →
// {text | null, ms}. The browser's own BarcodeDetector when it has one that reads QR codes
// (Android Chrome, macOS), otherwise a worker (qr-worker.js: zxing-cpp in WebAssembly, jsQR
// only where WebAssembly cannot start) on the full-resolution frame: a tilted code held up at
// a reception desk needs every pixel. A text is only ever a complete read, never a guess.

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
    const code = codes.find((found) => found.format === 'qr_code' && found.rawValue);
    return { text: code ? code.rawValue : null, ms: performance.now() - started };
  }

  close() {}
}

export class WorkerDecoder {
  /** A decoder whose worker has started its reader; its name says which (zxing-wasm or jsQR). */
  static create(workerUrl) {
    const decoder = new WorkerDecoder(workerUrl);
    return decoder.ready.then(() => decoder);
  }

  constructor(workerUrl = new URL('./qr-worker.js', import.meta.url)) {
    this._worker = new Worker(workerUrl);
    this._pending = new Map();
    this._nextId = 1;
    this._canvas = document.createElement('canvas');
    this._context = this._canvas.getContext('2d', { willReadFrequently: true });
    this.name = 'worker';
    this.ready = new Promise((resolve, reject) => {
      this._worker.onerror = (event) => reject(new Error(event.message || 'QR worker failed'));
      this._worker.onmessage = ({ data }) => {
        if (data.id === undefined) {   // the worker's first word: which reader started
          if (data.engine) {
            this.name = data.engine;
            resolve();
          } else {
            reject(new Error(data.error || 'no QR reader'));
          }
          return;
        }
        this._pending.get(data.id)?.({ text: data.text, ms: data.ms });
        this._pending.delete(data.id);
      };
    });
  }

  decode(video) {
    const width = video.videoWidth;
    const height = video.videoHeight;
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
