// Benchmark (not a test): one pair of a pack matched by the app's WASM engine in headless
// Chromium, through bench/engine-page (the engine API directly, so options the UI does not
// offer yet, like the gap budget, can be timed). Prints progress, then one JSON line.
//   node bench/browser_engine.mjs DIR [--gap 1e-4] [--layers A,B] [--isolation 0|1] [--row NAME]
//        [--null-baseline] (also the app's null baseline after matching) [--no-match] (that alone)
//        [--verify] (then re-certify the match from its own duals, as "Verify this pair" does)
// DIR holds a pack, e.g. from build/bench_match --instance neartie --F 16384 --pack-out DIR --layers 2
import path from 'node:path';
import fs from 'node:fs';
import { launch } from '../tests/browser/harness.mjs';
import { ROOT, OUT, startBenchServer, loadAverage, instanceSummary, quantiles } from './bench-server.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const dir = path.resolve(args[0] || '');
if (!args[0] || !fs.existsSync(path.join(dir, 'manifest.json'))) {
  console.error('usage: node bench/browser_engine.mjs DIR [--gap G] [--layers A,B]   (DIR/manifest.json must exist)');
  process.exit(2);
}
const gap = Number(opt('--gap', '0'));
const layers = opt('--layers', '0,1').split(',').map(Number);
const isolation = opt('--isolation', '1') !== '0';
fs.mkdirSync(OUT, { recursive: true });

const server = await startBenchServer({ isolation, mounts: [['/big', dir], ['/bench', path.join(ROOT, 'bench/engine-page')]] });
const browser = await launch();
let result = { row: opt('--row', path.basename(dir)), via: 'engine page', pack: path.basename(dir), gap, layers, load_start: loadAverage() };
try {
  const page = await (await browser.newContext()).newPage();
  const t0 = Date.now();
  const trace = [];
  page.on('console', (m) => {
    const text = m.text();
    if (/^pair \d+:/.test(text)) trace.push(text);
    else if (text.startsWith('progress: ')) console.log(`[${((Date.now() - t0) / 1000).toFixed(1)} s] ${text.slice(10)}`);
  });
  page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
  await page.goto(`${server.url}bench/index.html`);
  const r = await page.evaluate((o) => window.benchPair(o),
    { pack: '/big/manifest.json', layers, gap, nullBaseline: args.includes('--null-baseline') || args.includes('--no-match'), match: !args.includes('--no-match'), verify: args.includes('--verify') });
  fs.writeFileSync(path.join(OUT, `browser-engine-trace-${result.pack}.txt`), trace.join('\n') + '\n');
  const { score, ...rest } = r;
  result = {
    ...result, ...rest, heap_mib: +r.heap_mib.toFixed(0), heap_mib_after_match: +r.heap_mib_after_match.toFixed(0),
    seconds: r.seconds === undefined ? null : +r.seconds.toFixed(2), seconds_load: +r.seconds_load.toFixed(2),
    relative_gap_bound: r.total ? r.gap_bound / r.total : null, matched_score: quantiles(score), stats: instanceSummary(dir),
  };
} catch (e) {
  result.error = String(e.message || e);
} finally {
  await browser.close();
  server.stop();
}
result.load = loadAverage();
console.log(JSON.stringify(result));
process.exit(result.error ? 1 : 0);
