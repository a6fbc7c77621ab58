// Benchmark (not a test): the whole app in headless Chromium on a big pack, end to end —
// download (local server), load into the engine, match every consecutive pair, ready to
// browse chains. Prints the app's own progress lines as they change, then one JSON line.
//   node bench/browser_chain.mjs DIR [--isolation 0|1] [--hash 'i8=0']   (extra view state)
// DIR holds a pack (manifest.json + shards), e.g. from
//   build/saematch synth --out DIR --layers 26 --F 16384 --d 2304 --pack
// bench/run.sh --browser makes that pack and calls this.
import path from 'node:path';
import fs from 'node:fs';
import { startServer, launch } from '../tests/browser/harness.mjs';

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

const server = await startServer({ isolation, mounts: [['/big', dir]] });
const browser = await launch();
const t0 = Date.now();
const since = () => ((Date.now() - t0) / 1000).toFixed(1);
let result = { flavour: 'browser', layers: L, F, d, pack_mib: +(bytes / 1048576).toFixed(0), isolated: isolation, hash: extraHash.slice(1) };
try {
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  page.on('pageerror', (e) => console.log(`[${since()} s] page error: ${e.message}`));
  // The engine's stage timings (its stderr) arrive as console messages of the worker.
  const traceLines = [];
  page.on('console', (m) => { if (/^pair \d+:/.test(m.text())) traceLines.push(m.text()); });
  await page.goto(`${server.url}#pack=${encodeURIComponent('/big/manifest.json')}${extraHash}`);
  await page.waitForFunction(() => window.saematchApp && window.saematchApp.engine);
  await page.evaluate(() => window.saematchApp.engine.call('setTrace', [true]));
  // Follow the app's status and progress text until it is ready (or fails).
  let last = '', matchStart = null;
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
    await page.waitForTimeout(2000);
  }
  const end = Date.now();
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
      // Wall time of each pair inside the engine; match_seconds minus their sum is the app's own time.
      pair_seconds: app.model ? app.model.pairs.map((p) => +(p.ms / 1000).toFixed(2)) : [],
      // Since navigation: the last layer downloaded and verified (matching overlaps the download).
      seconds_download: app.downloadedAt ? +(app.downloadedAt / 1000).toFixed(1) : null,
    };
  });
  result = {
    ...result, ...info, seconds_total: (end - t0) / 1000, seconds_until_matching: matchStart ? (matchStart - t0) / 1000 : null,
    pairs_compute_seconds: +info.pair_seconds.reduce((a, b) => a + b, 0).toFixed(1), heap_mib: +info.heap_mib.toFixed(0),
  };
  await page.screenshot({ path: path.join(path.dirname(new URL(import.meta.url).pathname), 'out', 'browser-chain.png') }).catch(() => {});
  fs.mkdirSync(path.join(path.dirname(new URL(import.meta.url).pathname), 'out'), { recursive: true });
  fs.writeFileSync(path.join(path.dirname(new URL(import.meta.url).pathname), 'out', 'browser-chain-trace.txt'), traceLines.join('\n') + '\n');
  result.trace_lines = traceLines.length;
} finally {
  await browser.close();
  server.stop();
}
console.log(JSON.stringify(result));
process.exit(result.status === 'ready' ? 0 : 1);
