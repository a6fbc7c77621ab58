#!/usr/bin/python3
"""Benchmark fixture (not a test): a result pack as wide as Gemma Scope's 65k SAEs, without the weights.

Writes DIR/manifest.json (26 layers, F=65536, d_model=2304, int8 layer entries whose arrays and
shard sizes add up as `saematch pack` writes them) and DIR/results.K.bin (the results blob:
decoder norms per layer; per hop a_to_b, cost, score, duals u/v, null scores). Opening a result
pack downloads no layer, so the layer shards are NOT written (the manifest names them, with a
placeholder digest); anything that fetches one while opening gets a 404, which is the point.

  /usr/bin/python3 bench/make_wide_result_pack.py DIR [--layers 26] [--F 65536] [--d 2304]
      [--dead 0.08] [--seed 1]

--dead: fraction of each hop's A features left unmatched (a_to_b = -1; cost and score NaN there,
as `saematch chain --pack` writes them for F_A > F_B). 0 gives complete permutations.
"""
import argparse
import hashlib
import json
import os
import sys

import numpy as np

SHARD = 8 << 20  # the CLI's default maximum shard size


def layer_entry(index, layer, F, d):
    """An int8 layer entry laid out like core make_pack: arrays back to back, 4-byte aligned."""
    arrays, off = [], 0
    for name, rows, cols, enc in [("W_dec", F, d, "int8_rows"), ("W_enc_T", F, d, "int8_rows"),
                                  ("b_enc", 1, F, "f32"), ("b_dec", 1, d, "f32"), ("threshold", 1, F, "f32")]:
        n = rows * 4 + rows * cols if enc == "int8_rows" else rows * cols * 4
        arrays.append({"name": name, "rows": rows, "cols": cols, "offset": off, "encoding": enc, "bytes": n})
        off += (n + 3) // 4 * 4
    shards = []
    for k, start in enumerate(range(0, off, SHARD)):
        # Placeholder digest: these shards are never written (see the module docstring).
        shards.append({"url": f"layer{index:02d}.{k}.bin", "bytes": min(SHARD, off - start), "sha256": "0" * 64})
    return {"index": index, "layer": layer, "hook": f"blocks.{layer}.hook_resid_post", "F": F, "d_model": d,
            "activation": "jumprelu", "topk": 0, "folded": True, "folding_changed_weights": True,
            "blob_bytes": off, "arrays": arrays, "quant_error": {"W_dec": 0.0069, "W_enc": 0.0070}, "shards": shards}


class Blob:
    """The concatenated little-endian results blob; put() returns an array description."""
    def __init__(self):
        self.parts, self.size = [], 0

    def put(self, arr):
        pad = (-self.size) % 8
        if pad:
            self.parts.append(b"\0" * pad)
            self.size += pad
        a = np.ascontiguousarray(arr)
        desc = {"offset": self.size, "dtype": {"<i4": "int32", "<f4": "float32", "<f8": "float64"}[a.dtype.str], "count": int(a.size)}
        self.parts.append(a.tobytes())
        self.size += a.nbytes
        return desc


def hop(rng, blob, k, frm, to, F, norms_a, norms_b, dead, samples):
    """One hop with plausible numbers: matched cosines mostly 0.3..0.95, duals tight on matched pairs."""
    a_to_b = rng.permutation(F).astype("<i4")
    died = rng.random(F) < dead
    a_to_b[died] = -1
    score = np.clip(rng.beta(5, 2, F), 0.02, 0.999).astype("<f4")
    nb = norms_b[np.maximum(a_to_b, 0)].astype(np.float64)
    na = norms_a.astype(np.float64)
    cost = (na * na + nb * nb - 2 * na * nb * score).astype("<f4")
    cost[died], score[died] = np.nan, np.nan
    v = rng.normal(0.5, 0.2, F).astype("<f8")
    u = np.where(died, -rng.random(F), cost.astype(np.float64) - v[np.maximum(a_to_b, 0)]).astype("<f8")
    null_scores = np.sort(rng.normal(0.06, 0.03, samples)).astype("<f4")
    null_cut = float(np.quantile(null_scores, 0.99))
    arrays = {"a_to_b": blob.put(a_to_b), "cost": blob.put(cost), "score": blob.put(score), "u": blob.put(u),
              "v": blob.put(v), "null_scores": blob.put(null_scores)}
    return {"from": frm, "to": to, "FA": F, "FB": F, "total": float(np.nansum(cost.astype(np.float64))),
            "certified": True, "gap_bound": 0, "gap_budget": 0, "method": "sparse JV, certified", "null_cut": null_cut,
            "arrays": arrays}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--layers", type=int, default=26)
    ap.add_argument("--F", type=int, default=65536)
    ap.add_argument("--d", type=int, default=2304)
    ap.add_argument("--dead", type=float, default=0.08)
    ap.add_argument("--seed", type=int, default=1)
    o = ap.parse_args()
    rng = np.random.default_rng(o.seed)
    os.makedirs(o.out, exist_ok=True)
    layers = [layer_entry(i, i, o.F, o.d) for i in range(o.layers)]
    blob = Blob()
    norm_values = [rng.lognormal(0.0, 0.35, o.F).astype("<f4") for _ in layers]
    norms = [{"layer": l["layer"], "array": blob.put(n)} for l, n in zip(layers, norm_values)]
    samples = 256
    hops = [hop(rng, blob, k, layers[k]["layer"], layers[k + 1]["layer"], o.F, norm_values[k], norm_values[k + 1], o.dead, min(samples, o.F))
            for k in range(o.layers - 1)]
    data = b"".join(blob.parts)
    shards = []
    for k, start in enumerate(range(0, len(data), SHARD)):
        part = data[start:start + SHARD]
        with open(os.path.join(o.out, f"results.{k}.bin"), "wb") as f:
            f.write(part)
        shards.append({"url": f"results.{k}.bin", "bytes": len(part), "sha256": hashlib.sha256(part).hexdigest()})
    manifest = {
        "format": "saematch-pack", "version": 1,
        "title": f"Bench: {o.layers} layers x F={o.F} result pack (synthetic results, no weights)",
        "model": "synthetic-wide", "hook": "resid_post", "d_model": o.d, "quant": "int8", "layers": layers,
        "results": {
            "producer": "saematch 1 (unknown)", "created": "2026-11-29T00:00:00Z",
            "settings": {"w_dec": 1, "w_enc": 0, "w_b": 0, "cosine": False, "int8": True, "gap": 0, "topk": 32},
            "null": {"samples": samples, "percentile": 0.99, "seeds": "pair index + 1"},
            "norms": norms, "hops": hops, "blob_bytes": len(data), "shards": shards,
        },
    }
    with open(os.path.join(o.out, "manifest.json"), "w") as f:
        json.dump(manifest, f)
    print(json.dumps({"out": o.out, "layers": o.layers, "F": o.F, "d": o.d, "dead": o.dead,
                      "results_mib": round(len(data) / 2**20, 1), "results_shards": len(shards),
                      "layer_mib_claimed": round(sum(l["blob_bytes"] for l in layers) / 2**20)}), file=sys.stderr)


if __name__ == "__main__":
    main()
