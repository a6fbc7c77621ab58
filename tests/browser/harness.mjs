// Minimal browser-test harness: Debian's Chromium through playwright-core (never a downloaded
// browser), local static servers on 127.0.0.1, one fresh context per test, a screenshot per
// test in test-results/browser/, and a final "browser: N passed, M failed" line.
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const OUT = path.join(ROOT, 'test-results/browser');

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

// Starts web/serve.mjs on a free port; resolves to { url, requests, stop }.
export function startServer({ isolation = true, mounts = [] } = {}) {
  const args = [path.join(ROOT, 'web/serve.mjs'), '--port', '0', '--root', path.join(ROOT, 'public'), '--log-requests'];
  if (!isolation) args.push('--no-isolation');
  for (const [prefix, dir] of mounts) args.push('--mount', `${prefix}=${dir}`);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const requests = [];
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i); buf = buf.slice(i + 1);
        const req = /^request (\S+) (\S+) range=(.*)$/.exec(line);
        if (req) { requests.push({ method: req[1], path: req[2], range: req[3] === '-' ? null : req[3] }); continue; }
        const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(line);
        if (m) resolve({ url: `http://127.0.0.1:${m[1]}/`, requests, stop: () => child.kill() });
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code})`)));
  });
}

export async function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS });
}

export function assert(cond, msg) { if (!cond) throw new Error(`assertion failed: ${msg}`); }
export function assertEq(a, b, msg) {
  const sa = JSON.stringify(a), sb = JSON.stringify(b);
  if (sa !== sb) throw new Error(`assertion failed: ${msg}\n  got      ${sa}\n  expected ${sb}`);
}

// Runs tests in order; each gets a fresh browser context and page that collects page errors.
export async function run(tests, { only } = {}) {
  fs.mkdirSync(OUT, { recursive: true });
  const browser = await launch();
  let passed = 0, failed = 0;
  for (const t of tests) {
    if (only && !t.name.includes(only)) continue;
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true, ...(t.context || {}) });
    const page = await context.newPage();
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => { if (process.env.BROWSER_LOG) console.log(`  [console ${m.type()}] ${m.text()}`); });
    const t0 = Date.now();
    try {
      await t.fn({ page, context, browser });
      assert(pageErrors.length === 0, `uncaught page errors: ${pageErrors.join(' | ')}`);
      passed++;
      console.log(`ok   ${t.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${t.name}\n  ${String(e.stack || e).split('\n').slice(0, 6).join('\n  ')}`);
    }
    try { await page.screenshot({ path: path.join(OUT, `${t.name.replace(/[^a-z0-9]+/gi, '-')}.png`) }); } catch { /* page gone */ }
    await context.close();
  }
  await browser.close();
  console.log(`browser: ${passed} passed, ${failed} failed`);
  return failed === 0;
}
