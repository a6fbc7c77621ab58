// Hostile links and the Layers field (issue 11 items 1 and 6), and one owner per load (item 2):
// every value of the URL state validated with a message naming the key; overlapping loads,
// Cancel during downloads and URL loads, q and Match during a load.
import path from 'node:path';
import { ROOT, assert, assertEq } from '../harness.mjs';
import { waitReady, status, errorText, tableFeatures, noticeTexts, appServers, setInput, truthChain, plantedFeatureWithFullChain } from '../page-helpers.mjs';

// Resolves once the page has answered a trivial evaluate: a frozen tab never does.
async function responsive(page, ms = 3000) {
  const t0 = Date.now();
  const ticks = await Promise.race([
    page.evaluate(() => new Promise((r) => { let n = 0; const t = setInterval(() => { if (++n === 5) { clearInterval(t); r(n); } }, 20); })),
    new Promise((r) => setTimeout(() => r(-1), ms)),
  ]);
  assert(ticks === 5, `the page's timers keep ticking (got ${ticks} after ${Date.now() - t0} ms)`);
}

const shot = (page, name) => page.screenshot({ path: path.join(ROOT, `test-results/browser/${name}.png`) });

export default async (env) => {
  const S = await appServers(env);
  const url = S.app.url;
  const slowShards = (page, ms = 400) => page.route('**/demo/*.bin', async (route) => { await new Promise((r) => setTimeout(r, ms)); await route.continue(); });
  const tests = [
    {
      name: 'state: hostile link values are clamped or dropped with a message naming the key',
      async fn({ page }) {
        await page.goto(`${url}#pack=demo%2Fmanifest.json&layers=99999999999999999999&q=5&pair=1.5&zoom=0,0,0&wenc=-2`);
        assertEq(await waitReady(page, 30000), 'ready', 'the demo loads (all layers: the bad layers value is dropped)');
        await responsive(page);
        assertEq(await noticeTexts(page), [
          'Link: layers: 99999999999999999999 is not a layer number (0…9999); ignored',
          'Link: wenc=-2 is outside 0…1000000: using 0',
          'Link: q=5 is outside 0.5…1: using 1',
          'Link: zoom=0,0,0: the scale must be between 1 and 500; ignored',
          'Link: pair=1.5 is not a whole number ≥ 0; ignored',
        ], 'one message per bad key, in schema order');
        const s = await page.evaluate(() => ({ ...window.saematchApp.state, k: window.saematchApp.graph.transform.k }));
        assertEq([s.layers, s.q, s.pair, s.zoom, s.k, s.wenc], ['', 1, 0, null, 1, 0], 'defaults or clamped values in use');
        assertEq(await page.inputValue('#q'), '1', 'slider shows the clamped q');
        assertEq(await page.evaluate(() => window.saematchApp.model.F.length), 8, 'all 8 layers loaded');
        assert(await page.evaluate(() => window.saematchApp.model.pairs.every((p) => p.threshold === Math.max(...Array.from(p.cost).filter(Number.isFinite)))),
          'q clamped to 1: every threshold is the largest cost');
        assertEq(await errorText(page), '', 'no error banner');
        await shot(page, 'state-hostile-link-notices');
      },
    },
    {
      name: 'state: layers=0-100000000 in a link, and huge bounds typed into Layers, are refused at once',
      async fn({ page }) {
        await page.goto(`${url}#pack=demo%2Fmanifest.json&layers=0-100000000`);
        assertEq(await waitReady(page, 30000), 'ready', 'loads without freezing');
        assertEq(await noticeTexts(page), ['Link: layers: 100000000 is not a layer number (0…9999); ignored'], 'message names the key');
        for (const [typed, msg] of [
          ['99999999999999999999', 'layers: 99999999999999999999 is not a layer number (0…9999)'],
          ['0-100000000', 'layers: 100000000 is not a layer number (0…9999)'],
          ['2-x', 'layers: cannot read "2-x" (use e.g. 0-5 or 0,4,8)'],
        ]) {
          await page.fill('#layers', typed);
          const t0 = Date.now();
          await page.click('#load-pack');
          await responsive(page);
          assert(Date.now() - t0 < 3000, `answered at once (${Date.now() - t0} ms)`);
          assertEq(await errorText(page), msg, `error for "${typed}"`);
          assertEq(await page.evaluate(() => document.body.dataset.status), 'ready', 'previous data still shown');
        }
        assertEq(await page.evaluate(() => window.saematchApp.model.F.length), 8, 'previous model kept');
        assert(!page.url().includes('100000000'), `the URL still names what is drawn: ${page.url()}`);
      },
    },
    {
      name: 'state: a URL list with a stray % and a data: manifest give one message each, the app stays usable',
      async fn({ page }) {
        await page.goto(`${url}#urls=fx%2Fd16%2Flayer_00%2Fparams.npz|a%zz.npz`);
        assertEq(await waitReady(page, 30000), 'ready', 'not stuck at "starting": the default pack loads');
        assertEq(await noticeTexts(page), ['Link: urls: entry 2 "a%zz.npz" is not valid percent-encoding (a stray %?); ignored'], 'stray % named');
        await page.goto(`${url}#pack=data%3Aapplication%2Fjson%2C%7B%7D`);
        await page.reload();
        assertEq(await waitReady(page, 30000), 'ready', 'status');
        assertEq(await noticeTexts(page), ['Link: pack: only http(s) or relative URLs can be loaded, not "data:"; ignored'], 'data: refused, no storage notice');
        await page.fill('#pack-url', 'data:application/json,{}');
        await page.click('#load-pack');
        assertEq(await errorText(page), 'pack: only http(s) or relative URLs can be loaded, not "data:"', 'typed data: URL refused');
        await page.click('text=Or SAE files by URL');
        await page.fill('#sae-urls', 'fx/d16/layer_00/params.npz\njavascript:alert(1)');
        await page.click('#load-urls');
        assertEq(await errorText(page), 'urls: only http(s) or relative URLs can be loaded, not "javascript:"', 'typed javascript: URL refused');
        assertEq(await page.evaluate(() => document.body.dataset.status), 'ready', 'still ready');
      },
    },
    {
      name: 'load token: pack B loaded while pack A downloads shows B only, and stays B',
      context: { serviceWorkers: 'block' },
      async fn({ page }) {
        await slowShards(page);
        await page.goto(url);
        await page.waitForFunction(() => document.querySelector('#progress-layer-2') && document.body.dataset.status !== 'ready');
        await page.fill('#pack-url', 'fx/np/manifest.json');
        await page.click('#load-pack');
        assertEq(await waitReady(page), 'ready', 'B ready');
        await page.waitForTimeout(4000);  // A's downloads would have ended by now
        assertEq(await page.evaluate(() => window.saematchApp.model.F), [64, 64, 64], 'B\'s model');
        assert(/gemma-2-2b · 3 layers · F=64/.test(await page.textContent('#pack-title')), `B's title: ${await page.textContent('#pack-title')}`);
        assert(page.url().includes('pack=fx%2Fnp%2Fmanifest.json'), `URL names B: ${page.url()}`);
        assert(/ready: 2 layer pairs/.test(await status(page)), `B's status: ${await status(page)}`);
        assertEq(await errorText(page), '', 'no error banner');
        await page.fill('#search', '1:7');
        await page.press('#search', 'Enter');
        await page.waitForSelector('#chain-table tr.current[data-feature="7"]');
        assertEq((await tableFeatures(page)).length, 3, 'chain queries answer from B');
        await shot(page, 'load-token-b-over-a');
      },
    },
    {
      name: 'load token: pack B loaded while pack A matches; then Cancel during a load keeps B and the URL',
      context: { serviceWorkers: 'block' },
      async fn({ page }) {
        await page.goto(`${url}#pack=fx%2Fnp%2Fmanifest.json`);
        await waitReady(page);
        await page.fill('#pack-url', 'demo/manifest.json');
        await page.click('#load-pack');
        await page.waitForFunction(() => document.body.dataset.status === 'matching');
        await page.fill('#pack-url', 'fx/np/manifest.json');
        await page.click('#load-pack');
        assertEq(await waitReady(page), 'ready', 'ready');
        await page.waitForTimeout(1500);
        assertEq(await page.evaluate(() => window.saematchApp.model.F), [64, 64, 64], 'B (the np pack) shown');
        assert(/gemma-2-2b/.test(await page.textContent('#pack-title')), 'B\'s title');
        assertEq(await errorText(page), '', 'no banner');
        // Now a slow load of the demo, cancelled: the np pack stays, and the URL never named the demo.
        await slowShards(page);
        await page.fill('#pack-url', 'demo/manifest.json');
        await page.click('#load-pack');
        await page.waitForFunction(() => document.querySelector('#progress-layer-1'));
        assert(page.url().includes('pack=fx%2Fnp'), `during the load the URL names what is drawn: ${page.url()}`);
        await page.click('#cancel-btn');
        await page.waitForFunction(() => /cancelled/.test(document.getElementById('status').textContent));
        await page.waitForTimeout(1500);
        assertEq(await page.evaluate(() => window.saematchApp.model.F), [64, 64, 64], 'np pack still shown after cancel');
        assert(page.url().includes('pack=fx%2Fnp'), 'URL still names the np pack');
        assertEq(await page.evaluate(() => document.body.dataset.status), 'ready', 'ready');
        assertEq(await errorText(page), '', 'a cancel is not an error');
      },
    },
    {
      name: 'load token: Cancel works during a stalled direct-URL load; Match is off while loading',
      async fn({ page }) {
        await page.goto(url);
        await waitReady(page);
        await page.click('text=Or SAE files by URL');
        await page.fill('#sae-urls', `${S.hangUrl}a/params.npz\n${S.hangUrl}b/params.npz`);
        await page.click('#load-urls');
        await page.waitForFunction(() => document.body.dataset.status === 'loading');
        assertEq(await page.isDisabled('#cancel-btn'), false, 'Cancel enabled during a URL load');
        assertEq(await page.isDisabled('#match-btn'), true, 'Match disabled during a load');
        await page.waitForTimeout(500);
        await page.click('#cancel-btn');
        await page.waitForFunction(() => /cancelled: previous results kept/.test(document.getElementById('status').textContent), null, { timeout: 10000 });
        assertEq(await page.evaluate(() => document.body.dataset.status), 'ready', 'ready with the demo');
        assertEq(await page.evaluate(() => window.saematchApp.model.F.length), 8, 'demo kept');
        assertEq(await errorText(page), '', 'no banner');
        assertEq(await page.isDisabled('#match-btn'), false, 'Match usable again');
        await page.click('#match-btn');
        assertEq(await waitReady(page), 'ready', 'demo matches again');
        assert(/7 layer pairs matched/.test(await status(page)), 'right status');
      },
    },
    {
      name: 'load token: q changed during a download leaves no banner and the right status and thresholds',
      context: { serviceWorkers: 'block' },
      async fn({ page }) {
        await page.goto(url);
        await waitReady(page);
        await slowShards(page);
        await page.fill('#pack-url', 'demo/manifest.json');
        await page.click('#load-pack');
        await page.waitForFunction(() => document.querySelector('#progress-layer-2'));
        await setInput(page, '#q', '0.7');
        assertEq(await waitReady(page), 'ready', 'ready');
        assertEq(await errorText(page), '', 'no error banner');
        assert(/^ready: 7 layer pairs matched/.test(await status(page)), `status: ${await status(page)}`);
        const thr = await page.evaluate(() => window.saematchApp.model.pairs.map((p) => {
          const c = Array.from(p.cost).sort((a, b) => a - b); return [p.threshold, c[Math.floor(0.7 * (c.length - 1))]];
        }));
        for (const [t, c] of thr) assert(Math.abs(t - c) <= 1e-3 * Math.max(1, Math.abs(c)), `threshold ${t} is the 0.7-quantile ${c}`);
        assert(page.url().includes('q=0.7'), 'q in the URL');
        const f = plantedFeatureWithFullChain(env.truth, 1);
        await page.fill('#search', `1:${f}`);
        await page.press('#search', 'Enter');
        await page.waitForSelector(`#chain-table tr.current[data-feature="${f}"]`);
        assertEq(await tableFeatures(page), truthChain(env.truth, 1, f), 'chain queries work');
      },
    },
  ];
  return { tests, stop: S.stop };
};
