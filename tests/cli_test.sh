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
# Int8 rows with the coarse screen the browser uses (--screen): the same certified optimum.
"$CLI" match "$T/syn/layer_00/params.npz" "$T/syn/layer_01/params.npz" --dense-max 1 --int8 --out "$T/q1.json" >/dev/null &&
"$CLI" match "$T/syn/layer_00/params.npz" "$T/syn/layer_01/params.npz" --dense-max 1 --int8 --screen --out "$T/q2.json" >/dev/null &&
/usr/bin/python3 - "$T" <<'PY' && ok "int8, coarse screen on/off: same certified optimum" || bad "int8, coarse screen on/off: same certified optimum"
import json, sys
t = sys.argv[1]
a, b = (json.load(open(t + f)) for f in ("/q1.json", "/q2.json"))
ok = a["certified_optimal"] and b["certified_optimal"] and "coarse screen" in b["method"] and "coarse" not in a["method"]
sys.exit(0 if ok and abs(a["total_cost"] - b["total_cost"]) <= 1e-6 * a["total_cost"] else 1)
PY
"$CLI" match "$T/syn/layer_00/params.npz" "$T/syn/layer_01/params.npz" --int8 --screen --no-screen --out "$T/q3.json" 2>"$T/q3.txt"; [ $? -ne 0 ] && grep -q "contradict" "$T/q3.txt" && ok "--screen with --no-screen: one clear error" || bad "--screen with --no-screen: one clear error"
"$CLI" chain "$T"/syn/layer_0{0,1,2}/params.npz --out "$T/chains.json" --direct >/dev/null && grep -q '"persistence_from_layer0"' "$T/chains.json" && ok "chain" || bad "chain"
"$CLI" eval --sae-t "$T/syn/layer_00/params.npz" --sae-t1 "$T/syn/layer_01/params.npz" --acts-t "$T/syn/layer_00/acts_in.npy" --acts-t1 "$T/syn/layer_00/acts_next.npy" --perm "$T/perm.json" >"$T/e.txt" && grep -q "layer skip" "$T/e.txt" && ok "eval" || bad "eval"
"$CLI" info "$T/syn/layer_00/params.npz" | grep -q "jumprelu SAE, d_model=32, F=256" && ok "info" || bad "info"
"$CLI" pack "$T"/syn/layer_0{0,1}/params.npz --out "$T/pack" --shard-mib 0.005 >/dev/null && [ -f "$T/pack/manifest.json" ] && [ "$(ls "$T/pack" | grep -c '\.bin$')" -gt 2 ] && ok "pack (sharded)" || bad "pack (sharded)"

# A gap budget on a real pair (Othello-GPT blocks 1->3): the answer is proven within 0.01% of
# the exact optimum, and the proof holds (its total exceeds the exact one by at most the bound).
O=data/othello-gpt
if [ -d "$O" ]; then
  "$CLI" match $O/blocks.1.hook_resid_pre $O/blocks.3.hook_resid_pre --dense-max 1 --out "$T/exact.json" >/dev/null &&
  "$CLI" match $O/blocks.1.hook_resid_pre $O/blocks.3.hook_resid_pre --dense-max 1 --gap 1e-4 --out "$T/gap.json" >"$T/gap.txt" &&
  /usr/bin/python3 - "$T" <<'PY' && ok "match --gap 1e-4: proven within 0.01% of the exact optimum" || bad "match --gap 1e-4: proven within 0.01% of the exact optimum"
import json, sys
t = sys.argv[1]
x, g = json.load(open(t + "/exact.json")), json.load(open(t + "/gap.json"))
text = open(t + "/gap.txt").read()
said = "certified optimal" in text if g["certified_optimal"] else "within 0.01% of optimal (proven)" in text
proof = g["total_cost"] - x["total_cost"] <= g["gap_bound"] + 1e-9 * x["total_cost"] and g["gap_bound"] <= 1e-4 * g["total_cost"]
sys.exit(0 if x["certified_optimal"] and said and proof and len(set(g["a_to_b"])) == len(g["a_to_b"]) else 1)
PY
fi

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

# Hostile files (issue 11): each refused with its exact reason, before any large allocation
# (the CLI runs under a 600 MB address-space limit, so a big allocation would say "out of memory").
/usr/bin/python3 - "$T" <<'PY'
import json, os, struct, sys, zipfile, zlib, gzip
import numpy as np
t = sys.argv[1]
def npz_with(path, name, data, claimed, method=zipfile.ZIP_DEFLATED):
    # A one-entry npz whose central directory claims `claimed` bytes for `data`.
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z: z.writestr(name, data)
    b = bytearray(open(path, "rb").read())
    cd = b.index(b"PK\x01\x02")
    struct.pack_into("<H", b, 8, method); struct.pack_into("<H", b, cd + 10, method)
    struct.pack_into("<I", b, cd + 24, claimed)
    open(path, "wb").write(bytes(b))
# 356-byte-class npz whose directory claims 3.75 GiB.
npz_with(t + "/tiny.npz", "W_dec.npy", zlib.compress(b"\0" * 64)[2:-4], 0xF0000000)
# A 2 MB deflate bomb of 2 GiB zeros: with full flushes the compressor's output for each further
# MiB of zeros is the same bytes, so the stream is built without compressing 2 GiB.
c = zlib.compressobj(9, zlib.DEFLATED, -15); z = bytes(1 << 20)
first = c.compress(z) + c.flush(zlib.Z_FULL_FLUSH); more = c.compress(z) + c.flush(zlib.Z_FULL_FLUSH)
bomb = first + more * 2047 + c.flush(zlib.Z_FINISH)
npz_with(t + "/bomb.npz", "W_dec.npy", bomb, (2 << 30) - 1)
npz_with(t + "/liar.npz", "W_dec.npy", bomb, 1 << 20)  # says 1 MiB, would give 2 GiB
# safetensors whose W_dec offsets sit near 2^64 (they used to wrap and read the header bytes).
d = dict(np.load(t + "/syn/layer_00/params.npz"))
hdr, blobs, off = {}, [], 0
for k, v in d.items():
    b = v.astype("<f4").tobytes(); hdr[k] = {"dtype": "F32", "shape": list(v.shape), "data_offsets": [off, off + len(b)]}; blobs.append(b); off += len(b)
hdr["W_dec"]["data_offsets"] = [18446744073709551600, 18446744073709551600 + len(d["W_dec"].astype("<f4").tobytes())]
h = json.dumps(hdr).encode(); h += b" " * ((8 - len(h) % 8) % 8)
open(t + "/wrap.safetensors", "wb").write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
# A SAELens folder whose cfg.json is a directory.
os.makedirs(t + "/sl/cfg.json", exist_ok=True)
hdr2 = {k: dict(v) for k, v in hdr.items()}; off = 0
for k, v in d.items(): n = v.size * 4; hdr2[k]["data_offsets"] = [off, off + n]; off += n
h = json.dumps(hdr2).encode(); h += b" " * ((8 - len(h) % 8) % 8)
open(t + "/sl/sae_weights.safetensors", "wb").write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
# Permutation files that are not permutations.
perm = json.load(open(t + "/perm.json"))["a_to_b"]
for name, bad in {"repeat": perm[:1] * 2 + perm[2:], "huge": [1e300] + perm[1:], "frac": [0.5] + perm[1:], "short": perm[:-1]}.items():
    json.dump({"a_to_b": bad}, open(t + "/perm_%s.json" % name, "w"))
# Neuronpedia's explanation export for the pack test: two layers, bad lines of each kind.
def export(layer, lines, batch=0):
    p = t + "/npx/synthetic/%s/explanations" % layer; os.makedirs(p, exist_ok=True)
    text = "".join(l if isinstance(l, str) else json.dumps(l) + "\n" for l in lines).encode()
    open(p + "/batch-%d.jsonl.gz" % batch, "wb").write(gzip.compress(text, compresslevel=5))
def line(i, desc, layer="0-res-test", model="synthetic", who="gpt-4o-mini", id="clx"):
    return {"id": id, "modelId": model, "layer": layer, "index": i, "description": desc, "explanationModelName": who, "typeName": "oai_token-act-pair"}
export("0-res-test", [line("5", "apples", id="clb"), line("5", "fruit", who="claude-3-5-haiku", id="cla"), line(7, "seven"),
                      line("256", "past F"), line("9", "x", model="gemma-2-2b"), "{oops\n", line("4", "x", layer="7-res-test")])
export("1-res-test", [line("0", "first of layer 1", layer="1-res-test", who="gpt-4.1")])
os.makedirs(t + "/npx_empty", exist_ok=True)
PY
limited() { (ulimit -v 600000; "$@"); }
expect_error "npz directory claiming 3.75 GiB" "claims 4026531840 bytes (3.8 GiB), above the limit of 2147483648 bytes (2.0 GiB) per array" limited "$CLI" info "$T/tiny.npz"
expect_error "2 MB deflate bomb (2 GiB)" "claims 2147483647 bytes (2.0 GiB) from [0-9]* bytes (2.0 MiB) compressed, more than 200 times its size (a decompression bomb?)" limited "$CLI" info "$T/bomb.npz"
expect_error "deflate bomb declaring 1 MiB stops there" "ZIP entry 'W_dec.npy': deflate data gives more bytes than its header declares" limited "$CLI" info "$T/liar.npz"
expect_error "safetensors offsets near 2^64" "safetensors tensor 'W_dec' data_offsets must be an integer in 0..9007199254740992" limited "$CLI" info "$T/wrap.safetensors"
expect_error "--max-array-mib lowers the cap" "above the limit of 10485 bytes per array" "$CLI" info "$A" --max-array-mib 0.01
mkfifo "$T/fifo.npz"
expect_error "FIFO input does not block" "$T/fifo.npz: not a regular file (it is a FIFO)" timeout 20 "$CLI" info "$T/fifo.npz"
expect_error "cfg.json is a directory" "$T/sl/cfg.json: not a regular file (it is a directory)" "$CLI" info "$T/sl"
expect_error "--labels-dir missing" "--labels-dir /nonexistent: no such folder" "$CLI" pack "$A" --out "$T/p2" --labels-dir /nonexistent
expect_error "--labels-dir without labels files" "--labels-dir $T/npx_empty: none of labels00.json .. labels00.json is in this folder" "$CLI" pack "$A" --out "$T/p2" --labels-dir "$T/npx_empty"
EV=(eval --sae-t "$A" --sae-t1 "$T/syn/layer_01/params.npz" --acts-t "$T/syn/layer_00/acts_in.npy" --acts-t1 "$T/syn/layer_00/acts_next.npy")
expect_error "eval --perm: repeated index" "perm_repeat.json: a_to_b\[1\] repeats feature [0-9]* (already at a_to_b\[0\]): not a permutation" "$CLI" "${EV[@]}" --perm "$T/perm_repeat.json"
expect_error "eval --perm: index 1e300" "perm_huge.json: a_to_b\[0\] = 1e+300 is outside 0..255 (F of the second SAE)" "$CLI" "${EV[@]}" --perm "$T/perm_huge.json"
expect_error "eval --perm: non-integer" "perm_frac.json: a_to_b\[0\] = 0.5 is not an integer feature index" "$CLI" "${EV[@]}" --perm "$T/perm_frac.json"
expect_error "eval --perm: wrong length" "perm_short.json: a_to_b has 255 entries, the first SAE has F=256" "$CLI" "${EV[@]}" --perm "$T/perm_short.json"

# Neuronpedia explanations into pack labels (issue 9, 3a).
NP=(--neuronpedia-model synthetic --neuronpedia-source res-test)
if "$CLI" pack "$T"/syn/layer_0{0,1,2}/params.npz --out "$T/npack" "${NP[@]}" --neuronpedia-explanations "$T/npx" >"$T/np.txt" 2>&1 &&
   grep -qx "Neuronpedia explanations: 2 files, 8 lines; labels for 3 features on 2 layers; skipped 3 bad lines (1 not JSON, 1 index out of range, 1 wrong model, 0 missing fields); 1 lines for layers not in this pack" "$T/np.txt" &&
   /usr/bin/python3 - "$T" <<'PY'
import json, sys
t = sys.argv[1]
m = json.load(open(t + "/npack/manifest.json"))
l0, l1 = (json.load(open(t + "/npack/" + m["layers"][k]["labels"])) for k in (0, 1))
ok = (len(l0) == 256 and l0[5] == "fruit" and l0[7] == "seven" and l0[4] == "" and l1[0] == "first of layer 1"
      and m["layers"][0]["explainers"] == ["claude-3-5-haiku", "gpt-4o-mini"] and m["layers"][1]["explainers"] == ["gpt-4.1"]
      and m["layers"][0]["labels_count"] == 256 and "labels" not in m["layers"][2] and "explainers" not in m["layers"][2])
sys.exit(0 if ok else 1)
PY
then ok "pack --neuronpedia-explanations"; else bad "pack --neuronpedia-explanations ($(cat "$T/np.txt"))"; fi
expect_error "explanations: missing folder" "/nonexistent/np: no such folder (expected Neuronpedia's explanation export)" "$CLI" pack "$A" --out "$T/p3" "${NP[@]}" --neuronpedia-explanations /nonexistent/np
expect_error "explanations: empty folder" "$T/npx_empty: no batch-N.jsonl.gz files in this folder" "$CLI" pack "$A" --out "$T/p3" "${NP[@]}" --neuronpedia-explanations "$T/npx_empty"
expect_error "explanations need the Neuronpedia ids" "needs --neuronpedia-model and --neuronpedia-source" "$CLI" pack "$A" --out "$T/p3" --neuronpedia-explanations "$T/npx"

# Result packs (issue 12, item 4): chain --pack writes the pack plus results (matched on the packed
# layers, as the browser would); verify-pack re-certifies every hop from its duals; a corrupted
# results shard, a tampered dual or total fails with one line and a non-zero exit.
RP="$T/rpack"
if "$CLI" chain "$T"/syn/layer_0{0,1,2}/params.npz --pack "$RP" --int8 --title "Result pack test" --shard-mib 0.005 >"$T/rp.txt" 2>&1 &&
   "$CLI" chain "$T"/syn/layer_0{0,1,2}/params.npz --int8 --out "$T/chain8.json" >/dev/null 2>&1 &&
   "$CLI" verify-pack "$RP" >"$T/vp.txt" 2>&1 && grep -qx "2 of 2 hops verified from their duals" "$T/vp.txt" &&
   /usr/bin/python3 - "$T" <<'PY'
import json, struct, sys
t = sys.argv[1]
m = json.load(open(t + "/rpack/manifest.json"))
r = m["results"]
blob = b"".join(open(t + "/rpack/" + s["url"], "rb").read() for s in r["shards"])
ref = json.load(open(t + "/chain8.json"))["pairs"]
def arr(a, fmt):
    n = a["count"]; return struct.unpack_from("<%d%s" % (n, fmt), blob, a["offset"])
ok = len(r["shards"]) > 1 and len(blob) == r["blob_bytes"] and r["settings"]["int8"] and m["title"] == "Result pack test"
for k, h in enumerate(r["hops"]):
    a_to_b = arr(h["arrays"]["a_to_b"], "i")
    ok = ok and h["certified"] and h["from"] == k and h["to"] == k + 1 and sorted(a_to_b) == list(range(256))
    # the packed int8 rows are the original folded rows re-quantised: the same optimum as chain --int8
    ok = ok and list(a_to_b) == ref[k]["a_to_b"] and abs(h["total"] - ref[k]["total_cost"]) <= 1e-5 * ref[k]["total_cost"]
    ok = ok and len(arr(h["arrays"]["null_scores"], "f")) == 256 and 0 < h["null_cut"] <= 1
sys.exit(0 if ok else 1)
PY
then ok "chain --pack writes results equal to chain --int8; verify-pack passes"; else bad "chain --pack / verify-pack ($(cat "$T/rp.txt" "$T/vp.txt" 2>/dev/null | tail -4))"; fi
"$CLI" verify-pack "$RP" --hop 1 | grep -q "^hop 1 (layer 1 -> 2): passed" && ok "verify-pack --hop 1" || bad "verify-pack --hop 1"
"$CLI" chain "$T"/syn/layer_0{0,1}/params.npz --pack "$T/rp1" >/dev/null 2>&1 && "$CLI" verify-pack "$T/rp1/manifest.json" >/dev/null 2>&1 && ok "chain --pack (float), verify-pack" || bad "chain --pack (float), verify-pack"
cp -r "$T/rp1" "$T/rp_flip"
/usr/bin/python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[100]^=0xff; b[101]^=0x0f; open(p,'wb').write(b)" "$T/rp_flip/results.0.bin"
expect_error "verify-pack: corrupted results shard" "results.0.bin: SHA-256 differs from the manifest" "$CLI" verify-pack "$T/rp_flip"
# Consistent files, wrong numbers: a dual raised (and the digest updated), or the total changed.
for what in dual total; do
  cp -r "$T/rp1" "$T/rp_$what"
  /usr/bin/python3 - "$T/rp_$what" "$what" <<'PY'
import hashlib, json, struct, sys
d, what = sys.argv[1], sys.argv[2]
m = json.load(open(d + "/manifest.json"))
r = m["results"]; h = r["hops"][0]
if what == "dual":
    b = bytearray(open(d + "/results.0.bin", "rb").read())
    at = h["arrays"]["u"]["offset"] + 8 * 17
    (u,) = struct.unpack_from("<d", b, at)
    struct.pack_into("<d", b, at, u + 0.01)
    open(d + "/results.0.bin", "wb").write(b)
    r["shards"][0]["sha256"] = hashlib.sha256(b).hexdigest()
else:
    h["total"] = h["total"] * 1.001
json.dump(m, open(d + "/manifest.json", "w"))
PY
done
expect_error "verify-pack: tampered dual" "hop 0 (layer 0 -> 1) fails verification: pair (A 17, B [0-9]*) has reduced cost -" "$CLI" verify-pack "$T/rp_dual"
expect_error "verify-pack: tampered total" "hop 0 (layer 0 -> 1) fails verification: the stated total" "$CLI" verify-pack "$T/rp_total"
expect_error "verify-pack: a pack without results" "has no results" "$CLI" verify-pack "$T/pack"
expect_error "verify-pack --hop out of range" "--hop must be a hop index 0..1" "$CLI" verify-pack "$RP" --hop 2
# The same result pack in the WASM engine (validateManifest, verifyPair, matchPair), when it is built.
ENGINE="$(dirname "$CLI")/../build-wasm/saematch_engine_mt.js"
if [ -f "$ENGINE" ]; then
  if node --no-experimental-fetch "$(dirname "$0")/engine_result_pack.cjs" "$ENGINE" "$RP" >"$T/eng.txt" 2>&1; then ok "engine: result pack validated, verifyPair passes/fails, matchPair agrees"; else bad "engine result pack ($(tail -2 "$T/eng.txt"))"; fi
else
  echo "skip engine result pack check ($ENGINE not built)"
fi
echo "cli: $fails failed"
[ $fails -eq 0 ]
