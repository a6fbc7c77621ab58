// Fetches a pack: manifest, then each layer's shards with byte progress, verifies every
// shard's SHA-256 against the manifest, and keeps verified shards in the Cache API under a
// cache named after the manifest's hash (so a changed pack never mixes with an old one).
// If storage is refused (quota, private mode) it falls back to memory and says so.
/* global readBody */
const CACHE_PREFIX = 'saematch-pack-';

export async function sha256Hex(buffer) {
  const d = await crypto.subtle.digest('SHA-256', buffer);
  return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, '0')).join('');
}

async function cacheLookup(url) {
  if (!('caches' in self)) return null;
  for (const name of await caches.keys()) {
    if (!name.startsWith(CACHE_PREFIX)) continue;
    const hit = await (await caches.open(name)).match(url);
    if (hit) return hit;
  }
  return null;
}

export async function loadManifest(url) {
  let r;
  try {
    r = await fetch(url, { cache: 'no-cache' });
  } catch (e) {
    r = await cacheLookup(url);  // offline: the cached copy of a pack we saw before
    if (!r) throw new Error(`cannot reach ${url} (${e.message}) and it is not cached`);
  }
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}${r.status === 404 ? ' (not found)' : ''}`);
  const text = await r.text();
  let manifest;
  try { manifest = JSON.parse(text); } catch { throw new Error(`${url} is not JSON (not a saematch pack manifest?)`); }
  const hash = await sha256Hex(new TextEncoder().encode(text));
  return { manifest, text, hash, url: new URL(url, location.href).href };
}

export class PackLoader {
  constructor(pack, { onNotice } = {}) {
    this.pack = pack;
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

  // Returns the layer's verified bytes (shards concatenated). onBytes(n, fromCache) reports progress.
  // Three shards are in flight at a time: one request at a time leaves the link idle between
  // shards (measured: 0.85 s -> 0.70 s per 72 MB layer from a local server).
  async loadLayer(layer, onBytes) {
    const parts = new Array(layer.shards.length);
    let next = 0;
    const worker = async () => {
      while (next < layer.shards.length) {
        const k = next++;
        parts[k] = await this.loadShard(layer.shards[k], onBytes);
      }
    };
    await Promise.all([0, 1, 2].map(worker));
    if (parts.length === 1) return parts[0].buffer;
    const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
    let o = 0;
    for (const p of parts) { out.set(p, o); o += p.length; }
    return out.buffer;
  }

  // One shard, from the cache or the network, checked against its size and SHA-256.
  async loadShard(shard, onBytes) {
    const url = new URL(shard.url, this.pack.url).href;
    let buf = null;
    if (!this.memoryOnly) {
      try {
        const hit = await (await caches.open(this.cacheName)).match(url);
        if (hit) buf = await hit.arrayBuffer();
      } catch (e) { this.fallBack(e); }
    }
    const fromCache = !!buf;
    if (buf) onBytes(buf.byteLength, true);
    else buf = await this.download(url, (n) => onBytes(n, false));
    if (buf.byteLength !== shard.bytes) throw new Error(`shard ${shard.url}: ${buf.byteLength} bytes, manifest says ${shard.bytes} (truncated?)`);
    const digest = await sha256Hex(buf);
    if (digest !== shard.sha256) {
      if (fromCache) await this.forget(url);
      throw new Error(`shard ${shard.url}: SHA-256 mismatch (file corrupt or changed since the manifest was made)`);
    }
    if (!fromCache && !this.memoryOnly) {
      try { await (await caches.open(this.cacheName)).put(url, new Response(buf)); } catch (e) { this.fallBack(e); }
    }
    return new Uint8Array(buf);
  }

  async download(url, onBytes) {
    let r;
    try { r = await fetch(url); } catch (e) { throw new Error(`cannot download ${url}: ${e.message}`); }
    if (!r.ok) throw new Error(`${url}: HTTP ${r.status}${r.status === 404 ? ' (shard missing)' : ''}`);
    const bytes = await readBody(r, onBytes);  // read-body.js
    return bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer;
  }

  async forget(url) { try { await (await caches.open(this.cacheName)).delete(url); } catch { /* ignore */ } }

  async labels(layer) {
    if (!layer.labels) return null;
    const url = new URL(layer.labels, this.pack.url).href;
    try {
      const r = (await cacheLookup(url)) || (await fetch(url));
      if (!r.ok) return null;
      const text = await r.text();
      if (!this.memoryOnly) {
        try { await (await caches.open(this.cacheName)).put(url, new Response(text)); } catch (e) { this.fallBack(e); }
      }
      const arr = JSON.parse(text);
      return Array.isArray(arr) ? arr : null;
    } catch { return null; }
  }
}

export async function clearPackCaches() {
  if (!('caches' in self)) return 0;
  let n = 0;
  for (const name of await caches.keys()) if (name.startsWith(CACHE_PREFIX)) { await caches.delete(name); n++; }
  return n;
}
