"""pyarrow references for the lakehouse DML benchmark (dml.mjs); times itself.

usage: dml_ref.py write|readwrite  (a JSON job on stdin)
- write: {"files": [parquet paths], "out": dir} — reads the files (untimed), then
  times pq.write_table of each one's rows to a new file (snappy): the I/O floor of
  writing exactly the files a MERGE wrote.
- readwrite: {"files": [...], "rows_out": [n, ...], "out": dir} — times reading all
  the files, concatenating them and writing the rows as files of the given row
  counts (what OPTIMIZE does: the same rows in, the same files out).
Prints {"seconds": s, "rows": n}.
"""
import json
import os
import sys
import time

import pyarrow as pa
import pyarrow.parquet as pq

mode = sys.argv[1]
job = json.load(sys.stdin)
out = job["out"]
os.makedirs(out, exist_ok=True)

if mode == "write":
    tables = [pq.read_table(f) for f in job["files"]]
    t0 = time.perf_counter()
    for i, t in enumerate(tables):
        pq.write_table(t, os.path.join(out, f"w{i}.parquet"), compression="snappy")
    seconds = time.perf_counter() - t0
    rows = sum(t.num_rows for t in tables)
elif mode == "readwrite":
    t0 = time.perf_counter()
    table = pa.concat_tables([pq.read_table(f) for f in job["files"]])
    start = 0
    for i, n in enumerate(job["rows_out"]):
        pq.write_table(table.slice(start, n), os.path.join(out, f"o{i}.parquet"), compression="snappy")
        start += n
    seconds = time.perf_counter() - t0
    rows = table.num_rows
else:
    raise SystemExit(f"unknown mode {mode}")
print(json.dumps({"seconds": seconds, "rows": rows}))
