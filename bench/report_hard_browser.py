#!/usr/bin/python3
"""Table for bench/hard_browser.sh: each Chromium row's time, memory and result beside the
instance's statistics and the machine's load average when the row ended."""
import json, statistics, sys

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith('{')]
load = lambda r: f"{r['load_start']} → {r.get('load', '')}" if 'load_start' in r else r.get('load', '')
tri = lambda v: ' / '.join(f'{x:.2f}' for x in v) if v else ''
print('Chromium (headless, 2 threads when cross-origin isolated); seconds are wall time from navigation (app) or of matchPair (engine page):\n')
print('| row | load (start → end) | end to end s | download done s | matching s (sum of pairs) | per pair s: first / median / max | WASM heap MiB | result | '
      'nearest-neighbour cos q10/q50/q90 | partner cos q10/q50/q90 | matched score q10/q50/q90 |')
print('|---|---|---|---|---|---|---|---|---|---|---|')
for r in rows:
    st = r.get('stats') or {}
    if r.get('error') or r.get('status') == 'error':
        print(f"| {r['row']} | {load(r)} | failed: {' '.join((r.get('error') or r.get('text', '')).split())[:160]} |||||||||")
        continue
    if r.get('via') == 'app':
        ps = r.get('pair_seconds') or []
        per = f"{ps[0]:.1f} / {statistics.median(ps):.1f} / {max(ps):.1f}" if ps else ''
        result = ('all certified' if r.get('certified') else 'not all certified') + f", {r.get('pairs')} pairs"
        print(f"| {r['row']} | {load(r)} | {r['seconds_total']:.1f} | {r.get('seconds_download')} | {r.get('pairs_compute_seconds')} | {per} | "
              f"{r.get('heap_mib')} | {result} | {tri(st.get('nn_cos'))} | {tri(st.get('partner_cos'))} | {tri(r.get('matched_score'))} |")
    else:
        if r.get('seconds') is None:
            result = 'no match (null-baseline probe)'
        elif r.get('certified'):
            result = f"certified optimal, {r.get('method')}"
        else:
            result = f"proven gap <= {r['gap_bound']:.4g} ({r['relative_gap_bound']:.1e} of the total; budget {r['gap']:g}), {r.get('method')}"
        if r.get('null_baseline_error'):
            result += f"; null baseline FAILED: {r['null_baseline_error'][:100]} (heap after matching {r.get('heap_mib_after_match')} MiB)"
        if r.get('seconds_null_baseline') is not None:
            result += f"; null baseline {r['seconds_null_baseline']:.1f} s (heap after matching {r.get('heap_mib_after_match')} MiB)"
        match_s = r.get('seconds') or 0
        print(f"| {r['row']} | {load(r)} | {match_s + r['seconds_load'] + (r.get('seconds_null_baseline') or 0):.1f} (read {r['seconds_load']:.1f}) | | "
              f"{match_s:.1f} | | {r.get('heap_mib')} | {result} | {tri(st.get('nn_cos'))} | {tri(st.get('partner_cos'))} | {tri(r.get('matched_score'))} |")
