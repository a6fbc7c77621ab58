// Benchmark helper: web/serve.mjs (cross-origin isolated unless told otherwise) on a free
// port, serving the built app from `root` (default: this checkout's public/, or BENCH_PUBLIC)
// with extra folders mounted (a pack under /big, the engine bench page under /bench).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
export const OUT = path.join(ROOT, 'bench/out');

export function publicRoot() {
  const root = path.resolve(process.env.BENCH_PUBLIC || path.join(ROOT, 'public'));
  if (!fs.existsSync(path.join(root, 'app/saematch_engine_mt.wasm'))) {
    throw new Error(`${root} has no built app (app/saematch_engine_mt.wasm): run ./run.sh build, or set BENCH_PUBLIC=/work/main/public`);
  }
  return root;
}

export function startBenchServer({ root = publicRoot(), mounts = [], isolation = true } = {}) {
  const args = [path.join(ROOT, 'web/serve.mjs'), '--port', '0', '--root', root];
  if (!isolation) args.push('--no-isolation');
  for (const [prefix, dir] of mounts) args.push('--mount', `${prefix}=${dir}`);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(String(d));
      if (m) resolve({ url: `http://127.0.0.1:${m[1]}/`, stop: () => child.kill() });
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code})`)));
  });
}

// The machine is shared: every row carries the 1-minute load average when it ended.
export const loadAverage = () => +os.loadavg()[0].toFixed(2);

// DIR/instance.json from `bench_match --pack-out`: the hops' statistics, summarised.
export function instanceSummary(dir) {
  const file = path.join(dir, 'instance.json');
  if (!fs.existsSync(file)) return null;
  const inst = JSON.parse(fs.readFileSync(file, 'utf8'));
  const mean = (key, q) => +(inst.hops.reduce((s, h) => s + h[key][q], 0) / inst.hops.length).toFixed(3);
  return {
    instance: inst.instance, seed: inst.seed, partner_mean: inst.partner_mean,
    // Averages over the hops of each hop's q10 / q50 / q90.
    nn_cos: [mean('nn_cos', 'q10'), mean('nn_cos', 'q50'), mean('nn_cos', 'q90')],
    partner_cos: [mean('partner_cos', 'q10'), mean('partner_cos', 'q50'), mean('partner_cos', 'q90')],
    continuing: +(inst.hops.reduce((s, h) => s + h.continuing, 0) / inst.hops.length).toFixed(3),
  };
}

// q10 / q50 / q90 of matched scores (all pairs' scores pooled).
export function quantiles(values) {
  const x = Float64Array.from(values).filter(Number.isFinite).sort();
  if (!x.length) return null;
  return [0.1, 0.5, 0.9].map((p) => +x[Math.min(x.length - 1, Math.floor(p * x.length))].toFixed(3));
}
