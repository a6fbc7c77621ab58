// Reads SAE weights straight from a URL (e.g. a Hugging Face "resolve" link) inside the worker.
// params.npz: HTTP Range requests fetch only the ZIP directory and the five arrays needed;
// the ZIP/npy parsing itself happens in the WASM core. .safetensors: fetched whole, with
// cfg.json from the same folder when present.
/* exported SaeRangeLoader */
/* global readBody */
const SaeRangeLoader = (() => {
  const WANTED = new Set(['W_enc.npy', 'W_dec.npy', 'b_enc.npy', 'b_dec.npy', 'threshold.npy']);

  async function httpError(url, r) {
    return new Error(`${url}: HTTP ${r.status}${r.status === 404 ? ' (not found)' : ''}`);
  }

  async function range(url, start, end, onBytes) {
    const r = await fetch(url, { headers: { Range: `bytes=${start}-${end}` } });
    if (r.status === 206) return readBody(r, onBytes);
    if (r.status === 200) {  // server ignores Range: take the slice we asked for
      const all = await readBody(r, onBytes);
      return all.slice(start, end + 1);
    }
    throw await httpError(url, r);
  }

  async function totalSize(url) {
    const r = await fetch(url, { headers: { Range: 'bytes=0-0' } });
    if (!r.ok) throw await httpError(url, r);
    const cr = r.headers.get('Content-Range');
    await r.arrayBuffer();
    if (cr && /\/(\d+)$/.test(cr)) return Number(/\/(\d+)$/.exec(cr)[1]);
    const len = r.headers.get('Content-Length');
    if (r.status === 200 && len) return Number(len);
    throw new Error(`${url}: server reports no file size (needs Range support)`);
  }

  async function loadNpz(M, engine, index, url, progress) {
    const size = await totalSize(url);
    let loaded = 0;
    const tick = (n) => { loaded += n; progress(loaded, size); };
    const tailLen = Math.min(size, 65536 + 22 + 20 + 56);
    const tail = await range(url, size - tailLen, size - 1, tick);
    const cd = M.zipCentralDirectory(tail, size);
    const cdBytes = await range(url, cd.offset, cd.offset + cd.size - 1, tick);
    const entries = M.zipEntries(cdBytes, cd.count, size);
    const arrays = {};
    for (const e of entries) {
      if (!WANTED.has(e.name)) continue;
      const header = await range(url, e.local_offset, e.local_offset + 29, tick);
      const start = e.local_offset + M.zipLocalDataOffset(header);
      const data = e.comp_size ? await range(url, start, start + e.comp_size - 1, tick) : new Uint8Array(0);
      arrays[e.name.replace(/\.npy$/, '')] = M.zipDecode(e, data);
    }
    if (!arrays.W_dec || !arrays.W_enc) throw new Error(`${url}: this .npz has no W_enc/W_dec arrays (not a Gemma Scope params.npz?)`);
    return engine.setNpyArraysLayer(index, arrays);
  }

  async function loadSafetensors(M, engine, index, url, progress) {
    const r = await fetch(url);
    if (!r.ok) throw await httpError(url, r);
    const total = Number(r.headers.get('Content-Length')) || 0;
    let loaded = 0;
    const bytes = await readBody(r, (n) => { loaded += n; progress(loaded, total); });
    let cfg = '';
    try {
      const c = await fetch(new URL('cfg.json', url));
      if (c.ok) cfg = await c.text();
    } catch { /* no config: inferred from the arrays */ }
    return engine.setFileLayer(index, 'safetensors', bytes, cfg);
  }

  async function load(M, engine, index, url, progress) {
    const path = new URL(url, self.location.href).pathname;
    if (path.endsWith('.npz')) return loadNpz(M, engine, index, url, progress);
    if (path.endsWith('.safetensors')) return loadSafetensors(M, engine, index, url, progress);
    throw new Error(`${url}: expected a params.npz or .safetensors URL`);
  }
  return { load };
})();
