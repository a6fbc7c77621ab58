#!/usr/bin/env bash
# One entry point for people and CI.
#   ./run.sh            set up, build, and serve the app with the demo on http://127.0.0.1:8080/
#   ./run.sh test       set up, build, and run every test (native, WASM under node, fuzz, browser)
#   ./run.sh build      set up and build only
#   ./run.sh bench      benchmarks (not tests; see bench/README.md): hard instances, then the easy sizes
#   ./run.sh dist       build, then write dist/: the app for any static host (see README)
set -euo pipefail
cd "$(dirname "$0")"
export NODE_PATH=/usr/share/nodejs   # Debian's emcc needs acorn from here
PORT=${PORT:-8080}
JOBS=${JOBS:-2}

log() { printf '\n== [%4ds] %s\n' "$SECONDS" "$*"; }   # elapsed seconds: CI has a 20-minute budget

setup() {
  local need=()
  command -v emcc >/dev/null || need+=(emscripten)
  [ -f /usr/include/eigen3/Eigen/Dense ] || need+=(libeigen3-dev)
  [ -f /usr/include/catch2/catch.hpp ] || need+=(catch2)
  [ -x /usr/bin/chromium ] || need+=(chromium)
  [ -f /usr/include/zlib.h ] || need+=(zlib1g-dev)
  command -v cmake >/dev/null || need+=(cmake)
  command -v node >/dev/null || need+=(nodejs npm)
  /usr/bin/python3 -c 'import numpy, scipy' 2>/dev/null || need+=(python3-numpy python3-scipy)
  if [ ${#need[@]} -gt 0 ]; then
    log "installing Debian packages: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
  if [ ! -f node_modules/d3/dist/d3.min.js ] || [ ! -d node_modules/playwright-core ] || [ ! -f node_modules/axe-core/axe.min.js ] || [ ! -d node_modules/wabt ]; then
    log "installing npm packages (d3, playwright-core, axe-core, wabt; no browser download)"
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund --loglevel=error
  fi
}

build() {
  log "native build (core, CLI, tests)"
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build -j"$JOBS" 2>&1 | grep -E "error|warning" || true
  [ -x build/saematch ] || { echo "native build failed"; exit 1; }
  log "WASM build (threaded + single-thread engines, test suite)"
  emcmake cmake -S . -B build-wasm -DCMAKE_BUILD_TYPE=Release >/dev/null 2>&1
  cmake --build build-wasm -j"$JOBS" >build-wasm/build.log 2>&1 || { grep -E "error" build-wasm/build.log | head -20; echo "WASM build failed"; exit 1; }
  log "assembling public/"
  mkdir -p public/app/panels
  cp web/*.js public/app/
  cp web/panels/*.js public/app/panels/
  mkdir -p public/app/net && cp web/net/*.js public/app/net/
  cp web/sw.js public/sw.js   # service worker must sit at the root to control the page
  cp web/catalog.json public/app/   # release catalog (tools/make_catalog.py)
  cp node_modules/d3/dist/d3.min.js public/app/
  cp build-wasm/saematch_engine_mt.{js,wasm,worker.js} build-wasm/saematch_engine_st.{js,wasm} public/app/
  # The offline app shell is every file under app/: the service worker reads this list, so a new
  # module can never be missing offline because someone forgot to name it.
  (cd public && find app -type f ! -name shell-files.js | LC_ALL=C sort | node -e \
    'const f = require("fs").readFileSync(0, "utf8").split("\n").filter(Boolean); process.stdout.write(`self.SHELL_FILES = ${JSON.stringify(f, null, 1)};\n`)') \
    >public/app/shell-files.js
  # Build stamp: every export names the commit that made it (a trailing + means local changes).
  printf '{"name":"saematch-web","version":"%s","commit":"%s","built":"%s"}\n' \
    "$(node -p 'require("./package.json").version' 2>/dev/null || echo dev)" \
    "$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo +)" \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >public/app/version.json
  if [ ! -f public/demo/manifest.json ] || [ build/saematch -nt public/demo/manifest.json ]; then
    rm -rf public/demo
    build/saematch synth --out public/demo --layers 8 --F 2048 --d 256 --noise 0.08 --death 0.06 --seed 7 --pack \
      --title "Demo: 8 synthetic layers with planted feature chains"
  fi
  build_othello_demo
}

# Benchmark drivers (not part of the default build: tests and the app do not need them).
build_bench() {
  log "benchmark drivers (native, WASM)"
  cmake --build build -j"$JOBS" --target bench_match 2>&1 | grep -E "error" || true
  cmake --build build-wasm -j"$JOBS" --target bench_match_mt bench_match_st >>build-wasm/build.log 2>&1 || { grep -E "error" build-wasm/build.log | head -20; echo "WASM bench build failed"; exit 1; }
}

# The real-SAE demo: Othello-GPT's SAELens SAEs in data/othello-gpt (MIT, credited in the title).
build_othello_demo() {
  if [ ! -f public/demo-othello/manifest.json ] || [ build/saematch -nt public/demo-othello/manifest.json ]; then
    rm -rf public/demo-othello
    build/saematch pack data/othello-gpt/blocks.{1,3,5}.hook_resid_pre --out public/demo-othello --model othello-gpt \
      --title "Othello-GPT residual stream, blocks 1/3/5 (SAEs by Thijmen Nijdam et al., MIT licence, github.com/thijmennijdam/Othello-GPT-FeatInterp)" >/dev/null
    cp data/othello-gpt/LICENSE data/othello-gpt/README.md public/demo-othello/
  fi
}

# dist/: what a static host serves (see tools/make_dist.sh and README "Static hosting").
dist() {
  log "writing dist/ (static hosting; isolation by the service worker)"
  bash tools/make_dist.sh public dist
}

serve() {
  log "serving on http://127.0.0.1:$PORT/ (Ctrl-C to stop)"
  exec node web/serve.mjs --port "$PORT" --root public
}

# Catch2 prints "All tests passed (A assertions in N test cases)" or "test cases: N | P passed | F failed".
catch_counts() {
  local out=$1
  if grep -q "All tests passed" "$out"; then
    local n; n=$(grep -o "in [0-9]* test case" "$out" | tail -1 | grep -o "[0-9]*")
    echo "$n 0"
  elif grep -q "^test cases:" "$out"; then
    local line; line=$(grep "^test cases:" "$out" | tail -1)
    local p f
    p=$(echo "$line" | grep -o "[0-9]* passed" | grep -o "[0-9]*" || echo 0)
    f=$(echo "$line" | grep -o "[0-9]* failed" | grep -o "[0-9]*" || echo 0)
    echo "${p:-0} ${f:-1}"
  else
    echo "0 1"
  fi
}

PASSED=0
FAILED=0
tally() { PASSED=$((PASSED + $1)); FAILED=$((FAILED + $2)); echo "-- $3: $1 passed, $2 failed"; }

run_tests() {
  mkdir -p test-results
  log "test fixtures (NumPy np.savez / savez_compressed / ZIP64, SAELens, SciPy LAP optima)"
  /usr/bin/python3 tools/make_fixtures.py tests/fixtures/gen

  log "Catch2 suite, native"
  ./build/saematch_tests --use-colour no >test-results/native.txt 2>&1 || true
  tail -3 test-results/native.txt
  tally $(catch_counts test-results/native.txt) "native Catch2 test cases"

  log "Catch2 suite, WASM under node"
  node --no-experimental-fetch build-wasm/saematch_tests.js --use-colour no >test-results/wasm.txt 2>&1 || true
  tail -3 test-results/wasm.txt
  tally $(catch_counts test-results/wasm.txt) "WASM Catch2 test cases"

  log "CLI: end-to-end on generated data, and one-line errors on bad input"
  if bash tests/cli_test.sh build/saematch >test-results/cli.txt 2>&1; then tally 1 0 "CLI"; else cat test-results/cli.txt; tally 0 1 "CLI"; fi
  tail -2 test-results/cli.txt

  log "loader fuzzing under ASan/UBSan"
  # -O1 -g1: the sanitizers' own advice (fast enough, readable reports) and a quicker build than -O2 -g.
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" -DSAEMATCH_SANITIZE=ON >/dev/null
  cmake --build build-asan -j"$JOBS" --target fuzz_loaders 2>&1 | grep -E "error" || true
  local F=tests/fixtures/gen
  rm -rf test-results/fuzzpack && build/saematch synth --out test-results/fuzzpack --layers 2 --F 32 --d 8 --pack >/dev/null
  # A result pack's manifest (chain --pack) as a seed too, so hostile "results" keys are fuzzed.
  rm -rf test-results/fuzzsyn test-results/fuzzresults && build/saematch synth --out test-results/fuzzsyn --layers 2 --F 32 --d 8 >/dev/null \
    && build/saematch chain test-results/fuzzsyn/layer_0{0,1}/params.npz --pack test-results/fuzzresults >/dev/null
  if ./build-asan/fuzz_loaders 4000 "${FUZZ_SEED:-1}" $F/gs_stored.npz $F/gs_deflated.npz $F/gs_zip64.npz $F/gs_fortran_f16.npz \
      $F/w_dec_v2.npy $F/w_dec_v3.npy $F/saelens_v6/sae_weights.safetensors $F/saelens_old/sae_weights.safetensors $F/saelens_old/cfg.json \
      test-results/fuzzpack/manifest.json test-results/fuzzresults/manifest.json $F/np_export/synthetic/0-res-test/explanations/batch-0.jsonl.gz \
      >test-results/fuzz.txt 2>&1; then tally 1 0 "fuzz"; else tally 0 1 "fuzz"; fi
  tail -3 test-results/fuzz.txt

  log "browser tests (headless Chromium via playwright-core)"
  node tests/browser/run.mjs >test-results/browser.txt 2>&1 || true
  cat test-results/browser.txt | tail -30
  local line; line=$(grep -E "^browser: [0-9]+ passed, [0-9]+ failed" test-results/browser.txt | tail -1 || true)
  if [ -n "$line" ]; then
    tally "$(echo "$line" | grep -o "[0-9]* passed" | grep -o "[0-9]*")" "$(echo "$line" | grep -o "[0-9]* failed" | grep -o "[0-9]*")" "browser tests"
  else
    tally 0 1 "browser tests (runner crashed)"
  fi

  echo
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ] && [ "$PASSED" -gt 0 ]
}

case "${1:-serve}" in
  setup) setup ;;
  build) setup; build ;;
  serve) setup; build; serve ;;
  test) setup; build; run_tests ;;
  bench) setup; build; build_bench; bash bench/hard.sh; bash bench/run.sh ;;   # hard instances first (the headline), then the easy sizes
  dist) setup; build; dist ;;
  *) echo "usage: ./run.sh [serve|test|build|bench|dist]"; exit 2 ;;
esac
