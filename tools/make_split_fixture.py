#!/usr/bin/env python3
"""Three small JumpReLU SAEs (Gemma Scope params.npz layout) with one planted split.

Features persist from layer to layer (shuffled, with a little noise), except that feature
SPLIT of layer 0 is continued by *two* near-identical features of layer 1: its own
continuation and a twin that takes the slot of a feature that dies (DEAD). The demo
generator plants no splits, so the chain view's split flag is tested on this.

usage: make_split_fixture.py OUT_DIR   (writes OUT_DIR/layer_0{0,1,2}/params.npz and truth.json)
"""
import json
import os
import sys

import numpy as np

F, D, SEED = 128, 32, 3
SPLIT, DEAD = 5, 77
NOISE = 0.05


def unit(m):
    return m / np.linalg.norm(m, axis=-1, keepdims=True)


def write_layer(path, folded_dec, rng):
    """Raw weights whose folded decoder rows are `folded_dec` (folding multiplies them by theta)."""
    theta = 10 ** rng.uniform(-0.5, 0.5, size=F)
    w_dec = folded_dec / theta[:, None]
    w_enc = (folded_dec * theta[:, None]).T  # tied directions, scaled the other way
    arrays = {
        "W_enc": w_enc.astype(np.float32), "W_dec": w_dec.astype(np.float32),
        "b_enc": (-0.1 * theta).astype(np.float32), "b_dec": np.zeros(D, np.float32),
        "threshold": theta.astype(np.float32),
    }
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.savez(path, **arrays)


def main(out):
    rng = np.random.default_rng(SEED)
    dec0 = unit(rng.normal(size=(F, D)))
    perm1 = rng.permutation(F)  # layer-1 feature perm1[i] continues layer-0 feature i
    dec1 = np.empty_like(dec0)
    for i in range(F):
        dec1[perm1[i]] = unit(dec0[i] + NOISE * rng.normal(size=D))
    twin = int(perm1[DEAD])  # DEAD's slot now holds a second copy of SPLIT
    dec1[twin] = unit(dec0[SPLIT] + NOISE * rng.normal(size=D))
    perm2 = rng.permutation(F)
    dec2 = np.empty_like(dec1)
    for j in range(F):
        dec2[perm2[j]] = unit(dec1[j] + NOISE * rng.normal(size=D))
    for layer, dec in enumerate([dec0, dec1, dec2]):
        write_layer(os.path.join(out, f"layer_{layer:02d}", "params.npz"), dec, rng)
    truth = {"layer": 0, "feature": SPLIT, "continuations": sorted([int(perm1[SPLIT]), twin]), "dead": DEAD}
    with open(os.path.join(out, "truth.json"), "w") as f:
        json.dump(truth, f)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
