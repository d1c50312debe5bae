"""Native XGBoost 1.7 reference timings for bench.mjs (Debian python3-xgboost).

usage: native.py DIR COLS MODE REPEATS [GRID_JSON NTHREAD]
  single: one model, nthread=1, REPEATS times  -> {"times": [s, ...]}
  grid:   every parameter set of GRID_JSON, nthread=NTHREAD, one after another -> {"walls": [s, ...], "times": [...]}
Times include building the DMatrix from the float32 matrix, like the WASM side.
"""
import json
import sys
import time

import numpy as np
import xgboost as xgb

d, cols, mode, repeats = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
X = np.fromfile(d + "/train.f32", dtype=np.float32).reshape(-1, cols)
y = np.fromfile(d + "/train.y", dtype=np.float32)


def fit(params, nthread):
    t = time.perf_counter()
    dm = xgb.DMatrix(X, label=y, missing=-1.0, nthread=nthread)
    p = {k: v for k, v in params.items() if k != "rounds"}
    p.update(nthread=nthread, verbosity=0)
    xgb.train(p, dm, params["rounds"])
    return time.perf_counter() - t


base = {"objective": "binary:logistic", "eta": 0.3, "max_depth": 4, "tree_method": "hist", "rounds": 200}
if mode == "single":
    print(json.dumps({"times": [fit(base, 1) for _ in range(repeats)]}))
else:
    grid, nthread = json.loads(sys.argv[5]), int(sys.argv[6])
    walls = []
    for _ in range(repeats):
        t = time.perf_counter()
        times = [fit(g, nthread) for g in grid]
        walls.append(time.perf_counter() - t)
    print(json.dumps({"walls": walls, "times": times}))
