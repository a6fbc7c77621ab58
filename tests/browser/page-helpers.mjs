// Page-level helpers for the browser tests: waiting for the app, reading the chain table,
// clicking a feature the way a user does (wheel-zoom until rows are tall enough, then click).
export async function waitReady(page, timeout = 120000) {
  await page.waitForFunction(() => ['ready', 'error', 'idle'].includes(document.body.dataset.status), null, { timeout });
  return page.evaluate(() => document.body.dataset.status);
}

export const status = (page) => page.textContent('#status');
export const errorText = (page) => page.evaluate(() => { const e = document.getElementById('error'); return e.hidden ? '' : e.textContent; });
export const tableFeatures = (page) => page.$$eval('#chain-table tbody tr', (rows) => rows.map((r) => Number(r.dataset.feature)));
export const selection = (page) => page.evaluate(() => window.saematchApp.state.sel);

export async function clickFeature(page, layer, feature) {
  const pos = () => page.evaluate(([l, f]) => window.saematchApp.graph.screenPosition(l, f), [layer, feature]);
  const rowPx = () => page.evaluate((l) => { const g = window.saematchApp.graph; return g.rowH(l) * g.transform.k; }, layer);
  for (let i = 0; i < 12 && (await rowPx()) < 5; i++) {
    const p = await pos();
    await page.mouse.move(p.x, p.y);
    await page.mouse.wheel(0, -500);
    await page.waitForTimeout(50);
  }
  const p = await pos();
  await page.mouse.click(p.x, p.y);
  await page.waitForFunction(([l, f]) => document.querySelector(`#chain-table tr.current[data-layer="${l}"][data-feature="${f}"]`),
    [layer, feature], { timeout: 10000 });
}

// The planted chain through (layer, feature), from truth[l][i] = continuation of i in layer l+1.
export function truthChain(truth, layer, feature) {
  const L = truth.length + 1;
  const out = new Array(L).fill(-1);
  out[layer] = feature;
  for (let l = layer; l + 1 < L && out[l] >= 0; l++) out[l + 1] = truth[l][out[l]];
  for (let l = layer - 1; l >= 0 && out[l + 1] >= 0; l--) out[l] = truth[l].indexOf(out[l + 1]);
  return out;
}

export function plantedFeatureWithFullChain(truth, layer, skip = 0) {
  const F = layer < truth.length ? truth[layer].length : truth[layer - 1].length;
  for (let f = 0, seen = 0; f < F; f++) {
    if (truthChain(truth, layer, f).every((g) => g >= 0) && seen++ >= skip) return f;
  }
  throw new Error(`no planted chain runs through every layer from layer ${layer}`);
}

export async function loadPack(page, url) {
  await page.fill('#pack-url', url);
  await page.click('#load-pack');
  return waitReady(page);
}

export async function loadUrls(page, urls) {
  if (!(await page.isVisible('#sae-urls'))) await page.click('text=Or SAE files by URL');
  await page.fill('#sae-urls', urls.join('\n'));
  await page.click('#load-urls');
  return waitReady(page);
}
