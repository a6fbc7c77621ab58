// Probe (not a test): register-only throughput of the two WASM integer dot products on this
// machine, in node and in headless Chromium — the i16 path the engine uses
// (i32x4.dot_i16x8_s + i32x4.add, 8 multiply-adds per pair of instructions) against relaxed
// SIMD's i32x4.relaxed_dot_i8x16_i7x16_add_s (16 per instruction, but lowered to three
// instructions without AVX-VNNI). emcc 3.1.6 cannot emit the relaxed one, so the modules are
// assembled by hand here.
//   node bench/wasm_dot_probe.mjs
import { launch } from '../tests/browser/harness.mjs';

function probe() {
  const leb = (n) => { const o = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; o.push(b); } while (n); return o; };
  const section = (id, c) => [id, ...leb(c.length), ...c];
  // run(n): n iterations of a 4x2 tile (8 accumulators in locals 1..8, inputs in 9..14); returns a lane.
  function module(relaxed) {
    const NA = 8, NX = 4, NY = 2, code = [];
    const init = (local, v) => code.push(0x41, ...leb(v), 0xfd, 0x0f, 0x21, local);  // i32.const; i8x16.splat; local.set
    for (let i = 0; i < NX; i++) init(1 + NA + i, 3 + i);
    for (let i = 0; i < NY; i++) init(1 + NA + NX + i, 5 + i);
    code.push(0x03, 0x40);  // loop
    for (let xi = 0; xi < NX; xi++) {
      for (let yi = 0; yi < NY; yi++) {
        const acc = 1 + xi * NY + yi, x = 1 + NA + xi, y = 1 + NA + NX + yi;
        if (relaxed) code.push(0x20, x, 0x20, y, 0x20, acc, 0xfd, 0x93, 0x02, 0x21, acc);  // relaxed_dot_i8x16_i7x16_add_s
        else code.push(0x20, acc, 0x20, x, 0x20, y, 0xfd, 0xba, 0x01, 0xfd, 0xae, 0x01, 0x21, acc);  // dot_i16x8_s; i32x4.add
      }
    }
    code.push(0x20, 0, 0x41, 1, 0x6b, 0x22, 0, 0x0d, 0, 0x0b);  // n -= 1; br_if loop; end
    code.push(0x20, 1);
    for (let a = 2; a <= NA; a++) code.push(0x20, a, 0xfd, 0x51);  // xor the accumulators (keeps them live)
    code.push(0xfd, 0x1b, 0, 0x0b);  // i32x4.extract_lane 0; end
    const body = [0x01, NA + NX + NY, 0x7b, ...code];
    return new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
      ...section(1, [1, 0x60, 1, 0x7f, 1, 0x7f]), ...section(3, [1, 0]),
      ...section(7, [1, 3, 0x72, 0x75, 0x6e, 0, 0]), ...section(10, [1, ...leb(body.length), ...body])]);
  }
  const out = {};
  for (const relaxed of [false, true]) {
    const name = relaxed ? 'relaxed_dot_i8x16_i7x16_add' : 'dot_i16x8_plus_add';
    let run;
    try { run = new WebAssembly.Instance(new WebAssembly.Module(module(relaxed))).exports.run; } catch (e) { out[name] = `unavailable (${e.message.slice(0, 80)})`; continue; }
    run(1e6);  // let the optimising tier take over
    const n = 2e7, t0 = performance.now();
    run(n);
    const s = (performance.now() - t0) / 1000;
    out[name] = +((2 * n * 8 * (relaxed ? 16 : 8)) / s / 1e9).toFixed(1);  // GOP/s, one thread
  }
  return out;
}

console.log(JSON.stringify({ probe: 'wasm integer dot, GOP/s on one thread', where: 'node ' + process.version, ...probe() }));
const browser = await launch();
try {
  const page = await browser.newPage();
  const r = await page.evaluate(`(${probe.toString()})()`);
  console.log(JSON.stringify({ probe: 'wasm integer dot, GOP/s on one thread', where: `chromium ${browser.version()}`, ...r }));
} finally {
  await browser.close();
}
