// Files the browser tests serve: broken copies of the demo pack, small SAEs for the direct
// URL path, a pack that names a Neuronpedia source. Made with the native CLI, every run.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './harness.mjs';

const CLI = path.join(ROOT, 'build/saematch');
const cli = (...args) => execFileSync(CLI, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();

export function makeFixtures(dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const demo = path.join(ROOT, 'public/demo');

  // Demo copy with one flipped byte in layer 3's shard: SHA-256 must catch it.
  fs.cpSync(demo, path.join(dir, 'badsha'), { recursive: true });
  const shard = path.join(dir, 'badsha/layer03.0.bin');
  const bytes = fs.readFileSync(shard);
  bytes[1000] ^= 0x5a;
  fs.writeFileSync(shard, bytes);

  // Demo copy with a shard missing: HTTP 404.
  fs.cpSync(demo, path.join(dir, 'missing'), { recursive: true });
  fs.rmSync(path.join(dir, 'missing/layer05.0.bin'));

  // Small Gemma-Scope-layout SAEs (params.npz) with d_model 16 and 32.
  cli('synth', '--out', path.join(dir, 'd16'), '--layers', '3', '--F', '64', '--d', '16', '--seed', '3');
  cli('synth', '--out', path.join(dir, 'd32'), '--layers', '2', '--F', '64', '--d', '32', '--seed', '4');

  // A pack of the d16 layers that names a Neuronpedia source.
  cli('pack', ...[0, 1, 2].map((l) => path.join(dir, `d16/layer_0${l}/params.npz`)), '--out', path.join(dir, 'np'),
    '--model', 'gemma-2-2b', '--neuronpedia-model', 'gemma-2-2b', '--neuronpedia-source', 'gemmascope-res-16k');

  // Two layers in 10 KiB shards: several shards of a layer are in flight at once.
  cli('synth', '--out', path.join(dir, 'd64'), '--layers', '2', '--F', '512', '--d', '64', '--seed', '5');
  cli('pack', ...[0, 1].map((l) => path.join(dir, `d64/layer_0${l}/params.npz`)), '--out', path.join(dir, 'multishard'), '--shard-mib', '0.01');

  // That pack with layer 1 claiming another d_model: the manifest check must refuse it.
  fs.cpSync(path.join(dir, 'np'), path.join(dir, 'dmismatch'), { recursive: true });
  const mf = path.join(dir, 'dmismatch/manifest.json');
  const man = JSON.parse(fs.readFileSync(mf, 'utf8'));
  man.layers[1].d_model = 32;
  fs.writeFileSync(mf, JSON.stringify(man));

  // The np pack with labels, in two versions (changed manifest, changed labels) and with bad
  // labels (wrong length, entries that are not strings, not JSON): labels follow the manifest hash.
  const labelled = (name, title, labelsOf) => {
    fs.cpSync(path.join(dir, 'np'), path.join(dir, name), { recursive: true });
    const file = path.join(dir, name, 'manifest.json');
    const m = JSON.parse(fs.readFileSync(file, 'utf8'));
    m.title = title;
    m.layers.forEach((layer, l) => {
      layer.labels = `labels0${l}.json`;
      fs.writeFileSync(path.join(dir, name, layer.labels), labelsOf(l, layer.F));
    });
    fs.writeFileSync(file, JSON.stringify(m));
  };
  const names = (v, l, F) => JSON.stringify(Array.from({ length: F }, (_, f) => `${v} L${l} feature ${f}`));
  labelled('labels-v1', 'labels v1', (l, F) => names('v1', l, F));
  labelled('labels-v2', 'labels v2', (l, F) => names('v2', l, F));
  labelled('labels-bad', 'bad labels', (l, F) => [names('ok', l, F), JSON.stringify(['a', 'b', 'c']),
    JSON.stringify(Array.from({ length: F }, (_, f) => f))][l]);

  // Not an SAE at all.
  fs.writeFileSync(path.join(dir, 'not-an-sae.npz'), 'PK\x03\x04 this is not really a zip file');
  fs.writeFileSync(path.join(dir, 'notes.json'), JSON.stringify({ hello: 'world' }));
  return dir;
}
