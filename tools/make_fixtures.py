#!/usr/bin/env python3
"""Writes the test fixtures with NumPy/SciPy (Debian python3-numpy, python3-scipy).

Array values follow closed formulas that tests/fixture_values.h recomputes, so the C++ side
checks real values, not just shapes. Also writes linear-assignment instances with SciPy's
optimum for the cross-check test.
"""
import io, json, os, struct, sys, zipfile
import numpy as np
from scipy.optimize import linear_sum_assignment

out = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/gen"
os.makedirs(out, exist_ok=True)
F, D = 48, 16

def arrays():
    i = np.arange(D)[:, None]; j = np.arange(F)[None, :]
    w_enc = np.sin(0.37 * i + 0.11 * j).astype(np.float32)                 # [d, F]
    r = np.arange(F)[:, None]; c = np.arange(D)[None, :]
    w_dec = np.cos(0.23 * r - 0.19 * c).astype(np.float32)                 # [F, d]
    b_enc = (0.01 * np.arange(F) - 0.2).astype(np.float32)
    b_dec = (0.05 * np.arange(D)).astype(np.float32)
    thr = (0.1 + 0.02 * np.arange(F)).astype(np.float32)
    return dict(W_enc=w_enc, W_dec=w_dec, b_enc=b_enc, b_dec=b_dec, threshold=thr)

a = arrays()
np.savez(os.path.join(out, "gs_stored.npz"), **a)
np.savez_compressed(os.path.join(out, "gs_deflated.npz"), **a)
# Fortran order and float16 entries.
np.savez(os.path.join(out, "gs_fortran_f16.npz"), **{k: np.asfortranarray(v.astype(np.float16)) for k, v in a.items()})
# ZIP64 everywhere (local and central extra fields, ZIP64 end records), deflated entries:
# lowering zipfile's limits makes Python write the same structures a >4 GiB params.npz has.
zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT = 64, 1
with zipfile.ZipFile(os.path.join(out, "gs_zip64.npz"), "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as z:
    for k, v in a.items():
        buf = io.BytesIO(); np.save(buf, v)
        with z.open(k + ".npy", "w", force_zip64=True) as f:
            f.write(buf.getvalue())
zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT = (1 << 31) - 1, (1 << 16) - 1
# No threshold: a ReLU SAE in npz form.
np.savez(os.path.join(out, "gs_relu.npz"), **{k: v for k, v in a.items() if k != "threshold"})
# .npy header versions 2 and 3, float64 source.
for ver in [(1, 0), (2, 0), (3, 0)]:
    with open(os.path.join(out, "w_dec_v%d.npy" % ver[0]), "wb") as f:
        np.lib.format.write_array(f, a["W_dec"].astype(np.float64), version=ver)
with open(os.path.join(out, "w_dec_bigendian.npy"), "wb") as f:
    np.lib.format.write_array(f, a["W_dec"].astype(">f4"))

def safetensors(path, tensors, dtype, metadata=None):
    header, blobs, off = {}, [], 0
    for name, v in tensors.items():
        v = np.ascontiguousarray(v, dtype=np.float32)
        if dtype == "F32": b = v.astype("<f4").tobytes()
        elif dtype == "F16": b = v.astype("<f2").tobytes()
        else:  # BF16 by round-to-nearest-even on the float32 bits
            u = v.view(np.uint32).astype(np.uint64)
            u = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype("<u2")
            b = u.tobytes()
        header[name] = {"dtype": dtype, "shape": list(v.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b); off += len(b)
    if metadata: header["__metadata__"] = metadata
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h))); f.write(h)
        for b in blobs: f.write(b)

def saelens(dirname, cfg, dtype, drop_threshold=False, log_threshold=False):
    d = os.path.join(out, dirname); os.makedirs(d, exist_ok=True)
    t = dict(a)
    if drop_threshold: t.pop("threshold")
    if log_threshold: t["log_threshold"] = np.log(t.pop("threshold"))
    safetensors(os.path.join(d, "sae_weights.safetensors"), t, dtype, {"format": "pt"})
    with open(os.path.join(d, "cfg.json"), "w") as f: json.dump(cfg, f)

saelens("saelens_old", {"architecture": "jumprelu", "d_in": D, "d_sae": F, "model_name": "gemma-2-2b",
                        "hook_point": "blocks.3.hook_resid_post", "hook_point_layer": 3}, "F32")
saelens("saelens_v6", {"architecture": "jumprelu", "d_in": D, "d_sae": F,
                       "metadata": {"model_name": "gemma-2-2b", "hook_name": "blocks.5.hook_resid_post", "hook_layer": 5}}, "BF16",
        log_threshold=True)
saelens("saelens_f16_relu", {"architecture": "standard", "d_in": D, "d_sae": F, "model_name": "gpt2-small",
                             "hook_name": "blocks.0.hook_resid_pre"}, "F16", drop_threshold=True)
saelens("saelens_topk", {"architecture": "topk", "d_in": D, "d_sae": F, "activation_fn_kwargs": {"k": 4},
                         "model_name": "m", "hook_name": "h"}, "F32", drop_threshold=True)
saelens("saelens_bad_dims", {"architecture": "jumprelu", "d_in": D + 1, "d_sae": F}, "F32")

# Linear assignment instances with SciPy's optimum: random, integer ties, rectangular, up to n=500.
rng = np.random.default_rng(7)
cases = []
for k in range(60):
    n = int(rng.choice([1, 2, 3, 5, 8, 20, 50, 120, 300, 500])) if k >= 4 else 500
    m = n if k % 3 else n + int(rng.integers(0, 7))
    if k % 7 == 6: n, m = m, n  # more rows than columns
    if k % 2: c = rng.integers(0, 4, size=(n, m)).astype(np.float32)    # many ties
    else: c = rng.random((n, m)).astype(np.float32)
    r, cc = linear_sum_assignment(c.astype(np.float64))
    cases.append((n, m, c, float(c.astype(np.float64)[r, cc].sum())))
with open(os.path.join(out, "lap_cases.bin"), "wb") as f:
    f.write(struct.pack("<I", len(cases)))
    for n, m, c, opt in cases:
        f.write(struct.pack("<IId", n, m, opt)); f.write(c.astype("<f4").tobytes())

# Neuronpedia's bulk explanation export, shaped like its public export script writes it:
# {model}/{source}/explanations/batch-N.jsonl.gz, gzip.compress'd JSON lines with id, modelId,
# layer ("{layer}-{source}"), index (a string in Neuronpedia's database), description,
# typeName, explanationModelName, embedding. Pack model "synthetic", source "res-test".
# tests/test_neuronpedia.cpp and tests/cli_test.sh assert exactly where these lines land.
import gzip
def np_export(layer, batch, lines, members=1):
    d = os.path.join(out, "np_export", "synthetic", layer, "explanations"); os.makedirs(d, exist_ok=True)
    text = "".join((l if isinstance(l, str) else json.dumps(l)) + "\n" for l in lines).encode()
    cut = len(text) // members
    parts = [text[:cut], text[cut:]] if members == 2 else [text]
    with open(os.path.join(d, "batch-%d.jsonl.gz" % batch), "wb") as f:
        for part in parts: f.write(gzip.compress(part, compresslevel=5))
def npl(i, desc, layer="0-res-test", model="synthetic", who="gpt-4o-mini", id=None):
    r = {"id": id or "clx%05d%s" % (int(i) if str(i).isdigit() else 0, layer[:1]), "modelId": model, "layer": layer, "index": i,
         "authorId": "x", "description": desc, "embedding": [0.25] * 8, "typeName": "oai_token-act-pair", "explanationModelName": who}
    return r
np_export("0-res-test", 0, [
    npl("5", " apples and pears", id="clb0000005"),
    npl("5", "fruit", who="claude-3-5-haiku", id="cla0000005"),   # same feature, smaller id: this one is kept
    npl(7, "the number seven"),                                    # numeric index
    npl("256", "past F"), npl("-1", "negative"), npl("1e3", "not digits"),   # index out of range (3)
    npl("9", "other model", model="gemma-2-2b"),                   # wrong model
    "{not json",                                                   # not JSON
    {"modelId": "synthetic", "layer": "0-res-test", "index": "3"}, # no description
    npl("4", "other source", layer="0-res-other"),                 # layers not in the pack (2)
    npl("4", "other layer", layer="5-res-test"),
    "",
])
np_export("0-res-test", 1, [npl(str(i), "feature %d of layer 0" % i) for i in range(200, 256)])
np_export("1-res-test", 0, [npl("0", "<b>bold</b> & \"quotes\"", layer="1-res-test", who="gpt-4.1"),
                            npl("255", "last feature", layer="1-res-test", who="gpt-4.1")], members=2)
with open(os.path.join(out, "np_export", "synthetic", "README.txt"), "w") as f: f.write("not a batch file\n")
print("fixtures written to", out)
