// Labels from Neuronpedia's bulk explanation export (issue 9, 3a) end to end: the CLI turns the
// export fixture (tools/make_fixtures.py: batch-N.jsonl.gz files) into a pack's labels, and the
// page shows them: search by explanation text finds the right feature, the chain table shows
// the explanation, hostile markup in an explanation stays text.
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { ROOT, assert, assertEq } from '../harness.mjs';
import { waitReady, errorText } from '../page-helpers.mjs';

export default ({ iso, FX }) => {
  const syn = path.join(FX, 'npexport-syn');
  const cli = (...args) => execFileSync(path.join(ROOT, 'build/saematch'), args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  cli('synth', '--out', syn, '--layers', '3', '--F', '256', '--d', '32', '--seed', '5');
  const report = cli('pack', ...[0, 1, 2].map((l) => path.join(syn, `layer_0${l}/params.npz`)), '--out', path.join(FX, 'npexport-pack'),
    '--neuronpedia-model', 'synthetic', '--neuronpedia-source', 'res-test',
    '--neuronpedia-explanations', path.join(ROOT, 'tests/fixtures/gen/np_export'));
  const hash = `#pack=${encodeURIComponent('fx/npexport-pack/manifest.json')}`;

  const searchHits = async (page, text) => {
    await page.fill('#search', text);
    await page.press('#search', 'Enter');
    return page.$$eval('#search-results button', (bs) => bs.map((b) => b.textContent));
  };

  return [{
    name: 'labels from a Neuronpedia explanation export: packed by the CLI, found by search, shown as text',
    async fn({ page, context }) {
      // Only the pack's own labels here: explanations from Neuronpedia switched off (no requests).
      await context.addInitScript(() => localStorage.setItem('saematch-neuronpedia', 'off'));
      assert(/labels for \d+ features on 2 layers/.test(report), `CLI report: ${report}`);
      await page.goto(iso.url + hash);
      assertEq(await waitReady(page), 'ready', 'pack with exported labels loads');
      assertEq(await errorText(page), '', 'no error');
      const fruit = await searchHits(page, 'fruit');
      assertEq(fruit.length, 1, `one feature explained as "fruit": ${JSON.stringify(fruit)}`);
      assert(/feature 5 · fruit$/.test(fruit[0]) && /^L0\b/.test(fruit[0]), `layer 0 feature 5 (the explanation with the smallest id wins): ${fruit[0]}`);
      const seven = await searchHits(page, 'seven');
      assert(seven.length === 1 && /feature 7 · the number seven$/.test(seven[0]), `numeric index lands on feature 7: ${seven}`);
      const bold = await searchHits(page, '<b>bold</b>');
      assert(bold.length === 1 && /^L1\b.*feature 0 · /.test(bold[0]), `layer 1 feature 0: ${bold}`);
      await page.click('#search-results button');
      await page.waitForFunction(() => document.querySelector('#chain-table tr.current'));
      const cell = await page.$eval('#chain-table tr.current td.label', (td) => ({ text: td.textContent, tags: td.querySelectorAll('b').length }));
      assert(cell.text.includes('<b>bold</b> & "quotes"') && cell.tags === 0, `explanation shown as text, no markup: ${JSON.stringify(cell)}`);
    },
  }];
};
