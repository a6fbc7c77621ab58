// The chain explorer (issue 10): depth overview, chain view with alternatives (and a planted
// split flagged), method comparison and layer skip equal to the CLI's numbers, the guided tour
// by link, and axe-core on the main states. Fixtures are built here with the CLI and
// tools/make_split_fixture.py and served by a server of this suite's own.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, OUT, assert, assertEq, startServer } from '../harness.mjs';
import { waitReady, errorText, selection } from '../page-helpers.mjs';

const CLI = path.join(ROOT, 'build/saematch');
const DIR = path.join(ROOT, 'test-results/explorer-fixtures');
const shot = (page, name) => page.screenshot({ path: path.join(OUT, `explorer-${name}.png`) });
const cli = (...args) => execFileSync(CLI, args, { encoding: 'utf8' });

function makeFixtures() {
  fs.rmSync(DIR, { recursive: true, force: true });
  fs.mkdirSync(DIR, { recursive: true });
  const split = path.join(DIR, 'split');
  execFileSync('/usr/bin/python3', [path.join(ROOT, 'tools/make_split_fixture.py'), split]);
  cli('pack', ...[0, 1, 2].map((l) => `${split}/layer_0${l}/params.npz`), '--out', `${split}/pack`, '--title', 'planted split');
  const acts = path.join(DIR, 'acts');
  cli('synth', '--out', acts, '--layers', '3', '--F', '256', '--d', '64', '--acts', '3000', '--seed', '11');
  cli('pack', ...[0, 1, 2].map((l) => `${acts}/layer_0${l}/params.npz`), '--quant', 'f32', '--out', `${acts}/pack`);
  // Activations with the wrong width, for the one-sentence error.
  execFileSync('/usr/bin/python3', ['-c', `import numpy as np; np.save("${acts}/bad_width.npy", np.ones((10, 7), np.float32))`]);
  cli('compare', '--pack', path.join(ROOT, 'public/demo/manifest.json'), '2', '3', '--int8', '--out', `${DIR}/cmp-demo.json`);
  cli('compare', '--pack', `${acts}/pack/manifest.json`, '0', '1', '--out', `${DIR}/cmp-acts.json`);
  const ev = cli('eval', '--sae-t', `${acts}/layer_00/params.npz`, '--sae-t1', `${acts}/layer_01/params.npz`,
    '--acts-t', `${acts}/layer_00/acts_in.npy`, '--acts-t1', `${acts}/layer_00/acts_next.npy`);
  const num = (re) => Number(re.exec(ev)[1]);
  return {
    splitTruth: JSON.parse(fs.readFileSync(`${split}/truth.json`, 'utf8')),
    cmpDemo: JSON.parse(fs.readFileSync(`${DIR}/cmp-demo.json`, 'utf8')),
    cmpActs: JSON.parse(fs.readFileSync(`${DIR}/cmp-acts.json`, 'utf8')),
    evalCli: {
      skip: num(/layer skip[^:]*:\s*(-?[\d.]+)/), identity: num(/identity x_t:\s*(-?[\d.]+)/),
      next: num(/SAE t\+1 on x_t:\s*(-?[\d.]+)/), reconstruct: num(/reconstruction\):\s*(-?[\d.]+)/),
    },
  };
}

async function search(page, text) {
  await page.fill('#search', text);
  await page.press('#search', 'Enter');
}

// The chain view's hop rows once the chain through `sel` is shown.
async function waitChainView(page, [l, f]) {
  await page.waitForFunction(([l, f]) => {
    const t = document.querySelector('#cv-table');
    const cap = document.querySelector('#cv-panel .cv-title');
    return t && cap && cap.textContent.endsWith(`#${f}`) && window.saematchApp.state.sel && window.saematchApp.state.sel[0] === l;
  }, [l, f], { timeout: 20000 });
}

async function axeViolations(page) {
  await page.addScriptTag({ path: path.join(ROOT, 'node_modules/axe-core/axe.min.js') });
  const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

export default () => {
  // Fixtures and the server are made when the first of these tests runs (not for other filters).
  let fx = null, server = null, url = null, setup = null;
  const prepare = () => (setup ??= (async () => {
    fx = makeFixtures();
    server = await startServer({ isolation: true, mounts: [['/ex', DIR]] });
    url = server.url;
  })());
  const tests = [
    {
      name: 'explorer: depth overview is the default picture; counts agree with the matches; a pair opens its histogram and hops',
      async fn({ page }) {
        await page.goto(url);
        assertEq(await waitReady(page), 'ready', 'demo ready');
        assertEq(await page.getAttribute('#explorer', 'data-view'), 'overview', 'overview is the default view');
        await page.waitForSelector('#ov-table tbody tr');
        const rows = await page.$$eval('#ov-table tbody tr', (trs) => trs.map((tr) => ({
          persisting: Number(tr.querySelector('.persisting').textContent.split('/')[0]),
          dying: Number(tr.querySelector('.dying').textContent), newborn: Number(tr.querySelector('.newborn').textContent),
        })));
        // Counted by the page's persistence criterion (chance level by default), hop by hop.
        const counts = () => page.evaluate(() => {
          const app = window.saematchApp, t = app.persistsTest();
          return app.model.pairs.map((p, l) => {
            let n = 0;
            p.a_to_b.forEach((b, i) => { if (b >= 0 && t(l, p.cost[i], p.score[i]) === true) n++; });
            return { persisting: n, dying: p.a_to_b.length - n, newborn: p.FB - n };
          });
        });
        const expect = await counts();
        assertEq(rows, expect, 'persisting / dying / newborn per pair equal the counts of persisting hops under the chosen criterion');
        assert(expect.some((e) => e.persisting !== Math.round(0.9 * 2048)), 'chance level is not the q rank (the counts differ from q·F somewhere)');
        assertEq(await page.locator('.ov-pairblock').count(), 7, 'one flow block per pair');
        await shot(page, 'overview');
        await page.click('#ov-table tbody tr[data-pair="3"] button');
        assertEq(await page.evaluate(() => window.saematchApp.state.pair), 3, 'pair 3 chosen');
        assertEq(await page.$eval('#histogram select', (s) => s.value), '3', 'its histogram is shown');
        assertEq(await page.locator('#ov-pair .ov-hops.worst button').count(), 5, 'five worst hops listed');
        const worst = await page.$$eval('#ov-pair .ov-hops.worst button', (bs) => bs.map((b) => Number(b.dataset.feature)));
        const maxCost = await page.evaluate(() => { const p = window.saematchApp.model.pairs[3]; let best = 0; p.cost.forEach((c, i) => { if (c > p.cost[best]) best = i; }); return best; });
        assertEq(worst[0], maxCost, 'the first worst hop is the most expensive one');
        await page.click(`#ov-pair .ov-hops.worst button[data-feature="${worst[0]}"]`);
        await waitChainView(page, [3, worst[0]]);
        assertEq(await selection(page), [3, worst[0]], 'clicking a hop selects it');
        // The q rule: the overview follows the criterion, then a lower q makes fewer features persist.
        await page.selectOption('#criterion', 'q');
        await page.click('#tab-overview');
        const atQ = (n) => page.waitForFunction((k) => Number(document.querySelector('#ov-table tbody tr .persisting').textContent.split('/')[0]) === k, n);
        await atQ((await counts())[0].persisting);
        const q90 = (await counts())[0].persisting;
        await page.evaluate(() => { const q = document.getElementById('q'); q.value = '0.6'; q.dispatchEvent(new Event('change')); });
        await page.waitForFunction(() => window.saematchApp.state.q === 0.6);
        await page.waitForFunction((n) => Number(document.querySelector('#ov-table tbody tr .persisting').textContent.split('/')[0]) < n, q90);
        await atQ((await counts())[0].persisting);
      },
    },
    {
      name: 'explorer: chain view alternatives equal the engine costs; clicking or Enter re-centres; view in the link',
      async fn({ page }) {
        await page.goto(url);
        await waitReady(page);
        await search(page, '2:100');
        await waitChainView(page, [2, 100]);
        assertEq(await page.getAttribute('#explorer', 'data-view'), 'chain', 'selecting switches the overview to the chain view');
        const hops = await page.$$eval('#cv-table tbody tr', (trs) => trs.map((tr) => ({
          l: Number(tr.dataset.hop), from: Number(tr.dataset.from), to: Number(tr.dataset.to), cost: Number(tr.querySelector('.cost').textContent),
          fwd: [...tr.querySelectorAll('.alts.forward button')].map((b) => ({ f: Number(b.dataset.feature), cost: Number(b.dataset.cost) })),
          back: [...tr.querySelectorAll('.alts.backward button')].map((b) => ({ f: Number(b.dataset.feature), cost: Number(b.dataset.cost) })),
        })));
        assertEq(hops.length, 7, 'a demo chain through all layers has 7 hops');
        for (const h of hops) {
          assertEq(h.fwd.length, 3, `3 alternatives forward at hop ${h.l}`);
          assertEq(h.back.length, 3, `3 alternatives backward at hop ${h.l}`);
          const check = await page.evaluate(async ({ h }) => {
            const app = window.saematchApp;
            const { matchOptions } = await import('./app/explorer.js');
            const o = matchOptions(app);
            const F = app.model.F[h.l + 1];
            const sample = Array.from({ length: 60 }, (_, i) => (i * 37 + 11) % F);
            const fwd = await app.explorer.call('costExcerpt', [h.l, h.l + 1, [h.from], h.fwd.map((a) => a.f), o]);
            const rowSample = await app.explorer.call('costExcerpt', [h.l, h.l + 1, [h.from], sample, o]);
            const back = [];
            for (const a of h.back) back.push((await app.explorer.call('costExcerpt', [h.l, h.l + 1, [a.f], [h.to], o]))[0]);
            return { fwd, back, rowSample, matched: app.model.pairs[h.l].cost[h.from], chosen: (await app.explorer.call('costExcerpt', [h.l, h.l + 1, [h.from], [h.to], o]))[0] };
          }, { h });
          h.fwd.forEach((a, i) => assert(Math.abs(a.cost - check.fwd[i]) <= 1e-6 * Math.max(1, a.cost), `hop ${h.l} forward #${a.f}: shown ${a.cost}, engine ${check.fwd[i]}`));
          h.back.forEach((a, i) => assert(Math.abs(a.cost - check.back[i]) <= 1e-6 * Math.max(1, a.cost), `hop ${h.l} backward #${a.f}: shown ${a.cost}, engine ${check.back[i]}`));
          assert(Math.abs(check.chosen - check.matched) <= 1e-5 * Math.max(1, check.matched), `hop ${h.l}: chosen cost ${check.chosen} equals the matched cost ${check.matched}`);
          const worstShown = Math.max(...h.fwd.map((a) => a.cost));
          const shown = new Set([h.to, ...h.fwd.map((a) => a.f)]);
          check.rowSample.forEach((c, i) => {
            const j = (i * 37 + 11) % 2048;
            if (!shown.has(j)) assert(c >= worstShown - 1e-6, `hop ${h.l}: feature #${j} (cost ${c}) is cheaper than a listed alternative (${worstShown})`);
          });
        }
        await shot(page, 'chain-view');
        const alt = hops[2].fwd[0];
        await page.click(`#cv-table tr[data-hop="2"] .alts.forward button[data-feature="${alt.f}"]`);
        await waitChainView(page, [3, alt.f]);
        assertEq(await selection(page), [3, alt.f], 'clicking an alternative re-centres on it');
        const target = await page.$eval('#cv-panel svg g.cv-alt.backward', (g) => [Number(g.dataset.layer), Number(g.dataset.feature)]);
        await page.focus(`#cv-panel svg g.cv-alt[data-layer="${target[0]}"][data-feature="${target[1]}"]`);
        await page.keyboard.press('Enter');
        await page.waitForFunction((t) => JSON.stringify(window.saematchApp.state.sel) === JSON.stringify(t), target, { timeout: 20000 })
          .catch(async () => { throw new Error(`Enter did not select ${target}: selection ${JSON.stringify(await selection(page))}, focus on ${await page.evaluate(() => document.activeElement.outerHTML.slice(0, 120))}`); });
        await waitChainView(page, target);
        assertEq(await selection(page), target, 'Enter on a focused alternative re-centres too');
        await page.selectOption('#cv-k', '2');
        await page.waitForFunction(() => document.querySelectorAll('#cv-table tbody tr:first-child .alts.forward button').length === 2);
        const hash = await page.evaluate(() => location.hash);
        assert(hash.includes('view=chain') && hash.includes('alt=2'), `view and number of alternatives in the link: ${hash}`);
        const again = await page.context().newPage();
        await again.goto(`${url}${hash}`);
        await waitReady(again);
        await waitChainView(again, target);
        assertEq(await again.locator('#cv-table tbody tr:first-child .alts.forward button').count(), 2, 'the link restores 2 alternatives');
        await again.close();
      },
    },
    {
      name: 'explorer: a planted split is flagged, a clean hop is not',
      async fn({ page }) {
        const t = fx.splitTruth;
        await page.goto(`${url}#pack=ex%2Fsplit%2Fpack%2Fmanifest.json`);
        assertEq(await waitReady(page), 'ready', 'split fixture loaded');
        await search(page, `0:${t.feature}`);
        await waitChainView(page, [0, t.feature]);
        const row = page.locator('#cv-table tr[data-hop="0"]');
        const to = Number(await row.getAttribute('data-to'));
        assert(t.continuations.includes(to), `feature ${t.feature} is matched to one of its continuations ${t.continuations} (got ${to})`);
        const other = t.continuations.find((g) => g !== to);
        assert((await row.getAttribute('data-flags')).split(' ').includes('split'), 'the planted split is flagged');
        assert((await row.locator('.flags').textContent()).includes(`split? (#${other})`), `the flag names the other continuation #${other}`);
        await shot(page, 'split');
        await search(page, '0:10');
        await waitChainView(page, [0, 10]);
        assertEq(await page.getAttribute('#cv-table tr[data-hop="0"]', 'data-flags'), '', 'a clean planted hop carries no flag');
      },
    },
    {
      name: 'explorer: method comparison equals saematch compare (demo int8 pair and an f32 pack with thresholds)',
      async fn({ page }) {
        for (const [hash, pair, want] of [['', 2, fx.cmpDemo], ['#pack=ex%2Facts%2Fpack%2Fmanifest.json', 0, fx.cmpActs]]) {
          await page.goto('about:blank');  // a new hash alone would not reload the app
          await page.goto(`${url}${hash}`);
          assertEq(await waitReady(page), 'ready', `ready (${hash || 'demo'})`);
          await page.click('#tab-compare');
          await page.selectOption('#cmp-pair', String(pair));
          await page.click('#cmp-run');
          await page.waitForSelector('#cmp-table');
          for (const m of want.methods) {
            const cell = await page.textContent(`#cmp-table tr[data-key="${m.key}"] .agreement`);
            if (!m.available) { assert(cell.startsWith('unavailable'), `${m.key} unavailable in both`); continue; }
            assertEq(cell, `${(100 * m.agreement).toFixed(2)}%`, `${m.key} agreement equals the CLI's`);
            const total = Number(await page.textContent(`#cmp-table tr[data-key="${m.key}"] .total`));
            assert(Math.abs(total - m.configured_total) <= 1e-4 * Math.max(1, m.configured_total) + 1e-4, `${m.key} total ${total} vs CLI ${m.configured_total}`);
          }
          assert(want.methods.find((m) => m.key === 'nofold').available, 'thresholds travel in the pack, so "no folding" is available');
          const r = await page.evaluate(async (pair) => {
            const { matchOptions } = await import('./app/explorer.js');
            return window.saematchApp.explorer.call('compareMethods', [pair, pair + 1, matchOptions(window.saematchApp)]);
          }, pair);
          for (const m of want.methods) if (m.available) assertEq(r.methods.find((x) => x.key === m.key).a_to_b, m.a_to_b, `${m.key} partners equal the CLI's`);
          assertEq(r.disagree, want.disagree, 'disagreeing features equal the CLI\'s');
          await shot(page, `compare-${pair}`);
        }
        const f = fx.cmpActs.disagree[0];
        await page.click(`#cmp-disagree tr[data-feature="${f}"] button`);
        await page.waitForFunction((f) => JSON.stringify(window.saematchApp.state.sel) === JSON.stringify([0, f]), f);
        await page.click('#cmp-chain');
        await page.waitForSelector('#cmp-chain-table tbody tr');
        assertEq(await page.locator('#cmp-chain-table tbody tr').count(), 2, 'the chain compared at both of its hops');
      },
    },
    {
      name: 'explorer: layer skip with your activations equals saematch eval; a wrong width is one sentence',
      async fn({ page }) {
        await page.goto(`${url}#pack=ex%2Facts%2Fpack%2Fmanifest.json&view=skip`);
        assertEq(await waitReady(page), 'ready', 'ready');
        const acts = path.join(DIR, 'acts/layer_00');
        await page.setInputFiles('#skip-xt', `${acts}/acts_in.npy`);
        await page.setInputFiles('#skip-xt1', `${acts}/acts_next.npy`);
        await page.click('#skip-run');
        await page.waitForSelector('#skip-table');
        const got = Object.fromEntries(await page.$$eval('#skip-table tbody tr', (trs) => trs.map((tr) => [tr.dataset.key, Number(tr.querySelector('.ev').textContent)])));
        for (const k of ['skip', 'identity', 'next', 'reconstruct']) {
          assert(Math.abs(got[k] - fx.evalCli[k]) <= 1.5e-4, `${k}: app ${got[k]} vs saematch eval ${fx.evalCli[k]}`);
        }
        assert(got.skip > got.identity, 'the planted matching beats the identity baseline');
        await shot(page, 'layer-skip');
        await page.setInputFiles('#skip-xt', path.join(DIR, 'acts/bad_width.npy'));
        await page.click('#skip-run');
        await page.waitForFunction(() => /SAE expects/.test(document.getElementById('skip-status').textContent));
        assertEq(await page.textContent('#skip-status'), 'activations x_t have d=7, SAE expects 64', 'one clear sentence');
        assertEq(await page.locator('#skip-table').count(), 1, 'the previous result stays');
        assertEq(await errorText(page), '', 'no page-level error');
      },
    },
    {
      name: 'explorer: every tour step is reachable by link and highlights an existing element',
      async fn({ page }) {
        for (let n = 1; n <= 6; n++) {
          await page.goto('about:blank');
          await page.goto(`${url}#tour=${n}`);
          await waitReady(page);
          await page.waitForFunction((n) => document.querySelector('#tour-card') && document.querySelector('#tour-card').dataset.step === String(n), n, { timeout: 20000 });
          const lit = await page.$$eval('.tour-highlight', (els) => els.map((e) => ({ id: e.id, visible: e.getClientRects().length > 0 })));
          assertEq(lit.length, 1, `step ${n} highlights one element`);
          assert(lit[0].visible, `step ${n}: the highlighted element is visible`);
          assert((await page.textContent('#tour-title')).length > 5, `step ${n} has a title`);
          if (n === 3) {
            assertEq(await page.locator('#tour-matrix td.chosen').count(), 5, 'the cost excerpt marks the 5 chosen cells');
            const diag = await page.$$eval('#tour-matrix td.chosen', (tds) => tds.map((t) => Number(t.textContent)));
            const matched = await page.evaluate(() => { const p = window.saematchApp.model.pairs[0]; const out = []; for (let i = 0; out.length < 5; i++) if (p.a_to_b[i] >= 0) out.push(p.cost[i]); return out; });
            diag.forEach((c, i) => assert(Math.abs(c - matched[i]) < 1e-3, `chosen cell ${i} is the matched cost (${c} vs ${matched[i]})`));
          }
          await shot(page, `tour-${n}`);
        }
        await page.click('#tour-prev');
        await page.waitForFunction(() => document.querySelector('#tour-card').dataset.step === '5');
        assert((await page.evaluate(() => location.hash)).includes('tour=5'), 'Back updates the link');
        await page.click('#tour-close');
        assertEq(await page.isHidden('#tour-card'), true, 'tour closes');
      },
    },
    {
      name: 'explorer: axe-core finds no serious or critical violations in the main states (light and dark)',
      async fn({ page }) {
        const found = [];
        const check = async (state) => { for (const v of await axeViolations(page)) found.push(`${state}: ${v}`); };
        await page.goto(url);
        await waitReady(page);
        await page.waitForSelector('#ov-table tbody tr');
        await check('overview');
        await search(page, '2:100');
        await waitChainView(page, [2, 100]);
        await check('chain view');
        await page.click('#tab-compare');
        await page.click('#cmp-run');
        await page.waitForSelector('#cmp-table');
        await check('compare');
        await page.click('#tab-skip');
        await check('layer skip');
        await page.click('#tour-btn');
        await page.waitForFunction(() => document.querySelector('#tour-card').dataset.step === '1');
        await check('tour');
        await page.click('#tour-close');
        await page.click('#theme-toggle');
        await page.click('#tab-overview');
        await check('overview, dark');
        await page.click('#tab-chain');
        await check('chain view, dark');
        await shot(page, 'dark-chain');
        assertEq(found, [], 'axe-core serious/critical violations');
      },
    },
  ];
  for (const t of tests) { const fn = t.fn; t.fn = async (ctx) => { await prepare(); return fn(ctx); }; }
  return { tests, stop: () => server && server.stop() };
};
