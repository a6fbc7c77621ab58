// Service worker for the app shell (page, styles, scripts, both WASM engines, the release
// catalog), so a visit works offline once it has been made online. Network first: when
// online the newest build always wins and refreshes the copy. Weights are not handled here:
// pack-loader.js keeps verified shards in their own Cache API store, keyed by manifest hash.
//
// Registered as sw.js?coep=credentialless (or require-corp) by a page built with
// `./run.sh dist` for static hosts that cannot send headers: then it adds COOP/COEP to the
// page and to worker scripts, which makes the page cross-origin isolated (threaded engine).
const SHELL_CACHE = 'saematch-shell-v3';
// Every file under app/ (listed by the build in app/shell-files.js), the page and its styles.
importScripts('app/shell-files.js');
const SHELL = ['./', 'index.html', 'style.css', 'app/shell-files.js', ...self.SHELL_FILES];
const shellUrls = new Set(SHELL.map((p) => new URL(p, self.registration.scope).href));
const requested = new URL(self.location.href).searchParams.get('coep');
const COEP = ['credentialless', 'require-corp'].includes(requested) ? requested : null;

self.addEventListener('install', (e) => {
  // A missing shell file (e.g. a partial deploy) must not stop the worker from installing.
  e.waitUntil(caches.open(SHELL_CACHE)
    .then((c) => Promise.all(SHELL.map((p) => c.add(p).catch(() => {}))))
    .then(() => self.skipWaiting()));
});
self.addEventListener('activate', (e) => {
  e.waitUntil((async () => {
    for (const k of await caches.keys()) if (k.startsWith('saematch-shell-') && k !== SHELL_CACHE) await caches.delete(k);
    await self.clients.claim();
  })());
});
// A page loaded without a controller (hard reload) asks to be claimed.
self.addEventListener('message', (e) => { if (e.data === 'claim') self.clients.claim(); });

// Same response with the two headers that make a document (and its workers) cross-origin isolated.
function withIsolation(r) {
  if (!COEP || r.status === 0 || r.type === 'opaque' || r.type === 'opaqueredirect') return r;
  const headers = new Headers(r.headers);
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', COEP);
  return new Response(r.body, { status: r.status, statusText: r.statusText, headers });
}

async function networkFirst(request, key) {
  try {
    const r = await fetch(request);
    if (r.ok) {
      const copy = r.clone();
      caches.open(SHELL_CACHE).then((c) => c.put(key, copy)).catch(() => {});
    }
    return r;
  } catch (err) {
    const hit = await caches.match(key, { cacheName: SHELL_CACHE });
    if (hit) return hit;
    throw err;
  }
}

self.addEventListener('fetch', (e) => {
  const req = e.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  url.hash = '';
  const key = url.origin + url.pathname;
  const shell = shellUrls.has(key);
  const isolate = COEP !== null && url.origin === self.location.origin
    && (req.mode === 'navigate' || req.destination === 'worker' || req.destination === 'sharedworker');
  if (!shell && !isolate) return;  // weights, ranges, other origins: straight to the network
  e.respondWith((async () => {
    const r = shell ? await networkFirst(req, key) : await fetch(req);
    return isolate ? withIsolation(r) : r;
  })());
});
