// Fetches a pack: manifest, then each layer's shards with byte progress, verifies every
// shard's SHA-256 against the manifest, and keeps verified shards and labels in the Cache API
// under a cache named after the manifest's hash (so a changed pack never mixes with an old one).
// If storage is refused (quota, private mode) it falls back to memory and says so.
// Every request goes through net/fetch-policy.js: bounded bodies, stall timeouts, abort.
import './net/fetch-policy.js';

const CACHE_PREFIX = 'saematch-pack-';
const NET = self.NetPolicy;
const MANIFEST_MAX_BYTES = 16 * 1024 * 1024;
const LABELS_MAX_BYTES = 64 * 1024 * 1024;

export async function sha256Hex(buffer) {
  const d = await crypto.subtle.digest('SHA-256', buffer);
  return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, '0')).join('');
}

// Offline: the manifest from the cache of the version the link names (hash prefix), else the
// most recently stored version; never whichever cache happens to come first.
async function cachedManifest(url, hashPrefix) {
  if (!('caches' in self)) return null;
  const names = (await caches.keys()).filter((n) => n.startsWith(CACHE_PREFIX)).reverse();
  const wanted = hashPrefix ? names.filter((n) => n.slice(CACHE_PREFIX.length).startsWith(hashPrefix.slice(0, 16))) : names;
  for (const name of wanted) {
    const hit = await (await caches.open(name)).match(url);
    if (hit) return hit;
  }
  return null;
}

// hashPrefix: the manifest hash the link was made with, to pick the right cached copy offline.
export async function loadManifest(rawUrl, { signal, hashPrefix } = {}) {
  const url = NET.checkUrl(rawUrl, location.href, 'pack manifest URL');
  const what = { file: NET.fileOf(url) };
  let text;
  try {
    const r = await NET.request(url, { what, signal, cache: 'no-cache' });
    text = new TextDecoder().decode(await NET.read(r, { what, signal, limit: MANIFEST_MAX_BYTES, limitReason: 'a manifest may have' }));
  } catch (e) {
    if (e.message === 'cancelled' || /HTTP \d/.test(e.message)) throw e;
    const hit = await cachedManifest(url, hashPrefix);  // offline: a pack we saw before
    if (!hit) throw new Error(`${e.message}, and the manifest is not cached`);
    text = await hit.text();
  }
  let manifest;
  try { manifest = JSON.parse(text); } catch { throw new Error(`${url} is not JSON (not a saematch pack manifest?)`); }
  const hash = await sha256Hex(new TextEncoder().encode(text));
  return { manifest, text, hash, url };
}

export class PackLoader {
  constructor(pack, { onNotice, signal } = {}) {
    this.pack = pack;
    this.signal = signal || null;
    this.cacheName = CACHE_PREFIX + pack.hash.slice(0, 16);
    this.memoryOnly = !('caches' in self);
    this.onNotice = onNotice || (() => {});
    if (this.memoryOnly) this.onNotice('This browser has no Cache API here: weights stay in memory only.');
  }

  async storeManifest() {
    if (this.memoryOnly) return;
    try {
      const c = await caches.open(this.cacheName);
      await c.put(this.pack.url, new Response(this.pack.text, { headers: { 'Content-Type': 'application/json' } }));
    } catch (e) { this.fallBack(e); }
  }

  fallBack(e) {
    if (this.memoryOnly) return;
    this.memoryOnly = true;
    this.onNotice(`Browser storage refused the weights (${e.name || e.message}); keeping them in memory only. They will be downloaded again next visit.`);
  }

  async cached(url) {
    if (this.memoryOnly) return null;
    try { return (await (await caches.open(this.cacheName)).match(url)) || null; } catch (e) { this.fallBack(e); return null; }
  }

  async store(url, body) {
    if (this.memoryOnly) return;
    try { await (await caches.open(this.cacheName)).put(url, new Response(body)); } catch (e) { this.fallBack(e); }
  }

  // Returns the layer's verified bytes (shards concatenated). onBytes(n, fromCache) reports progress.
  // Three shards are in flight at a time: one request at a time leaves the link idle between
  // shards (measured: 0.85 s -> 0.70 s per 72 MB layer from a local server).
  async loadLayer(layer, onBytes) {
    const parts = new Array(layer.shards.length);
    const siblings = new AbortController();  // one failed shard stops the others' downloads
    const stop = () => siblings.abort();
    if (this.signal) this.signal.addEventListener('abort', stop, { once: true });
    let next = 0;
    const worker = async () => {
      while (next < layer.shards.length) {
        const k = next++;
        parts[k] = await this.loadShard(layer, layer.shards[k], onBytes, siblings.signal);
      }
    };
    try {
      await Promise.all([0, 1, 2].map(worker));
    } catch (e) {
      stop();
      throw e;
    } finally {
      if (this.signal) this.signal.removeEventListener('abort', stop);
    }
    if (parts.length === 1) return parts[0].buffer;
    const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
    let o = 0;
    for (const p of parts) { out.set(p, o); o += p.length; }
    return out.buffer;
  }

  // One shard, from the cache or the network, checked against its size and SHA-256. The network
  // read stops at the manifest's size + 1 byte: a server cannot make the tab hold more.
  async loadShard(layer, shard, onBytes, signal = this.signal) {
    const url = new URL(shard.url, this.pack.url).href;
    const what = { layer: layer.what || `layer ${layer.layer}`, file: shard.url };
    const hit = await this.cached(url);
    let buf = hit ? await hit.arrayBuffer() : null;
    const fromCache = !!buf;
    if (buf) onBytes(buf.byteLength, true);
    else {
      // no-store: verified shards are kept in this loader's own Cache API store; the browser's
      // HTTP cache would write a second copy of every byte (1.9 GB for 26 layers of 16k).
      const r = await NET.request(url, { what, signal, cache: 'no-store' });
      const bytes = await NET.read(r, { what, signal, limit: shard.bytes, limitReason: 'the manifest gives this shard', onBytes: (n) => onBytes(n, false) });
      buf = bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer;
    }
    if (buf.byteLength !== shard.bytes) throw new Error(`${NET.who(what)}: ${buf.byteLength} bytes, the manifest says ${shard.bytes} (truncated)`);
    const digest = await sha256Hex(buf);
    if (digest !== shard.sha256) {
      if (fromCache) await this.forget(url);
      throw new Error(`${NET.who(what)}: SHA-256 mismatch (file corrupt or changed since the manifest was made)`);
    }
    if (!fromCache) await this.store(url, buf);
    return new Uint8Array(buf);
  }

  // A result pack's results blob (shards concatenated), verified like a layer's.
  loadResults(results, onBytes) { return this.loadLayer({ what: 'results', shards: results.shards }, onBytes); }

  async forget(url) { try { await (await caches.open(this.cacheName)).delete(url); } catch { /* ignore */ } }

  // The layer's labels: an array of F strings. Cached with this manifest's version only, so
  // changed weights never show old labels. Anything else: a notice, and no labels for the layer.
  async labels(layer) {
    if (!layer.labels) return null;
    const url = new URL(layer.labels, this.pack.url).href;
    const what = { layer: `layer ${layer.layer}`, file: layer.labels };
    let text;
    try {
      const hit = await this.cached(url);
      if (hit) text = await hit.text();
      else {
        const r = await NET.request(url, { what, signal: this.signal });
        text = new TextDecoder().decode(await NET.read(r, { what, signal: this.signal, limit: LABELS_MAX_BYTES, limitReason: 'labels may have' }));
      }
    } catch (e) {
      if (e.message === 'cancelled') throw e;
      this.onNotice(`No labels for ${e.message}`);
      return null;
    }
    let arr = null;
    try { arr = JSON.parse(text); } catch { /* reported below */ }
    const bad = !Array.isArray(arr) ? 'not a JSON array'
      : arr.length !== layer.F ? `${arr.length} entries for ${layer.F} features`
        : arr.some((x) => typeof x !== 'string') ? 'entries that are not strings' : '';
    if (bad) {
      this.onNotice(`Labels of layer ${layer.layer} (${layer.labels}) ignored: ${bad} (expected an array of ${layer.F} strings).`);
      return null;
    }
    await this.store(url, text);
    return arr;
  }
}

export async function clearPackCaches() {
  if (!('caches' in self)) return 0;
  let n = 0;
  for (const name of await caches.keys()) if (name.startsWith(CACHE_PREFIX)) { await caches.delete(name); n++; }
  return n;
}
