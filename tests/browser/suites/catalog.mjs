// Release catalog: pick a release, width and layers; the page fetches them from the mock
// Hugging Face hub (resolve → 302 to a second 127.0.0.1 origin, CORS, Range) at the catalog's
// paths, matches them, and the link names only the catalog entry and layers.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, assert, assertEq } from '../harness.mjs';
import { waitReady, errorText, tableFeatures, selection, truthChain, plantedFeatureWithFullChain } from '../page-helpers.mjs';
import { startMockHub } from '../mock-hub.mjs';
import { startMockNeuronpedia } from '../mock-neuronpedia.mjs';
import { entry, writeGemmaScopeChain, writeSaeLensChain } from '../catalog-fixtures.mjs';

// The mock hub serving every file under dir/{owner}/{repo}/; `requests` lists what reached the
// hub itself (the CDN behind its redirects is logged apart).
async function startHubFromDir(dir) {
  const repos = {};
  for (const owner of fs.readdirSync(dir)) {
    for (const name of fs.readdirSync(path.join(dir, owner))) {
      const root = path.join(dir, owner, name);
      const files = {};
      for (const rel of fs.readdirSync(root, { recursive: true })) {
        const full = path.join(root, rel);
        if (fs.statSync(full).isFile()) files[rel.split(path.sep).join('/')] = full;
      }
      repos[`${owner}/${name}`] = { files };
    }
  }
  const hub = await startMockHub({ repos });
  const requests = () => hub.log.filter((r) => r.server === 'hub').map((r) => ({ ...r, path: decodeURIComponent(r.path) }));
  return { url: hub.hubUrl.replace(/\/$/, ''), requests, log: hub.log, stop: hub.stop };
}

export default async ({ iso, FX }) => {
  const hubDir = path.join(ROOT, 'test-results/catalog-hub');
  fs.rmSync(hubDir, { recursive: true, force: true });
  const gs = entry('gemma-scope-2b-res-16k');
  writeGemmaScopeChain(hubDir, gs, [0, 1, 2].map((l) => path.join(FX, `d16/layer_0${l}/params.npz`)));
  const gpt2 = entry('gpt2-small-res-jb');
  const perms = writeSaeLensChain(hubDir, gpt2, 3, 96, 24);
  const d16truth = JSON.parse(fs.readFileSync(path.join(FX, 'd16/truth.json'), 'utf8')).truth;
  const hub = await startHubFromDir(hubDir);
  const np = await startMockNeuronpedia();
  // The test's hub and Neuronpedia: set by a script in the page, as no link can do.
  const context = async (ctx) => ctx.addInitScript(([h, n]) => { window.SAEMATCH_HUB = h; window.SAEMATCH_NEURONPEDIA = n; }, [hub.url, np.url]);

  const pick = async (page, group, id, layers) => {
    await page.waitForFunction(() => !document.getElementById('cat-load').disabled);
    await page.selectOption('#cat-release', group);
    await page.selectOption('#cat-width', id);
    await page.fill('#cat-layers', layers);
    await page.click('#cat-load');
    return waitReady(page);
  };

  const tests = [
    {
      name: 'catalog: Gemma Scope release picked → hub paths with average_l0_N → planted chain; short link reopens it',
      async fn({ page, context: ctx }) {
        await context(ctx);
        await page.goto(iso.url);
        await waitReady(page);
        const info = await page.textContent('#cat-info');
        assert(/4 of 26 layers/.test(info) && /huggingface\.co\/google\/gemma-scope-2b-pt-res/.test(info), `size and source shown before loading: ${info}`);
        const before = hub.requests().length;
        assertEq(await pick(page, 'gemma-scope-2b-res', 'gemma-scope-2b-res-16k', '0-2'), 'ready', 'status');
        assertEq(await errorText(page), '', 'no error');
        assertEq(await page.evaluate(() => window.saematchApp.model.layerIds), [0, 1, 2], 'model layers 0..2');
        assertEq(await page.evaluate(() => window.saematchApp.model.F), [64, 64, 64], 'the hub files were loaded');
        const gets = hub.requests().slice(before).filter((r) => r.method === 'GET');
        const want = gs.layers.slice(0, 3).map((l) => `/google/gemma-scope-2b-pt-res/resolve/main/${l.path}`);
        assertEq([...new Set(gets.map((r) => r.path))], want, 'each layer read from its own average_l0_N folder');
        assert(gets.every((r) => r.range), 'params.npz read with Range requests');
        const cdn = hub.log.filter((r) => r.server === 'cdn' && r.method === 'GET');
        assert(cdn.length >= gets.length && cdn.every((r) => r.signed && r.range && r.status === 206), 'every read followed the 302 to the CDN origin, signed, as a 206 Range read');
        assertEq(await page.evaluate(() => crossOriginIsolated), true, 'the page stayed cross-origin isolated (COEP) while reading another origin');
        assert(/Gemma Scope 2B/.test(await page.textContent('#pack-title')), 'title names the release');

        const hash = new URL(page.url()).hash;
        assertEq(hash, '#cat=gemma-scope-2b-res-16k&layers=0-2', 'the link names the entry and layers only');
        const f = plantedFeatureWithFullChain(d16truth, 0);
        await page.fill('#search', `L1:${d16truth[0][f]}`);
        await page.press('#search', 'Enter');
        await page.waitForFunction(() => document.querySelector('#chain-table tr.current'));
        const chain = await tableFeatures(page);
        assertEq(chain, truthChain(d16truth, 0, f), 'chain over the catalog layers equals the planted one');
        const hrefs = await page.$$eval('#chain-table a', (as) => as.map((a) => a.href));
        assertEq(hrefs, chain.map((g, l) => `https://www.neuronpedia.org/gemma-2-2b/${l}-gemmascope-res-16k/${g}`), 'Neuronpedia links from the catalog ids');

        const link = page.url();
        assert(!/huggingface|127\.0\.0\.1:\d+\/google|urls=|pack=/.test(link.split('#')[1]), `no URL in the link: ${link}`);
        const page2 = await ctx.newPage();
        await page2.goto(link);
        assertEq(await waitReady(page2), 'ready', 'reopened link');
        assertEq(await selection(page2), [1, d16truth[0][f]], 'same selection');
        assertEq(await tableFeatures(page2), chain, 'same chain from the link');
        assertEq(await page2.inputValue('#cat-layers'), '0-2', 'picker shows the linked layers');
        assertEq(await page2.inputValue('#cat-width'), 'gemma-scope-2b-res-16k', 'picker shows the linked entry');
        await page2.close();
      },
    },
    {
      name: 'catalog: GPT-2 small SAELens release (cfg.json + safetensors) → planted permutations recovered',
      async fn({ page, context: ctx }) {
        await context(ctx);
        const before = hub.requests().length;
        await page.goto(`${iso.url}#cat=gpt2-small-res-jb&layers=0-2`);
        assertEq(await waitReady(page), 'ready', 'status');
        assertEq(await errorText(page), '', 'no error');
        const pairs = await page.evaluate(() => window.saematchApp.model.pairs.map((p) => ({ perm: Array.from(p.a_to_b), certified: p.certified })));
        assertEq(pairs.map((p) => p.perm), perms, 'each pair matched to its planted permutation');
        const paths = hub.requests().slice(before).map((r) => r.path);
        for (const l of gpt2.layers.slice(0, 3)) {
          const folder = `/jbloom/GPT2-Small-SAEs-Reformatted/resolve/main/${path.dirname(l.path)}`;
          assert(paths.includes(`${folder}/sae_weights.safetensors`) && paths.includes(`${folder}/cfg.json`), `weights and cfg.json of ${l.hook}`);
        }
        assert(/certified optimal/.test(await page.textContent('#histogram .caption')), 'certified optimal');
        assert(/ReLU|relu/.test(await page.textContent('#sources')), 'the Sources box describes the layers from cfg.json (ReLU)');
      },
    },
    {
      name: 'catalog: unknown entry, hostile entry name, layers out of range, file missing on the hub: one clear error each',
      async fn({ page, context: ctx }) {
        await context(ctx);
        await page.goto(`${iso.url}#cat=gemma-scope-99b-res-16k`);
        await waitReady(page);
        assert(/release catalog has no entry "gemma-scope-99b-res-16k"/.test(await errorText(page)), `unknown entry named: ${await errorText(page)}`);

        // A hostile name never reaches the catalog: the link's parse refuses it, naming the key, as text.
        await page.goto(`${iso.url}#cat=${encodeURIComponent('<img src=x onerror=window.__pwned=1>')}`);
        await page.reload();
        await waitReady(page);
        const notes = await page.textContent('#notices');
        assert(notes.includes('cat=<img src=x onerror=window.__pwned=1> is not a release name'), `hostile id refused and named as text: ${notes}`);
        assertEq(await page.evaluate(() => [document.querySelectorAll('img').length, window.__pwned === undefined]), [0, true], 'no markup injected');

        await page.goto(`${iso.url}#pack=demo%2Fmanifest.json`);
        await page.reload();
        await waitReady(page);
        await pick(page, 'gemma-scope-2b-res', 'gemma-scope-2b-res-16k', '24-27');
        assert(/no layer 26, 27/.test(await errorText(page)), `missing layers named: ${await errorText(page)}`);
        assertEq(await page.evaluate(() => window.saematchApp.model.F.length), 8, 'demo kept');
        await pick(page, 'gemma-scope-2b-res', 'gemma-scope-2b-res-16k', '2-3');
        const err = await errorText(page);
        assert(/layer_3\/width_16k\/average_l0_59\/params\.npz/.test(err) && /404/.test(err), `404 names the layer's path: ${err}`);
        assertEq(await page.evaluate(() => window.saematchApp.model.F.length), 8, 'demo still kept');
        await page.click('#match-btn');
        assertEq(await waitReady(page), 'ready', 'previous data can be matched again');
      },
    },
  ];
  return { tests, stop: async () => { await hub.stop(); await np.stop(); } };
};
