// Benchmark (not a test): how long the app takes to OPEN a result pack, from navigation to the
// drawn chains (body[data-status] = "ready", which the app sets after drawing the graph), in
// headless Chromium, cross-origin isolated (web/serve.mjs). Opening a result pack must download
// no layer: every request for a layer shard is counted and reported.
//   node bench/browser_open_result_pack.mjs DIR [--runs 3] [--warm] [--profile] [--row NAME]
// DIR from `python3 bench/make_wide_result_pack.py DIR` (26 x F=65536, d=2304, no layer shards).
// Each run is a fresh browser (fresh profile, empty Cache API); --warm adds one reload in the
// last run's profile, where the results shards come from the Cache API.
// The app is served from public/ of this checkout, or from BENCH_PUBLIC.
import path from 'node:path';
import fs from 'node:fs';
import { launch } from '../tests/browser/harness.mjs';
import { startBenchServer, loadAverage } from './bench-server.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const dir = path.resolve(args[0] || '');
if (!args[0] || !fs.existsSync(path.join(dir, 'manifest.json'))) {
  console.error('usage: node bench/browser_open_result_pack.mjs DIR [--runs 3] [--warm]   (DIR/manifest.json must exist)');
  process.exit(2);
}
const runs = Math.max(1, Number(opt('--runs', 3)));
const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
const L = manifest.layers.length, F = manifest.layers[0].F, d = manifest.d_model;
const results_mib = +(manifest.results.blob_bytes / 1048576).toFixed(1);

// In the page, before any app code: each status change with its time since navigation start.
const recordStatus = () => {
  window.__statusLog = [];
  const note = () => {
    const s = document.body && document.body.dataset.status;
    const log = window.__statusLog;
    if (s && (!log.length || log[log.length - 1].status !== s)) log.push({ status: s, ms: Math.round(performance.now()), text: (document.getElementById('status') || {}).textContent || '' });
  };
  new MutationObserver(note).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-status'], childList: true });
};

const server = await startBenchServer({ mounts: [['/big', dir]] });

// One visit: navigation (or reload) to ready/error; what the page and the engine hold then.
async function visit(page, cdp, first) {
  const requests = { layer: [], results: 0, manifest: 0 };
  const onRequest = (r) => {
    const u = r.url();
    if (/\/big\/layer\d+\.\d+\.bin/.test(u)) requests.layer.push(u.replace(/^.*\/big\//, ''));
    else if (/\/big\/results\.\d+\.bin/.test(u)) requests.results++;
    else if (/\/big\/manifest\.json/.test(u)) requests.manifest++;
  };
  page.context().on('request', onRequest);
  const profile = args.includes('--profile');  // main-thread CPU profile: top self-time functions
  if (profile) { await cdp.send('Profiler.enable'); await cdp.send('Profiler.setSamplingInterval', { interval: 1000 }); await cdp.send('Profiler.start'); }
  const loadStart = loadAverage(), t0 = Date.now();
  const url = `${server.url}#pack=${encodeURIComponent('/big/manifest.json')}`;
  if (first) await page.goto(url); else await page.reload();
  await page.waitForFunction(() => ['ready', 'error', 'confirm'].includes(document.body.dataset.status) && !(document.body.dataset.status === 'ready' && !window.saematchApp.model),
    null, { timeout: 300000, polling: 50 });
  const wall = (Date.now() - t0) / 1000;
  page.context().off('request', onRequest);
  const info = await page.evaluate(async () => {
    const app = window.saematchApp;
    let wasm = null;
    try { wasm = (await app.engine.call('heapBytes', [])) / 1048576; } catch { /* engine not reachable */ }
    const err = document.getElementById('error');
    return {
      status: document.body.dataset.status, text: document.getElementById('status').textContent,
      error: err && !err.hidden ? err.textContent.trim() : '',
      estimate_dialog: !document.getElementById('estimate').hidden,
      pairs: app.model ? app.model.pairs.length : 0, elsewhere: !!(app.model && app.model.elsewhere),
      svg_nodes: document.querySelectorAll('#graph svg *').length,
      statuses: window.__statusLog,
      wasm_heap_mib: wasm === null ? null : +wasm.toFixed(0),
      resources: performance.getEntriesByType('resource').filter((e) => /\/big\//.test(e.name))
        .map((e) => ({ name: e.name.replace(/^.*\/big\//, ''), start: Math.round(e.startTime), end: Math.round(e.responseEnd) })),
    };
  });
  const top = profile ? topFunctions((await cdp.send('Profiler.stop')).profile) : undefined;
  const metrics = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const ready = (info.statuses || []).find((s) => s.status === 'ready');
  const { resources, ...rest } = info;
  const res = resources.filter((r) => r.name.startsWith('results.'));
  return {
    ...rest, seconds_wall: wall, seconds_to_ready: ready ? ready.ms / 1000 : null,
    // Phases since navigation: manifest in, first results shard asked, last one in, drawn.
    phases: {
      manifest: (resources.find((r) => r.name === 'manifest.json') || {}).end / 1000,
      results_first_request: res.length ? Math.min(...res.map((r) => r.start)) / 1000 : null,
      results_fetched: res.length ? Math.max(...res.map((r) => r.end)) / 1000 : null,
      ready: ready ? ready.ms / 1000 : null,
    },
    js_heap_mib: +(metrics.JSHeapUsedSize / 1048576).toFixed(0), js_heap_total_mib: +(metrics.JSHeapTotalSize / 1048576).toFixed(0),
    layer_requests: requests.layer.length, layer_requested: requests.layer.slice(0, 5), results_requests: requests.results,
    load_start: loadStart, load_end: loadAverage(), ...(top ? { main_thread_top_self_ms: top } : {}),
  };
}

// Self time per function (ms) from a CDP CPU profile, the 12 largest.
function topFunctions(p) {
  const dt = new Map();
  p.samples.forEach((id, i) => dt.set(id, (dt.get(id) || 0) + (p.timeDeltas[i] || 0) / 1000));
  const by = new Map();
  for (const n of p.nodes) {
    const f = n.callFrame, key = `${f.functionName || '(anon)'} ${f.url.replace(/^.*\//, '')}:${f.lineNumber + 1}`;
    by.set(key, (by.get(key) || 0) + (dt.get(n.id) || 0));
  }
  return Object.fromEntries([...by].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => [k, Math.round(v)]));
}

async function freshPage(browser) {
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
  await page.addInitScript(recordStatus);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  return { page, cdp };
}

const out = { row: opt('--row', `open result pack ${L} x F=${F}, d=${d}`), layers: L, F, d, results_mib, runs: [] };
let ok = true;
try {
  for (let r = 0; r < runs; r++) {
    const browser = await launch();  // a fresh temporary profile: nothing cached
    try {
      const { page, cdp } = await freshPage(browser);
      const v = await visit(page, cdp, true);
      console.log(`run ${r + 1} (cold): ${JSON.stringify(v)}`);
      out.runs.push({ cache: 'cold', ...v });
      ok = ok && v.status === 'ready' && v.layer_requests === 0;
      if (r === runs - 1) {
        await page.screenshot({ path: path.join(path.dirname(dir), 'open-result-pack.png') }).catch(() => {});
        if (args.includes('--warm')) {
          const w = await visit(page, cdp, false);
          console.log(`run ${r + 1} (warm reload, Cache API): ${JSON.stringify(w)}`);
          out.runs.push({ cache: 'warm', ...w });
          ok = ok && w.status === 'ready' && w.layer_requests === 0;
        }
      }
    } finally {
      await browser.close();
    }
  }
} finally {
  server.stop();
}
const secs = out.runs.map((x) => x.seconds_to_ready);
out.summary = { seconds_to_ready: secs, within_10s: secs.every((s) => s !== null && s <= 10), loads: out.runs.map((x) => x.load_end) };
console.log(JSON.stringify(out));
process.exit(ok ? 0 : 1);
