#!/usr/bin/env bash
# Benchmark (not a test; never gates CI): synthetic folded-decoder pairs at d=2304, matched
# natively, in WASM under node (threaded and single-thread) and by scipy on the same cost
# matrix. Prints one table with ratios measured in this run. ./run.sh bench calls this.
#   bench/run.sh [F ...]        default: 2048 8192 16384
#   BENCH_BROWSER=1 bench/run.sh   also the 26-layer chain in headless Chromium (about 7 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
# The drivers are not in the default build (./run.sh build); build them if they are missing or stale.
export NODE_PATH=/usr/share/nodejs
cmake --build build -j2 --target bench_match >/dev/null
cmake --build build-wasm -j2 --target bench_match_mt bench_match_st >/dev/null
SIZES=("$@"); [ ${#SIZES[@]} -gt 0 ] || SIZES=(2048 8192 16384)
OUT=bench/out; mkdir -p "$OUT"
D=${BENCH_D:-2304}
NODE="node --no-experimental-fetch"
RESULTS=$OUT/results.jsonl; : >"$RESULTS"

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "cost kernel (2048x2304 blocks):"
for run in "build/bench_match --gemm" "$NODE build-wasm/bench_match_mt.js --gemm" "$NODE build-wasm/bench_match_st.js --gemm"; do
  $run | tee -a "$RESULTS"
done
echo
echo "WASM integer dot products, registers only (i16 dot + add vs relaxed SIMD i8 dot):"
node bench/wasm_dot_probe.mjs | tee -a "$RESULTS" || true
for F in "${SIZES[@]}"; do
  echo
  echo "F=$F d=$D:"
  build/bench_match --F "$F" --d "$D" --perm-out "$OUT/perm_$F.bin" | tee -a "$RESULTS"
  build/bench_match --F "$F" --d "$D" --int8 | tee -a "$RESULTS"
  $NODE build-wasm/bench_match_mt.js --F "$F" --d "$D" | tee -a "$RESULTS" || echo '{"flavour":"wasm-mt","F":'"$F"',"failed":true}' | tee -a "$RESULTS"
  $NODE build-wasm/bench_match_st.js --F "$F" --d "$D" | tee -a "$RESULTS" || echo '{"flavour":"wasm-st","F":'"$F"',"failed":true}' | tee -a "$RESULTS"
  # The integer kernel the app uses for int8 packs (decoder-only cost).
  $NODE build-wasm/bench_match_mt.js --F "$F" --d "$D" --int8 | tee -a "$RESULTS" || echo '{"flavour":"wasm-mt-int8","F":'"$F"',"failed":true}' | tee -a "$RESULTS"
  $NODE build-wasm/bench_match_st.js --F "$F" --d "$D" --int8 | tee -a "$RESULTS" || echo '{"flavour":"wasm-st-int8","F":'"$F"',"failed":true}' | tee -a "$RESULTS"
  if [ "${BENCH_SKIP_SCIPY:-0}" != 1 ]; then
    build/bench_match --F "$F" --d "$D" --cost-out "$OUT/cost_$F.npy" >/dev/null
    /usr/bin/python3 bench/scipy_lap.py "$OUT/cost_$F.npy" "$OUT/perm_$F.bin" | sed 's/^{/{"flavour":"scipy",/' | tee -a "$RESULTS"
    rm -f "$OUT/cost_$F.npy"
  fi
done
if [ "${BENCH_BROWSER:-0}" = 1 ]; then
  # The whole app in headless Chromium: a 26-layer pack shaped like Gemma Scope 16k (1.9 GB),
  # downloaded from a local server, loaded and matched pair by pair.
  PACK=$OUT/pack26x16k
  [ -f "$PACK/manifest.json" ] || build/saematch synth --out "$PACK" --layers 26 --F 16384 --d 2304 --noise 0.08 --death 0.06 --seed 11 --pack \
    --title "26 synthetic layers, Gemma Scope 16k shape" >/dev/null
  echo
  echo "browser, 26 layers x F=16384:"
  node bench/browser_chain.mjs "$PACK" | tail -1 | tee -a "$RESULTS"
fi
echo
/usr/bin/python3 bench/report.py "$RESULTS"
