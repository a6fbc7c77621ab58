// The gap budget in the app (issue 12 item 2): "Optimum: exact / within 0.1% / within 0.01%
// (proven)". On a near-tie pack (tools/make_neartie_fixture.py: 32-member families, partner
// cosine ~0.41, F=2560 so the sparse path runs) the budget really stops early: the app's totals
// equal `saematch chain --int8 --gap --screen` (the coarse screen the app uses in Chromium) on
// the same layers, lie within the budget of the exact totals, and every place that shows certification says "within … (proven; bound …)".
// "Continue to the exact optimum" then gives the CLI's exact totals with the selection and
// zoom kept. The setting is typed URL state (round trip, bad values with the key's message),
// marks a shown result stale when changed, and every export carries it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, OUT, assert, assertEq, startServer } from '../harness.mjs';
import { waitReady, errorText, noticeTexts, grab, parseCsv } from '../page-helpers.mjs';

const CLI = path.join(ROOT, 'build/saematch');
const DIR = path.join(ROOT, 'test-results/gap-fixtures');
const F = 2560, D = 64, GAP = 1e-3;
const STALE = 'Settings changed — match again: the graph, chain and exports still show the result of the previous settings.';

function makeFixtures() {
  fs.rmSync(DIR, { recursive: true, force: true });
  fs.mkdirSync(DIR, { recursive: true });
  const nt = path.join(DIR, 'neartie');
  execFileSync('/usr/bin/python3', [path.join(ROOT, 'tools/make_neartie_fixture.py'), nt, String(F), String(D), '3']);
  const layers = [0, 1, 2].map((l) => `${nt}/layer_0${l}/params.npz`);
  execFileSync(CLI, ['pack', ...layers, '--out', `${nt}/pack`, '--title', 'near-tie families'], { stdio: 'ignore' });
  // The pack stores int8 rows; `--int8` makes the CLI match exactly those integers, like the app.
  const chain = (extra, name) => {
    execFileSync(CLI, ['chain', ...layers, '--int8', ...extra, '--out', `${DIR}/${name}.json`], { stdio: 'ignore' });
    return JSON.parse(fs.readFileSync(`${DIR}/${name}.json`, 'utf8')).pairs;
  };
  // --screen: the coarse screen the app uses in Chromium (relaxed SIMD), so that where the budget
  // stops, on which of the many within-budget answers, is the same natively.
  return { exact: chain([], 'exact'), budget: chain(['--gap', String(GAP), '--screen'], 'gap') };
}

const pairsOf = (page) => page.evaluate(() => window.saematchApp.model.pairs.map((p) => ({
  total: p.total, certified: p.certified, gap_bound: p.gap_bound, gap_budget: p.gap_budget, method: p.method,
})));
const caption = (page) => page.textContent('#histogram .caption');
const near = (a, b) => Math.abs(a - b) <= 1e-6 * Math.abs(b);

export default ({ iso }) => {
  let fx = null, server = null;
  const prepare = async () => {
    if (!fx) fx = makeFixtures();
    if (!server) server = await startServer({ isolation: true, mounts: [['/gp', DIR]] });
    return `${server.url}#pack=gp%2Fneartie%2Fpack%2Fmanifest.json`;
  };
  const tests = [
    {
      name: 'gap budget: near-tie pack within 0.1% (proven, bound shown) equals the CLI --gap; exports carry it; Continue gives the exact optimum',
      async fn({ page }) {
        const base = await prepare();
        // The CLI first: the budget must change something on this instance, or the test proves nothing.
        for (let l = 0; l < 2; l++) {
          const b = fx.budget[l], e = fx.exact[l];
          assert(!b.certified_optimal && b.gap_budget === GAP && b.gap_bound > 0 && b.gap_bound <= GAP * b.total_cost, `CLI pair ${l} stops on the budget: ${JSON.stringify({ ...b, a_to_b: 0, cost: 0, score: 0, unmatched_b: 0 })}`);
          assert(e.certified_optimal && b.total_cost !== e.total_cost, `CLI pair ${l}: the exact total ${e.total_cost} differs from the budgeted ${b.total_cost}`);
        }

        await page.goto(`${base}&gap=${GAP}`);
        assertEq(await waitReady(page, 300000), 'ready', 'near-tie pack matched with the budget');
        assertEq(await errorText(page), '', 'no error');
        assertEq(await page.inputValue('#gap'), '0.001', 'the control shows the linked budget');
        assertEq(await page.$eval('#gap', (s) => s.selectedOptions[0].textContent), 'Within 0.1% (proven)', 'named as offered');
        const budget = await pairsOf(page);
        budget.forEach((p, l) => {
          const e = fx.exact[l].total_cost;
          console.log(`  near-tie pair ${l}: app ${p.total} (bound ${p.gap_bound.toPrecision(3)}), CLI --gap ${fx.budget[l].total_cost}, exact ${e}`);
          assert(!p.certified && p.gap_budget === GAP && p.gap_bound > 0 && p.gap_bound <= GAP * Math.abs(p.total), `pair ${l}: stopped on the budget with a proven bound: ${JSON.stringify(p)}`);
          assert(near(p.total, fx.budget[l].total_cost), `pair ${l}: app total ${p.total} = CLI --gap ${fx.budget[l].total_cost}`);
          assert(p.total >= e * (1 - 1e-9) && p.total <= (1 + GAP) * e, `pair ${l}: exact ${e} ≤ budgeted ${p.total} ≤ (1+${GAP})·exact`);
          assert(p.total - e <= p.gap_bound * (1 + 1e-6), `pair ${l}: the real distance ${p.total - e} is within the proven bound ${p.gap_bound}`);
        });
        const cap = await caption(page);
        assert(cap.includes(`within 0.1% of optimal (proven; bound ${budget[0].gap_bound.toPrecision(3)})`), `histogram caption: ${cap}`);
        assert(await page.isVisible('#gap-result'), 'the budget box is shown');
        const box = await page.textContent('#gap-result');
        assert(box.startsWith('Matched with a 0.1% gap budget: L0') && budget.every((p) => box.includes(` within 0.1% of optimal (proven; bound ${p.gap_bound.toPrecision(3)})`)), `box names each pair and its bound: ${box}`);
        assert(await page.isVisible('#gap-continue'), 'continue button shown');
        await page.screenshot({ path: path.join(OUT, 'gap-budget-within.png') });

        // Exports: provenance of every file says how the optimum was reached.
        const all = parseCsv((await grab(page, '#export-all')).text);
        assert(all.comments.includes(`optimum: gap budget ${GAP} (stopped once each pair's total was proven within 0.1% of its optimum by the duals (bound per pair))`), `CSV optimum line: ${all.comments.find((c) => c.startsWith('optimum'))}`);
        const pairLines = all.comments.filter((c) => c.startsWith('pair '));
        assertEq(pairLines.length, 2, 'one line per pair');
        pairLines.forEach((c, l) => assert(c.includes(`; within 0.1% of optimal (proven; bound ${budget[l].gap_bound.toPrecision(3)}); method sparse+certify int8 (coarse screen);`), `CSV pair line ${l}: ${c}`));
        await page.fill('#search', '0:7');
        await page.press('#search', 'Enter');
        await page.waitForSelector('#chain-table tr.current[data-feature="7"]');
        const json = JSON.parse((await grab(page, '#export-json')).text).provenance;
        assertEq(json.optimum.gap_budget, GAP, 'JSON optimum');
        assertEq(json.pairs.map((p) => [p.certified, p.gap_budget, p.optimality]), budget.map((p) => [false, GAP, `within 0.1% of optimal (proven; bound ${p.gap_bound.toPrecision(3)})`]), 'JSON per pair');
        json.pairs.forEach((p, l) => assert(Math.abs(p.gap_bound - budget[l].gap_bound) <= 1e-5 * budget[l].gap_bound, `JSON bound ${p.gap_bound}`));
        assert(json.link.includes(`gap=${GAP}`), `JSON link keeps the budget: ${json.link}`);
        const chainCsv = parseCsv((await grab(page, '#export-csv')).text);
        assert(chainCsv.comments.some((c) => c.startsWith(`optimum: gap budget ${GAP} `)), 'chain CSV carries the budget');
        const svg = (await grab(page, '#export-svg')).text;
        assert(svg.includes('within 0.1% of optimal (proven)'), 'the figure says the budget');

        // Continue: exact totals, the budget wording gone, selection and zoom kept.
        const g = await page.$eval('#graph svg', (e) => e.getBoundingClientRect().toJSON());
        await page.mouse.move(g.x + g.width / 2, g.y + g.height / 2);
        await page.mouse.wheel(0, -600);
        await page.waitForFunction(() => window.saematchApp.state.zoom && window.saematchApp.state.zoom[0] > 1, null, { timeout: 10000 });
        const before = await page.evaluate(() => ({ sel: window.saematchApp.state.sel, zoom: window.saematchApp.state.zoom }));
        await page.fill('#w-enc', '1');  // an edit pending in the form: Continue refines the shown result, not this
        assertEq(await page.textContent('#stale'), STALE, 'stale after editing a weight');
        await page.click('#gap-continue');
        await page.waitForFunction(() => window.saematchApp.model.settings.gap === 0 && document.body.dataset.status === 'ready', null, { timeout: 300000 });
        assertEq(await errorText(page), '', 'no error after continuing');
        const exact = await pairsOf(page);
        exact.forEach((p, l) => {
          assert(p.certified && p.gap_budget === 0, `pair ${l} certified exact: ${JSON.stringify(p)}`);
          assert(near(p.total, fx.exact[l].total_cost), `pair ${l}: exact total ${p.total} = CLI ${fx.exact[l].total_cost}`);
          assert(p.total <= budget[l].total, `pair ${l}: exact ${p.total} ≤ budgeted ${budget[l].total}`);
        });
        const cap2 = await caption(page);
        assert(/certified optimal/.test(cap2) && !/within/.test(cap2), `caption says certified only: ${cap2}`);
        assert(!(await page.isVisible('#gap-result')), 'the budget box is gone');
        assertEq(await page.inputValue('#gap'), '0', 'the control says exact');
        assertEq([await page.inputValue('#w-enc'), await page.evaluate(() => window.saematchApp.model.settings.w_enc)], ['0', 0], 'the result\'s own weights, not the pending edit');
        assert(!page.url().includes('gap='), `the link is exact again: ${page.url()}`);
        assert(!(await page.isVisible('#stale')), 'not stale');
        const after = await page.evaluate(() => ({ sel: window.saematchApp.state.sel, zoom: window.saematchApp.state.zoom }));
        assertEq(after, before, 'selection and zoom kept');
        await page.waitForSelector('#chain-table tr.current[data-feature="7"]');
        const json2 = JSON.parse((await grab(page, '#export-json')).text).provenance;
        assertEq([json2.optimum.gap_budget, json2.pairs.map((p) => p.optimality)], [0, ['certified optimal', 'certified optimal']], 'exact export');
      },
    },
    {
      name: 'gap budget: URL state round trip, bad values named, changing it marks the result stale',
      async fn({ page, context }) {
        const np = `${iso.url}#pack=fx%2Fnp%2Fmanifest.json`;
        await page.goto(`${np}&gap=0.0001`);
        assertEq(await waitReady(page), 'ready', 'small pack with the 0.01% budget');
        assertEq(await page.inputValue('#gap'), '0.0001', 'linked budget shown');
        assertEq(await page.evaluate(() => window.saematchApp.model.settings.gap), 1e-4, 'matched with the budget');
        const link = page.url();
        assert(/[#&]gap=0\.0001(&|$)/.test(link), `link holds gap: ${link}`);
        const again = await context.newPage();
        await again.goto(link);
        assertEq(await waitReady(again), 'ready', 'shared link loads');
        assertEq([await again.inputValue('#gap'), await again.evaluate(() => window.saematchApp.model.settings.gap)], ['0.0001', 1e-4], 'the shared link reproduces the budget');
        // Small layers are solved densely, exact under any budget: the box says so and offers nothing.
        assertEq(await again.evaluate(() => window.saematchApp.model.pairs.map((p) => p.certified)), [true, true], 'small pairs certified');
        assertEq(await again.textContent('#gap-result span'), 'Matched with a 0.01% gap budget: every pair still came out certified optimal.', 'box wording');
        assert(!(await again.isVisible('#gap-continue')), 'nothing to continue');
        await again.close();

        // Stale: changing the budget marks the shown result, changing it back clears it.
        await page.selectOption('#gap', '0');
        assertEq(await page.textContent('#stale'), STALE, 'stale after changing the budget');
        await page.click('#export-all');
        assert((await noticeTexts(page)).some((t) => t.startsWith('Not exported: the matching settings were changed')), 'no export of the old result');
        await page.selectOption('#gap', '0.0001');
        assert(!(await page.isVisible('#stale')), 'not stale once changed back');
        await page.selectOption('#gap', '0.001');
        await page.click('#match-btn');
        await page.waitForFunction(() => window.saematchApp.model.settings.gap === 0.001 && document.body.dataset.status === 'ready');
        assert(/[#&]gap=0\.001(&|$)/.test(page.url()) && !(await page.isVisible('#stale')), `matched again: link ${page.url()}`);

        // Bad values: one message naming the key; the default or a clamped value is used.
        for (const [raw, message, value] of [
          ['abc', 'Link: gap=abc is not a gap budget (0 = exact optimum, 0.001 = within 0.1%, 0.0001 = within 0.01%); ignored', '0'],
          ['-1', 'Link: gap=-1 is not a gap budget (0 = exact optimum, 0.001 = within 0.1%, 0.0001 = within 0.01%); ignored', '0'],
          ['', 'Link: gap= is not a gap budget (0 = exact optimum, 0.001 = within 0.1%, 0.0001 = within 0.01%); ignored', '0'],
          ['0.5', 'Link: gap=0.5 is above the largest gap budget 0.01 (1%): using 0.01', '0.01'],
        ]) {
          const p = await context.newPage();
          await p.goto(`${np}&gap=${raw}`);
          assertEq(await waitReady(p), 'ready', `gap=${raw}: the pack still loads`);
          assertEq(await noticeTexts(p), [message], `gap=${raw}: message`);
          assertEq([await p.inputValue('#gap'), String(await p.evaluate(() => window.saematchApp.model.settings.gap))], [value, value], `gap=${raw}: value in use`);
          if (value === '0.01') assertEq(await p.$eval('#gap', (s) => s.selectedOptions[0].textContent), 'Within 1% (proven, from the link)', 'a linked budget gets its own entry');
          await p.close();
        }
      },
    },
  ];
  return { tests, stop: async () => { if (server) await server.stop(); } };
};
