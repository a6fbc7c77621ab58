// The one fetch policy of the app, for the pack loader (page) and the range loader (worker):
// only http(s) URLs, a timeout while waiting for an answer and while a body stalls, retries
// with exponential backoff on 429/5xx, bounded bodies (read-body.js), every request abortable,
// and one sentence per failure that names the layer and the file.
// A classic script that sets self.NetPolicy, so the worker can importScripts it and the page
// can import it for its side effect. Test pages may set self.SAEMATCH_NET to shorten timeouts.
/* global readBody */
self.NetPolicy = (() => {
  const DEFAULTS = {
    stallMs: 30000,                        // no answer / no byte for this long: give up
    retries: 3,                            // extra attempts on 429 and 5xx
    retryBaseMs: 1000,                     // backoff 1 s, 2 s, 4 s …
    fullReadMaxBytes: 1536 * 1024 * 1024,  // largest file read whole when a server ignores Range
  };
  const settings = (over) => ({ ...DEFAULTS, ...(self.SAEMATCH_NET || {}), ...(over || {}) });

  const cancelled = () => new Error('cancelled');
  const seconds = (ms) => `${Math.round(ms / 100) / 10} s`;
  const clip = (s) => (s.length > 80 ? `${s.slice(0, 77)}…` : s);

  // Refuses anything but http(s) in one sentence (data:, blob:, javascript:, typos).
  function checkUrl(raw, base, role = 'URL') {
    let u;
    try { u = new URL(raw, base); } catch { throw new Error(`${role} "${clip(String(raw))}" is not a valid URL`); }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      throw new Error(`${role} must start with http:// or https:// (this one is a ${u.protocol} URL)`);
    }
    return u.href;
  }

  // Hugging Face style /{org}/{repo}/resolve/{rev}/{path}: names the repo page and the file.
  function hubParts(url) {
    const u = new URL(url);
    const m = /^\/((?:datasets\/|spaces\/)?[^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(u.pathname);
    if (!m) return null;
    const dec = (s) => { try { return decodeURIComponent(s); } catch { return s; } };
    return { repo: dec(m[1]), rev: dec(m[2]), path: dec(m[3]), page: `${u.origin}/${m[1]}` };
  }
  function fileOf(url) {
    const hub = hubParts(url);
    if (hub) return hub.path;
    const seg = new URL(url).pathname.split('/').filter(Boolean).pop() || url;
    try { return decodeURIComponent(seg); } catch { return seg; }
  }
  // "layer 3, layer03.0.bin": who failed, at the start of every message.
  const who = (what) => (what.layer ? `${what.layer}, ${what.file}` : what.file);

  function sleep(ms, signal) {
    return new Promise((resolve, reject) => {
      if (signal && signal.aborted) { reject(cancelled()); return; }
      const t = setTimeout(resolve, ms);
      if (signal) signal.addEventListener('abort', () => { clearTimeout(t); reject(cancelled()); }, { once: true });
    });
  }

  // One fetch whose wait for the response headers is bounded and which the caller can abort.
  async function fetchOnce(url, init, signal, stallMs) {
    if (signal && signal.aborted) throw cancelled();
    const ctl = new AbortController();
    const onAbort = () => ctl.abort();
    if (signal) signal.addEventListener('abort', onAbort);
    let stalled = false;
    const timer = setTimeout(() => { stalled = true; ctl.abort(); }, stallMs);
    try {
      return await fetch(url, { ...init, signal: ctl.signal });
    } catch (e) {
      if (signal && signal.aborted) throw cancelled();
      if (stalled) throw Object.assign(new Error('stalled'), { code: 'stalled' });
      throw e;
    } finally {
      clearTimeout(timer);
      if (signal) signal.removeEventListener('abort', onAbort);  // the body reader watches the signal itself
    }
  }

  // A failed fetch says nothing about why. If the host answers an opaque (no-cors) request, it
  // is there but sends no CORS headers; a cross-origin isolated page cannot make that probe.
  async function unreachable(url, what, s) {
    const u = new URL(url);
    if (u.origin === self.location.origin) return `${who(what)}: cannot reach ${u.host} (network error)`;
    let answers = false;
    try { await fetchOnce(url, { mode: 'no-cors', method: 'HEAD' }, null, Math.min(s.stallMs, 5000)); answers = true; } catch { /* unknown */ }
    if (answers) return `${who(what)}: this host does not allow browser downloads (no CORS headers from ${u.host} or the server it redirects to); download the file and serve it yourself`;
    return `${who(what)}: ${u.host} cannot be reached or this host does not allow browser downloads (no CORS headers)`;
  }

  // One sentence per HTTP failure; hub errors carry X-Error-Code (GatedRepo, EntryNotFound …).
  function statusMessage(r, url, what, attempts) {
    const hub = hubParts(url);
    const code = r.headers.get('X-Error-Code') || '';
    const serverSays = (r.headers.get('X-Error-Message') || '').slice(0, 200);
    const w = who(what);
    if ((r.status === 401 || r.status === 403) && hub) {
      if (code === 'RepoNotFound') return `${w}: no repository ${hub.repo} (or it is private) (HTTP ${r.status})`;
      // app.js links the repository page under this sentence (it matches " is a gated repository ").
      return `${w}: ${hub.repo} is a gated repository (HTTP ${r.status}): its files download only for signed-in users`
        + ' who accepted its terms, which this page cannot do; open the repository page to request access';
    }
    if (r.status === 401 || r.status === 403) return `${w}: access denied (HTTP ${r.status})${serverSays ? `: ${serverSays}` : ''}`;
    if (r.status === 404 && hub) return `${w}: HTTP 404, not in ${hub.repo} at revision ${hub.rev}${code ? ` (${code})` : ''}`;
    if (r.status === 404) return `${w}: HTTP 404 (not found at ${clip(url)})`;
    const tries = `${attempts} attempts with backoff`;
    if (r.status === 429) return `${w}: the server is rate-limiting downloads (HTTP 429, ${tries}); wait a few minutes and try again`;
    if (r.status >= 500) return `${w}: the server failed (HTTP ${r.status}, ${tries}); try again later`;
    return `${w}: HTTP ${r.status}${serverSays ? ` (${serverSays})` : ''}`;
  }

  const retryable = (status) => status === 429 || status === 408 || status >= 500;

  // A response with a 2xx status, after retrying 429/5xx with backoff; throws one sentence otherwise.
  async function request(url, { what, signal = null, headers, method = 'GET', cache, cfg } = {}) {
    const s = settings(cfg);
    for (let attempt = 0; ; attempt++) {
      if (signal && signal.aborted) throw cancelled();
      let r;
      try {
        r = await fetchOnce(url, { method, headers, cache }, signal, s.stallMs);
      } catch (e) {
        if (e.message === 'cancelled') throw e;
        if (e.code === 'stalled') throw new Error(`${who(what)}: the server sent no answer for ${seconds(s.stallMs)} (stalled)`);
        throw new Error(await unreachable(url, what, s));
      }
      if (r.ok) return r;
      if (retryable(r.status) && attempt < s.retries) {
        if (r.body) r.body.cancel().catch(() => {});
        await sleep(s.retryBaseMs * 2 ** attempt * (1 + Math.random() * 0.25), signal);
        continue;
      }
      if (r.body) r.body.cancel().catch(() => {});
      throw new Error(statusMessage(r, url, what, attempt + 1));
    }
  }

  // The body, at most `limit` bytes (refused at limit+1, or at once when Content-Length says more).
  async function read(r, { what, signal = null, limit = Infinity, onBytes, cfg, limitReason = 'announced' } = {}) {
    const s = settings(cfg);
    const declared = Number(r.headers.get('Content-Length'));
    if (Number.isFinite(limit) && declared > limit) {
      if (r.body) r.body.cancel().catch(() => {});
      throw new Error(`${who(what)}: the server announces ${declared} bytes, more than the ${limit} ${limitReason}; refused without reading it`);
    }
    try {
      return await readBody(r, onBytes, { limit, stallMs: s.stallMs, signal });
    } catch (e) {
      if (e.code === 'cancelled') throw cancelled();
      if (e.code === 'too-long') throw new Error(`${who(what)}: the server sent more than the ${limit} bytes ${limitReason}; refused after ${limit + 1} bytes`);
      if (e.code === 'stalled') throw new Error(`${who(what)}: no data for ${seconds(s.stallMs)} after ${e.received} bytes (the server stalled)`);
      if (e.code === 'dropped') throw new Error(`${who(what)}: the connection dropped after ${e.received} bytes${Number.isFinite(declared) && declared > 0 ? ` of ${declared}` : ''}`);
      throw e;
    }
  }

  async function get(url, opts = {}) { return read(await request(url, opts), opts); }

  return { settings, checkUrl, hubParts, fileOf, who, request, read, get };
})();
