#!/usr/bin/python3
"""Tables for bench/hard.sh: each instance's statistics beside its times and the references
measured in the same run (one dense float GEMM of A.B^T, scipy on the same cost matrix)."""
import json, sys

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith('{')]
key = lambda r: (r['row'], r['F'])
ours = {key(r): r for r in rows if r.get('flavour') == 'native' and r.get('auction') and 'nn_cos' in r}
old = {key(r): r for r in rows if r.get('flavour') == 'native' and r.get('auction') is False}
scipy = {(r['row'], r['F']): r for r in rows if r.get('flavour') == 'scipy'}
peak = lambda r: f"{r.get('peak_match_mib', r['peak_mib']):.0f}"
q = lambda d: f"{d['q10']:.2f} / {d['q50']:.2f} / {d['q90']:.2f}" if d else ''

print('Statistics (q10 / q50 / q90 over 2048 sampled rows of A; matched score 2a.b/(|a|^2+|b|^2) over all rows):\n')
print('| instance | F | d | nearest-neighbour cosine | best-partner cosine | matched score | norm spread p99/p1 |')
print('|---|---|---|---|---|---|---|')
for k, r in ours.items():
    print(f"| {r['row']} | {r['F']} | {r['d']} | {q(r['nn_cos'])} | {q(r['partner_cos'])} | {q(r['matched_score'])} | {r['norm_spread_p99_p1']:.1f} |")
print('\nHistograms (% of rows per 0.1 bin from 0 to 1; matched score from -1 to 1):\n')
for k, r in ours.items():
    h = lambda d: ' '.join(f"{x:g}" for x in d['hist'])
    print(f"- {r['row']} F={r['F']}: NN [{h(r['nn_cos'])}], partner [{h(r['partner_cos'])}], matched score [{h(r['matched_score'])}]")
print('\nTimes (native, seconds; wall time on a shared machine, CPU seconds of the process beside it):\n')
print('| instance | F | load | match s (CPU s) | LAP s | peak RSS MiB (match) | one f32 GEMM A.B^T s | match / GEMM | scipy s | scipy / ours | previous start: match s, LAP s | result | total cost | scipy optimum |')
print('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|')
for k, r in ours.items():
    s, o = scipy.get(k), old.get(k)
    res = 'certified' if r['certified'] else f"gap <= {r['gap_bound']:.3g}"
    print(f"| {r['row']} | {r['F']} | {r.get('load', '')} | {r['seconds']:.2f} ({r['cpu_seconds']:.2f}) | {r['seconds_lap']:.3f} | {peak(r)} | {r['gemm_seconds']:.2f} | "
          f"{r['seconds'] / r['gemm_seconds']:.2f} | {s['scipy_seconds']:.2f} | {s['scipy_seconds'] / r['seconds']:.1f}x | " if s else
          f"| {r['row']} | {r['F']} | {r.get('load', '')} | {r['seconds']:.2f} ({r['cpu_seconds']:.2f}) | {r['seconds_lap']:.3f} | {peak(r)} | {r['gemm_seconds']:.2f} | "
          f"{r['seconds'] / r['gemm_seconds']:.2f} | | | ", end='')
    print(f"{o['seconds']:.2f}, {o['seconds_lap']:.3f} | " if o else '| ', end='')
    print(f"{res} | {r['total_cost']:.4f} | " + (f"{s['scipy_optimum']:.4f} (ours on it: rel. diff {s['relative_difference']:.1e}) |" if s else '|'))
gaps = [r for r in rows if 'gap' in r.get('row', '') and r.get('flavour') == 'native']
if gaps:
    print('\nGap budget:\n')
    print('| instance | F | load | match s (CPU s) | LAP s | certified | proven gap bound | relative | total |')
    print('|---|---|---|---|---|---|---|---|---|')
    for r in gaps:
        print(f"| {r['row']} | {r['F']} | {r.get('load', '')} | {r['seconds']:.2f} ({r['cpu_seconds']:.2f}) | {r['seconds_lap']:.3f} | {r['certified']} | {r['gap_bound']:.4g} | "
              f"{r['gap_bound'] / r['total_cost']:.2e} | {r['total_cost']:.4f} |")
