// Results a researcher can cite (issue 13) and safe CSV (issue 11 item 5): real layer ids and
// the Sources box, persistence criteria with a null baseline and a legend, chains that show
// their breaks, stale settings, self-describing exports, slide-ready pictures, layout, and the
// small confusions.
import path from 'node:path';
import { ROOT, assert, assertEq } from '../harness.mjs';
import {
  waitReady, errorText, tableFeatures, noticeTexts, appServers, setInput, grab, parseCsv, pngSize, truthChain, clickFeature,
  plantedFeatureWithFullChain, loadUrls, HOSTILE,
} from '../page-helpers.mjs';

const shot = (page, name) => page.screenshot({ path: path.join(ROOT, `test-results/browser/${name}.png`) });
const OTHELLO = [1, 3, 5].map((l) => `othello/blocks.${l}.hook_resid_pre/sae_weights.safetensors`);
const CHAIN_COLUMNS = ['layer', 'hook', 'feature', 'label', 'hop_cost_into_row (weighted squared distance)', 'hop_score_into_row (1=identical; 0=orthogonal)', 'persists_into_row (chosen criterion)', 'within_q_quantile_into_row (rank)'];
const ALL_COLUMNS = ['layer_a', 'feature_a', 'label_a', 'layer_b', 'feature_b', 'label_b', 'cost (weighted squared distance)', 'score (1=identical; 0=orthogonal)', 'persists (chosen criterion)', 'within_q_quantile (rank)', 'above_null_baseline'];
const STALE_TEXT = 'Settings changed — match again: the graph, chain and exports still show the result of the previous settings.';
const STALE_EXPORT = 'Not exported: the matching settings were changed after this result was computed. Match again (or undo the change) so the file describes the result it holds.';

// A layer-0 feature whose planted concept dies after `k` persisting hops (2 <= k <= 5).
function dyingFeature(truth) {
  for (let f = 0; f < truth[0].length; f++) {
    const c = truthChain(truth, 0, f);
    const k = c.indexOf(-1);
    if (k >= 3 && k <= 6) return { f, k, chain: c };
  }
  throw new Error('no planted chain dies in the middle');
}

export default async (env) => {
  const S = await appServers(env);
  const url = S.app.url;
  const { truth } = env;
  const tests = [
    {
      name: 'layer ids: SAELens layers by URL are L1, L3, L5 everywhere (axis, search, table, Sources, exports)',
      async fn({ page }) {
        await page.goto(url);
        await waitReady(page);
        await page.fill('#layers', '0-2');
        assertEq(await loadUrls(page, OTHELLO), 'ready', 'Othello-GPT layers load');
        assertEq(await errorText(page), '', 'no error');
        assertEq(await noticeTexts(page), ['The Layers field applies to packs only: every URL given was loaded.'], 'Layers field says it does not apply');
        assertEq(await page.evaluate(() => window.saematchApp.model.layerIds), [1, 3, 5], 'real layer ids from cfg.json');
        assertEq(await page.$$eval('#graph .axis text', (t) => t.map((e) => e.textContent)), ['L1 · resid_pre', 'L3 · resid_pre', 'L5 · resid_pre'], 'axis');
        assertEq(await page.inputValue('#pack-url'), '', 'the pack field no longer shows the demo');
        assert(/SAELens \.safetensors read whole, with cfg\.json/.test(await page.textContent('#fold-note')), `format named: ${await page.textContent('#fold-note')}`);
        assertEq(await page.$$eval('#sources-table tbody tr', (rows) => rows.map((r) => [...r.cells].slice(0, 6).map((c) => c.textContent))), [1, 3, 5].map((l) => [`L${l} · resid_pre`, `blocks.${l}.hook_resid_pre`, 'relu', '128', '2048', 'identity']), 'Sources box');
        await page.fill('#search', '3:100');
        await page.press('#search', 'Enter');
        await page.waitForSelector('#chain-table tr.current[data-layer="1"][data-feature="100"]');
        assertEq(await page.$$eval('#chain-table tbody tr td:first-child', (t) => t.map((e) => e.textContent)), ['L1 · resid_pre', 'L3 · resid_pre', 'L5 · resid_pre'], 'detail table');
        assertEq(await page.textContent('#detail h3'), 'L3 · resid_pre feature 100', 'heading');
        assert(page.url().includes('sel=3:100'), `URL names layer id 3: ${page.url()}`);
        await page.fill('#search', '2:5');
        await page.press('#search', 'Enter');
        assertEq(await page.textContent('#search-results'), 'layer 2 is not loaded (loaded: 1, 3, 5)', 'layer ids, not positions');
        const csv = parseCsv((await grab(page, '#export-csv')).text);
        assertEq(csv.rows.map((r) => [r[0], r[1]]), [1, 3, 5].map((l) => [String(l), `blocks.${l}.hook_resid_pre`]), 'CSV layer ids and hooks');
        const json = JSON.parse((await grab(page, '#export-json')).text);
        assertEq(json.selected, { layer: 3, position: 1, feature: 100 }, 'JSON selection by layer id');
        assertEq(json.provenance.sources.map((s) => [s.id, s.hook, s.d, s.F, s.activation, s.layer_id_from]), [1, 3, 5].map((l) => [l, `blocks.${l}.hook_resid_pre`, 128, 2048, 'relu', 'cfg.json']), 'JSON sources');
        assertEq(json.provenance.loaded_from.kind, 'urls', 'JSON says the files came by URL (no demo manifest named)');
        await shot(page, 'layer-ids-othello');
      },
    },
    {
      name: 'persistence: null baseline separates planted hops from chance; legend matches the colours; criteria switch',
      async fn({ page }) {
        await page.goto(url);
        await waitReady(page);
        const caption = await page.textContent('#histogram .caption');
        assert(caption.startsWith('q = 0.90 is a rank, not a test: the dashed line is the 0.90-quantile of this pair\'s costs'), `caption says what q does: ${caption}`);
        assert(/chance level \(99th percentile of best scores against a randomly rotated L1 · resid_post\): score 0\.\d+/.test(caption), `caption names the null baseline: ${caption}`);
        const r = await page.evaluate((truth) => {
          const m = window.saematchApp.model;
          let planted = 0, plantedOk = 0, other = 0, otherOk = 0;
          m.pairs.forEach((p, l) => p.a_to_b.forEach((g, f) => {
            const ok = p.score[f] > p.nullCut;
            if (truth[l][f] === g) { planted++; plantedOk += ok; } else { other++; otherOk += ok; }
          }));
          return { planted, plantedOk, other, otherOk, cuts: m.pairs.map((p) => p.nullCut) };
        }, truth);
        assert(r.cuts.every((c) => c > 0.05 && c < 0.6), `null cuts are chance-level scores: ${r.cuts}`);
        assert(r.plantedOk >= 0.98 * r.planted, `planted hops beat chance: ${r.plantedOk}/${r.planted}`);
        assert(r.otherOk <= 0.1 * r.other, `other hops mostly do not: ${r.otherOk}/${r.other}`);
        const legendBuckets = () => page.$$eval('#graph .legend rect.swatch', (s) => s.map((e) => Number(e.dataset.bucket)));
        const drawnBuckets = () => page.evaluate(() => {
          const app = window.saematchApp, m = app.model, test = app.persistsTest();
          const b = new Set();
          m.pairs.forEach((p, l) => p.a_to_b.forEach((g, f) => { if (g >= 0 && test(l, p.cost[f], p.score[f])) b.add(Math.max(0, Math.min(7, Math.floor(p.score[f] * 8)))); }));
          return [...b].sort((x, y) => x - y);
        });
        assertEq(await legendBuckets(), await drawnBuckets(), 'legend shows exactly the shades drawn');
        const legend = () => page.$$eval('#graph .legend text', (t) => t.map((e) => e.textContent));
        assert((await legend()).includes('rows: first layer by persisting length, then each feature follows its match'), 'legend explains the row order');
        assert((await legend()).some((t) => t.startsWith('persists = score above chance')), 'legend names the criterion');
        await page.selectOption('#criterion', 'q');
        await setInput(page, '#q', '0.99');
        await page.waitForFunction(() => [...document.querySelectorAll('#graph .legend text')].some((t) => t.textContent.startsWith('persists = cost ≤ the 0.99-quantile')));
        assertEq(await legendBuckets(), await drawnBuckets(), 'legend follows the q criterion');
        await page.selectOption('#criterion', 'score');
        await setInput(page, '#smin', '0.9');
        await page.waitForFunction(() => [...document.querySelectorAll('#graph .legend text')].some((t) => t.textContent === 'persists = score ≥ 0.9'));
        assertEq(await legendBuckets(), [7], 'only the top shade is drawn for score ≥ 0.9');
        assert(page.url().includes('crit=score') && page.url().includes('smin=0.9'), `criterion in the URL: ${page.url()}`);
        await shot(page, 'persistence-score-criterion');
      },
    },
    {
      name: 'breaks: a chain is cut after its break, every break listed, histogram opens on the break pair',
      async fn({ page }) {
        const { f, k, chain } = dyingFeature(truth);
        await page.goto(url);
        await waitReady(page);
        await clickFeature(page, 0, f);
        assertEq((await tableFeatures(page)).slice(0, k), chain.slice(0, k), 'planted part of the chain');
        const summary = await page.textContent('#chain-summary');
        assert(summary.startsWith(`same feature L0–L${k - 1}; L${k - 1}→L${k} breaks; another feature L${k}`), `summary lists the break: ${summary}`);
        const hops = await page.$$eval('#graph .chain line', (ls) => ls.map((l) => [Number(l.dataset.hop), l.getAttribute('class')]));
        for (const [h, cls] of hops) {
          const want = h < k - 1 ? 'hop persisting' : h === k - 1 ? 'hop broken' : ['hop beyond', 'hop broken'];
          assert(Array.isArray(want) ? want.includes(cls) : cls === want, `hop ${h}: ${cls}, want ${want}`);
        }
        assertEq(await page.inputValue('#histogram select'), String(k - 1), 'histogram on the break pair');
        assertEq(await page.locator('#histogram .hop-mark.breaks').count(), 1, 'the breaking hop is marked');
        assertEq(await page.textContent(`#chain-table tr[data-layer="${k}"] td.no`), 'breaks', 'table row says it breaks');
        await shot(page, 'chain-break');
        // Selecting the feature after the break: its own run starts there, the break is still listed.
        const g = (await tableFeatures(page))[k];
        await page.fill('#search', `${k}:${g}`);
        await page.press('#search', 'Enter');
        await page.waitForSelector(`#chain-table tr.current[data-layer="${k}"][data-feature="${g}"]`);
        const s2 = await page.textContent('#chain-summary');
        assert(s2.startsWith(`another feature L0–L${k - 1}; L${k - 1}→L${k} breaks; same feature L${k}`), `later feature: ${s2}`);
      },
    },
    {
      name: 'exports: provenance header, all matches, neutralised CSV cells, stale settings refused',
      async fn({ page }) {
        await page.goto(`${url}#pack=hx%2Fmanifest.json`);
        assertEq(await waitReady(page), 'ready', 'hostile-label pack loads');
        await page.click('#export-csv');
        assertEq(await noticeTexts(page), ['No chain selected: click a feature (or search one) to export its chain as CSV; "All matches" exports every pair.'], 'CSV without a selection says why');
        const version = await page.evaluate(async () => (await fetch('app/version.json')).json());
        const all = await grab(page, '#export-all');
        assertEq(all.name, 'all-matches.csv', 'file name');
        const csv = parseCsv(all.text);
        assertEq(csv.header, ALL_COLUMNS, 'columns named with units');
        assert(csv.comments[0].startsWith(`saematch-web export (saematch-web ${version.version}, commit ${version.commit}), created 20`), `app and commit: ${csv.comments[0]}`);
        const hash = await page.evaluate(() => window.saematchApp.packHash);
        assert(csv.comments.includes(`loaded from: pack ${url}hx/manifest.json (manifest sha256 ${hash})`), 'pack and hash');
        assertEq(csv.comments.filter((c) => c.startsWith('source L')).length, 8, 'one source line per layer');
        assert(csv.comments.some((c) => /^source L0 · resid_post: hook blocks\.0\.hook_resid_post; jumprelu; d=256; F=2048; folding thresholds folded; file \S+layer00\.0\.bin; sha256 [0-9a-f]{64}$/.test(c)), 'source line');
        assert(csv.comments.includes('matching: w_dec=1 w_enc=0 w_b=0 cosine=no int8_kernel=yes'), 'settings');
        assert(csv.comments.some((c) => /^pair L0 · resid_post -> L1 · resid_post: q-quantile cost [\d.e-]+; null score cut 0\.\d+; certified optimal; method sparse\+certify int8 \(coarse screen\); total cost/.test(c)), 'per-pair line');
        assertEq(csv.rows.length, 7 * 2048, 'every pair of every layer pair');
        const model = await page.evaluate(() => window.saematchApp.model.pairs.map((p) => ({ a: Array.from(p.a_to_b), c: Array.from(p.cost), s: Array.from(p.score), cut: p.nullCut })));
        csv.rows.forEach((r, i) => {
          const l = Math.floor(i / 2048), f = i % 2048, p = model[l];
          if (Number(r[0]) !== l || Number(r[1]) !== f || Number(r[4]) !== p.a[f]) throw new Error(`row ${i}: ${r.slice(0, 5)} vs layer ${l} feature ${f} -> ${p.a[f]}`);
          if (Math.abs(Number(r[6]) - p.c[f]) > 1e-4 * Math.max(1, p.c[f]) || Math.abs(Number(r[7]) - p.s[f]) > 6e-5) throw new Error(`row ${i}: cost/score ${r[6]}/${r[7]} vs ${p.c[f]}/${p.s[f]}`);
          if (r[10] !== (p.s[f] > p.cut ? 'yes' : 'no')) throw new Error(`row ${i}: above_null ${r[10]}`);
        });
        assert(csv.rows.every((r) => r[6].replace(/^0\.0*|\.|e.*$/g, '').length <= 5), 'costs rounded to 5 significant digits');
        const want = HOSTILE.map((t) => (/^[=+\-@\t\r]/.test(t) ? `'${t}` : t));
        assertEq(csv.rows.slice(0, HOSTILE.length).map((r) => r[2]), want, 'formula-like labels neutralised, others kept');
        assert(all.text.includes('"\'\rCR only"') && all.text.includes('"a,b"') && all.text.includes('"say ""hi"""') && all.text.includes('"two\nlines"'), 'cells with CR, comma, quote, LF quoted');
        assert(!/(^|,)[=+@]/m.test(all.text.split('\r\n').filter((l) => !l.startsWith('#')).join('\n').replace(/"[^"]*"/g, '""')), 'no unquoted cell starts with = + @');

        const f = plantedFeatureWithFullChain(truth, 1);
        await page.fill('#search', `1:${f}`);
        await page.press('#search', 'Enter');
        await page.waitForSelector(`#chain-table tr.current[data-feature="${f}"]`);
        const chain = parseCsv((await grab(page, '#export-csv')).text);
        assertEq(chain.header, CHAIN_COLUMNS, 'chain CSV columns');
        assertEq(chain.rows.map((r) => Number(r[2])), truthChain(truth, 1, f), 'chain CSV rows are the chain');
        assert(chain.comments.some((c) => c.startsWith(`selected: L1 · resid_post feature ${f} (same feature L0–L7)`)), 'chain CSV names the selection');
        const json = JSON.parse((await grab(page, '#export-json')).text);
        const p = json.provenance;
        assertEq([p.app.commit, p.loaded_from.hash, p.sources.length, p.sources[3].hook, p.sources[3].sha256.length, p.matching],
          [version.commit, hash, 8, 'blocks.3.hook_resid_post', 64, { w_dec: 1, w_enc: 0, w_b: 0, cosine: false, int8: true }], 'JSON provenance');
        assertEq([p.persistence.criterion, p.persistence.q, p.persistence.null_percentile, p.pairs.length, p.pairs[0].certified], ['null', 0.9, 0.99, 7, true], 'JSON persistence');
        assert(p.link.includes(`sel=1:${f}`), 'JSON link');

        // Changing the weights without matching again: notice, and no export of the old result under new inputs.
        await setInput(page, '#w-enc', '0.5');
        assertEq(await page.textContent('#stale'), STALE_TEXT, 'settings-changed notice');
        assertEq(await page.isVisible('#stale'), true, 'visible');
        let downloaded = false;
        page.once('download', () => { downloaded = true; });
        await page.click('#export-json');
        await page.waitForTimeout(800);
        assertEq(downloaded, false, 'nothing downloaded');
        assert((await noticeTexts(page)).includes(STALE_EXPORT), 'export refused with a reason');
        assert(!page.url().includes('wenc='), 'URL still has the weights of the shown result');
        await shot(page, 'stale-settings');
        await page.click('#match-btn');
        await waitReady(page);
        assertEq(await page.isVisible('#stale'), false, 'notice gone after matching');
        const json2 = JSON.parse((await grab(page, '#export-json')).text);
        assertEq(json2.provenance.matching, { w_dec: 1, w_enc: 0.5, w_b: 0, cosine: false, int8: false }, 'new result, new inputs');
      },
    },
    {
      name: 'pictures: PNG at 2x with title, legend, q and source; SVG vector with styled feature rectangles',
      async fn({ page }) {
        const f = plantedFeatureWithFullChain(truth, 2);
        await page.goto(url);
        await waitReady(page);
        await clickFeature(page, 2, f);  // zoomed in: feature rectangles are drawn
        // The selection opens the explorer's chain view above the graph, which resizes the graph:
        // measure once that view is drawn, as the export will see it.
        await page.waitForFunction((ff) => { const cap = document.querySelector('#cv-panel .cv-title'); return document.querySelector('#cv-table') && cap && cap.textContent.endsWith(`#${ff}`); }, f, { timeout: 20000 });
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
        const size = await page.evaluate(() => { const c = document.querySelector('#graph canvas'); return { w: c.clientWidth, h: c.clientHeight }; });
        const png = await grab(page, '#export-png');
        assertEq(pngSize(png.bytes), { width: 2 * size.w, height: 2 * (size.h + 80) }, 'PNG at 2x, with a title band and a source line');
        const svg = (await grab(page, '#export-svg')).text;
        assert(!svg.includes('<image'), 'no embedded raster');
        assert(/<path d="M-?[\d.]+ -?[\d.]+L/.test(svg) && /data-links="b\d"/.test(svg), `links as vector paths: ${svg.slice(0, 1500)}`);
        assert(svg.includes('Demo: 8 synthetic layers with planted feature chains'), 'title');
        assert(svg.includes('q = 0.90') && svg.includes('persists = score above chance'), 'q and criterion');
        assert(/source: \S+demo\/manifest\.json \(sha256 [0-9a-f]{12}\)/.test(svg), 'source');
        assert(svg.includes('class="legend"') && svg.includes('rows: first layer by persisting length'), 'legend');
        assert(svg.includes('rect.feature{fill:') && /<rect class="feature"/.test(svg), 'feature rectangles present and styled');
        // Render the exported SVG back in the page: a feature rectangle is grey, not black.
        const fill = await page.evaluate((text) => {
          const div = document.createElement('div');
          div.innerHTML = text;
          document.body.appendChild(div);
          const r = div.querySelector('rect.feature');
          const c = getComputedStyle(r).fill;
          div.remove();
          return c;
        }, svg);
        assert(fill !== 'rgb(0, 0, 0)' && /rgb/.test(fill), `feature rectangle fill ${fill}`);
      },
    },
    {
      name: 'layout: toolbar visible at 1280x720, notices cleared on each load and dismissible',
      context: { viewport: { width: 1280, height: 720 } },
      async fn({ page }) {
        await page.goto(`${url}#pack=demo%2Fmanifest.json&mh=000000000000`);
        await waitReady(page);
        assertEq((await noticeTexts(page)).length, 1, 'the version notice of the link');
        for (const id of ['copy-link', 'export-png', 'export-svg', 'export-csv', 'export-json', 'export-all']) {
          const b = await page.locator(`#${id}`).boundingBox();
          assert(b && b.y >= 0 && b.y + b.height <= 720, `${id} visible at 1280x720: ${JSON.stringify(b)}`);
        }
        const mb = await page.locator('#match-btn').boundingBox();
        assert(mb && mb.y + mb.height <= 720, `Match button on screen: ${JSON.stringify(mb)}`);
        for (let i = 0; i < 3; i++) {
          await page.fill('#layers', '0-3');
          await loadUrls(page, ['fx/d16/layer_00/params.npz', 'fx/d16/layer_01/params.npz']);
        }
        assertEq(await noticeTexts(page), ['The Layers field applies to packs only: every URL given was loaded.'], 'only the last load\'s notice');
        await page.click('#notices .notice .dismiss');
        assertEq((await noticeTexts(page)).length, 0, 'dismissed');
        await page.evaluate(() => window.scrollTo(0, 2000));
        const b = await page.locator('#export-png').boundingBox();
        assert(b.y >= 0 && b.y + b.height <= 720, `toolbar stays on screen when scrolled: ${JSON.stringify(b)}`);
        await shot(page, 'layout-1280x720');
      },
    },
    {
      name: 'layout: on a 390x844 phone the graph comes first and touch pans and pinch-zooms it',
      context: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
      async fn({ page }) {
        await page.goto(url);
        await waitReady(page);
        const g = await page.locator('#graph').boundingBox();
        assert(g.y < 300 && g.height > 400, `graph near the top: ${JSON.stringify(g)}`);
        const touch = (type, pts) => page.evaluate(([type, pts]) => {
          const svg = document.querySelector('#graph svg');
          const touches = pts.map(([x, y], i) => new Touch({ identifier: i + 1, target: svg, clientX: x, clientY: y }));
          svg.dispatchEvent(new TouchEvent(type, { touches: type === 'touchend' ? [] : touches, targetTouches: type === 'touchend' ? [] : touches, changedTouches: touches, bubbles: true, cancelable: true }));
        }, [type, pts]);
        const cx = g.x + g.width / 2, cy = g.y + g.height / 2;
        await touch('touchstart', [[cx, cy - 20], [cx, cy + 20]]);
        for (let d = 30; d <= 150; d += 30) await touch('touchmove', [[cx, cy - d], [cx, cy + d]]);
        await touch('touchend', [[cx, cy - 150], [cx, cy + 150]]);
        const k = await page.evaluate(() => window.saematchApp.graph.transform.k);
        assert(k > 3, `pinch zoomed in (k=${k})`);
        const y0 = await page.evaluate(() => window.saematchApp.graph.transform.y);
        await page.waitForTimeout(600);
        await touch('touchstart', [[cx, cy]]);
        for (let d = 20; d <= 100; d += 20) await touch('touchmove', [[cx, cy + d]]);
        await touch('touchend', [[cx, cy + 100]]);
        const y1 = await page.evaluate(() => window.saematchApp.graph.transform.y);
        assert(Math.abs(y1 - y0 - 100) < 5, `one finger pans the graph (${y0} -> ${y1})`);
        assert(page.url().includes('zoom='), 'zoom kept in the URL');
        await shot(page, 'layout-phone');
      },
    },
    {
      name: 'confusions: score, cost and axes explained; int8 explained; "#97" in labels; search syntax',
      async fn({ page }) {
        await page.goto(`${url}#pack=hx%2Fmanifest.json&sel=0:3`);
        await waitReady(page);
        assert((await page.textContent('#detail .defs')).includes('score = 1 − cost / (|a|² + |b|²) on the folded, weighted rows: 1 = the same direction and norm, 0 = unrelated (orthogonal)'), 'score defined');
        assert((await page.getAttribute('#chain-table th:nth-child(4)', 'title')).startsWith('hop cost = weighted squared distance |a − b|²'), 'cost unit');
        assertEq(await page.$$eval('#detail .sparkline .axis-label', (t) => t.map((e) => e.textContent)), ['decoder-row norm |d| (folded)', 'layer L0 · resid_post → L7 · resid_post'], 'sparkline axes');
        assertEq(await page.$$eval('#histogram .axis-label', (t) => t.map((e) => e.textContent)), ['hop cost |a − b|² (log scale)', 'features'], 'histogram axes');
        assert((await page.textContent('#histogram .method-help')).includes('sparse+certify = solved on each feature\'s nearest candidates, then proven optimal against every pair; int8 = costs from integer dot products of the stored int8 rows'), 'method explained');
        assert((await page.textContent('.controls')).includes('int8 kernel: costs from integer dot products of the stored 8-bit rows'), 'int8 kernel explained');
        await page.fill('#search', 'python code #97');
        await page.press('#search', 'Enter');
        const hits = await page.$$eval('#search-results button', (b) => b.map((e) => e.textContent));
        assertEq(hits[0], 'L0 · resid_post feature 9 · python code #97', 'label with #97 found by its text');
        assert(hits.length > 1 && hits.every((h) => h.endsWith(' · python code #97')), `the demo's own "python code #97" labels too: ${hits}`);
        await page.fill('#search', '#97');
        await page.press('#search', 'Enter');
        await page.waitForSelector('#chain-table tr.current[data-layer="0"][data-feature="97"]');
        assertEq((await page.$$eval('#search-results button', (b) => b.map((e) => e.textContent)))[0], 'L0 · resid_post feature 9 · python code #97', '#97 selects feature 97 and still lists the labels containing "#97"');
        await shot(page, 'confusions');
      },
    },
  ];
  return { tests, stop: S.stop };
};
