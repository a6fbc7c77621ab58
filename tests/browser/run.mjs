// Browser tests of the real app in headless Chromium, against local servers only.
//   node tests/browser/run.mjs [name-filter]
// Every file in suites/ exports default (env) => [tests]; env holds the shared servers and fixtures.
// A suite that needs servers of its own (a mock hub, a fault-injecting server) starts them itself
// and returns { tests, stop }.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, startServer, run } from './harness.mjs';
import { makeFixtures } from './fixtures.mjs';

const FX = makeFixtures(path.join(ROOT, 'test-results/browser-fixtures'));
const mounts = [['/fx', FX], ['/gen', path.join(ROOT, 'tests/fixtures/gen')]];
const iso = await startServer({ isolation: true, mounts });
const plain = await startServer({ isolation: false, mounts });
const truth = JSON.parse(fs.readFileSync(path.join(ROOT, 'public/demo/truth.json'), 'utf8')).truth;
const demoManifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'public/demo/manifest.json'), 'utf8'));
const env = { iso, plain, FX, mounts, truth, demoManifest };

const suiteDir = path.join(ROOT, 'tests/browser/suites');
const tests = [];
const stops = [];
for (const file of fs.readdirSync(suiteDir).filter((f) => f.endsWith('.mjs')).sort()) {
  const made = await (await import(path.join(suiteDir, file))).default(env);
  const list = Array.isArray(made) ? made : made.tests;
  if (!Array.isArray(made) && made.stop) stops.push(made.stop);
  tests.push(...list);
}

const ok = await run(tests, { only: process.argv[2] });
for (const stop of [iso.stop, plain.stop, ...stops]) await stop();
process.exit(ok ? 0 : 1);
