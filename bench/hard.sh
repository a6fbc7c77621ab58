#!/usr/bin/env bash
# Hard instances (issue 12; not a test): the real Othello-GPT pairs, clustered dictionaries
# and near-tie families, each with its statistics (nearest-neighbour and best-partner cosines,
# matched scores), the time of one dense float GEMM of the same A.B^T measured in the same run,
# scipy on the same cost matrix (F <= BENCH_SCIPY_MAX, default 8192), the previous start of
# the assignment (--no-auction) and the 0.01% gap budget. The easy instance is one row.
#   bench/hard.sh                 all rows (about 15 minutes on 2 idle cores)
#   BENCH_QUICK=1 bench/hard.sh   F <= 4096 only
#   BENCH_65K=1 bench/hard.sh     also the 65k pair (F=65536, d=2304, clustered): time and peak
#                                 RSS of the match, one dense GEMM of A.B^T as reference (adds
#                                 about 5 minutes on 2 idle cores, 5 GiB of memory)
#   BENCH_ONLY_65K=1 bench/hard.sh   the 65k pair alone (BENCH_WIDE_F=4096: a quick trial of that row)
# Raw lines: bench/out/hard.jsonl; table: bench/report_hard.py bench/out/hard.jsonl
set -euo pipefail
cd "$(dirname "$0")/.."
# The driver is not in the default build (./run.sh build); build it if it is missing or stale.
cmake --build build -j2 --target bench_match >/dev/null
OUT=bench/out; mkdir -p "$OUT"
RESULTS=$OUT/hard.jsonl; : >"$RESULTS"
SCIPY_MAX=${BENCH_SCIPY_MAX:-8192}
B=build/bench_match
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "load: $(uptime | sed 's/.*load average/load average/')"

# tag NAME: prefixes each JSON line with the row's name and the 1-minute load average when
# it ended (the machine may be shared; every row says how busy it was).
tag() { while IFS= read -r line; do echo "${line/#\{/{\"row\":\"$1\",\"load\":\"$(cut -d' ' -f1 /proc/loadavg)\",}"; done; }

# run NAME F ARGS...: our match (with statistics and the GEMM reference), the previous start,
# then scipy on the same dense cost matrix.
run() {
  local name=$1 F=$2; shift 2
  echo; echo "== $name (F=$F)"
  $B "$@" --stats --perm-out "$OUT/perm.bin" | tag "$name" | tee -a "$RESULTS"
  $B "$@" --no-auction | tag "$name" | tee -a "$RESULTS"
  if [ "$F" -le "$SCIPY_MAX" ] && [ "${BENCH_SKIP_SCIPY:-0}" != 1 ]; then
    $B "$@" --cost-out "$OUT/cost.npy" >/dev/null
    /usr/bin/python3 bench/scipy_lap.py "$OUT/cost.npy" "$OUT/perm.bin" | sed 's/^{/{"flavour":"scipy",/' | tag "$name" | tee -a "$RESULTS"
    rm -f "$OUT/cost.npy"
  fi
}
OTH=data/othello-gpt
if [ "${BENCH_ONLY_65K:-0}" != 1 ]; then
run "Othello-GPT 1->3 (real)" 2048 --instance othello --sae-a $OTH/blocks.1.hook_resid_pre --sae-b $OTH/blocks.3.hook_resid_pre
run "Othello-GPT 3->5 (real)" 2048 --instance othello --sae-a $OTH/blocks.3.hook_resid_pre --sae-b $OTH/blocks.5.hook_resid_pre
run "clustered, partner 0.55" 4096 --instance clustered --F 4096 --d 2304
run "near-tie families" 2048 --instance neartie --F 2048 --d 2304
run "near-tie families" 4096 --instance neartie --F 4096 --d 2304
if [ "${BENCH_QUICK:-0}" != 1 ]; then
  run "clustered, partner 0.55" 8192 --instance clustered --F 8192 --d 2304
  run "near-tie families" 8192 --instance neartie --F 8192 --d 2304
  run "clustered, partner 0.55" 16384 --instance clustered --F 16384 --d 2304
  run "clustered, partner 0.3, d=1024" 16384 --instance clustered --F 16384 --d 1024 --partner-mean 0.3
  run "easy (independent, partner ~0.995)" 16384 --instance easy --F 16384 --d 2304
fi
echo; echo "== gap budget 0.01%"
for F in 4096 8192; do
  [ "$F" -gt 4096 ] && [ "${BENCH_QUICK:-0}" = 1 ] && continue
  $B --instance neartie --F $F --d 2304 --gap 1e-4 | tag "near-tie families, gap 0.01%" | tee -a "$RESULTS"
done
fi
if [ "${BENCH_65K:-0}" = 1 ] || [ "${BENCH_ONLY_65K:-0}" = 1 ]; then
  # Gemma Scope 65k shape. peak_match_mib: peak RSS during the match alone (A and B held);
  # gemm_seconds: one dense f32 GEMM of the same A.B^T in the same run (the reference).
  WF=${BENCH_WIDE_F:-65536}
  echo; echo "== wide pair (F=$WF, d=2304, clustered; load before: $(cut -d' ' -f1 /proc/loadavg))"
  /usr/bin/time -f '{"process_max_rss_kib":%M}' -o "$OUT/time65k.json" $B --instance clustered --F "$WF" --d 2304 --stats --trace 2>"$OUT/trace65k.txt" \
    | tag "clustered wide, partner 0.55" | tee -a "$RESULTS"
  echo "whole process incl. generator and statistics (/usr/bin/time): $(cat "$OUT/time65k.json")"
fi
echo
/usr/bin/python3 bench/report_hard.py "$RESULTS"
