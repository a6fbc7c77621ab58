#!/usr/bin/python3
"""Reference: scipy.optimize.linear_sum_assignment on the dense cost matrix the benchmark
wrote, timed and with peak memory; also prices our assignment on the same matrix.
    scipy_lap.py COST.npy OUR_PERM.bin  -> one JSON line"""
import json, resource, sys, time
import numpy as np
from scipy.optimize import linear_sum_assignment

cost_path, perm_path = sys.argv[1], sys.argv[2]
C = np.load(cost_path, mmap_mode='r')
rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
C64 = np.asarray(C, dtype=np.float64)  # what scipy works on (it converts to float64 anyway)
t0 = time.perf_counter()
rows, cols = linear_sum_assignment(C64)
secs = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
opt = float(C64[rows, cols].sum())
ours = np.fromfile(perm_path, dtype=np.int32)
assert ours.shape[0] == C.shape[0], "permutation length differs from the cost matrix"
assert len(set(ours.tolist())) == len(ours) and ours.min() >= 0, "our assignment is not a permutation"
ours_cost = float(C64[np.arange(len(ours)), ours].sum())
print(json.dumps({"F": int(C.shape[0]), "scipy_seconds": round(secs, 3), "scipy_peak_mib": round(peak / 1024, 1),
                  "scipy_optimum": opt, "ours_on_same_matrix": ours_cost,
                  "relative_difference": abs(ours_cost - opt) / max(1.0, abs(opt)),
                  "same_assignment_fraction": float(np.mean(ours == cols))}))
