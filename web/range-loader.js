// Reads SAE weights straight from a URL (e.g. a Hugging Face "resolve" link) inside the worker.
// params.npz: HTTP Range requests fetch only the ZIP directory and the five arrays needed;
// the ZIP/npy parsing itself happens in the WASM core. .safetensors: fetched whole, with
// cfg.json from the same folder when present. Requests follow net/fetch-policy.js.
/* exported SaeRangeLoader */
/* global NetPolicy */
const SaeRangeLoader = (() => {
  const WANTED = new Set(['W_enc.npy', 'W_dec.npy', 'b_enc.npy', 'b_dec.npy', 'threshold.npy']);
  const CFG_MAX_BYTES = 1024 * 1024;
  const NO_RANGE = 'allowed when a server ignores HTTP Range requests (it then sends whole files)';

  // Byte ranges of one remote file. The first answer tells whether the server honours Range:
  // a 200 (or a 206 carrying the whole file) means it does not, and the body is then read once,
  // up to a size limit, and every later range is a slice of it (not one full download per range).
  class RemoteFile {
    constructor(url, what, { signal, cfg, tick }) {
      Object.assign(this, { url, what, signal, cfg, tick, size: 0, whole: null });
      this.limits = NetPolicy.settings(cfg);
    }

    parseContentRange(r) {
      const cr = r.headers.get('Content-Range');
      const m = cr && /^bytes (\d+)-(\d+)\/(\d+)$/.exec(cr.trim());
      if (!m) {
        const why = cr ? `"${cr.slice(0, 60)}"` : 'not sent or not exposed to browsers by CORS';
        throw new Error(`${NetPolicy.who(this.what)}: the server answered a Range request without a readable Content-Range header (${why})`);
      }
      return { start: Number(m[1]), end: Number(m[2]), size: Number(m[3]) };
    }

    // The server ignored Range: take the whole body once, if it is not too large to hold.
    async readWhole(r) {
      const max = this.limits.fullReadMaxBytes;
      const declared = Number(r.headers.get('Content-Length'));
      if (declared > 0) this.size = declared;  // progress shows the whole file's size while it arrives
      this.whole = await NetPolicy.read(r, {
        what: this.what, signal: this.signal, cfg: this.cfg, onBytes: this.tick, limit: max,
        limitReason: NO_RANGE,
      });
      this.size = this.whole.length;
    }

    async fetchRange(start, end) {
      return NetPolicy.request(this.direct || this.url, { what: this.what, signal: this.signal, cfg: this.cfg, headers: { Range: `bytes=${start}-${end}` } });
    }

    // Learns the size (and whether Range works) from a one-byte request.
    async open() {
      const r = await this.fetchRange(0, 0);
      // A hub answers each request with a redirect to a signed CDN URL: ask the CDN directly
      // from now on (one hub request per file, not one per range).
      if (r.redirected && r.url) this.direct = r.url;
      if (r.status !== 206) { await this.readWhole(r); return; }
      const got = this.parseContentRange(r);
      if (got.start === 0 && got.end === got.size - 1 && got.size > 1) { await this.readWhole(r); return; }  // 206 with the whole file
      if (got.start !== 0 || got.end !== 0) throw this.wrongRange(0, 0, got);
      await NetPolicy.read(r, { what: this.what, signal: this.signal, cfg: this.cfg, limit: 1, limitReason: 'asked for' });
      this.size = got.size;
    }

    wrongRange(start, end, got) {
      return new Error(`${NetPolicy.who(this.what)}: asked the server for bytes ${start}-${end}, it sent ${got.start}-${got.end} of ${got.size}`);
    }

    async read(start, end) {
      if (this.whole) return this.whole.slice(start, end + 1);  // its bytes were counted as they arrived
      const len = end - start + 1;
      if (len > this.limits.fullReadMaxBytes) {  // a ZIP directory may claim any size: ask for no more than we would hold
        throw new Error(`${NetPolicy.who(this.what)}: the file asks to read ${len} bytes at once, more than the ${this.limits.fullReadMaxBytes} allowed`);
      }
      const r = await this.fetchRange(start, end);
      if (r.status !== 206) { await this.readWhole(r); return this.whole.slice(start, end + 1); }
      const got = this.parseContentRange(r);
      if (got.start === 0 && got.end === got.size - 1 && !(start === 0 && end === got.size - 1)) {
        await this.readWhole(r);
        return this.whole.slice(start, end + 1);
      }
      if (got.start !== start || got.end !== end) throw this.wrongRange(start, end, got);
      const bytes = await NetPolicy.read(r, { what: this.what, signal: this.signal, cfg: this.cfg, onBytes: this.tick, limit: len, limitReason: 'asked for' });
      if (bytes.length !== len) throw new Error(`${NetPolicy.who(this.what)}: the server sent ${bytes.length} of the ${len} bytes asked for (truncated)`);
      return bytes;
    }
  }

  async function loadNpz(M, engine, index, url, what, { signal, cfg, progress }) {
    let loaded = 0;
    const file = new RemoteFile(url, what, { signal, cfg, tick: (n) => { loaded += n; progress(loaded, file.size); } });
    await file.open();
    const size = file.size;
    const tailLen = Math.min(size, 65536 + 22 + 20 + 56);
    const tail = await file.read(size - tailLen, size - 1);
    const cd = M.zipCentralDirectory(tail, size);
    const cdBytes = await file.read(cd.offset, cd.offset + cd.size - 1);
    const entries = M.zipEntries(cdBytes, cd.count, size);
    const arrays = {};
    for (const e of entries) {
      if (!WANTED.has(e.name)) continue;
      const header = await file.read(e.local_offset, e.local_offset + 29);
      const start = e.local_offset + M.zipLocalDataOffset(header);
      const data = e.comp_size ? await file.read(start, start + e.comp_size - 1) : new Uint8Array(0);
      arrays[e.name.replace(/\.npy$/, '')] = M.zipDecode(e, data);
    }
    if (!arrays.W_dec || !arrays.W_enc) throw new Error(`${NetPolicy.who(what)}: this .npz has no W_enc/W_dec arrays (not a Gemma Scope params.npz?)`);
    return engine.setNpyArraysLayer(index, arrays);
  }

  // SAELens: the weights, and cfg.json next to them (activation, hook, layer); without a
  // cfg.json (404) the engine infers what it can from the arrays.
  async function loadSafetensors(M, engine, index, url, what, { signal, cfg, progress }) {
    const r = await NetPolicy.request(url, { what, signal, cfg });
    const limits = NetPolicy.settings(cfg);
    const total = Number(r.headers.get('Content-Length')) || 0;
    let loaded = 0;
    const bytes = await NetPolicy.read(r, {
      what, signal, cfg, limit: limits.fullReadMaxBytes, limitReason: 'allowed for one .safetensors file',
      onBytes: (n) => { loaded += n; progress(loaded, total); },
    });
    const cfgUrl = new URL('cfg.json', url).href;
    const cfgWhat = { layer: what.layer, file: NetPolicy.fileOf(cfgUrl) };
    let cfgText = '';
    try {
      cfgText = new TextDecoder().decode(await NetPolicy.get(cfgUrl, { what: cfgWhat, signal, cfg, limit: CFG_MAX_BYTES, limitReason: 'a cfg.json may have' }));
    } catch (e) {
      if (!/HTTP 404/.test(e.message)) throw e;  // a missing cfg.json is allowed, a failing one is not
    }
    return engine.setFileLayer(index, 'safetensors', bytes, cfgText);
  }

  // opts: { signal, cfg (NetPolicy overrides), layer (name for messages, e.g. "layer 2") }.
  async function load(M, engine, index, rawUrl, progress, { signal = null, cfg = null, layer = `layer ${index}` } = {}) {
    const url = NetPolicy.checkUrl(rawUrl, self.location.href, `${layer}: the SAE URL`);
    const what = { layer, file: NetPolicy.fileOf(url) };
    const path = new URL(url).pathname;
    const opts = { signal, cfg, progress };
    if (path.endsWith('.npz')) return loadNpz(M, engine, index, url, what, opts);
    if (path.endsWith('.safetensors')) return loadSafetensors(M, engine, index, url, what, opts);
    throw new Error(`${NetPolicy.who(what)}: expected a params.npz or .safetensors URL`);
  }
  return { load };
})();
