// 資格パス clinic verifier service worker: the page works offline after one online visit.
// - A versioned cache: BUILD is replaced by server/clinic.py with a digest of every file
//   below and of config.json, so any change to them is a new worker with a new cache.
//   (Hosting the static files elsewhere: replace __BUILD__ with a new value per release.)
// - An explicit precache list: the page, its configuration (with the pinned anchor), its
//   modules, the shared verifier and trust-list modules, and the npm modules they import —
//   cborg's files as its own imports name them, and jsQR for the worker.
// - Old caches are deleted on activate. Named fetch handlers: the app cache-first; the trust
//   list is never cached here (the page keeps the signed text itself, in IndexedDB).
// - A new version waits until the page asks for it (SKIP_WAITING): offered, never forced.

const BUILD = '__BUILD__';
const CACHE_PREFIX = 'shikaku-clinic-';
const CACHE = `${CACHE_PREFIX}${BUILD}`;
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
  '/shared/clinic/verdict.js',
  '/shared/trust-list.js',
  '/shared/verifier.js',
  '/shared/token/claims.js',
  '/shared/token/cose.js',
  '/shared/token/digits.js',
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
];

self.addEventListener('install', (event) => {
  event.waitUntil(precache());
});

self.addEventListener('activate', (event) => {
  event.waitUntil(deleteOldCaches().then(() => self.clients.claim()));
});

self.addEventListener('message', (event) => {
  if (event.data?.type === 'SKIP_WAITING') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (request.mode === 'navigate' && url.pathname === SHELL) {
    event.respondWith(appPage(request));
  } else if (PRECACHE.includes(url.pathname)) {
    event.respondWith(appFile(request));
  }
  // Anything else (the trust list above all) goes to the network as if we were not here.
});

async function precache() {
  const cache = await caches.open(CACHE);
  // Revalidated with the server (a 304 costs no body), so this version's files exactly.
  await cache.addAll(PRECACHE.map((path) => new Request(path, { cache: 'no-cache', credentials: 'omit' })));
}

async function deleteOldCaches() {
  const names = await caches.keys();
  await Promise.all(names.filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE)
    .map((name) => caches.delete(name)));
}

/** The page itself, from the cache (offline) or the network (first visit). */
async function appPage(request) {
  const cached = await caches.match(SHELL, { cacheName: CACHE });
  return cached ?? fetch(request);
}

/** Cache-first for the app's own files, the verifier and the decoders. */
async function appFile(request) {
  const cached = await caches.match(request, { cacheName: CACHE, ignoreSearch: true });
  return cached ?? fetch(request);
}
