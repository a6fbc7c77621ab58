// The app's first suite: demo, matching, links, loaders' errors, exports, cache, progress, theme.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, assert, assertEq } from '../harness.mjs';
import {
  waitReady, status, errorText, tableFeatures, selection, clickFeature, truthChain, plantedFeatureWithFullChain,
  loadPack, loadUrls,
} from '../page-helpers.mjs';

export default ({ iso, plain, FX, truth, demoManifest }) => [
  {
    name: 'demo loads, threaded engine when cross-origin isolated',
    async fn({ page }) {
      await page.goto(iso.url);
      assertEq(await waitReady(page), 'ready', 'status after loading the demo');
      assertEq(await page.evaluate(() => crossOriginIsolated), true, 'page is cross-origin isolated');
      assertEq(await page.getAttribute('#engine-flavour', 'data-flavour'), 'mt', 'engine flavour');
      assert(/7 layer pairs matched/.test(await status(page)), 'all 7 demo pairs matched');
      const caption = await page.textContent('#histogram .caption');
      assert(/certified optimal \(sparse\+certify int8/.test(caption), `certified, sparse path, int8 kernel on the int8 demo pack: ${caption}`);
      // Chromium runs relaxed SIMD: int8 pairs go through the coarse screen, and the help says so.
      assertEq(await page.getAttribute('#engine-flavour', 'data-relaxed-simd'), '1', 'relaxed-SIMD kernel registered');
      assert(/sparse\+certify int8 \(coarse screen\)/.test(caption), `coarse screen used: ${caption}`);
      assert((await page.textContent('#histogram .method-help')).includes('coarse screen = the int8 rows of one layer halved to 7 bits'), 'coarse screen explained');
      // The kernel against the portable loop at a real layer's width: 66 rows against 100 (the
      // last 32-row panel partial), here on the threaded engine's shared memory.
      const mismatches = await page.evaluate(() => window.saematchApp.engine.call('coarseKernelCheck', [66, 100, 2304, 7]));
      assertEq(mismatches, 0, 'relaxed-SIMD kernel sums equal the portable loop');
      assert(/folded/.test(await page.textContent('#fold-note')), 'folding note shown for JumpReLU');
      assertEq(await errorText(page), '', 'no error banner');
    },
  },
  {
    name: 'single-thread engine when not isolated, same matching result',
    async fn({ page, context }) {
      await page.goto(plain.url);
      assertEq(await waitReady(page), 'ready', 'status');
      assertEq(await page.evaluate(() => crossOriginIsolated), false, 'page is not isolated');
      assertEq(await page.getAttribute('#engine-flavour', 'data-flavour'), 'st', 'engine flavour');
      assertEq(await page.evaluate(() => window.saematchApp.engine.call('coarseKernelCheck', [66, 100, 2304, 8])), 0, 'relaxed-SIMD kernel on plain memory');
      const totals = await page.evaluate(() => window.saematchApp.model.pairs.map((p) => p.total.toFixed(3)));
      const f = plantedFeatureWithFullChain(truth, 2);
      await clickFeature(page, 2, f);
      assertEq(await tableFeatures(page), truthChain(truth, 2, f), 'chain from the single-thread engine equals the planted chain');
      const mt = await context.newPage();
      await mt.goto(iso.url);
      await waitReady(mt);
      assertEq(await mt.getAttribute('#engine-flavour', 'data-flavour'), 'mt', 'second page uses the threaded engine');
      assertEq(await mt.evaluate(() => window.saematchApp.model.pairs.map((p) => p.total.toFixed(3))), totals, 'threaded and single-thread totals agree');
      await mt.close();
    },
  },
  {
    name: 'match, click a feature: chain equals the planted one; link reproduces it',
    async fn({ page, context }) {
      await context.grantPermissions(['clipboard-read', 'clipboard-write']);
      await page.goto(iso.url);
      await waitReady(page);
      await page.click('#match-btn');
      assertEq(await waitReady(page), 'ready', 'status after Match');
      const f = plantedFeatureWithFullChain(truth, 3);
      await clickFeature(page, 3, f);
      const want = truthChain(truth, 3, f);
      assertEq(await tableFeatures(page), want, 'chain (backward and forward from layer 3) equals the planted chain');
      assertEq(await selection(page), [3, f], 'selection');
      assertEq(await page.locator('#graph svg circle.node').count(), 8, 'one SVG node per layer on the chain');
      const shown = await page.locator('#graph svg rect.feature').count();
      assert(shown > 50 && shown <= 5000, `zoomed in, visible features are SVG nodes (${shown})`);
      assertEq(await page.locator(`#graph svg rect.feature[data-layer="3"][data-feature="${f}"]`).count(), 1, 'the clicked feature is one of them');
      assertEq(await page.textContent('#chain-summary'), 'same feature through all 8 layers (L0–L7): no hop breaks', 'summary: the planted chain does not break');
      assertEq(await page.locator('#detail svg.sparkline path.norm-line').count(), 1, 'decoder-norm sparkline drawn');

      await page.click('#copy-link');
      const link = await page.evaluate(() => navigator.clipboard.readText());
      assert(link.includes(`sel=3:${f}`) && link.includes('zoom='), `copied link holds selection and zoom: ${link}`);
      assert(link.includes(`mh=${(await page.evaluate(() => window.saematchApp.packHash)).slice(0, 12)}`), 'link holds the manifest hash');
      const zoomBefore = await page.evaluate(() => window.saematchApp.graph.transform.k);

      const page2 = await context.newPage();
      await page2.goto(link);
      assertEq(await waitReady(page2), 'ready', 'status of the reopened link');
      assertEq(await selection(page2), [3, f], 'same selection after opening the link');
      assertEq(await tableFeatures(page2), want, 'same chain after opening the link');
      const zoomAfter = await page2.evaluate(() => window.saematchApp.graph.transform.k);
      assert(Math.abs(zoomAfter - zoomBefore) < 1e-2, `same zoom (${zoomBefore} vs ${zoomAfter})`);
      await page2.screenshot({ path: path.join(ROOT, 'test-results/browser/reopened-link.png') });
      await page2.close();
    },
  },
  {
    name: 'int8 kernel and float kernel give the same matching on the int8 demo pack',
    async fn({ page }) {
      await page.goto(iso.url);
      await waitReady(page);
      const snap = () => page.evaluate(() => window.saematchApp.model.pairs.map((p) => ({ method: p.method, total: p.total, perm: Array.from(p.a_to_b) })));
      const withInt8 = await snap();
      await page.uncheck('#int8');
      await page.click('#match-btn');
      await waitReady(page);
      assert(page.url().includes('i8=0'), 'kernel choice is in the URL');
      const withFloat = await snap();
      for (let l = 0; l < withInt8.length; l++) {
        // Float costs are screened with integer dots (and a bound on their error) in WASM.
        // Int8 rows are screened coarsely (7 bits, relaxed SIMD; Chromium has it), with a bound too.
        assertEq([withInt8[l].method, withFloat[l].method], ['sparse+certify int8 (coarse screen)', 'sparse+certify (int8 screen)'], `pair ${l} kernels`);
        assert(Math.abs(withInt8[l].total - withFloat[l].total) <= 1e-4 * withFloat[l].total, `pair ${l} totals ${withInt8[l].total} vs ${withFloat[l].total}`);
        const same = withInt8[l].perm.filter((g, f) => g === withFloat[l].perm[f]).length;
        assert(same >= 0.999 * withInt8[l].perm.length, `pair ${l}: ${same} of ${withInt8[l].perm.length} pairs identical`);
      }
    },
  },
  {
    name: 'link with other weights and q reproduces them',
    async fn({ page }) {
      await page.goto(`${iso.url}#pack=demo%2Fmanifest.json&wdec=1&wenc=0.5&q=0.8&sel=1:5`);
      assertEq(await waitReady(page), 'ready', 'status');
      assertEq(await page.inputValue('#w-enc'), '0.5', 'encoder weight from the link');
      assertEq(await page.inputValue('#q'), '0.8', 'q from the link');
      assertEq(await selection(page), [1, 5], 'selection from the link');
      const thr = await page.evaluate(() => window.saematchApp.model.pairs.map((p) => {
        const c = Array.from(p.cost).sort((a, b) => a - b); return [p.threshold, c[Math.floor(0.8 * (c.length - 1))]];
      }));
      for (const [t, c] of thr) assert(Math.abs(t - c) <= 1e-3 * Math.max(1, Math.abs(c)), `threshold ${t} is the 0.8-quantile ${c}`);
    },
  },
  {
    name: 'corrupt shard: SHA-256 error shown, previous demo stays usable',
    async fn({ page }) {
      await page.goto(iso.url);
      await waitReady(page);
      await loadPack(page, 'fx/badsha/manifest.json');
      const err = await errorText(page);
      assert(/layer03\.0\.bin: SHA-256 mismatch/.test(err), `error names the shard and the hash: ${err}`);
      assertEq(await page.evaluate(() => document.body.dataset.status), 'ready', 'still ready with the previous data');
      const f = plantedFeatureWithFullChain(truth, 0);
      await clickFeature(page, 0, f);
      assertEq(await tableFeatures(page), truthChain(truth, 0, f), 'old demo still answers chain queries');
      await page.click('#match-btn');
      assertEq(await waitReady(page), 'ready', 'old demo can be matched again');
    },
  },
  {
    name: 'missing shard, bad manifest URL, non-pack JSON, d_model mismatch: clear errors',
    async fn({ page }) {
      await page.goto(iso.url);
      await waitReady(page);
      const cases = [
        ['fx/missing/manifest.json', /layer05\.0\.bin: HTTP 404/],
        ['fx/nothing-here/manifest.json', /HTTP 404/],
        ['fx/notes.json', /not a saematch pack|format/i],
        ['fx/dmismatch/manifest.json', /d_model/],
      ];
      for (const [url, re] of cases) {
        await loadPack(page, url);
        const err = await errorText(page);
        assert(re.test(err), `${url}: error "${err}" should match ${re}`);
        assertEq(await page.evaluate(() => document.body.dataset.status), 'ready', `${url}: last good state kept`);
      }
      assertEq(await page.evaluate(() => window.saematchApp.model.F.length), 8, 'demo model still loaded');
    },
  },
  {
    name: 'direct URLs: params.npz read with HTTP Range, deflated npz, errors for bad files',
    async fn({ page }) {
      await page.goto(iso.url);
      await waitReady(page);
      const before = iso.requests.length;
      await loadUrls(page, ['fx/d16/layer_00/params.npz', 'fx/d16/layer_01/params.npz', 'fx/d16/layer_02/params.npz']);
      assertEq(await errorText(page), '', 'no error');
      assertEq(await waitReady(page), 'ready', 'status');
      assert(/quantised to int8 in the worker/.test(await page.textContent('#fold-note')), 'direct layers are quantised in the worker');
      assert(/int8/.test(await page.textContent('#histogram .caption')), 'and matched with the int8 kernel');
      assertEq(await page.evaluate(() => window.saematchApp.model.F), [64, 64, 64], 'three layers of 64 features');
      const npzRequests = iso.requests.slice(before).filter((r) => r.path.endsWith('params.npz') && r.method === 'GET');
      assert(npzRequests.length > 0 && npzRequests.every((r) => r.range && /^bytes=\d+-\d+$/.test(r.range)),
        `every params.npz GET is a Range request: ${JSON.stringify(npzRequests.slice(0, 4))}`);
      const d16truth = JSON.parse(fs.readFileSync(path.join(FX, 'd16/truth.json'), 'utf8')).truth;
      const f = plantedFeatureWithFullChain(d16truth, 0);
      await page.fill('#search', `0:${f}`);
      await page.press('#search', 'Enter');
      await page.waitForFunction((ff) => document.querySelector(`#chain-table tr[data-layer="0"][data-feature="${ff}"]`), f);
      assertEq(await tableFeatures(page), truthChain(d16truth, 0, f), 'direct-path chain equals the planted chain');

      await loadUrls(page, ['gen/gs_deflated.npz', 'gen/gs_zip64.npz']);
      assertEq(await errorText(page), '', 'deflated + ZIP64 npz load');
      assertEq(await page.evaluate(() => window.saematchApp.model.F), [48, 48], 'two layers of 48 features');

      const bad = [
        [['fx/d16/layer_00/params.npz', 'fx/d32/layer_00/params.npz'], /d_model mismatch/],
        [['fx/d16/layer_00/params.npz', 'fx/not-an-sae.npz'], /not-an-sae\.npz.*(zip|ZIP|npz)|(zip|ZIP).*not-an-sae/],
        [['fx/d16/layer_00/params.npz', 'fx/absent.npz'], /absent\.npz: HTTP 404/],
        [['fx/d16/layer_00/params.npz', 'http://127.0.0.1:1/x.npz'], /cannot|fail|fetch/i],
      ];
      for (const [urls, re] of bad) {
        await loadUrls(page, urls);
        const err = await errorText(page);
        assert(re.test(err), `${urls.join(', ')}: error "${err}" should match ${re}`);
        assertEq(await page.evaluate(() => window.saematchApp.model.F), [48, 48], 'last good model kept');
      }
      await page.click('#match-btn');
      assertEq(await waitReady(page), 'ready', 'last good model can be matched again');
    },
  },
  {
    name: 'a subset of layers from the link: loads, matches and searches only those',
    async fn({ page }) {
      await page.goto(`${iso.url}#pack=demo%2Fmanifest.json&layers=2-5`);
      assertEq(await waitReady(page), 'ready', 'status');
      assertEq(await page.evaluate(() => window.saematchApp.model.layerIds), [2, 3, 4, 5], 'layers 2..5 loaded');
      assert(/3 layer pairs matched/.test(await status(page)), 'three pairs matched');
      assert(/layers 2, 3, 4, 5 of 8/.test(await page.textContent('#pack-title')), 'title names the subset');
      const f = plantedFeatureWithFullChain(truth, 3);
      await page.fill('#search', `3:${f}`);
      await page.press('#search', 'Enter');
      await page.waitForFunction((ff) => document.querySelector(`#chain-table tr.current[data-feature="${ff}"]`), f);
      assertEq(await tableFeatures(page), truthChain(truth, 3, f).slice(2, 6), 'chain over layers 2..5 equals the planted one');
      assertEq(await selection(page), [3, f], 'the selection names model layer 3 (position 1 of the subset)');
      assert(page.url().includes(`sel=3:${f}`), 'and so does the URL');

      await page.goto(`${iso.url}#pack=demo%2Fmanifest.json&layers=6-9`);
      await page.reload();
      await waitReady(page);
      assert(/no layer 8, 9/.test(await errorText(page)), `missing layers named: ${await errorText(page)}`);
    },
  },
  {
    name: 'Neuronpedia links from a pack that names a source',
    async fn({ page }) {
      await page.goto(`${iso.url}#pack=fx%2Fnp%2Fmanifest.json&sel=1:7`);
      assertEq(await waitReady(page), 'ready', 'status');
      const hrefs = await page.$$eval('#chain-table a', (as) => as.map((a) => a.href));
      const feats = await tableFeatures(page);
      assertEq(hrefs, feats.map((f, l) => `https://www.neuronpedia.org/gemma-2-2b/${l}-gemmascope-res-16k/${f}`), 'one Neuronpedia link per layer');
      assertEq(await page.locator('#chain-table a').first().getAttribute('target'), '_blank', 'links open in a new tab');
    },
  },
  {
    name: 'search by label, keyboard along the chain, Esc clears',
    async fn({ page }) {
      await page.goto(iso.url);
      await waitReady(page);
      const labels = JSON.parse(fs.readFileSync(path.join(ROOT, 'public/demo', demoManifest.layers[2].labels), 'utf8'));
      const f = plantedFeatureWithFullChain(truth, 2);
      await page.fill('#search', labels[f]);
      await page.press('#search', 'Enter');
      const hit = page.locator('#search-results button', { hasText: `L2 · resid_post feature ${f} · ` });
      await hit.click();
      await page.waitForFunction((ff) => document.querySelector(`#chain-table tr.current[data-feature="${ff}"]`), f);
      assertEq(await selection(page), [2, f], 'label search selects the feature');
      await page.click('#graph', { position: { x: 2, y: 2 } }).catch(() => {});
      await page.locator('body').press('ArrowRight');
      await page.waitForFunction(() => window.saematchApp.chain && window.saematchApp.chain.layer === 3);
      assertEq(await selection(page), [3, truth[2][f]], 'ArrowRight moves to the next feature on the chain');
      await page.locator('body').press('ArrowLeft');
      await page.waitForFunction(() => window.saematchApp.chain && window.saematchApp.chain.layer === 2);
      assertEq(await selection(page), [2, f], 'ArrowLeft moves back');
      await page.locator('body').press('Escape');
      assertEq(await page.locator('#chain-table').count(), 0, 'Esc clears the detail panel');
      assert(!page.url().includes('sel='), 'Esc clears the selection from the URL');
    },
  },
  {
    name: 'cancel a running match; engine restarts with layers and still works',
    async fn({ page }) {
      await page.goto(iso.url);
      await waitReady(page);
      await page.click('#match-btn');
      await page.waitForFunction(() => document.body.dataset.status === 'matching');
      await page.click('#cancel-btn');
      await page.waitForFunction(() => /cancelled/.test(document.getElementById('status').textContent));
      assertEq(await page.isDisabled('#match-btn'), false, 'Match button usable again');
      await page.click('#match-btn');
      assertEq(await waitReady(page), 'ready', 'match after cancel completes');
      const f = plantedFeatureWithFullChain(truth, 0);
      await clickFeature(page, 0, f);
      assertEq(await tableFeatures(page), truthChain(truth, 0, f), 'chain after cancel and rematch');
    },
  },
  {
    name: 'exports: CSV, JSON, SVG, PNG of the selected chain',
    async fn({ page }) {
      const f = plantedFeatureWithFullChain(truth, 1);
      await page.goto(`${iso.url}#pack=demo%2Fmanifest.json&sel=1:${f}`);
      await waitReady(page);
      const grab = async (btn) => {
        const [dl] = await Promise.all([page.waitForEvent('download'), page.click(btn)]);
        return { name: dl.suggestedFilename(), bytes: fs.readFileSync(await dl.path()) };
      };
      const csv = await grab('#export-csv');
      const lines = csv.bytes.toString().trim().split('\r\n').filter((l) => !l.startsWith('# '));
      assertEq(lines[0], 'layer,hook,feature,label,hop_cost_into_row (weighted squared distance),hop_score_into_row (1=identical; 0=orthogonal),persists_into_row (chosen criterion),within_q_quantile_into_row (rank)', 'CSV header');
      assertEq(lines.slice(1).map((l) => Number(l.split(',')[2])), truthChain(truth, 1, f), 'CSV rows are the chain');
      const json = JSON.parse((await grab('#export-json')).bytes.toString());
      assertEq(json.selected, { layer: 1, position: 1, feature: f }, 'JSON selection');
      assert(json.provenance.link.includes(`sel=1:${f}`) && json.provenance.loaded_from.hash.length === 64, 'JSON carries the link and manifest hash');
      const svg = (await grab('#export-svg')).bytes.toString();
      assert(svg.startsWith('<svg') && svg.includes('circle') && svg.includes('data-links='), 'SVG has nodes and the links (as vector paths)');
      const png = (await grab('#export-png')).bytes;
      assertEq([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'PNG signature');
    },
  },
  {
    name: 'cache: second visit reads shards from Cache API, works offline, clear cache empties it',
    async fn({ page, context }) {
      await page.goto(iso.url);
      await waitReady(page);
      await page.evaluate(() => navigator.serviceWorker.ready);
      const cached = await page.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith('saematch-pack-')).length);
      assertEq(cached, 1, 'one pack cache after the first visit');
      const before = iso.requests.length;
      await page.reload();
      await waitReady(page);
      const shardGets = iso.requests.slice(before).filter((r) => r.path.endsWith('.bin'));
      assertEq(shardGets.length, 0, 'no shard downloaded on the second visit');

      await context.setOffline(true);
      await page.reload();
      assertEq(await waitReady(page), 'ready', 'offline visit works from the caches');
      assertEq(await page.evaluate(() => window.saematchApp.model.F.length), 8, 'offline: all 8 layers');
      await context.setOffline(false);

      await page.click('#clear-cache');
      await page.waitForFunction(() => /Cleared 1 cached pack/.test(document.getElementById('notices').textContent));
      assertEq(await page.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith('saematch-pack-')).length), 0, 'pack cache gone');
    },
  },
  {
    name: 'download progress: a bar per layer and a total with bytes and ETA',
    context: { serviceWorkers: 'block' },
    async fn({ page }) {
      // Slow shards down so the bars can be seen mid-download.
      await page.route('**/*.bin', async (route) => { await new Promise((r) => setTimeout(r, 250)); await route.continue(); });
      await page.goto(iso.url);
      await page.waitForSelector('#progress-layer-7', { timeout: 20000 });
      const rows = await page.$$eval('#progress .prow .plabel', (els) => els.map((e) => e.textContent));
      assertEq(rows.slice(0, 9), ['total', ...[0, 1, 2, 3, 4, 5, 6, 7].map((l) => `L${l} · resid_post`)], 'total bar, then one per layer');
      await page.waitForFunction(() => { const t = document.querySelector('#progress-total + .ptext'); return t && /ETA/.test(t.textContent); }, null, { timeout: 20000 });
      const total = await page.textContent('#progress-total + .ptext');
      const mib = (demoManifest.layers.reduce((a, l) => a + l.shards.reduce((b, sh) => b + sh.bytes, 0), 0) / 2 ** 20).toFixed(1);
      assert(new RegExp(`^\\d+\\.\\d/${mib} MiB, ETA \\d+ s$`).test(total), `total shows bytes of ${mib} MiB (the demo pack's size) and an ETA: ${total}`);
      assertEq(await waitReady(page), 'ready', 'status');
      assertEq(await page.isHidden('#progress'), true, 'progress hidden when done');
    },
  },
  {
    name: 'layers arriving slowly: pairs are matched while later layers download; same chains',
    context: { serviceWorkers: 'block' },
    async fn({ page }) {
      await page.route('**/*.bin', async (route) => { await new Promise((r) => setTimeout(r, 400)); await route.continue().catch(() => {}); });
      await page.goto(iso.url);
      // Pair 0 is done and pair 1 under way while some layer is still downloading.
      await page.waitForFunction(() => {
        const compute = document.getElementById('progress-compute-text');
        const bars = [...document.querySelectorAll('#progress progress[id^="progress-layer-"]')];
        return document.body.dataset.status === 'matching' && compute && /^L[1-9] · \S+ → /.test(compute.textContent) && bars.some((b) => b.value < 1);
      }, null, { timeout: 30000 });
      assertEq(await waitReady(page), 'ready', 'status');
      assert(/7 layer pairs matched/.test(await status(page)), 'all 7 demo pairs matched');
      const f = plantedFeatureWithFullChain(truth, 0, 3);
      await clickFeature(page, 0, f);
      assertEq(await tableFeatures(page), truthChain(truth, 0, f), 'chain from the overlapped load equals the planted chain');
    },
  },
  {
    name: 'cancel while layers download: the previous data stays, matching still works',
    context: { serviceWorkers: 'block' },
    async fn({ page }) {
      await page.goto(iso.url);
      await waitReady(page);
      await page.click('#clear-cache');  // so the reload goes to the (slowed) network
      await page.waitForFunction(() => /Cleared/.test(document.getElementById('notices').textContent));
      await page.route('**/*.bin', async (route) => { await new Promise((r) => setTimeout(r, 400)); await route.continue().catch(() => {}); });
      await page.fill('#pack-url', 'demo/manifest.json');
      await page.click('#load-pack');
      await page.waitForFunction(() => document.body.dataset.status === 'matching' && !document.getElementById('cancel-btn').disabled);
      await page.click('#cancel-btn');
      await page.waitForFunction(() => /cancelled/.test(document.getElementById('status').textContent));
      await page.waitForTimeout(1500);  // downloads that were in flight must not refill the engine
      assertEq(await page.evaluate(() => document.body.dataset.status), 'ready', 'ready with the previous data');
      assertEq(await errorText(page), '', 'a cancel is not an error');
      assertEq(await page.evaluate(() => window.saematchApp.model.F.length), 8, 'previous model kept');
      const f = plantedFeatureWithFullChain(truth, 1);
      await clickFeature(page, 1, f);
      assertEq(await tableFeatures(page), truthChain(truth, 1, f), 'chain queries answer from the previous data');
      await page.unroute('**/*.bin');
      await page.click('#match-btn');
      assertEq(await waitReady(page), 'ready', 'matching again after the cancelled load');
      assertEq(await page.evaluate(() => window.saematchApp.model.pairs.length), 7, 'all pairs');
      await clickFeature(page, 1, f);
      assertEq(await tableFeatures(page), truthChain(truth, 1, f), 'same chain after re-matching');
    },
  },
  {
    name: 'storage refused: falls back to memory with a notice',
    async fn({ page }) {
      await page.addInitScript(() => {
        const open = caches.open.bind(caches);
        caches.open = async (name) => {
          const c = await open(name);
          if (name.startsWith('saematch-pack-')) c.put = async () => { throw new DOMException('quota', 'QuotaExceededError'); };
          return c;
        };
      });
      await page.goto(iso.url);
      assertEq(await waitReady(page), 'ready', 'status');
      assert(/storage refused.*QuotaExceededError.*memory/i.test(await page.textContent('#notices')), 'notice about memory-only fallback');
    },
  },
  {
    name: 'dark mode follows prefers-color-scheme and the toggle',
    context: { colorScheme: 'dark' },
    async fn({ page }) {
      await page.goto(iso.url);
      await waitReady(page);
      const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const lum = (c) => { const [r, g, b] = c.match(/\d+/g).map(Number); return (r + g + b) / 3; };
      assert(lum(await bg()) < 80, `dark background under prefers-color-scheme: dark (${await bg()})`);
      await page.click('#theme-toggle');
      assert(lum(await bg()) > 180, `toggle switches to light (${await bg()})`);
      await page.reload();
      await waitReady(page);
      assert(lum(await bg()) > 180, 'choice remembered across reloads');
    },
  },
];
