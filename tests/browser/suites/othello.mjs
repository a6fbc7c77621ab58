// The real-SAE demo: Othello-GPT's SAELens SAEs (data/othello-gpt, MIT) packed by the build
// into public/demo-othello. The page switches to it, matches it certified optimal, and its
// results are compared with the native CLI on the original float files:
//  - `saematch chain --int8` quantises the folded rows the way the pack stores them, so the
//    browser's int8 matching on the pack must give the same permutations and totals;
//  - `saematch chain` (float) differs slightly (int8 vs float costs): the agreement is
//    reported and must stay above floors measured on these files.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { ROOT, assert, assertEq } from '../harness.mjs';
import { waitReady, errorText } from '../page-helpers.mjs';

const FOLDERS = [1, 3, 5].map((l) => path.join(ROOT, `data/othello-gpt/blocks.${l}.hook_resid_pre`));
// Measured 2026-11-28 (pairs 1→3, 3→5): 96.3% / 93.7% of a_to_b identical to the float CLI,
// totals within 7.3e-5 / 2.3e-4 relative (real decoders are clustered: many near-ties).
const MIN_SAME_AS_FLOAT = 0.92;
const MAX_TOTAL_REL_DIFF = 5e-4;

function cliChain(extra) {
  const out = path.join(ROOT, `test-results/othello-cli${extra.join('')}.json`);
  execFileSync(path.join(ROOT, 'build/saematch'), ['chain', ...FOLDERS, ...extra, '--out', out], { stdio: 'ignore' });
  return JSON.parse(fs.readFileSync(out, 'utf8')).pairs;
}

export default ({ iso }) => {
  const float = cliChain([]);
  const int8 = cliChain(['--int8']);
  const snapshot = (page) => page.evaluate(() => window.saematchApp.model.pairs.map((p) => ({ total: p.total, perm: Array.from(p.a_to_b), certified: p.certified, method: p.method })));
  return [
    {
      name: 'othello: switch to the Othello-GPT demo; certified optimal; equals the CLI on the original SAELens files',
      async fn({ page }) {
        await page.goto(iso.url);
        await waitReady(page);
        await page.selectOption('#demo-select', 'demo-othello/manifest.json');
        await page.waitForFunction(() => window.saematchApp.model && window.saematchApp.model.layerIds.join() === '1,3,5' && document.body.dataset.status === 'ready', null, { timeout: 120000 });
        assertEq(await errorText(page), '', 'no error');
        assert(new URL(page.url()).hash.startsWith('#pack=demo-othello%2Fmanifest.json&mh='), `the link names the demo: ${page.url()}`);
        const title = await page.textContent('#pack-title');
        assert(/Othello-GPT/.test(title) && /MIT licence/.test(title) && /thijmennijdam\/Othello-GPT-FeatInterp/.test(title), `title credits source and licence: ${title}`);
        assert(/relu SAEs have no threshold/.test(await page.textContent('#fold-note')), 'ReLU: folding is the identity');
        assert(/certified optimal/.test(await page.textContent('#histogram .caption')), 'certified optimal');
        const pairs = await snapshot(page);
        assertEq(pairs.map((p) => p.certified), [true, true], 'both pairs certified');

        for (let l = 0; l < 2; l++) {
          // Exact: the CLI's int8 kernel on the float files sees the same integers as the pack.
          // Integer costs can tie: an equally cheap permutation may differ in a swapped pair or two.
          const sameInt8 = pairs[l].perm.filter((g, f) => g === int8[l].a_to_b[f]).length;
          console.log(`  othello pair ${l}: ${sameInt8} of ${pairs[l].perm.length} a_to_b identical to saematch chain --int8, total ${pairs[l].total} vs ${int8[l].total_cost}`);
          assert(Math.abs(pairs[l].total - int8[l].total_cost) <= 1e-6 * int8[l].total_cost, `pair ${l}: total ${pairs[l].total} vs CLI --int8 ${int8[l].total_cost}`);
          assert(sameInt8 >= pairs[l].perm.length - 4, `pair ${l}: only tied swaps may differ from the CLI --int8 (${sameInt8} identical)`);
          // Close: float costs on the original weights.
          const same = pairs[l].perm.filter((g, f) => g === float[l].a_to_b[f]).length / pairs[l].perm.length;
          const rel = Math.abs(pairs[l].total - float[l].total_cost) / float[l].total_cost;
          console.log(`  othello pair ${l}: ${(100 * same).toFixed(2)}% of a_to_b identical to the float CLI, total ${pairs[l].total.toFixed(4)} vs ${float[l].total_cost.toFixed(4)} (relative difference ${rel.toExponential(2)})`);
          assert(same >= MIN_SAME_AS_FLOAT, `pair ${l}: ${same} identical to float, floor ${MIN_SAME_AS_FLOAT}`);
          assert(rel <= MAX_TOTAL_REL_DIFF, `pair ${l}: relative total difference ${rel}`);
        }

        await page.selectOption('#demo-select', 'demo/manifest.json');
        await page.waitForFunction(() => window.saematchApp.model && window.saematchApp.model.F.length === 8 && document.body.dataset.status === 'ready', null, { timeout: 120000 });
        assert(new URL(page.url()).hash.startsWith('#pack=demo%2Fmanifest.json&mh='), `back to the synthetic demo: ${page.url()}`);
      },
    },
    {
      name: 'othello: a link to the Othello demo opens it with the switcher set',
      async fn({ page }) {
        await page.goto(`${iso.url}#pack=demo-othello%2Fmanifest.json&sel=1:5`);  // sel names the model's layer id (block 1)
        assertEq(await waitReady(page), 'ready', 'status');
        assertEq(await page.inputValue('#demo-select'), 'demo-othello/manifest.json', 'switcher shows the Othello demo');
        assertEq(await page.evaluate(() => window.saematchApp.model.layerIds), [1, 3, 5], 'blocks 1, 3, 5');
        await page.waitForSelector('#chain-table tr.current[data-layer="0"][data-feature="5"]');
        assertEq(await page.$$eval('#chain-table tbody tr td:first-child', (tds) => tds.map((t) => t.textContent)), ['L1 · resid_pre', 'L3 · resid_pre', 'L5 · resid_pre'], 'rows named by model layer and hook');
      },
    },
  ];
};
