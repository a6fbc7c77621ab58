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

// ---- helpers of the app-* suites ----
export const noticeTexts = (page) => page.$$eval('#notices .notice span', (s) => s.map((e) => e.textContent));

// Clicks an export button and returns { name, text, bytes } of the download.
export async function grab(page, selector) {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 15000 }), page.click(selector)]);
  const bytes = (await import('node:fs')).readFileSync(await dl.path());
  return { name: dl.suggestedFilename(), bytes, text: bytes.toString('utf8') };
}

// RFC 4180 CSV (quoted cells with "" escapes, CRLF or LF), lines starting with "# " skipped
// before the header: { comments, header, rows }.
export function parseCsv(text) {
  const comments = [];
  let i = 0;
  while (text.startsWith('# ', i)) { const e = text.indexOf('\n', i); comments.push(text.slice(i + 2, e).replace(/\r$/, '')); i = e + 1; }
  const records = [];
  let row = [], cell = '', quoted = false;
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      if (c === '\r') i++;
      row.push(cell); records.push(row); row = []; cell = '';
    } else cell += c;
  }
  if (cell || row.length) { row.push(cell); records.push(row); }
  return { comments, header: records[0], rows: records.slice(1) };
}

// Width and height from a PNG's IHDR chunk.
export function pngSize(buf) { return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) }; }

// Changes an input the way a user does (value, then input and change events).
export async function setInput(page, selector, value) {
  await page.evaluate(([sel, v]) => {
    const e = document.querySelector(sel);
    if (e.type === 'checkbox') e.checked = v; else e.value = v;
    e.dispatchEvent(new Event('input', { bubbles: true }));
    e.dispatchEvent(new Event('change', { bubbles: true }));
  }, [selector, value]);
}

// Servers of the app-* suites, shared by them (started once, stopped after the last one):
// the app with the demo copy whose labels are hostile strings (/hx), the Othello-GPT SAELens
// layers (/othello), the usual fixtures; and a server that accepts requests and never answers.
let shared = null, users = 0;
export async function appServers(env) {
  users++;
  if (!shared) {
    shared = (async () => {
      const fs = await import('node:fs');
      const path = await import('node:path');
      const http = await import('node:http');
      const { ROOT, startServer } = await import('./harness.mjs');
      const dir = path.join(ROOT, 'test-results/app-fixtures/hx');
      fs.rmSync(dir, { recursive: true, force: true });
      fs.cpSync(path.join(ROOT, 'public/demo'), dir, { recursive: true });
      const man = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
      const labelFile = path.join(dir, man.layers[0].labels);
      const labels = JSON.parse(fs.readFileSync(labelFile, 'utf8'));
      HOSTILE.forEach((t, i) => { labels[i] = t; });
      fs.writeFileSync(labelFile, JSON.stringify(labels));
      const app = await startServer({ isolation: true, mounts: [...env.mounts, ['/hx', dir], ['/othello', path.join(ROOT, 'data/othello-gpt')]] });
      const sockets = new Set();
      const hang = http.createServer(() => { /* never answers */ });
      hang.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
      await new Promise((r) => hang.listen(0, '127.0.0.1', r));
      const hangUrl = `http://127.0.0.1:${hang.address().port}/`;
      return { app, hangUrl, stop: async () => { app.stop(); for (const s of sockets) s.destroy(); hang.close(); } };
    })();
  }
  const s = await shared;
  return { ...s, stop: async () => { if (--users === 0) await s.stop(); } };
}
// Labels put on features 0…9 of layer 0 of the /hx pack.
export const HOSTILE = ['=HYPERLINK("http://evil.example","click")', '+1+2', '-3', '@SUM(A1)', '\tTAB', '\rCR only', 'a,b', 'say "hi"', 'two\nlines', 'python code #97'];
