#!/usr/bin/python3
"""Turns bench/out/results.jsonl into the comparison table: times, memory, optimal costs,
and ratios against the references measured in the same run (Eigen native GEMM, scipy)."""
import json, sys

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith('{')]
gemm = {r['flavour']: r for r in rows if 'gemm_gflops_all' in r}
if 'native' in gemm:
    ref = gemm['native']['gemm_gflops_all']
    print('Cost kernels, all threads / 1 thread, and ratio (all threads) to native Eigen f32 GEMM:')
    for f, r in gemm.items():
        print(f"  {f:8s} f32 GEMM {r['gemm_gflops_all']:7.2f} / {r['gemm_gflops_1thread']:6.2f} GFLOP/s  x{r['gemm_gflops_all'] / ref:5.2f}"
              + (f"   int8 {r['int8_gops_all']:7.2f} / {r['int8_gops_1thread']:6.2f} GOP/s  x{r['int8_gops_all'] / ref:5.2f}" if 'int8_gops_all' in r else ''))
    print()
probes = [r for r in rows if 'probe' in r]
if probes:
    print('WASM integer dot products, registers only, GOP/s on one thread (i16 dot + add / relaxed i8 dot):')
    for r in probes:
        print(f"  {r['where']:24s} {r['dot_i16x8_plus_add']} / {r['relaxed_dot_i8x16_i7x16_add']}")
    print()
sizes = sorted({r['F'] for r in rows if 'F' in r and 'seconds' in r or 'scipy_seconds' in r})
hdr = f"{'F':>6} {'flavour':12} {'match s':>8} {'cost s':>7} {'LAP s':>7} {'peak MiB':>9} {'certified':>9} {'total cost':>14}"
print(hdr); print('-' * len(hdr))
for F in sizes:
    by = {r['flavour']: r for r in rows if r.get('F') == F}
    for f in ('native', 'native-int8', 'wasm-mt', 'wasm-st', 'wasm-mt-int8', 'wasm-st-int8'):
        r = by.get(f)
        if not r: continue
        if r.get('failed'): print(f"{F:>6} {f:12} failed"); continue
        print(f"{F:>6} {f:12} {r['seconds']:8.2f} {r['seconds_cost']:7.2f} {r['seconds_lap']:7.3f} {r['peak_mib']:9.0f} {str(r['certified']):>9} {r['total_cost']:14.4f}")
    s = by.get('scipy')
    if s:
        print(f"{F:>6} {'scipy':12} {s['scipy_seconds']:8.2f} {'':>7} {s['scipy_seconds']:7.3f} {s['scipy_peak_mib']:9.0f} {'optimal':>9} {s['scipy_optimum']:14.4f}")
        n = by.get('native')
        if n and not n.get('failed'):
            print(f"       our assignment priced on scipy's matrix: {s['ours_on_same_matrix']:.4f} (relative difference {s['relative_difference']:.1e}, "
                  f"{100 * s['same_assignment_fraction']:.2f}% identical pairs)")
            print(f"       ratios: scipy LAP / our LAP = {s['scipy_seconds'] / max(n['seconds_lap'], 1e-9):.1f}x, "
                  f"scipy LAP / our whole match = {s['scipy_seconds'] / n['seconds']:.1f}x, "
                  f"scipy peak / our peak = {s['scipy_peak_mib'] / n['peak_mib']:.1f}x")
    print()
for r in rows:
    if r.get('flavour') == 'browser':
        compute = r.get('pairs_compute_seconds') or 0
        print(f"Browser (headless Chromium, {r.get('threads')} threads): {r['layers']} layers x F={r['F']}, d={r['d']}, pack {r['pack_mib']} MiB: "
              f"status {r['status']}, end to end {r.get('seconds_total') or 0:.1f} s (download and verify done at {r.get('seconds_download') or 0:.1f} s, "
              f"matching overlaps it), matching compute {compute:.1f} s ({compute / max(1, r['layers'] - 1):.1f} s per pair), "
              f"WASM heap {r.get('heap_mib')} MiB, all certified: {r.get('certified')}")
