// Hub folders for the catalog tests, at the very paths web/catalog.json names: small Gemma
// Scope params.npz (the CLI's synthetic layers, planted chains in truth.json) and SAELens
// folders (cfg.json + sae_weights.safetensors) whose layers are planted permutations of each other.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './harness.mjs';

export const catalog = JSON.parse(fs.readFileSync(path.join(ROOT, 'web/catalog.json'), 'utf8'));
export const entry = (id) => catalog.entries.find((e) => e.id === id);

function rng(seed) {  // mulberry32 + Box-Muller: the same SAEs on every run
  let a = seed >>> 0;
  const u = () => { a = (a + 0x6d2b79f5) >>> 0; let t = a; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
  return { u, normal: () => Math.sqrt(-2 * Math.log(u() + 1e-12)) * Math.cos(2 * Math.PI * u()) };
}

function safetensors(tensors) {
  const header = {};
  let offset = 0;
  for (const [name, { shape, data }] of Object.entries(tensors)) {
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, Buffer.from(json), ...Object.values(tensors).map((t) => Buffer.from(t.data.buffer))]);
}

// Layer l+1's decoder rows are layer l's, permuted (perms[l][i] = partner of i) plus a little noise.
export function writeSaeLensChain(dir, e, layerCount, F, d, seed = 11) {
  const g = rng(seed);
  let dec = Float32Array.from({ length: F * d }, g.normal);
  const perms = [];
  for (let l = 0; l < layerCount; l++) {
    if (l > 0) {
      const perm = Array.from({ length: F }, (_, i) => i);
      for (let i = F - 1; i > 0; i--) { const j = Math.floor(g.u() * (i + 1)); [perm[i], perm[j]] = [perm[j], perm[i]]; }
      const next = new Float32Array(F * d);
      for (let i = 0; i < F; i++) for (let k = 0; k < d; k++) next[perm[i] * d + k] = dec[i * d + k] + 0.05 * g.normal();
      dec = next;
      perms.push(perm);
    }
    const enc = new Float32Array(d * F);  // W_enc [d, F] = W_dec transposed
    for (let i = 0; i < F; i++) for (let k = 0; k < d; k++) enc[k * F + i] = dec[i * d + k];
    const layer = e.layers[l];
    const folder = path.join(dir, e.repo, path.dirname(layer.path));
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'sae_weights.safetensors'), safetensors({
      W_enc: { shape: [d, F], data: enc }, W_dec: { shape: [F, d], data: dec },
      b_enc: { shape: [F], data: new Float32Array(F) }, b_dec: { shape: [d], data: new Float32Array(d) },
    }));
    fs.writeFileSync(path.join(folder, 'cfg.json'), JSON.stringify({
      d_in: d, d_sae: F, architecture: 'standard', activation_fn_str: 'relu', model_name: e.model,
      hook_name: layer.hook, hook_layer: layer.layer, neuronpedia_id: `${e.neuronpedia.model}/${layer.layer}-${e.neuronpedia.source}`,
    }));
  }
  return perms;
}

// The CLI's synthetic params.npz layers, copied to the entry's first layers' hub paths.
export function writeGemmaScopeChain(dir, e, npzFiles) {
  npzFiles.forEach((src, l) => {
    const dst = path.join(dir, e.repo, e.layers[l].path);
    fs.mkdirSync(path.dirname(dst), { recursive: true });
    fs.copyFileSync(src, dst);
  });
}
