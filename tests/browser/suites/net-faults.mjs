// Adversarial network suite: a server that drops, stalls, hangs, trickles, ignores Range, sends
// a 206 with the whole file, lies about Content-Length, or never stops. Each case checks the
// exact message (layer and file named), that the page timer kept ticking, that memory stayed
// bounded (bytes the server managed to send, and the page's heap), and that the previous pack
// still matches and draws a planted chain afterwards. Also: aborts close the connections, and
// non-http(s) links get one clear message.
import path from 'node:path';
import { ROOT, assert, assertEq } from '../harness.mjs';
import { waitReady, errorText, tableFeatures, clickFeature, truthChain, plantedFeatureWithFullChain, loadPack, loadUrls } from '../page-helpers.mjs';
import { startFaultServer } from '../fault-server.mjs';
import { instrument, staysResponsive, pageMemory } from '../net-probes.mjs';

const MiB = 1024 * 1024;
// What a server can push after the page has stopped reading: Chromium's network service keeps
// reading into its socket and data-pipe buffers until the abort reaches it (38 MiB past the
// limit, measured once at loopback speed). Far below the 2 GiB a never-stopping client would
// take from the endless modes, so the bound still tells a stopped read from a whole one.
const READ_AHEAD = 64 * MiB;
const PAGE_MEMORY_BOUND = 256 * MiB;  // the demo needs ~40 MiB of page heap; a body read whole would need GBs

export default async ({ FX, mounts, truth, demoManifest }) => {
  const server = await startFaultServer({ root: path.join(ROOT, 'public'), mounts });
  const shard = demoManifest.layers[3].shards[0];
  const N = shard.bytes, H = Math.floor(N / 2);
  const packUrl = (mode) => `fault/${mode}@${shard.url}/demo/manifest.json`;
  const npzUrls = (mode) => [0, 1, 2].map((l) => `fault/${mode}@params.npz/fx/d16/layer_0${l}/params.npz`);

  async function openDemo(page) {
    await instrument(page);
    await page.goto(server.url);
    assertEq(await waitReady(page), 'ready', 'demo ready');
  }

  // The previous pack still matches, and a planted chain is drawn and listed.
  async function previousStillWorks(page) {
    assertEq(await page.evaluate(() => document.body.dataset.status), 'ready', 'ready with the previous data');
    await page.click('#match-btn');
    assertEq(await waitReady(page), 'ready', 'previous pack matches again');
    assertEq(await page.evaluate(() => window.saematchApp.model.pairs.length), 7, 'all 7 demo pairs');
    const f = plantedFeatureWithFullChain(truth, 2);
    await clickFeature(page, 2, f);
    assertEq(await tableFeatures(page), truthChain(truth, 2, f), 'chain drawn and listed from the previous pack');
  }

  // One hostile case: load, exact message, timer, memory, bytes sent, previous pack usable.
  function packCase(mode, expect, { sentBound = N + READ_AHEAD } = {}) {
    return {
      name: `net fault, pack shard ${mode}: clear message, responsive, bounded, previous pack kept`,
      context: { serviceWorkers: 'block' },
      async fn({ page }) {
        await openDemo(page);
        const before = server.log.length;
        await staysResponsive(page, () => loadPack(page, packUrl(mode)));
        const err = await errorText(page);
        assert(expect.test(err), `${mode}: error "${err}" should match ${expect}`);
        const faulted = server.log.slice(before).filter((e) => e.mode === mode);
        assert(faulted.length >= 1, `${mode}: the faulty shard was requested`);
        const sent = faulted.reduce((a, e) => a + e.sent, 0);
        assert(sent <= sentBound, `${mode}: the server could send only ${sent} bytes (bound ${sentBound})`);
        const mem = await pageMemory(page);
        assert(mem < PAGE_MEMORY_BOUND, `${mode}: page memory ${(mem / MiB).toFixed(0)} MiB under ${PAGE_MEMORY_BOUND / MiB} MiB`);
        assert(!/storage refused/i.test(await page.textContent('#notices')), 'no storage notice');
        await previousStillWorks(page);
      },
    };
  }
  const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const who = `^layer 3, ${esc(shard.url)}: `;

  const tests = [
    packCase('drop', new RegExp(`${who}the connection dropped after \\d+ bytes of ${N}$`)),
    packCase('stall', new RegExp(`${who}no data for 1\\.5 s after \\d+ bytes \\(the server stalled\\)$`)),
    packCase('hang', new RegExp(`${who}the server sent no answer for 1\\.5 s \\(stalled\\)$`)),
    packCase('endless', new RegExp(`${who}the server sent more than the ${N} bytes the manifest gives this shard; refused after ${N + 1} bytes$`)),
    packCase('huge', new RegExp(`${who}the server announces 5000000000 bytes, more than the ${N} the manifest gives this shard; refused without reading it$`)),
    packCase('short-length', new RegExp(`${who}${H} bytes, the manifest says ${N} \\(truncated\\)$`)),
    packCase('long-length', new RegExp(`${who}the server announces ${2 * N} bytes, more than the ${N} the manifest gives this shard; refused without reading it$`)),
    {
      name: 'net fault, pack shard slow: a trickling server is not a stall, the pack loads',
      context: { serviceWorkers: 'block' },
      async fn({ page }) {
        await openDemo(page);
        await staysResponsive(page, () => loadPack(page, packUrl('slow')));
        assertEq(await errorText(page), '', 'no error');
        const slow = server.log.filter((e) => e.mode === 'slow');
        assert(slow.length >= 1 && slow[slow.length - 1].sent === N, 'the slow shard was sent whole');
        assert(N / 4096 * 10 > 1500, `the trickle (${N / 4096 * 10} ms) outlasts the 1.5 s stall timeout`);
        assertEq(await page.evaluate(() => window.saematchApp.model.pairs.length), 7, 'all pairs matched');
      },
    },
    {
      name: 'net fault, URL layers: a server ignoring Range is detected once, each file read once',
      context: { serviceWorkers: 'block' },
      async fn({ page }) {
        await openDemo(page);
        for (const mode of ['ignore-range', 'whole206']) {
          const before = server.log.length;
          await staysResponsive(page, () => loadUrls(page, npzUrls(mode)));
          assertEq(await errorText(page), '', `${mode}: no error`);
          assertEq(await page.evaluate(() => window.saematchApp.model.F), [64, 64, 64], `${mode}: three layers of 64 features`);
          const gets = server.log.slice(before).filter((e) => e.path.endsWith('params.npz'));
          assertEq(gets.map((e) => e.path.split('/').slice(-2, -1)[0]), ['layer_00', 'layer_01', 'layer_02'], `${mode}: one request per file`);
          assert(gets.every((e) => e.mode === mode && e.range === 'bytes=0-0'), `${mode}: that request was the first Range probe`);
        }
      },
    },
    {
      name: 'net fault, URL layers: over-limit, endless, dropped and hanging servers give one clear message each',
      context: { serviceWorkers: 'block' },
      async fn({ page }) {
        await openDemo(page);
        const npzSize = (await import('node:fs')).statSync(path.join(FX, 'd16/layer_00/params.npz')).size;
        const NO_RANGE = 'allowed when a server ignores HTTP Range requests \\(it then sends whole files\\)';
        const cases = [
          ['ignore-range', { fullReadMaxBytes: 1000 }, new RegExp(`^layer 0, params\\.npz: the server announces ${npzSize} bytes, more than the 1000 ${NO_RANGE}; refused without reading it$`)],
          ['endless', { fullReadMaxBytes: 4 * MiB }, new RegExp(`^layer 0, params\\.npz: the server sent more than the ${4 * MiB} bytes ${NO_RANGE}; refused after ${4 * MiB + 1} bytes$`)],
          ['honest', { fullReadMaxBytes: 1000 }, /^layer 0, params\.npz: the file asks to read \d+ bytes at once, more than the 1000 allowed$/],
          ['wrong206', {}, new RegExp(`^layer 0, params\\.npz: asked the server for bytes (\\d+)-(\\d+), it sent 0-\\d+ of ${npzSize}$`)],
          ['drop', {}, new RegExp(`^layer 0, params\\.npz: the connection dropped after \\d+ bytes of ${npzSize}$`)],
          ['hang', {}, /^layer 0, params\.npz: the server sent no answer for 1\.5 s \(stalled\)$/],
        ];
        for (const [mode, net, expect] of cases) {
          await page.evaluate((n) => { window.SAEMATCH_NET = { stallMs: 1500, retries: 3, retryBaseMs: 100, ...n }; }, net);
          const before = server.log.length;
          const urls = mode === 'honest' ? npzUrls('x').map((u) => u.replace('fault/x@params.npz/', '')) : npzUrls(mode);
          await staysResponsive(page, () => loadUrls(page, urls));
          const err = await errorText(page);
          assert(expect.test(err), `${mode}: error "${err}" should match ${expect}`);
          const sent = server.log.slice(before).reduce((a, e) => a + e.sent, 0);
          assert(sent <= 4 * MiB + READ_AHEAD, `${mode}: the server could send only ${sent} bytes`);
          assertEq(await page.evaluate(() => window.saematchApp.model.F.length), 8, `${mode}: the demo is still loaded`);
        }
        await previousStillWorks(page);
      },
    },
    {
      name: 'net fault, one shard of a layer drops: its siblings in flight are aborted, not left downloading',
      context: { serviceWorkers: 'block' },
      async fn({ page }) {
        await openDemo(page);
        await page.evaluate(() => { window.SAEMATCH_NET = { stallMs: 600000 }; });  // only an abort can end a hang
        const before = server.log.length;
        await loadPack(page, 'fault/hang@layer01.0.bin/fault/hang@layer01.1.bin/fault/drop@layer01.2.bin/fx/multishard/manifest.json');
        const err = await errorText(page);
        assert(/^layer 1, layer01\.2\.bin: the connection dropped after \d+ bytes of 10485$/.test(err), `error names the dropped shard: ${err}`);
        const hung = () => server.log.slice(before).filter((e) => e.mode === 'hang');
        for (let i = 0; i < 30 && !(hung().length === 2 && hung().every((e) => e.closed)); i++) await page.waitForTimeout(100);
        assertEq(hung().map((e) => [e.path.split('/').pop(), e.closed]), [['layer01.0.bin', true], ['layer01.1.bin', true]], 'the two hanging sibling shards were aborted');
        await previousStillWorks(page);
      },
    },
    {
      name: 'net abort: an aborted pack download and an aborted URL layer close their connections',
      context: { serviceWorkers: 'block' },
      async fn({ page }) {
        await openDemo(page);
        const closedAfterAbort = async (run) => {
          const before = server.log.length;
          const msg = await run();
          assertEq(msg, 'cancelled', 'the aborted load rejects with "cancelled"');
          const hung = () => server.log.slice(before).filter((e) => e.mode === 'hang');
          for (let i = 0; i < 50 && !(hung().length && hung().every((e) => e.closed)); i++) await page.waitForTimeout(100);
          assert(hung().length >= 1 && hung().every((e) => e.closed), `the hanging request was closed by the abort: ${JSON.stringify(hung())}`);
        };
        // Page: PackLoader with a signal (stall timeout far away, so only the abort can end it).
        await closedAfterAbort(() => page.evaluate(async (url) => {
          window.SAEMATCH_NET = { stallMs: 600000 };
          const { loadManifest, PackLoader } = await import('./app/pack-loader.js');
          const ac = new AbortController();
          const pack = await loadManifest(url);
          const loader = new PackLoader(pack, { signal: ac.signal });
          setTimeout(() => ac.abort(), 500);
          try { await loader.loadLayer(pack.manifest.layers[3], () => {}); return 'not aborted'; } catch (e) { return e.message; }
        }, packUrl('hang')));
        // Worker: a URL layer, aborted through the engine client.
        await closedAfterAbort(() => page.evaluate(async (url) => {
          const ac = new AbortController();
          const call = window.saematchApp.engine.call('loadUrlLayer', [9, new URL(url, location.href).href, { layer: 'layer 9', net: { stallMs: 600000 } }], { signal: ac.signal });
          setTimeout(() => ac.abort(), 500);
          try { await call; return 'not aborted'; } catch (e) { return e.message; }
        }, npzUrls('hang')[0]));
        const still = await page.evaluate(() => window.saematchApp.engine.call('heapBytes'));
        assert(still > 0, 'the worker still answers after the abort');
      },
    },
    {
      name: 'net links: data: and other non-http(s) URLs get one clear message, no storage notice',
      context: { serviceWorkers: 'block' },
      async fn({ page }) {
        await openDemo(page);
        const cases = [
          ['data:application/json,{"format":"saematch-pack"}', 'pack: only http(s) or relative URLs can be loaded, not "data:"'],
          ['javascript:alert(1)', 'pack: only http(s) or relative URLs can be loaded, not "javascript:"'],
          ['http://[::1', 'pack manifest URL "http://[::1" is not a valid URL'],
        ];
        for (const [url, want] of cases) {
          await loadPack(page, url);
          assertEq(await errorText(page), want, `message for ${url}`);
        }
        await loadUrls(page, ['fx/d16/layer_00/params.npz', 'data:application/octet-stream;base64,UEsDBA==']);
        assertEq(await errorText(page), 'urls: only http(s) or relative URLs can be loaded, not "data:"', 'message for a data: SAE URL');
        const notices = await page.textContent('#notices');
        assert(!/storage refused|Failed to construct/i.test(notices), `no false notice: ${notices}`);
        assertEq(await page.locator('#notices .notice').count(), 0, 'no notice at all');
        await previousStillWorks(page);

        // The same as a shared link, opened in a fresh tab: the link's parse refuses the key with
        // one notice naming it, and the page opens the default pack instead of failing.
        await page.goto(`${server.url}#pack=${encodeURIComponent('data:application/json,{}')}`);
        await page.reload();
        assertEq(await waitReady(page), 'ready', 'a data: link opens the default pack');
        assertEq(await page.locator('#notices .notice').count(), 1, 'one notice for a data: link');
        assertEq(await page.textContent('#notices .notice span'), 'Link: pack: only http(s) or relative URLs can be loaded, not "data:"; ignored', 'the notice names the key');
        assert(!/storage refused|Failed to construct/i.test(await page.textContent('#notices')), 'no false notice for a data: link');
      },
    },
  ];
  return { tests, stop: server.stop };
};
