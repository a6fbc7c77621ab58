// Labels belong to one version of a pack: cached under its manifest hash, so changed weights
// never show old labels and offline opens the labels of the version a link names. Labels that
// are not an array of F strings are dropped for that layer with a notice.
import fs from 'node:fs';
import path from 'node:path';
import { assertEq } from '../harness.mjs';
import { waitReady, errorText } from '../page-helpers.mjs';

export default ({ iso, FX }) => {
  const live = path.join(FX, 'labels-live');
  const publish = (version) => { fs.rmSync(live, { recursive: true, force: true }); fs.cpSync(path.join(FX, `labels-${version}`), live, { recursive: true }); };
  const label = (page, l, f) => page.evaluate(([ll, ff]) => window.saematchApp.model.labels[ll] && window.saematchApp.model.labels[ll][ff], [l, f]);
  const reload = async (page) => { await page.click('#load-pack'); return waitReady(page); };

  return [
    {
      name: 'net labels: follow the manifest hash; offline opens the labels of the linked version',
      context: { serviceWorkers: 'block' },
      async fn({ page, context }) {
        publish('v1');
        await page.goto(`${iso.url}#pack=fx%2Flabels-live%2Fmanifest.json`);
        assertEq(await waitReady(page), 'ready', 'v1 loads');
        assertEq(await label(page, 1, 5), 'v1 L1 feature 5', 'v1 labels');
        const v1 = await page.evaluate(() => window.saematchApp.packHash);

        publish('v2');  // same URLs, new weights and labels
        assertEq(await reload(page), 'ready', 'v2 loads');
        assertEq(await label(page, 1, 5), 'v2 L1 feature 5', 'changed pack: new labels, not the cached old ones');
        const v2 = await page.evaluate(() => window.saematchApp.packHash);
        assertEq(v1 !== v2, true, 'the two versions have different manifest hashes');

        await context.setOffline(true);
        // A link made with v1 (its hash prefix in mh) opened offline: what the page does at start-up
        // with such a link (this context has no service worker, so the page itself cannot reload).
        await page.evaluate((mh) => window.saematchApp.load({ pack: 'fx/labels-live/manifest.json', urls: [], cat: '', layers: '', mh, sel: null, zoom: null }), v1.slice(0, 12));
        assertEq(await waitReady(page), 'ready', 'offline, the link to v1 opens from the cache');
        assertEq(await errorText(page), '', 'no error offline');
        assertEq(await page.evaluate(() => window.saematchApp.packHash), v1, 'offline: the manifest version the link names');
        assertEq(await label(page, 1, 5), 'v1 L1 feature 5', 'offline: the labels of that version');

        assertEq(await reload(page), 'ready', 'offline, a load without a hash opens the newest cached version');
        assertEq(await page.evaluate(() => window.saematchApp.packHash), v2, 'offline: the newest version, not the oldest');
        assertEq(await label(page, 1, 5), 'v2 L1 feature 5', 'offline: its labels');
        await context.setOffline(false);
      },
    },
    {
      name: 'net labels: wrong length or entries that are not strings give a notice and no labels for that layer',
      context: { serviceWorkers: 'block' },
      async fn({ page }) {
        await page.goto(`${iso.url}#pack=fx%2Flabels-bad%2Fmanifest.json`);
        assertEq(await waitReady(page), 'ready', 'the pack loads anyway');
        assertEq(await errorText(page), '', 'no error banner');
        assertEq(await label(page, 0, 7), 'ok L0 feature 7', 'valid labels kept');
        assertEq(await page.evaluate(() => window.saematchApp.model.labels.map((x) => (x ? x.length : null))), [64, null, null], 'bad labels dropped');
        assertEq(await page.$$eval('#notices .notice span', (ns) => ns.map((n) => n.textContent)), [
          'Labels of layer 1 (labels01.json) ignored: 3 entries for 64 features (expected an array of 64 strings).',
          'Labels of layer 2 (labels02.json) ignored: entries that are not strings (expected an array of 64 strings).',
        ], 'one notice per bad layer');
      },
    },
  ];
};
