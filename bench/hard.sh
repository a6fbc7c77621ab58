#!/usr/bin/env bash
# Hard instances (issue 12; not a test): the real Othello-GPT pairs, clustered dictionaries
# and near-tie families, each with its statistics (nearest-neighbour and best-partner cosines,
# matched scores), the time of one dense float GEMM of the same A.B^T measured in the same run,
# scipy on the same cost matrix (F <= BENCH_SCIPY_MAX, default 8192), the previous start of
# the assignment (--no-auction) and the 0.01% gap budget. The easy instance is one row.
#   bench/hard.sh                 all rows (about 15 minutes on 2 idle cores)
#   BENCH_QUICK=1 bench/hard.sh   F <= 4096 only
# Raw lines: bench/out/hard.jsonl; table: bench/report_hard.py bench/out/hard.jsonl
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/out; mkdir -p "$OUT"
RESULTS=$OUT/hard.jsonl; : >"$RESULTS"
SCIPY_MAX=${BENCH_SCIPY_MAX:-8192}
B=build/bench_match
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "load: $(uptime | sed 's/.*load average/load average/')"

# run NAME F ARGS...: our match (with statistics and the GEMM reference), the previous start,
# then scipy on the same dense cost matrix.
run() {
  local name=$1 F=$2; shift 2
  echo; echo "== $name (F=$F)"
  $B "$@" --stats --perm-out "$OUT/perm.bin" | sed "s/^{/{\"row\":\"$name\",\"load\":\"$(cut -d' ' -f1 /proc/loadavg)\",/" | tee -a "$RESULTS"
  $B "$@" --no-auction | sed "s/^{/{\"row\":\"$name\",/" | tee -a "$RESULTS"
  if [ "$F" -le "$SCIPY_MAX" ] && [ "${BENCH_SKIP_SCIPY:-0}" != 1 ]; then
    $B "$@" --cost-out "$OUT/cost.npy" >/dev/null
    /usr/bin/python3 bench/scipy_lap.py "$OUT/cost.npy" "$OUT/perm.bin" | sed "s/^{/{\"row\":\"$name\",\"flavour\":\"scipy\",/" | tee -a "$RESULTS"
    rm -f "$OUT/cost.npy"
  fi
}
OTH=data/othello-gpt
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
  $B --instance neartie --F $F --d 2304 --gap 1e-4 | sed "s/^{/{\"row\":\"near-tie families, gap 0.01%\",/" | tee -a "$RESULTS"
done
echo
/usr/bin/python3 bench/report_hard.py "$RESULTS"
