"""pyarrow reference for the lakehouse benchmark (times itself).

usage: pyarrow_ref.py DIR ROWS REPEATS
Builds ROWS x 26 numeric columns (24 float64, int32, int64) like bench.mjs, writes
them with pyarrow.parquet.write_table (snappy, defaults otherwise) and reads them back
with read_table, REPEATS times each; prints {"write": [s...], "read": [s...], "bytes": n}.
"""
import json
import os
import sys
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

out_dir, rows, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(42)
cols = {f"f{i:02d}": rng.random(rows) * 1000 for i in range(24)}
cols["cycle"] = (np.arange(rows) % 365).astype(np.int32)
cols["id"] = np.arange(rows, dtype=np.int64)
table = pa.table(cols)
writes, reads = [], []
path = os.path.join(out_dir, "ref.parquet")
for _ in range(repeats):
    t0 = time.perf_counter()
    pq.write_table(table, path, compression="snappy")
    writes.append(time.perf_counter() - t0)
for _ in range(repeats):
    t0 = time.perf_counter()
    back = pq.read_table(path)
    reads.append(time.perf_counter() - t0)
    assert back.num_rows == rows
print(json.dumps({"write": writes, "read": reads, "bytes": os.path.getsize(path)}))
