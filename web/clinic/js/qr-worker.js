// QR decoding off the main thread, on the RGBA pixels of one full-resolution camera frame,
// transferred (not copied) from the page. The reader is zxing-cpp compiled to WebAssembly
// (npm "zxing-wasm", its reader build, served with its .wasm at /vendor/zxing-wasm/ and
// precached by the service worker): it reads tilted and slightly blurred codes that jsQR
// misses, in a fifth of the time. jsQR (npm "jsqr") is kept for one case only: WebAssembly
// cannot start here (a browser without 'wasm-unsafe-eval', e.g. Safari before 16, or a host
// whose policy forbids compiling it); then the page still scans a code held up flat.
// A classic worker, because both ship as plain scripts (zxing-wasm's IIFE build, jsQR's UMD).
//
// Messages: out first {engine} (which reader started), then for each {id, width, height,
// buffer} in, {id, text, ms, engine}; text is a complete read (error correction passed) or
// null, never a partial or a guess.
/* global ZXingWASM, jsQR */

const ZXING_WASM = '/vendor/zxing-wasm/dist/reader/zxing_reader.wasm';
const START_TIMEOUT_MS = 15_000;
const READER_OPTIONS = {
  formats: ['QRCode'],     // never a Micro QR, rMQR or a barcode
  maxNumberOfSymbols: 1,
  tryHarder: true,
  tryRotate: true,
  tryDownscale: true,      // zxing's own pyramid: the frame itself stays full size
  tryInvert: false,        // the member app draws dark on light
  returnErrors: false,     // only symbols whose error correction succeeded
};

async function startZXing() {
  importScripts('/vendor/zxing-wasm/dist/iife/reader/index.js');
  const started = ZXingWASM.prepareZXingModule({
    overrides: { locateFile: (path, prefix) => (path.endsWith('.wasm') ? ZXING_WASM : prefix + path) },
    fireImmediately: true,
  });
  await Promise.race([started, new Promise((_, reject) => {
    setTimeout(() => reject(new Error('zxing-wasm did not start')), START_TIMEOUT_MS);
  })]);
  return {
    name: 'zxing-wasm',
    async read(pixels, width, height) {
      const results = await ZXingWASM.readBarcodes(new ImageData(pixels, width, height), READER_OPTIONS);
      const complete = results.find((result) => result.isValid && !result.error && result.format === 'QRCode');
      return complete ? complete.text : null;
    },
  };
}

function startJsQR() {
  importScripts('/vendor/jsqr/dist/jsQR.js');
  return {
    name: 'jsQR',
    read(pixels, width, height) {
      const code = jsQR(pixels, width, height, { inversionAttempts: 'dontInvert' });
      return code ? code.data : null;
    },
  };
}

const reader = startZXing().catch(startJsQR);
reader.then(({ name }) => self.postMessage({ engine: name }),
  (error) => self.postMessage({ engine: null, error: String(error?.message ?? error) }));

self.onmessage = async ({ data }) => {
  const { id, width, height, buffer } = data;
  const { name, read } = await reader;
  const started = performance.now();
  let text = null;
  try {
    text = (await read(new Uint8ClampedArray(buffer), width, height)) || null;
  } catch {
    text = null;
  }
  self.postMessage({ id, text, ms: performance.now() - started, engine: name });
};
