// Layers on demand (issue 12, items 3-4): the engine holds at most three layers while a long
// chain is matched and while the explorer asks questions (re-read from the Cache API, or from
// memory when storage is refused); the estimate before a long run; result packs made by
// `saematch chain --pack` open without matching, equal the CLI, and "verify this pair" passes,
// or fails with the engine's reason when a dual was tampered with.
// Fixtures are built here with the CLI and served by a server of this suite's own.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, assert, assertEq, startServer } from '../harness.mjs';
import { waitReady, errorText, noticeTexts, loadUrls } from '../page-helpers.mjs';

const CLI = path.join(ROOT, 'build/saematch');
const DIR = path.join(ROOT, 'test-results/lod-fixtures');
const cli = (...args) => execFileSync(CLI, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const L = 6;

function makeFixtures() {
  fs.rmSync(DIR, { recursive: true, force: true });
  fs.mkdirSync(DIR, { recursive: true });
  const syn = path.join(DIR, 'syn');
  cli('synth', '--out', syn, '--layers', String(L), '--F', '512', '--d', '64', '--seed', '21');
  const files = Array.from({ length: L }, (_, l) => `${syn}/layer_0${l}/params.npz`);
  // f32 layers: the browser then matches the same float costs as `saematch chain` on the files.
  // (An int8 pack differs from `chain --int8` on JumpReLU files by ~2e-5 of a total: not this suite's subject.)
  cli('pack', ...files, '--quant', 'f32', '--out', `${DIR}/chain6`, '--title', 'six layers');
  cli('chain', ...files, '--out', `${DIR}/cli-chain.json`);
  const cliPairs = JSON.parse(fs.readFileSync(`${DIR}/cli-chain.json`, 'utf8')).pairs;
  // A result pack made by the CLI, if this build has `chain --pack` (h-results).
  let resultPack = false;
  try {
    cli('chain', ...files, '--quant', 'f32', '--pack', `${DIR}/results6`, '--title', 'six layers, matched natively');
    resultPack = fs.existsSync(`${DIR}/results6/manifest.json`);
  } catch (e) { console.log(`  (no result pack: ${String(e.stderr || e.message).split('\n')[0]})`); }
  if (resultPack) tamper(`${DIR}/results6`, `${DIR}/tampered`);
  // A result pack whose hops leave ~8% of features without a partner (cost and score NaN exactly
  // there, as the CLI writes them when F_A > F_B); its layers are never fetched when opening.
  execFileSync('/usr/bin/python3', [path.join(ROOT, 'bench/make_wide_result_pack.py'), `${DIR}/dead`, '--layers', '4', '--F', '512', '--d', '64', '--dead', '0.08']);
  bigManifest(`${DIR}/big`, 26, 65536, 2304);
  bigManifest(`${DIR}/huge`, 4, 229376, 2304);  // each array within the manifest limits, three layers are not
  return { cliPairs, resultPack };
}

// A copy of the result pack whose first hop's u[0] is lowered: its matched pair is no longer
// tight, so the duals do not certify the matching. The bin and its sha256 are rewritten.
function tamper(from, to) {
  fs.cpSync(from, to, { recursive: true });
  const mf = path.join(to, 'manifest.json');
  const m = JSON.parse(fs.readFileSync(mf, 'utf8'));
  const u = m.results.hops[0].arrays.u;
  let at = u.offset;
  const shard = m.results.shards.find((s) => { if (at < s.bytes) return true; at -= s.bytes; return false; });
  const file = path.join(to, shard.url);
  const buf = fs.readFileSync(file);
  buf.writeDoubleLE(buf.readDoubleLE(at) - 0.5, at);
  fs.writeFileSync(file, buf);
  shard.sha256 = crypto.createHash('sha256').update(buf).digest('hex');
  m.title = 'tampered dual';
  fs.writeFileSync(mf, JSON.stringify(m));
}

// A manifest that claims big layers (no shard exists): enough for the estimate before a run.
function bigManifest(dir, layers, F, d) {
  fs.mkdirSync(dir, { recursive: true });
  const rowBytes = d + 4;
  const arrays = [
    { name: 'W_dec', rows: F, cols: d, offset: 0, encoding: 'int8_rows', bytes: F * rowBytes },
    { name: 'W_enc_T', rows: F, cols: d, offset: F * rowBytes, encoding: 'int8_rows', bytes: F * rowBytes },
    { name: 'b_enc', rows: 1, cols: F, offset: 2 * F * rowBytes, encoding: 'f32', bytes: 4 * F },
    { name: 'b_dec', rows: 1, cols: d, offset: 2 * F * rowBytes + 4 * F, encoding: 'f32', bytes: 4 * d },
  ];
  const blob = 2 * F * rowBytes + 4 * F + 4 * d;
  const SH = 8 * 1024 * 1024;
  const man = {
    format: 'saematch-pack', version: 1, title: `claims ${layers} layers of F=${F}`, model: 'big', hook: 'resid_post', d_model: d, quant: 'int8',
    layers: Array.from({ length: layers }, (_, l) => ({
      index: l, layer: l, hook: `blocks.${l}.hook_resid_post`, F, d_model: d, activation: 'relu', topk: 0, folded: true, folding_changed_weights: false,
      blob_bytes: blob, arrays,
      shards: Array.from({ length: Math.ceil(blob / SH) }, (_, k) => ({ url: `layer${l}.${k}.bin`, bytes: Math.min(SH, blob - k * SH), sha256: '0'.repeat(64) })),
    })),
  };
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(man));
}

const held = (page, reset = false) => page.evaluate((r) => window.saematchApp.engine.call('layersHeld', [r]), reset);
const model = (page) => page.evaluate(() => window.saematchApp.model.pairs.map((p) => ({ total: p.total, perm: Array.from(p.a_to_b) })));

function sameAsCli(pairs, cliPairs, what) {
  assertEq(pairs.length, cliPairs.length, `${what}: pair count`);
  pairs.forEach((p, l) => {
    assert(Math.abs(p.total - cliPairs[l].total_cost) <= 1e-6 * cliPairs[l].total_cost, `${what}: pair ${l} total ${p.total} vs CLI ${cliPairs[l].total_cost}`);
    const same = p.perm.filter((g, f) => g === cliPairs[l].a_to_b[f]).length;
    assert(same >= p.perm.length - 4, `${what}: pair ${l}: only tied swaps may differ from the CLI (${same} identical)`);
  });
}

// Select a feature, then wait until the chain view has explained every hop of its chain.
async function selectAndExplain(page, layer, feature) {
  await page.evaluate(([l, f]) => window.saematchApp.select(l, f), [layer, feature]);
  await page.waitForFunction(([l, f]) => {
    const e = window.saematchApp.explorer.explained;
    return e && e.layer === l && e.selected === f && e.explained.length === e.hops.length && document.querySelector('#cv-table');
  }, [layer, feature], { timeout: 30000 });
  return page.evaluate(() => window.saematchApp.explorer.explained.explained.filter(Boolean).length);
}

// Method comparison of pair `a` (compareMethods needs both layers in the engine).
async function compareOk(page, a) {
  return page.evaluate(async (i) => {
    const app = window.saematchApp;
    const { matchOptions } = await import('./app/explorer.js');
    const r = await app.explorer.call('compareMethods', [i, i + 1, matchOptions(app)]);
    return r.methods.filter((m) => m.available).length;
  }, a);
}

export default () => {
  let fx = null, server = null, url = null, setup = null;
  const prepare = () => (setup ??= (async () => {
    fx = makeFixtures();
    server = await startServer({ isolation: true, mounts: [['/lod', DIR]] });
    url = server.url;
  })());
  const open = async (page, pack, { wait = true } = {}) => {
    await page.goto(`${url}#pack=${encodeURIComponent(pack)}`);
    if (wait) assertEq(await waitReady(page), 'ready', `${pack} ready (${await errorText(page)})`);
  };
  const binRequests = (page) => {
    const seen = [];
    page.on('request', (r) => { if (/\/lod\/.*\.bin$/.test(r.url())) seen.push(r.url()); });
    return seen;
  };

  // These fixtures are small: make the app stream them as it streams big layers.
  const stream = (page) => page.addInitScript(() => { self.SAEMATCH_RESIDENT_BYTES = 0; });
  const tests = [
    {
      name: 'layers on demand: a 6-layer chain never has more than 3 layers in the engine; totals equal saematch chain',
      async fn({ page }) {
        await prepare();
        await stream(page);
        await open(page, 'lod/chain6/manifest.json');
        const h = await held(page);
        assert(h.peak <= 3, `the engine held at most 3 layers while loading and matching (peak ${h.peak})`);
        assert(h.layers.length <= 2, `after matching it keeps at most the last pair's layers (${h.layers})`);
        assertEq(h.calls.match, L - 1, 'one match call per pair');
        sameAsCli(await model(page), fx.cliPairs, 'browser');
        assertEq(await page.evaluate(() => window.saematchApp.model.norms.map((n) => n.length)), Array(L).fill(512), 'decoder norms of every layer');
      },
    },
    {
      name: 'layers on demand: chain view, method comparison and tour excerpt re-read dropped layers from the cache, never more than 3 held',
      async fn({ page }) {
        await prepare();
        await stream(page);
        await open(page, 'lod/chain6/manifest.json');
        const bins = binRequests(page);
        await held(page, true);
        const explained = await selectAndExplain(page, 0, 5);
        assert(explained >= 1, `hops of the chain explained (${explained})`);
        assert(await compareOk(page, 0) >= 2, 'method comparison of pair 0 after its layers were dropped');
        assert(await compareOk(page, 3) >= 2, 'method comparison of pair 3');
        const h = await held(page);
        assert(h.peak <= 3, `at most 3 layers held while answering (peak ${h.peak})`);
        assertEq(bins.length, 0, `layers re-read from the Cache API, not downloaded again (${bins.slice(0, 3)})`);
        assertEq(await errorText(page), '', 'no error');
      },
    },
    {
      name: 'layers on demand: with storage refused, layers stay in memory and the explorer still works',
      async fn({ page }) {
        await prepare();
        await stream(page);
        await page.addInitScript(() => {
          const open = caches.open.bind(caches);
          caches.open = async (name) => {
            const c = await open(name);
            c.put = async () => { throw new DOMException('quota', 'QuotaExceededError'); };
            return c;
          };
        });
        await open(page, 'lod/chain6/manifest.json');
        assert((await noticeTexts(page)).some((t) => /storage refused/i.test(t)), 'notice: storage refused, kept in memory');
        const bins = binRequests(page);
        assert(await selectAndExplain(page, 2, 7) >= 1, 'chain explained from layers kept in memory');
        assert(await compareOk(page, 1) >= 2, 'method comparison from memory');
        assertEq(bins.length, 0, 'nothing downloaded again');
        assert((await held(page)).peak <= 3, 'at most 3 layers held');
        sameAsCli(await model(page), fx.cliPairs, 'memory-only');
      },
    },
    {
      name: 'layers on demand: cancel during a slow load keeps the shown result; Match again and the explorer work after the restart',
      async fn({ page }) {
        await prepare();
        await stream(page);
        await open(page, 'lod/chain6/manifest.json');
        const before = await model(page);
        await page.route('**/demo/*.bin', async (route) => { await new Promise((r) => setTimeout(r, 1500)); await route.continue().catch(() => {}); });
        await page.fill('#pack-url', 'demo/manifest.json');
        await page.click('#load-pack');
        await page.waitForFunction(() => document.body.dataset.busy === 'loading');
        await page.click('#cancel-btn');
        assertEq(await waitReady(page), 'ready', 'ready after cancel');
        assertEq(await model(page), before, 'the six-layer result is still shown');
        await page.unroute('**/demo/*.bin');
        await page.click('#match-btn');
        assertEq(await waitReady(page), 'ready', 'Match again after the restart');
        sameAsCli(await model(page), fx.cliPairs, 're-matched');
        assert(await selectAndExplain(page, 4, 3) >= 1, 'chain view after the restart');
        assert((await held(page)).peak <= 3, 'at most 3 layers held');
      },
    },
    {
      name: 'layers on demand: SAE files by URL are exported once to the Cache API and re-read for the explorer, never more than 3 held',
      async fn({ page }) {
        await prepare();
        await stream(page);
        await page.goto(url);
        await waitReady(page);
        await held(page, true);
        assertEq(await loadUrls(page, [0, 1, 2, 3, 4].map((l) => `lod/syn/layer_0${l}/params.npz`)), 'ready', `ready (${await errorText(page)})`);
        assertEq(await page.evaluate(() => window.saematchApp.model.pairs.length), 4, 'four pairs');
        assert((await held(page)).peak <= 3, 'at most 3 layers held while reading and matching');
        const stored = await page.evaluate(async () => (await (await caches.open('saematch-layers')).keys()).length);
        assertEq(stored, 5, 'each layer\'s packed form stored once');
        const npz = [];
        page.on('request', (r) => { if (/params\.npz$/.test(r.url())) npz.push(r.url()); });
        assert(await selectAndExplain(page, 0, 3) >= 1, 'chain explained from stored layers');
        assert(await compareOk(page, 2) >= 2, 'method comparison of pair 2');
        assertEq(npz.length, 0, 'no SAE file read again');
        assert((await held(page)).peak <= 3, 'at most 3 layers held');
      },
    },
    {
      name: 'layers on demand: a small pack (the demo) stays whole in the engine: no re-reads for the explorer',
      async fn({ page }) {
        await prepare();
        await page.goto(url);
        assertEq(await waitReady(page), 'ready', 'demo ready');
        const before = await held(page);
        assertEq(before.layers.length, 8, 'all 8 demo layers stay in the engine');
        assert(await selectAndExplain(page, 3, 2) >= 1, 'chain explained');
        assertEq((await held(page)).calls.setPackLayer, before.calls.setPackLayer, 'no layer was put back');
      },
    },
    {
      name: 'estimate: a pack claiming 26 layers of 65k asks first (time, memory, download); Cancel keeps the demo and its source fields; the demo never asks',
      async fn({ page }) {
        await prepare();
        await stream(page);
        await page.goto(url);
        assertEq(await waitReady(page), 'ready', 'demo ready');
        assertEq(await page.isVisible('#estimate'), false, 'no question for the demo');
        assertEq(await page.evaluate(() => window.saematchApp.estimate.long), false, 'the demo is a short run');
        await page.fill('#pack-url', 'lod/big/manifest.json');
        await page.click('#load-pack');
        await page.waitForSelector('#estimate', { state: 'visible' });
        const text = await page.textContent('#estimate-text');
        console.log(`  estimate shown: ${text}`);
        assert(/25 layer pairs/.test(text) && /download about 7\.\d GB/.test(text) && /matching about [\d.]+ (min|h)/.test(text) && /peak engine memory about [\d.]+ GB/.test(text), `estimate: ${text}`);
        const demoPack = await page.evaluate(() => window.saematchApp.state.pack);
        await page.click('#estimate-cancel');
        assertEq(await waitReady(page), 'ready', 'ready after Cancel');
        assertEq(await page.isVisible('#estimate'), false, 'question gone');
        assertEq(await page.inputValue('#pack-url'), demoPack, 'the source field names the pack shown again, not the cancelled one');
        assertEq(await page.evaluate(() => window.saematchApp.model.pairs.length), 7, 'the demo is still shown');
        assert(await selectAndExplain(page, 1, 10) >= 1, 'the demo still answers questions');
        assertEq(await errorText(page), '', 'no error');
      },
    },
    {
      name: 'estimate: a run whose peak memory cannot fit in the engine is refused with one message',
      async fn({ page }) {
        await prepare();
        await stream(page);
        await page.goto(url);
        await waitReady(page);
        await page.fill('#pack-url', 'lod/huge/manifest.json');
        await page.click('#load-pack');
        await waitReady(page);
        const err = await errorText(page);
        assert(/^Too big for this browser: 3 layer pairs: .*peak engine memory about [\d.]+ GB .*saematch chain … --pack/.test(err), `one clear message: ${err}`);
        assertEq(await page.locator('#estimate').isVisible(), false, 'no question asked');
        assertEq(await page.evaluate(() => window.saematchApp.model.pairs.length), 7, 'the demo is still shown');
      },
    },
    {
      name: 'result pack: opens without matching, equals the CLI, says computed elsewhere; layers come only for "verify this pair", which passes',
      async fn({ page }) {
        await prepare();
        await stream(page);
        if (!fx.resultPack) throw new Error('this build has no `saematch chain --pack` (merge h-results)');
        const bins = binRequests(page);
        await open(page, 'lod/results6/manifest.json');
        const h = await held(page);
        assertEq(h.calls.match, undefined, 'no match call reached the engine');
        assertEq(h.layers.length, 0, 'no layer in the engine');
        assertEq(bins.filter((u) => /layer/.test(u)).length, 0, 'no layer downloaded');
        sameAsCli(await model(page), fx.cliPairs, 'result pack');
        assert(/computed elsewhere/.test(await page.textContent('#status')), `status says so: ${await page.textContent('#status')}`);
        const src = await page.textContent('#sources-results');
        assert(/Results computed elsewhere/.test(src) && /saematch/.test(src) && /certified optimal/.test(src), `Sources box: ${src}`);
        assert(await selectAndExplain(page, 0, 9) >= 1, 'chain drawn and explained (layers fetched on demand)');
        await page.selectOption('#histogram select', '2');
        await page.click('#verify-pair');
        await page.waitForFunction(() => document.querySelector('#verify-result').dataset.passed !== undefined && !/verifying/.test(document.querySelector('#verify-result').textContent), null, { timeout: 30000 });
        const v = await page.textContent('#verify-result');
        assertEq(await page.getAttribute('#verify-result', 'data-passed'), 'true', `verification passed: ${v}`);
        assert(/Verified in this browser/.test(v), v);
        assert((await held(page)).peak <= 3, 'at most 3 layers held');
        const prov = await page.evaluate(() => window.saematchApp.exportMeta());
        assert(/elsewhere/.test(prov.computed.where) && prov.computed.producer, 'exports say where the results were computed');
        assertEq(prov.pairs[2].verified_here.passed, true, 'and the verification');
      },
    },
    {
      name: 'result pack: features without a partner (NaN cost and score there) open; their chains end at that hop',
      async fn({ page }) {
        await prepare();
        await open(page, 'lod/dead/manifest.json');
        const m = await page.evaluate(() => {
          const p = window.saematchApp.model.pairs[0];
          const dead = Array.from(p.a_to_b).map((j, i) => (j < 0 ? i : -1)).filter((i) => i >= 0);
          return { pairs: window.saematchApp.model.pairs.length, dead, nanAtDead: dead.every((i) => Number.isNaN(p.score[i])) };
        });
        assertEq(m.pairs, 3, 'three hops drawn');
        assert(m.dead.length > 20 && m.nanAtDead, `unmatched features kept with NaN scores: ${m.dead.length}`);
        assertEq(await errorText(page), '', 'no error');
      },
    },
    {
      name: 'result pack: a tampered dual fails "verify this pair" with the engine\'s reason, visibly',
      async fn({ page }) {
        await prepare();
        await stream(page);
        if (!fx.resultPack) throw new Error('this build has no `saematch chain --pack` (merge h-results)');
        await open(page, 'lod/tampered/manifest.json');
        await page.selectOption('#histogram select', '0');
        await page.click('#verify-pair');
        await page.waitForFunction(() => document.querySelector('#verify-result').dataset.passed !== undefined && !/verifying/.test(document.querySelector('#verify-result').textContent), null, { timeout: 30000 });
        const v = await page.textContent('#verify-result');
        assertEq(await page.getAttribute('#verify-result', 'data-passed'), 'false', `verification failed: ${v}`);
        assert(/Verification FAILED/.test(v) && v.length > 40, `reason shown: ${v}`);
        assert((await noticeTexts(page)).some((t) => /Verification FAILED/.test(t)), 'a notice too');
        assert(/FAILED/.test(await page.textContent('#sources-results')), 'and in the Sources box');
      },
    },
  ];
  return { tests, stop: () => server && server.stop() };
};
