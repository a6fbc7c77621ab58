// Benchmark (not a test): the whole app in headless Chromium on a big pack, end to end —
// download (local server), load into the engine, match every consecutive pair, ready to
// browse chains. Prints the app's own progress lines as they change, then one JSON line.
//   node bench/browser_chain.mjs DIR [--isolation 0|1] [--hash 'i8=0'] [--no-storage] [--visits N] [--row NAME]
// DIR holds a pack (manifest.json + shards), e.g. from
//   build/saematch synth --out DIR --layers 26 --F 16384 --d 2304 --pack            (easy)
//   build/bench_match --instance clustered --F 16384 --pack-out DIR --layers 26      (hard)
// bench/run.sh (BENCH_BROWSER=1) and bench/hard_browser.sh make those packs and call this.
// The app is served from public/ of this checkout, or from BENCH_PUBLIC.
import path from 'node:path';
import fs from 'node:fs';
import { launch } from '../tests/browser/harness.mjs';
import { OUT as outDir, startBenchServer, loadAverage, instanceSummary, quantiles } from './bench-server.mjs';

const args = process.argv.slice(2);
const dir = path.resolve(args[0] || '');
if (!args[0] || !fs.existsSync(path.join(dir, 'manifest.json'))) {
  console.error('usage: node bench/browser_chain.mjs DIR   (DIR/manifest.json must exist)');
  process.exit(2);
}
const isolation = !(args.includes('--isolation') && args[args.indexOf('--isolation') + 1] === '0');
const extraHash = args.includes('--hash') ? `&${args[args.indexOf('--hash') + 1]}` : '';
const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
const L = manifest.layers.length, F = manifest.layers[0].F, d = manifest.d_model;
const bytes = manifest.layers.reduce((s, l) => s + l.blob_bytes, 0);

const visits = args.includes('--visits') ? Math.max(1, Number(args[args.indexOf('--visits') + 1])) : 1;
fs.mkdirSync(outDir, { recursive: true });

const server = await startBenchServer({ isolation, mounts: [['/big', dir]] });
const browser = await launch();
const row = args.includes('--row') ? args[args.indexOf('--row') + 1] : path.basename(dir);
let result = { row, via: 'app', flavour: 'browser', layers: L, F, d, pack_mib: +(bytes / 1048576).toFixed(0), isolated: isolation, hash: extraHash.slice(1) };

// One visit of the page, from navigation to a drawn chain; the app's own figures.
async function visit(page, first) {
  const t0 = Date.now(), loadStart = loadAverage();
  const since = () => ((Date.now() - t0) / 1000).toFixed(1);
  const traceLines = [];
  const onConsole = (m) => { if (/^pair \d+:/.test(m.text())) traceLines.push(m.text()); };
  page.on('console', onConsole);
  const url = `${server.url}#pack=${encodeURIComponent('/big/manifest.json')}${extraHash}`;
  if (first) await page.goto(url); else await page.reload();
  await page.waitForFunction(() => window.saematchApp && window.saematchApp.engine);
  await page.evaluate(() => window.saematchApp.engine.call('setTrace', [true]));
  // Follow the app's status and progress text until it is ready (or fails).
  let last = '', matchStart = null, estimateText = null;
  for (;;) {
    const s = await page.evaluate(() => ({
      status: document.body.dataset.status,
      text: document.getElementById('status').textContent,
      progress: (document.getElementById('progress') || {}).innerText || '',
    }));
    if (s.status === 'matching' && matchStart === null) matchStart = Date.now();
    const line = `${s.status}: ${s.text} ${s.progress.replace(/\s+/g, ' ').trim()}`.slice(0, 160);
    if (line !== last) { console.log(`[${since()} s] ${line}`); last = line; }
    if (s.status === 'ready' || s.status === 'error') break;
    if (s.status === 'confirm') {  // the app's estimate before a long run: keep it, then start as a user would
      estimateText = await page.evaluate(() => document.getElementById('estimate-text').textContent);
      console.log(`[${since()} s] estimate: ${estimateText}`);
      await page.click('#estimate-start');
      continue;
    }
    await page.waitForTimeout(2000);
  }
  const end = Date.now();
  page.off('console', onConsole);
  const info = await page.evaluate(async () => {
    const app = window.saematchApp;
    const info = await app.engine.call('info', []);
    return {
      status: document.body.dataset.status, text: document.getElementById('status').textContent,
      error: document.getElementById('error').hidden ? '' : document.getElementById('error').textContent,
      threads: info.threads, heap_mib: (await app.engine.call('heapBytes', [])) / 1048576,
      match_seconds: app.matchSeconds, pairs: app.model ? app.model.pairs.length : 0,
      certified: app.model ? app.model.pairs.every((p) => p.certified) : false,
      methods: app.model ? [...new Set(app.model.pairs.map((p) => p.method))] : [],
      // Wall time of each pair inside the engine.
      pair_seconds: app.model ? app.model.pairs.map((p) => +(p.ms / 1000).toFixed(2)) : [],
      // Since navigation: the last layer downloaded (or read from the cache) and verified.
      seconds_download: app.downloadedAt ? +(app.downloadedAt / 1000).toFixed(1) : null,
      scores: app.model ? app.model.pairs.flatMap((p) => Array.from(p.score)) : [],
    };
  });
  if (first) fs.writeFileSync(path.join(outDir, 'browser-chain-trace.txt'), traceLines.join('\n') + '\n');
  const { scores, ...rest } = info;
  return {
    ...rest, matched_score: quantiles(scores), load_start: loadStart, load: loadAverage(), seconds_total: (end - t0) / 1000, seconds_until_matching: matchStart ? (matchStart - t0) / 1000 : null,
    pairs_compute_seconds: +info.pair_seconds.reduce((a, b) => a + b, 0).toFixed(1), heap_mib: +info.heap_mib.toFixed(0),
    trace_lines: traceLines.length, estimate: estimateText,
  };
}

try {
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
  // --no-storage: the page sees no Cache API (weights stay in memory), to measure what the
  // cache writes cost while matching runs.
  if (args.includes('--no-storage')) await page.addInitScript(() => { delete window.caches; });
  result = { ...result, stats: instanceSummary(dir), ...(await visit(page, true)) };
  await page.screenshot({ path: path.join(outDir, 'browser-chain.png') }).catch(() => {});
  // Later visits in the same browser profile: the shards come from the Cache API.
  result.later_visits = [];
  for (let v = 1; v < visits; v++) {
    console.log(`visit ${v + 1} (weights from the browser cache):`);
    const r = await visit(page, false);
    result.later_visits.push({ load: r.load, status: r.status, seconds_total: r.seconds_total, seconds_download: r.seconds_download, pairs_compute_seconds: r.pairs_compute_seconds, certified: r.certified });
  }
} finally {
  await browser.close();
  server.stop();
}
console.log(JSON.stringify(result));
process.exit(result.status === 'ready' ? 0 : 1);
