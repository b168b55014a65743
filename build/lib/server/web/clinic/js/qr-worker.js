// QR decoding off the main thread: jsQR (npm "jsqr", served at /vendor/jsqr/) on the RGBA
// pixels of one camera frame, transferred (not copied) from the page. A classic worker,
// because jsQR ships as a UMD script.
/* global jsQR */
importScripts('/vendor/jsqr/dist/jsQR.js');

self.onmessage = ({ data }) => {
  const { id, width, height, buffer } = data;
  const started = performance.now();
  let text = null;
  try {
    const code = jsQR(new Uint8ClampedArray(buffer), width, height, { inversionAttempts: 'dontInvert' });
    text = code ? code.data : null;
  } catch {
    text = null;
  }
  self.postMessage({ id, text, ms: performance.now() - started });
};
