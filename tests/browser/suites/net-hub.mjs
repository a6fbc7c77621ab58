// Hub-realistic loading: the cross-origin isolated app reads Gemma Scope params.npz and SAELens
// cfg.json + sae_weights.safetensors from a mock Hugging Face hub that redirects to a second
// origin (signed CDN URL, CORS, Range), and each hub failure gives one clear sentence.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, assert, assertEq } from '../harness.mjs';
import { waitReady, errorText, tableFeatures, truthChain, plantedFeatureWithFullChain, loadUrls } from '../page-helpers.mjs';
import { startMockHub } from '../mock-hub.mjs';
import { instrument, staysResponsive } from '../net-probes.mjs';

const L0 = [71, 105, 9];  // Gemma Scope folders differ per layer (average_l0_N)
const gsPath = (l) => `layer_${l}/width_16k/average_l0_${L0[l]}/params.npz`;

export default async ({ iso, plain, FX }) => {
  const gen = path.join(ROOT, 'tests/fixtures/gen');
  const gemma = Object.fromEntries([0, 1, 2].map((l) => [gsPath(l), path.join(FX, `d16/layer_0${l}/params.npz`)]));
  const saelens = {
    'blocks.3.hook_resid_post/cfg.json': path.join(gen, 'saelens_old/cfg.json'),
    'blocks.3.hook_resid_post/sae_weights.safetensors': path.join(gen, 'saelens_old/sae_weights.safetensors'),
    'blocks.5.hook_resid_post/cfg.json': path.join(gen, 'saelens_v6/cfg.json'),
    'blocks.5.hook_resid_post/sae_weights.safetensors': path.join(gen, 'saelens_v6/sae_weights.safetensors'),
  };
  const hub = await startMockHub({
    repos: {
      'google/gemma-scope-2b-pt-res-mock': { files: gemma },
      'jbloom/saelens-mock': { files: saelens },
      'gated-org/gated-sae': { files: gemma, gated: true },
      'flaky/sae': { files: gemma, statuses: [429, 429] },
      'busy/sae': { files: gemma, always: 429 },
      'down/sae': { files: gemma, always: 503 },
      'nocors/sae': { files: gemma, noCors: true },
      'hidden/sae': { files: gemma, hideRanges: true },
    },
  });
  const url = (repo, file, rev = 'main') => `${hub.hubUrl}${repo}/resolve/${rev}/${file}`;
  const GS = 'google/gemma-scope-2b-pt-res-mock';
  const hubPort = new URL(hub.hubUrl).host;

  async function open(page, server = iso) {
    await instrument(page);
    await page.goto(server.url);
    assertEq(await waitReady(page), 'ready', 'demo ready');
  }

  const tests = [
    {
      name: 'net hub: Gemma Scope params.npz through a redirect to a second origin, CORS and Range, cross-origin isolated',
      async fn({ page }) {
        await open(page);
        assertEq(await page.evaluate(() => crossOriginIsolated), true, 'page is cross-origin isolated (COEP require-corp)');
        const before = hub.log.length;
        await staysResponsive(page, () => loadUrls(page, [0, 1, 2].map((l) => url(GS, gsPath(l)))));
        assertEq(await errorText(page), '', 'no error');
        assertEq(await page.evaluate(() => window.saematchApp.model.F), [64, 64, 64], 'three layers of 64 features');
        assertEq(await page.getAttribute('#engine-flavour', 'data-flavour'), 'mt', 'threaded engine');
        const d16truth = JSON.parse(fs.readFileSync(path.join(FX, 'd16/truth.json'), 'utf8')).truth;
        const f = plantedFeatureWithFullChain(d16truth, 0);
        await page.fill('#search', `0:${f}`);
        await page.press('#search', 'Enter');
        await page.waitForFunction((ff) => document.querySelector(`#chain-table tr[data-layer="0"][data-feature="${ff}"]`), f);
        assertEq(await tableFeatures(page), truthChain(d16truth, 0, f), 'chain through the hub equals the planted chain');

        // HEAD works on both origins, like the real hub: a redirect with the linked size, then the file.
        const head = await fetch(url(GS, gsPath(0)), { method: 'HEAD', redirect: 'manual' });
        assertEq([head.status, head.headers.get('x-linked-size')], [302, String(fs.statSync(gemma[gsPath(0)]).size)], 'HEAD on the hub');
        const headCdn = await fetch(head.headers.get('location'), { method: 'HEAD' });
        assertEq([headCdn.status, headCdn.headers.get('content-length'), headCdn.headers.get('access-control-allow-origin')],
          [200, String(fs.statSync(gemma[gsPath(0)]).size), '*'], 'HEAD on the CDN');

        const seen = hub.log.slice(before).filter((e) => e.method !== 'HEAD');
        const hubGets = seen.filter((e) => e.server === 'hub' && e.method === 'GET');
        assertEq(hubGets.map((e) => [e.path.split('/resolve/main/')[1], e.status]), [0, 1, 2].map((l) => [gsPath(l), 302]), 'one hub request per file, answered by a redirect');
        const cdnGets = seen.filter((e) => e.server === 'cdn' && e.method === 'GET');
        // (the browser's HTTP cache may answer later ranges itself: the CDN sends immutable caching)
        assert(cdnGets.length >= 2 * 3, `the probe and the arrays are read from the CDN (${cdnGets.length} requests)`);
        assert(cdnGets.every((e) => e.signed && /^bytes=\d+-\d+$/.test(e.range) && e.status === 206),
          `every CDN GET is a signed single Range answered with 206: ${JSON.stringify(cdnGets.filter((e) => !(e.signed && e.status === 206)).slice(0, 3))}`);
      },
    },
    {
      name: 'net hub: SAELens sae_weights.safetensors with cfg.json read next to it',
      async fn({ page }) {
        await open(page);
        const before = hub.log.length;
        await loadUrls(page, [3, 5].map((b) => url('jbloom/saelens-mock', `blocks.${b}.hook_resid_post/sae_weights.safetensors`)));
        assertEq(await errorText(page), '', 'no error');
        assertEq(await page.evaluate(() => window.saematchApp.model.F), [48, 48], 'two layers of 48 features');
        // The Sources box describes each layer from the cfg.json next to its weights.
        const rows = await page.$$eval('#sources tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(1, 5).map((td) => td.textContent)));
        assertEq(rows, [['blocks.3.hook_resid_post', 'jumprelu', '16', '48'], ['blocks.5.hook_resid_post', 'jumprelu', '16', '48']], 'layers described from their cfg.json (hook, activation, d, F)');
        const cfgs = hub.log.slice(before).filter((e) => e.path.endsWith('/cfg.json') && e.method === 'GET');
        assertEq(cfgs.map((e) => [e.server, e.status]), [['hub', 200], ['hub', 200]], 'cfg.json of each folder answered by the hub itself');
      },
    },
    {
      name: 'net hub: gated, missing, rate-limited, failing and CORS-less repositories give one clear sentence each',
      async fn({ page }) {
        await open(page);
        const ok0 = url(GS, gsPath(0));
        const cases = [
          [url('gated-org/gated-sae', gsPath(1)), `layer 1, ${gsPath(1)}: gated-org/gated-sae is a gated repository (HTTP 401): its files download only for signed-in users who accepted its terms, which this page cannot do; open the repository page to request access`],
          [url(GS, 'layer_1/width_16k/average_l0_99/params.npz'), `layer 1, layer_1/width_16k/average_l0_99/params.npz: HTTP 404, not in ${GS} at revision main (EntryNotFound)`],
          [url(GS, gsPath(1), 'v9'), `layer 1, ${gsPath(1)}: HTTP 404, not in ${GS} at revision v9 (RevisionNotFound)`],
          [url('nobody/nothing', gsPath(1)), `layer 1, ${gsPath(1)}: no repository nobody/nothing (or it is private) (HTTP 401)`],
          [url('busy/sae', gsPath(1)), `layer 1, ${gsPath(1)}: the server is rate-limiting downloads (HTTP 429, 4 attempts with backoff); wait a few minutes and try again`],
          [url('down/sae', gsPath(1)), `layer 1, ${gsPath(1)}: the server failed (HTTP 503, 4 attempts with backoff); try again later`],
          [url('hidden/sae', gsPath(1)), `layer 1, ${gsPath(1)}: the server answered a Range request without a readable Content-Range header (not sent or not exposed to browsers by CORS)`],
          [url('nocors/sae', gsPath(1)), `layer 1, ${gsPath(1)}: ${hubPort} cannot be reached or this host does not allow browser downloads (no CORS headers)`],
        ];
        for (const [bad, want] of cases) {
          await page.evaluate(() => { for (const n of document.querySelectorAll('#notices .notice')) n.remove(); });
          await staysResponsive(page, () => loadUrls(page, [ok0, bad]));
          assertEq(await errorText(page), want, `message for ${bad}`);
          assertEq(await page.evaluate(() => window.saematchApp.model.F.length), 8, 'the demo stays loaded');
          const links = await page.$$eval('#notices .notice.gated a', (as) => as.map((a) => [a.getAttribute('href'), a.textContent, a.target, a.rel]));
          if (/gated/.test(bad)) {
            assertEq(links, [[`${hub.hubUrl}gated-org/gated-sae`, 'gated-org/gated-sae repository page', '_blank', 'noopener noreferrer']], 'a link to the repository page');
          } else assertEq(links, [], 'no gated-repository link');
        }
        const busyTries = hub.tries.get(`/busy/sae/resolve/main/${gsPath(1)}`);
        assertEq(busyTries, 4, 'a 429 is retried three times with backoff before giving up');

        await loadUrls(page, [ok0, url('flaky/sae', gsPath(1))]);
        assertEq(await errorText(page), '', 'two 429s, then the download succeeds');
        assertEq(await page.evaluate(() => window.saematchApp.model.F), [64, 64], 'both layers loaded');
        assertEq(hub.log.filter((e) => e.path === `/flaky/sae/resolve/main/${gsPath(1)}` && e.method === 'GET').map((e) => e.status), [429, 429, 302], 'retried after each 429');
      },
    },
    {
      name: 'net hub: a host without CORS, page not isolated: "this host does not allow browser downloads"',
      async fn({ page }) {
        await open(page, plain);
        await loadUrls(page, [url(GS, gsPath(0)), url('nocors/sae', gsPath(1))]);
        assertEq(await errorText(page), `layer 1, ${gsPath(1)}: this host does not allow browser downloads (no CORS headers from ${hubPort} or the server it redirects to); download the file and serve it yourself`, 'CORS-less host named as such');
      },
    },
  ];
  return { tests, stop: hub.stop };
};
