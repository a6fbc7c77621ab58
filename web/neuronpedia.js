// Feature explanations from Neuronpedia's public API, fetched on demand for the features of
// the selected chain and for search results (GET {base}/api/feature/{modelId}/{layer}/{index},
// where layer is "{layer}-{source}", e.g. "3-gemmascope-res-16k"; the answer lists
// `explanations` [{description, explanationModelName, ...}] best first).
// Requests never hold up matching or selection: rows are filled in when answers arrive.
// The user can switch this off (privacy, offline); off means no request at all.
// Text from the network goes into the page with textContent only.
const PREF_KEY = 'saematch-neuronpedia';
const NEURONPEDIA = 'https://www.neuronpedia.org';
const TIMEOUT_MS = 10000;
const MAX_IN_FLIGHT = 4;

export function explanationsEnabled() {
  try { return localStorage.getItem(PREF_KEY) !== 'off'; } catch { return true; }
}

function setEnabled(on) {
  try { localStorage.setItem(PREF_KEY, on ? 'on' : 'off'); } catch { /* not remembered, still applied */ }
}

// Like the hub, the API base can only be changed by a script already in the page (tests).
function apiBase() {
  const o = typeof window !== 'undefined' ? window.SAEMATCH_NEURONPEDIA : undefined;
  return typeof o === 'string' && /^https?:\/\//.test(o) ? o.replace(/\/+$/, '') : NEURONPEDIA;
}

export class Explanations {
  constructor() {
    this.cache = new Map();  // "model/layer/index" -> Promise<{text, model} | null>
    this.queue = [];
    this.inFlight = 0;
    this.requests = 0;       // for the tests: how many went to the network
  }

  bindToggle(checkbox, onChange) {
    checkbox.checked = explanationsEnabled();
    checkbox.addEventListener('change', () => { setEnabled(checkbox.checked); if (onChange) onChange(checkbox.checked); });
  }

  // Promise of the best explanation of one feature, or null when Neuronpedia has none.
  get(model, layer, index) {
    const key = `${model}/${layer}/${index}`;
    if (!this.cache.has(key)) {
      const p = this.schedule(() => this.fetchOne(model, layer, index));
      this.cache.set(key, p);
      p.catch(() => this.cache.delete(key));  // a failure is retried next time the feature is shown
    }
    return this.cache.get(key);
  }

  // At most a few requests at a time, so a long chain does not flood the API.
  schedule(task) {
    return new Promise((resolve, reject) => {
      this.queue.push({ task, resolve, reject });
      this.pump();
    });
  }

  pump() {
    while (this.inFlight < MAX_IN_FLIGHT && this.queue.length) {
      const { task, resolve, reject } = this.queue.shift();
      this.inFlight++;
      task().then(resolve, reject).finally(() => { this.inFlight--; this.pump(); });
    }
  }

  async fetchOne(model, layer, index) {
    const url = `${apiBase()}/api/feature/${encodeURIComponent(model)}/${encodeURIComponent(layer)}/${index}`;
    this.requests++;
    const r = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), credentials: 'omit' });
    if (r.status === 404) return null;
    if (!r.ok) throw new Error(`Neuronpedia: HTTP ${r.status}`);
    const body = await r.json();
    const best = Array.isArray(body && body.explanations) ? body.explanations.find((e) => e && typeof e.description === 'string') : null;
    if (!best) return null;
    return { text: best.description.slice(0, 500), model: typeof best.explanationModelName === 'string' ? best.explanationModelName.slice(0, 80) : '' };
  }

  // Fills each chain row's label cell (#chain-table rows carry data-layer/data-feature).
  forChain(root, ctx) {
    if (!explanationsEnabled() || !ctx.neuronpedia || !ctx.neuronpedia.model) return;
    for (const tr of root.querySelectorAll('#chain-table tbody tr')) {
      const l = Number(tr.dataset.layer), f = Number(tr.dataset.feature);
      if (f >= 0) this.fill(tr.querySelector('td.label'), ctx, l, f);
    }
  }

  // Adds the explanation to each search-result button; hits: [{l, f}] in button order.
  forSearch(out, hits, ctx) {
    if (!explanationsEnabled() || !ctx.neuronpedia || !ctx.neuronpedia.model) return;
    const buttons = out.querySelectorAll('button');
    hits.forEach((h, i) => { if (buttons[i]) this.fill(buttons[i], ctx, h.l, h.f); });
  }

  fill(cell, ctx, l, f) {
    if (!cell) return;
    const np = ctx.neuronpedia;
    const span = document.createElement('span');
    span.className = 'np-expl pending';
    span.textContent = ' …';
    span.title = 'asking Neuronpedia';
    cell.appendChild(span);
    this.get(np.model, `${ctx.layerIds[l]}-${np.source}`, f).then((e) => {
      span.classList.remove('pending');
      if (!e) { span.classList.add('none'); span.textContent = ' (no Neuronpedia explanation)'; span.title = ''; return; }
      span.textContent = ` ${e.text}`;
      const who = document.createElement('small');
      who.className = 'np-model';
      who.textContent = ` — ${e.model || 'unknown model'} via Neuronpedia`;
      span.appendChild(who);
      span.title = `Neuronpedia explanation by ${e.model || 'an unknown model'}`;
    }, (err) => {
      span.classList.remove('pending');
      span.classList.add('failed');
      span.textContent = ' (explanation unavailable)';
      span.title = err.name === 'TimeoutError' ? 'Neuronpedia did not answer in time' : err.message;
    });
  }
}
