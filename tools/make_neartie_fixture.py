#!/usr/bin/env python3
"""Small near-tie SAE stack (Gemma Scope params.npz layout) for the gap-budget tests.

Features come in 32-member families whose members have cosine ~0.79 with each other; from one
layer to the next the family's direction drifts and each member keeps a partner at cosine ~0.41
only. So every row has 31 siblings almost as good as its partner: the exact assignment works
hard, and a gap budget (e.g. 0.1%) lets it stop early with a proven bound. The shape follows
core's near_tie_options (issue 12), at test size.

usage: make_neartie_fixture.py OUT_DIR [F] [D] [LAYERS]   (writes OUT_DIR/layer_0L/params.npz)
"""
import os
import sys

import numpy as np

FAMILY, RHO, PARTNER, SEED = 32, 0.79, 0.41, 12


def unit(m):
    return m / np.linalg.norm(m, axis=-1, keepdims=True)


def tilt(x, q, rng):
    """Unit rows with cosine q to the unit rows x."""
    r = rng.normal(size=x.shape)
    r = unit(r - (r * x).sum(-1, keepdims=True) * x)
    return q * x + np.sqrt(1 - q * q) * r


def member(centre, own):
    """Rows sharing `centre` (cosine ~RHO with each other) plus their own direction."""
    own = unit(own - (own * centre).sum(-1, keepdims=True) * centre)
    return np.sqrt(RHO) * centre + np.sqrt(1 - RHO) * own


def write_layer(path, folded_dec, rng):
    """Raw JumpReLU weights whose folded decoder rows are `folded_dec`."""
    F, D = folded_dec.shape
    theta = 10 ** rng.uniform(-0.5, 0.5, size=F)
    arrays = {
        "W_enc": (folded_dec * theta[:, None]).T.astype(np.float32), "W_dec": (folded_dec / theta[:, None]).astype(np.float32),
        "b_enc": (-0.1 * theta).astype(np.float32), "b_dec": np.zeros(D, np.float32), "threshold": theta.astype(np.float32),
    }
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.savez(path, **arrays)


def main(out, F=2560, D=64, layers=3):
    rng = np.random.default_rng(SEED)
    fam = np.arange(F) // FAMILY
    centre = unit(rng.normal(size=(fam.max() + 1, D)))
    own = unit(rng.normal(size=(F, D)))
    norms = 10 ** rng.uniform(-0.5, 0.5, size=F)
    for layer in range(layers):
        perm = rng.permutation(F)  # each layer stores its features in its own order
        dec = np.empty((F, D))
        dec[perm] = norms[:, None] * member(centre[fam], own)
        write_layer(os.path.join(out, f"layer_{layer:02d}", "params.npz"), dec, rng)
        centre = tilt(centre, PARTNER, rng)  # the family drifts as much as its members
        own = tilt(own, PARTNER, rng)


if __name__ == "__main__":
    a = sys.argv[1:]
    if not a:
        sys.exit(__doc__)
    main(a[0], *(int(x) for x in a[1:]))
