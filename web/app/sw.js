// 資格パス member app service worker. The rules are web/shared/offline-worker.js, shared with
// the clinic verifier; this file names what the member app keeps offline.
// - BUILD is replaced by the server (server/views/pwa.py) with a digest of this file and
//   everything PRECACHE names, so any change to them is a new worker and a new cache.
// - The shell and its files cache-first; /api/ and /auth/ network-only, so personal data never
//   lands in this cache (the page keeps its own copy in localStorage, on purpose).
// - A new version waits until the page asks for it (SKIP_WAITING): offered, never forced.

importScripts('/shared/offline-worker.js');

const BUILD = '__BUILD__';
const SHELL = '/app/';

const PRECACHE = [
  SHELL,
  '/app/app.css',
  '/app/manifest.webmanifest',
  '/app/icons/icon.svg',
  '/app/icons/icon-192.png',
  '/app/js/main.js',
  '/app/js/app.js',
  '/app/js/activation.js',
  '/app/js/activation-view.js',
  '/app/js/api.js',
  '/app/js/birth-date-picker.js',
  '/app/js/card-view.js',
  '/app/js/dates.js',
  '/app/js/dom.js',
  '/app/js/i18n.js',
  '/app/js/passkeys-view.js',
  '/app/js/qr.js',
  '/app/js/sign-in-view.js',
  '/app/js/store.js',
  '/app/js/tokens.js',
  '/app/js/update-banner.js',
  '/app/js/webauthn.js',
  '/shared/offline-worker.js',
  '/shared/lang-runs.js',
  '/shared/clinic/format.js',
  '/vendor/lean-qr/index.mjs',
  '/vendor/lean-qr/extras/svg.mjs',
];

serveOffline({
  cachePrefix: 'shikaku-app-',
  build: BUILD,
  shell: SHELL,
  pages: [SHELL, '/app/activate'],   // one shell, routed by the page itself
  precache: PRECACHE,
  networkOnly: ['/api/', '/auth/'],
  // Straight from the server, not from the HTTP cache: this version's files exactly.
  precacheMode: 'reload',
});
