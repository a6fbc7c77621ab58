// What the network suites measure besides messages: a page timer that must keep ticking (the
// tab stays responsive), the page's memory through the Chrome DevTools Protocol, and short
// network settings (timeouts, backoff) so failure cases finish in seconds.
export const NET_SETTINGS = { stallMs: 1500, retries: 3, retryBaseMs: 100 };

// Before the app starts: a 50 ms ticker and the short settings (read by net/fetch-policy.js).
export async function instrument(page, net = NET_SETTINGS) {
  await page.addInitScript((settings) => {
    window.SAEMATCH_NET = settings;
    window.__ticks = 0;
    setInterval(() => { window.__ticks++; }, 50);
  }, net);
}

// Runs fn and checks the page timer kept ticking meanwhile (a frozen tab gives ~0 ticks).
export async function staysResponsive(page, fn) {
  const t0 = Date.now();
  const before = await page.evaluate(() => window.__ticks);
  const out = await fn();
  const ms = Date.now() - t0;
  const ticks = (await page.evaluate(() => window.__ticks)) - before;
  if (ms > 1000 && ticks < (ms / 50) * 0.25) throw new Error(`assertion failed: the page timer ticked ${ticks} times in ${ms} ms (tab not responsive)`);
  return out;
}

// JS heap in use plus ArrayBuffer backing stores, in bytes (Runtime.getHeapUsage).
export async function pageMemory(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage').catch(() => {});
  const u = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return u.usedSize + (u.backingStorageSize || 0);
}
