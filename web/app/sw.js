// 資格パス member app service worker.
// - A versioned cache: BUILD is replaced by server/member_pages.py with a digest of the app
//   files, so any change to them is a new worker and a new cache.
// - An explicit precache list: the app shell. Old caches are deleted on activate.
// - Named fetch handlers: the shell cache-first; /api/ and /auth/ network-only, so personal
//   data never lands in this cache (the page keeps its own copy in localStorage, on purpose).
// - A new version waits until the page asks for it (SKIP_WAITING): offered, never forced.

const BUILD = '__BUILD__';
const CACHE_PREFIX = 'shikaku-app-';
const CACHE = `${CACHE_PREFIX}${BUILD}`;
const SHELL = '/app/';
const PAGES = [SHELL, '/app/activate'];   // one shell, routed by the page itself

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
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/auth/')) {
    event.respondWith(networkOnly(request));
  } else if (request.mode === 'navigate' && PAGES.includes(url.pathname)) {
    event.respondWith(appShellPage(request));
  } else if (PRECACHE.includes(url.pathname)) {
    event.respondWith(appShellFile(request));
  }
});

async function precache() {
  const cache = await caches.open(CACHE);
  // Straight from the server, not from the HTTP cache: this version's files exactly. Without
  // cookies: these answers must not replace the session cookie while a sign-in is under way.
  await cache.addAll(PRECACHE.map((path) => new Request(path, { cache: 'reload', credentials: 'omit' })));
}

async function deleteOldCaches() {
  const names = await caches.keys();
  await Promise.all(names.filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE)
    .map((name) => caches.delete(name)));
}

/** /app/ and /app/activate are one page: the cached shell, which routes by its URL. */
async function appShellPage(request) {
  const cached = await caches.match(SHELL, { cacheName: CACHE });
  return cached ?? fetch(request);
}

/** Cache-first for the shell's own files. */
async function appShellFile(request) {
  const cached = await caches.match(request, { cacheName: CACHE, ignoreSearch: true });
  return cached ?? fetch(request);
}

/** Personal data: always from the network, never stored here. */
function networkOnly(request) {
  return fetch(request);
}
