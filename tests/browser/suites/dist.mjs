// Static hosting: tools/make_dist.sh (what `./run.sh dist` runs) served by a host that sends no
// COOP/COEP headers (web/serve.mjs --no-isolation). The first visit is single-thread; the
// service worker then adds the headers, the page reloads itself once and runs threaded, with
// the same matching results. No second reload after that.
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT, assert, assertEq } from '../harness.mjs';
import { waitReady } from '../page-helpers.mjs';

function serveDist(root) {
  const child = spawn(process.execPath, [path.join(ROOT, 'web/serve.mjs'), '--port', '0', '--root', root, '--no-isolation'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(String(d));
      if (m) resolve({ url: `http://127.0.0.1:${m[1]}/`, stop: () => child.kill() });
    });
    child.on('exit', (code) => reject(new Error(`dist server exited (${code})`)));
  });
}

export default async () => {
  const dir = path.join(ROOT, 'test-results/dist');
  execFileSync('bash', [path.join(ROOT, 'tools/make_dist.sh'), path.join(ROOT, 'public'), dir], { stdio: 'ignore' });
  const host = await serveDist(dir);
  const totals = (page) => page.evaluate(() => window.saematchApp.model.pairs.map((p) => p.total.toFixed(3)));

  const tests = [{
    name: 'dist: static host without headers → single-thread first, service worker isolates after one reload → threaded, same totals',
    async fn({ page, browser }) {
      // Every document load records whether it was cross-origin isolated.
      await page.addInitScript(() => {
        const v = JSON.parse(sessionStorage.getItem('test-visits') || '[]');
        v.push(self.crossOriginIsolated);
        sessionStorage.setItem('test-visits', JSON.stringify(v));
      });
      await page.goto(host.url);
      await page.waitForFunction(() => JSON.parse(sessionStorage.getItem('test-visits') || '[]').length === 2, null, { timeout: 90000 });
      await page.waitForLoadState('domcontentloaded');
      assertEq(await waitReady(page), 'ready', 'status after the automatic reload');
      assertEq(await page.evaluate(() => JSON.parse(sessionStorage.getItem('test-visits'))), [false, true], 'first visit not isolated, reloaded once, then isolated');
      assertEq(await page.getAttribute('#engine-flavour', 'data-flavour'), 'mt', 'threaded engine after the reload');
      const coep = await page.evaluate(() => navigator.serviceWorker.controller && new URL(navigator.serviceWorker.controller.scriptURL).search);
      assertEq(coep, '?coep=credentialless', 'Chromium gets COEP credentialless');
      const mt = await totals(page);

      await page.reload();
      assertEq(await waitReady(page), 'ready', 'a later visit');
      assertEq(await page.evaluate(() => JSON.parse(sessionStorage.getItem('test-visits'))), [false, true, true], 'no further reloads');

      // Without a service worker (blocked) the same dist page stays single-thread.
      const plain = await browser.newContext({ serviceWorkers: 'block' });
      const st = await plain.newPage();
      await st.goto(host.url);
      assertEq(await waitReady(st), 'ready', 'single-thread page');
      assertEq(await st.getAttribute('#engine-flavour', 'data-flavour'), 'st', 'single-thread engine without the worker');
      assertEq(await totals(st), mt, 'threaded and single-thread totals agree');
      await plain.close();
    },
  }, {
    name: 'dist: the normal build (headers from the server) registers the worker without isolation tricks',
    async fn({ page }) {
      // public/ (not dist) on the same header-less host: the page must not reload itself.
      await page.addInitScript(() => { window.__loads = (window.__loads || 0) + 1; });
      const plain = await serveDist(path.join(ROOT, 'public'));
      try {
        await page.goto(plain.url);
        assertEq(await waitReady(page), 'ready', 'status');
        await page.evaluate(() => navigator.serviceWorker.ready);
        await page.waitForTimeout(1000);
        assertEq(await page.evaluate(() => [crossOriginIsolated, window.__loads]), [false, 1], 'not isolated, no reload');
        assertEq(await page.evaluate(() => new URL(navigator.serviceWorker.controller ? navigator.serviceWorker.controller.scriptURL : location.origin + '/sw.js').search), '', 'plain sw.js');
      } finally { plain.stop(); }
    },
  }];
  return { tests, stop: host.stop };
};
