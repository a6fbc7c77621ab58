// Service worker for the app shell (page, styles, scripts, both WASM engines), so a visit
// works offline once it has been made online. Network first: when online the newest build
// always wins and refreshes the copy. Weights are not handled here: pack-loader.js keeps
// verified shards in their own Cache API store, keyed by manifest hash.
const SHELL_CACHE = 'saematch-shell-v1';
const SHELL = [
  './', 'index.html', 'style.css',
  'app/app.js', 'app/d3.min.js', 'app/engine-client.js', 'app/engine-worker.js', 'app/export.js', 'app/layout.js',
  'app/pack-loader.js', 'app/range-loader.js', 'app/read-body.js', 'app/state.js',
  'app/panels/graph.js', 'app/panels/detail.js', 'app/panels/histogram.js', 'app/panels/progress.js',
  'app/saematch_engine_mt.js', 'app/saematch_engine_mt.wasm', 'app/saematch_engine_mt.worker.js',
  'app/saematch_engine_st.js', 'app/saematch_engine_st.wasm',
  // app state, provenance and sources (h-app)
  'app/notices.js', 'app/persistence.js', 'app/export-provenance.js', 'app/layer-sources.js', 'app/panels/sources.js',
];
const shellUrls = new Set(SHELL.map((p) => new URL(p, self.registration.scope).href));

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(SHELL_CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});
self.addEventListener('activate', (e) => { e.waitUntil(self.clients.claim()); });

self.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  url.hash = '';
  const key = url.origin + url.pathname;
  if (e.request.method !== 'GET' || !shellUrls.has(key)) return;  // weights, ranges: straight to the network
  e.respondWith((async () => {
    try {
      const r = await fetch(e.request);
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
  })());
});
