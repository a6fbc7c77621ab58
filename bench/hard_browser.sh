#!/usr/bin/env bash
# Hard instances in headless Chromium (issue 12; not a test, never gates CI). Builds the packs
# it needs if missing (build/bench_match --pack-out), serves the built app (public/, or
# BENCH_PUBLIC) cross-origin isolated with web/serve.mjs, and drives Chromium like a user:
#   chain    a 26-layer chain of hard 16k layers (clustered, partner cosine ~0.5, d=2304, splits,
#            merges, deaths) opened in the app as a pack, end to end with progress
#            (target: <= 5 min; its first pair is the hard 16k pair, target <= 12 s)
#   neartie  the near-tie family pair at F=16384, 0.01% gap budget, through the engine API on
#            bench/engine-page (the UI does not offer the budget here; target <= 60 s)
#   wide     a 65k pair (F=65536, d=2304, clustered) opened in the app, 2 threads
#            (targets: <= 150 s, peak WASM memory <= 2.5 GiB)
# wide-engine (default too): the 65k pair on bench/engine-page: matchPair alone, then the app's
# null baseline, then "Verify this pair" (re-certify from the match's own duals), each timed,
# heap after each.
# Optional rows (not in the default): pair (the hard 16k pair alone in the app, target <= 12 s;
# the same instance as the chain's layers 0 -> 1), neartie-exact (no budget), wide-null (the
# 65k pair's null baseline alone: a quick probe of its memory).
# Usage: bench/hard_browser.sh [chain] [neartie] [wide] [wide-engine] [pair] [neartie-exact] [wide-null]
#        (default: chain neartie wide-engine wide)
# Sizes (for trials): HB_LAYERS=26 HB_CHAIN_F=16384 HB_NEARTIE_F=16384 HB_WIDE_F=65536 HB_D=2304
# Packs go to BENCH_DATA (default bench/out/packs; 26 x 16k int8 is 1.9 GB, 2 x 65k 0.6 GB).
# Each row's JSON line (with the load average when it ended and the instance's statistics) is
# appended to bench/out/hard-browser.jsonl; this run's table comes from bench/report_hard_browser.py.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/out; mkdir -p "$OUT"
DATA=${BENCH_DATA:-$OUT/packs}
LAYERS=${HB_LAYERS:-26} CHAIN_F=${HB_CHAIN_F:-16384} NEARTIE_F=${HB_NEARTIE_F:-16384} WIDE_F=${HB_WIDE_F:-65536} D=${HB_D:-2304}
ROWS=("$@"); [ ${#ROWS[@]} -gt 0 ] || ROWS=(chain neartie wide-engine wide)
RUN=$OUT/hard-browser-last.jsonl; : >"$RUN"
[ -x build/bench_match ] || { echo "build/bench_match missing: ./run.sh build && cmake --build build -j2 --target bench_match"; exit 2; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); chromium: $(/usr/bin/chromium --version 2>/dev/null | head -1)"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ); load: $(cut -d' ' -f1-3 /proc/loadavg)"

# pack INSTANCE F LAYERS: the pack's directory, generated unless its manifest.json exists.
pack() {
  local dir="$DATA/$1-L$3-F$2-d$D-s1"
  if [ ! -f "$dir/manifest.json" ]; then
    echo "generating $dir ..." >&2
    build/bench_match --instance "$1" --F "$2" --d "$D" --seed 1 --layers "$3" --pack-out "$dir" >/dev/null
  fi
  echo "$dir"
}
# record: shows the driver's progress lines, keeps its JSON line (a failed row is recorded too).
record() { while IFS= read -r line; do echo "$line"; [[ $line == '{'* ]] && echo "$line" | tee -a "$OUT/hard-browser.jsonl" >>"$RUN"; done; true; }

for row in "${ROWS[@]}"; do
  echo
  case $row in
    chain)
      P=$(pack clustered "$CHAIN_F" "$LAYERS")
      echo "== chain: $LAYERS clustered layers, F=$CHAIN_F, in the app"
      node bench/browser_chain.mjs "$P" --row "chain $LAYERS x F=$CHAIN_F clustered (app)" | record || true ;;
    neartie)
      P=$(pack neartie "$NEARTIE_F" 2)
      echo "== near-tie pair F=$NEARTIE_F, gap budget 0.01%, engine page"
      node bench/browser_engine.mjs "$P" --gap 1e-4 --row "near-tie F=$NEARTIE_F, gap 0.01% (engine)" | record || true ;;
    wide)
      P=$(pack clustered "$WIDE_F" 2)
      echo "== wide pair F=$WIDE_F, clustered, in the app"
      node bench/browser_chain.mjs "$P" --row "pair F=$WIDE_F clustered (app)" | record || true ;;
    pair)
      P=$(pack clustered "$CHAIN_F" 2)
      echo "== hard pair F=$CHAIN_F, clustered, in the app"
      node bench/browser_chain.mjs "$P" --row "pair F=$CHAIN_F clustered (app)" | record || true ;;
    neartie-exact)
      P=$(pack neartie "$NEARTIE_F" 2)
      echo "== near-tie pair F=$NEARTIE_F, exact, engine page"
      node bench/browser_engine.mjs "$P" --row "near-tie F=$NEARTIE_F, exact (engine)" | record || true ;;
    wide-engine)
      P=$(pack clustered "$WIDE_F" 2)
      echo "== wide pair F=$WIDE_F, clustered, engine page"
      node bench/browser_engine.mjs "$P" --null-baseline --verify --row "pair F=$WIDE_F clustered (engine)" | record || true ;;
    wide-null)
      P=$(pack clustered "$WIDE_F" 2)
      echo "== wide pair F=$WIDE_F: the app's null baseline alone (memory probe), engine page"
      node bench/browser_engine.mjs "$P" --no-match --row "pair F=$WIDE_F null baseline only (engine)" | record || true ;;
    *) echo "unknown row $row (chain, neartie, wide, pair, neartie-exact, wide-engine, wide-null)"; exit 2 ;;
  esac
done
echo
/usr/bin/python3 bench/report_hard_browser.py "$RUN"
