#!/usr/bin/env bash
# End-to-end CLI checks on generated data: the README example works, and bad input gives
# exactly one "saematch: error:" line and a non-zero exit code (never a crash).
set -u
CLI=${1:-build/saematch}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fails=$((fails + 1)); }

"$CLI" synth --out "$T/syn" --layers 3 --F 256 --d 32 --acts 500 >/dev/null || bad "synth"
"$CLI" match "$T/syn/layer_00/params.npz" "$T/syn/layer_01/params.npz" --out "$T/perm.json" >"$T/m.txt" && grep -q "certified optimal" "$T/m.txt" && ok "match" || bad "match"
# The planted truth is recovered (>= 99% of persistent features).
/usr/bin/python3 - "$T" <<'PY' && ok "match recovers planted permutation" || bad "match recovers planted permutation"
import json, sys
t = sys.argv[1]
truth = json.load(open(t + "/syn/truth.json"))["truth"][0]
perm = json.load(open(t + "/perm.json"))["a_to_b"]
pairs = [(i, j) for i, j in enumerate(truth) if j >= 0]
hit = sum(perm[i] == j for i, j in pairs)
sys.exit(0 if hit >= 0.99 * len(pairs) else 1)
PY
# Sparse path with and without the integer screen: the same certified optimum.
"$CLI" match "$T/syn/layer_00/params.npz" "$T/syn/layer_01/params.npz" --dense-max 1 --out "$T/s1.json" >/dev/null &&
"$CLI" match "$T/syn/layer_00/params.npz" "$T/syn/layer_01/params.npz" --dense-max 1 --no-screen --out "$T/s2.json" >/dev/null &&
/usr/bin/python3 - "$T" <<'PY' && ok "sparse path, screen on/off: same certified optimum" || bad "sparse path, screen on/off: same certified optimum"
import json, sys
t = sys.argv[1]
a, b, d = (json.load(open(t + f)) for f in ("/s1.json", "/s2.json", "/perm.json"))
same = a["certified_optimal"] and b["certified_optimal"] and "screen" not in b["method"]
sys.exit(0 if same and abs(a["total_cost"] - d["total_cost"]) <= 1e-5 * d["total_cost"] and abs(b["total_cost"] - d["total_cost"]) <= 1e-5 * d["total_cost"] else 1)
PY
"$CLI" chain "$T"/syn/layer_0{0,1,2}/params.npz --out "$T/chains.json" --direct >/dev/null && grep -q '"persistence_from_layer0"' "$T/chains.json" && ok "chain" || bad "chain"
"$CLI" eval --sae-t "$T/syn/layer_00/params.npz" --sae-t1 "$T/syn/layer_01/params.npz" --acts-t "$T/syn/layer_00/acts_in.npy" --acts-t1 "$T/syn/layer_00/acts_next.npy" --perm "$T/perm.json" >"$T/e.txt" && grep -q "layer skip" "$T/e.txt" && ok "eval" || bad "eval"
"$CLI" info "$T/syn/layer_00/params.npz" | grep -q "jumprelu SAE, d_model=32, F=256" && ok "info" || bad "info"
"$CLI" pack "$T"/syn/layer_0{0,1}/params.npz --out "$T/pack" --shard-mib 0.005 >/dev/null && [ -f "$T/pack/manifest.json" ] && [ "$(ls "$T/pack" | grep -c '\.bin$')" -gt 2 ] && ok "pack (sharded)" || bad "pack (sharded)"

# Bad inputs.
head -c 3000 "$T/syn/layer_01/params.npz" >"$T/trunc.npz"
/usr/bin/python3 - "$T" <<'PY'
import numpy as np, sys
t = sys.argv[1]
d = dict(np.load(t + "/syn/layer_01/params.npz"))
d2 = dict(d); d2["W_dec"] = d2["W_dec"].copy(); d2["W_dec"][3, 4] = np.nan
np.savez(t + "/nan.npz", **d2)
d3 = {k: (v[:16] if k in ("b_dec",) else v) for k, v in d.items()}
d3["W_enc"] = d["W_enc"][:16]; d3["W_dec"] = d["W_dec"][:, :16]
np.savez(t + "/d16.npz", **d3)
d4 = dict(d); d4["W_enc"] = d["W_enc"].T
np.savez(t + "/shape.npz", **d4)
PY
expect_error() {  # name, pattern, command...
  local name=$1 pat=$2; shift 2
  "$@" >"$T/out.txt" 2>"$T/err.txt"
  local rc=$?
  if [ $rc -ne 0 ] && [ $rc -lt 128 ] && [ "$(wc -l <"$T/err.txt")" -eq 1 ] && grep -q "^saematch: error: .*$pat" "$T/err.txt"; then ok "$name"; else bad "$name (rc=$rc: $(cat "$T/err.txt"))"; fi
}
A="$T/syn/layer_00/params.npz"
expect_error "truncated zip" "ZIP" "$CLI" match "$A" "$T/trunc.npz"
expect_error "NaN weights" "NaN" "$CLI" match "$A" "$T/nan.npz"
expect_error "d_model mismatch" "d_model mismatch" "$CLI" match "$A" "$T/d16.npz"
expect_error "wrong shapes" "does not fit" "$CLI" info "$T/shape.npz"
expect_error "missing file" "cannot open" "$CLI" info "$T/nope.npz"
expect_error "not an SAE" "unknown SAE format" "$CLI" info "$T/perm.json"
expect_error "bad option value" "expects a number" "$CLI" match "$A" "$A" --w-dec abc
expect_error "negative weight" "weights" "$CLI" match "$A" "$A" --w-dec -1
expect_error "unknown option" "unknown option" "$CLI" match "$A" "$A" --frobnicate 1
expect_error "huge synth" "synth" "$CLI" synth --out "$T/huge" --F 100000000
echo "cli: $fails failed"
[ $fails -eq 0 ]
