// 資格パス offline worker: the service-worker rules of the member app (web/app/sw.js) and the
// clinic verifier (web/clinic/sw.js), written once. Each app's sw.js loads this classic script
// with importScripts, lists what it keeps offline, and calls serveOffline().
// - A versioned cache per app: `${cachePrefix}${build}`. The server replaces each sw.js's
//   __BUILD__ with a digest of that worker and everything it precaches (this file included),
//   so any change is a new worker and a new cache; the app's older caches go on activate.
// - Named fetch handlers: the app's pages answer with the cached shell, precached files come
//   cache-first, networkOnly prefixes always from the network (nothing personal is stored
//   here), and anything else goes to the network as if no worker were here.
// - A new version waits until the page asks for it (SKIP_WAITING): offered, never forced.
// Only serveOffline and the handlers below become globals of the worker: no const or let at
// the top level, which would share one scope with the app's sw.js.

/**
 * Serve one app offline. Call once from its sw.js, while the script first runs: a service
 * worker's event listeners count only if added then.
 * @param {object} app
 * @param {string} app.cachePrefix  this app's caches, e.g. 'shikaku-app-' (only they are swept)
 * @param {string} app.build        this version, the server's digest
 * @param {string} app.shell        the page's URL path; precached
 * @param {string[]} [app.pages]    URL paths the shell answers when navigated to (default: shell)
 * @param {string[]} app.precache   URL paths installed with this version
 * @param {string[]} [app.networkOnly] path prefixes always fetched, never cached
 * @param {RequestCache} app.precacheMode how install fetches: 'reload' or 'no-cache'
 */
function serveOffline({
  cachePrefix, build, shell, pages = [shell], precache, networkOnly = [], precacheMode,
}) {
  const cacheName = `${cachePrefix}${build}`;

  self.addEventListener('install', (event) => {
    event.waitUntil(precacheVersion(cacheName, precache, precacheMode));
  });

  self.addEventListener('activate', (event) => {
    event.waitUntil(deleteOldVersions(cachePrefix, cacheName).then(() => self.clients.claim()));
  });

  self.addEventListener('message', (event) => {
    if (event.data?.type === 'SKIP_WAITING') self.skipWaiting();
  });

  self.addEventListener('fetch', (event) => {
    const request = event.request;
    const url = new URL(request.url);
    if (request.method !== 'GET' || url.origin !== self.location.origin) return;
    if (networkOnly.some((prefix) => url.pathname.startsWith(prefix))) {
      event.respondWith(fromNetworkOnly(request));
    } else if (request.mode === 'navigate' && pages.includes(url.pathname)) {
      event.respondWith(cachedShell(cacheName, shell, request));
    } else if (precache.includes(url.pathname)) {
      event.respondWith(cacheFirst(cacheName, request));
    }
  });
}

/** This version's files, fetched with `mode` and without cookies: a precache answer must
 *  never replace the session cookie while a sign-in is under way. */
async function precacheVersion(cacheName, paths, mode) {
  const cache = await caches.open(cacheName);
  await cache.addAll(paths.map((path) => new Request(path, { cache: mode, credentials: 'omit' })));
}

/** Every other version of this app's cache (other apps' caches are not ours to delete). */
async function deleteOldVersions(cachePrefix, cacheName) {
  const names = await caches.keys();
  await Promise.all(names.filter((name) => name.startsWith(cachePrefix) && name !== cacheName)
    .map((name) => caches.delete(name)));
}

/** The app's pages are one shell: the cached page (offline) or the network (first visit). */
async function cachedShell(cacheName, shell, request) {
  const cached = await caches.match(shell, { cacheName });
  return cached ?? fetch(request);
}

/** Cache-first for the app's own files. */
async function cacheFirst(cacheName, request) {
  const cached = await caches.match(request, { cacheName, ignoreSearch: true });
  return cached ?? fetch(request);
}

/** Personal data: always from the network, never stored here. */
function fromNetworkOnly(request) {
  return fetch(request);
}
