// Feature explanations from Neuronpedia, on demand, against a local API on another origin in
// Neuronpedia's response shape: chain rows and search results get the best explanation and
// its explainer model; hostile text stays text; slow or failing requests never hold up the
// page; the toggle off means no request at all, and is remembered.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { ROOT, assert, assertEq } from '../harness.mjs';
import { waitReady, tableFeatures } from '../page-helpers.mjs';
import { startMockNeuronpedia, describe, EXPLAINER } from '../mock-neuronpedia.mjs';

const HOSTILE = '<img src=x onerror="window.__pwned=1">loves <b>bold</b>';
const SOURCE = 'gemmascope-res-16k';

export default async ({ iso, FX }) => {
  // The d16 layers as a pack with labels ("alpha-L-F") that names a Neuronpedia source.
  const labelsDir = path.join(FX, 'nplabels-src');
  fs.mkdirSync(labelsDir, { recursive: true });
  for (let l = 0; l < 3; l++) fs.writeFileSync(path.join(labelsDir, `labels0${l}.json`), JSON.stringify(Array.from({ length: 64 }, (_, f) => `alpha-${l}-${f}`)));
  execFileSync(path.join(ROOT, 'build/saematch'), ['pack', ...[0, 1, 2].map((l) => path.join(FX, `d16/layer_0${l}/params.npz`)),
    '--out', path.join(FX, 'nplabels'), '--labels-dir', labelsDir, '--model', 'gemma-2-2b',
    '--neuronpedia-model', 'gemma-2-2b', '--neuronpedia-source', SOURCE], { stdio: 'ignore' });
  const packHash = `#pack=${encodeURIComponent('fx/nplabels/manifest.json')}`;

  const np = await startMockNeuronpedia(({ layer, index }) => {
    if (layer === `0-${SOURCE}`) return { description: HOSTILE };
    if (layer === `2-${SOURCE}`) return { delayMs: 2500 };
    if (layer === `1-${SOURCE}` && index === 3) return { status: 404 };
    if (layer === `1-${SOURCE}` && index === 4) return { status: 500 };
    return {};
  });
  const useMock = (ctx, base = np.url) => ctx.addInitScript((b) => { window.SAEMATCH_NEURONPEDIA = b; }, base);
  const rowExpl = (page, l) => page.evaluate((ll) => {
    const s = document.querySelector(`#chain-table tr[data-layer="${ll}"] td.label .np-expl`);
    return s ? { text: s.textContent, cls: s.className } : null;
  }, l);
  const settled = (page) => page.waitForFunction(() => {
    const spans = [...document.querySelectorAll('.np-expl')];
    return spans.length > 0 && spans.every((s) => !s.classList.contains('pending'));
  }, null, { timeout: 15000 });
  const searchFor = async (page, q) => {
    await page.fill('#search', q);
    await page.press('#search', 'Enter');
  };

  const tests = [
    {
      name: 'labels: chain features get Neuronpedia explanations with the explainer; hostile text inert; slow one never blocks; cached',
      async fn({ page, context }) {
        await useMock(context);
        const before = np.requests.length;
        await page.goto(`${iso.url}${packHash}&sel=1:7`);
        await waitReady(page);
        await page.waitForSelector('#chain-table tr.current');
        // Layer 2's answer takes 2.5 s: the page is ready and the chain shown meanwhile.
        assertEq(await page.evaluate(() => document.body.dataset.status), 'ready', 'ready while a label is pending');
        assert((await rowExpl(page, 2)).cls.includes('pending'), 'slow explanation still pending, chain already shown');
        const chain = await tableFeatures(page);
        await settled(page);
        const r1 = await rowExpl(page, 1);
        assert(r1.text.includes(describe(`1-${SOURCE}`, chain[1])) && r1.text.includes(`${EXPLAINER} via Neuronpedia`), `best explanation and its model: ${r1.text}`);
        assert(!r1.text.includes('a worse explanation'), 'only the best explanation');
        assertEq(await page.textContent('#chain-table tr[data-layer="1"] td.label'), `alpha-1-${chain[1]}${r1.text}`, 'pack label kept, explanation after it');
        assert((await rowExpl(page, 0)).text.includes(HOSTILE), 'hostile description shown as text');
        assertEq(await page.evaluate(() => [document.querySelectorAll('#detail img, #detail b').length, window.__pwned === undefined]), [0, true], 'no markup from the API');
        assert((await rowExpl(page, 2)).text.includes(describe(`2-${SOURCE}`, chain[2])), 'slow explanation arrives');
        const mine = np.requests.slice(before);
        assertEq(mine.map((r) => `${r.model}/${r.layer}/${r.index}`).sort(), chain.map((f, l) => `gemma-2-2b/${l}-${SOURCE}/${f}`).sort(), 'one request per chain feature, Neuronpedia ids');

        const n = np.requests.length;
        await searchFor(page, `L0:${chain[0]}`);
        await page.waitForFunction((f) => document.querySelector(`#chain-table tr.current[data-layer="0"][data-feature="${f}"]`), chain[0]);
        await settled(page);
        assertEq(np.requests.length, n, 'same chain again: answered from the cache');

        await searchFor(page, 'L1:3');
        await page.waitForSelector('#chain-table tr.current[data-layer="1"][data-feature="3"]');
        await settled(page);
        assertEq((await rowExpl(page, 1)).text, ' (no Neuronpedia explanation)', '404: says there is none');
        await searchFor(page, 'L1:4');
        await page.waitForSelector('#chain-table tr.current[data-layer="1"][data-feature="4"]');
        await settled(page);
        assertEq((await rowExpl(page, 1)).text, ' (explanation unavailable)', 'HTTP 500: unavailable');
      },
    },
    {
      name: 'labels: search results get explanations too',
      async fn({ page, context }) {
        await useMock(context);
        await page.goto(`${iso.url}${packHash}`);
        await waitReady(page);
        await searchFor(page, 'alpha-2-1');
        await page.waitForSelector('#search-results button');
        await settled(page);
        const texts = await page.$$eval('#search-results button', (bs) => bs.map((b) => b.textContent));
        assertEq(texts.length, 11, 'alpha-2-1 and alpha-2-10..19');
        for (const t of texts) {
          const f = Number(/feature (\d+)/.exec(t)[1]);
          assert(t.includes(describe(`2-${SOURCE}`, f)) && t.includes(EXPLAINER), `result ${t}`);
        }
      },
    },
    {
      name: 'labels: Neuronpedia unreachable: matching and selection unaffected, rows say unavailable',
      async fn({ page, context }) {
        await useMock(context, 'http://127.0.0.1:1');
        await page.goto(`${iso.url}${packHash}&sel=0:5`);
        assertEq(await waitReady(page), 'ready', 'status');
        await page.waitForSelector('#chain-table tr.current');
        await settled(page);
        const spans = await page.$$eval('.np-expl', (ss) => ss.map((s) => s.textContent));
        assert(spans.length === 3 && spans.every((t) => t === ' (explanation unavailable)'), `each row says unavailable: ${spans}`);
        await page.click('#match-btn');
        assertEq(await waitReady(page), 'ready', 'matching again works');
      },
    },
    {
      name: 'labels: toggle off means zero requests to Neuronpedia, and it is remembered',
      async fn({ page, context }) {
        await useMock(context);
        await page.goto(`${iso.url}${packHash}&sel=1:7`);
        await waitReady(page);
        await page.waitForSelector('#chain-table tr.current');
        await settled(page);
        assertEq(await page.isChecked('#np-toggle'), true, 'on by default');
        await page.uncheck('#np-toggle');
        await page.waitForFunction(() => document.querySelectorAll('.np-expl').length === 0);
        const n = np.requests.length;
        await page.reload();
        await waitReady(page);
        await page.waitForSelector('#chain-table tr.current');
        assertEq(await page.isChecked('#np-toggle'), false, 'off after a reload');
        for (const q of ['L0:5', 'L2:9', 'L1:33']) {
          await searchFor(page, q);
          await page.waitForFunction((qq) => document.querySelector(`#chain-table tr.current[data-feature="${qq.split(':')[1]}"]`), q);
        }
        await searchFor(page, 'alpha-0-2');
        await page.waitForSelector('#search-results button');
        await page.waitForTimeout(1500);
        assertEq(np.requests.length, n, 'no request while off');
        assertEq(await page.locator('.np-expl').count(), 0, 'nothing shown while off');
        await page.check('#np-toggle');
        await page.waitForFunction(() => document.querySelectorAll('#chain-table .np-expl').length === 3);
        await settled(page);
        assert(np.requests.length > n, 'on again: requests resume');
      },
    },
  ];
  return { tests, stop: np.stop };
};
