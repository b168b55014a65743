// 資格パス clinic verifier service worker: the page works offline after one online visit.
// The rules are web/shared/offline-worker.js, shared with the member app; this file names
// what the verifier keeps offline.
// - BUILD is replaced by the server (server/views/pwa.py) with a digest of this file, every
//   file below and config.json, so any change to them is a new worker with a new cache.
//   (Hosting the static files elsewhere: replace __BUILD__ with a new value per release;
//   `shikaku clinic export` does.)
// - The precache list: the page, its configuration (with the pinned anchor), its modules, the
//   shared verifier and trust-list modules, the shared worker rules, and the npm modules they
//   import — cborg's files as its own imports name them, and for the QR worker zxing-wasm's
//   reader (its script and its .wasm, ≈ 420 kB gzip once) and jsQR (its fallback).
// - The app cache-first; the trust list is never cached here (the page keeps the signed text
//   itself, in IndexedDB): anything not precached goes to the network as if we were not here.
// - A new version waits until the page asks for it (SKIP_WAITING): offered, never forced.

importScripts('/shared/offline-worker.js');

const BUILD = '__BUILD__';
const SHELL = '/clinic/';

const PRECACHE = [
  SHELL,
  '/clinic/config.json',
  '/clinic/clinic.css',
  '/clinic/manifest.webmanifest',
  '/clinic/icon.svg',
  '/clinic/js/main.js',
  '/clinic/js/clinic-app.js',
  '/clinic/js/camera-scanner.js',
  '/clinic/js/config.js',
  '/clinic/js/day-log.js',
  '/clinic/js/i18n.js',
  '/clinic/js/log-view.js',
  '/clinic/js/qr-decoders.js',
  '/clinic/js/qr-worker.js',
  '/clinic/js/result-view.js',
  '/clinic/js/scan-input.js',
  '/clinic/js/store.js',
  '/clinic/js/trust-store.js',
  '/clinic/js/trust-view.js',
  '/clinic/js/update-banner.js',
  '/shared/clinic/csv.js',
  '/shared/clinic/format.js',
  '/shared/clinic/status-sync.js',
  '/shared/clinic/verdict.js',
  '/shared/trust-list.js',
  '/shared/verifier.js',
  '/shared/offline-worker.js',
  '/shared/lang-runs.js',
  '/shared/token/claims.js',
  '/shared/token/cose.js',
  '/shared/token/digits.js',
  '/shared/token/status-lists.js',
  '/vendor/cborg/cborg.js',
  '/vendor/cborg/lib/0uint.js',
  '/vendor/cborg/lib/1negint.js',
  '/vendor/cborg/lib/2bytes.js',
  '/vendor/cborg/lib/3string.js',
  '/vendor/cborg/lib/4array.js',
  '/vendor/cborg/lib/5map.js',
  '/vendor/cborg/lib/6tag.js',
  '/vendor/cborg/lib/7float.js',
  '/vendor/cborg/lib/bl.js',
  '/vendor/cborg/lib/byte-utils.js',
  '/vendor/cborg/lib/common.js',
  '/vendor/cborg/lib/decode.js',
  '/vendor/cborg/lib/encode.js',
  '/vendor/cborg/lib/is.js',
  '/vendor/cborg/lib/jump.js',
  '/vendor/cborg/lib/tagged.js',
  '/vendor/cborg/lib/token.js',
  '/vendor/jsqr/dist/jsQR.js',
  '/vendor/zxing-wasm/dist/iife/reader/index.js',
  '/vendor/zxing-wasm/dist/reader/zxing_reader.wasm',
];

serveOffline({
  cachePrefix: 'shikaku-clinic-',
  build: BUILD,
  shell: SHELL,
  precache: PRECACHE,
  // Revalidated with the server (a 304 costs no body): this version's files exactly.
  precacheMode: 'no-cache',
});
