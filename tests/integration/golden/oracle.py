"""Independent Delta reader used as the oracle for the golden-corpus test.

usage: oracle.py TABLE_DIR [--version N] [--log-only]  |  oracle.py --many JOBS.json

Applies the Delta log itself (JSON commits + Parquet checkpoints read with pyarrow,
add/remove reconciliation by canonical path), reads every live data file with
pyarrow.parquet, adds partition columns, and prints one JSON array per row (values in
schema order) normalised for comparison:
  integers -> decimal strings, floats -> JSON numbers ("NaN"/"Infinity"/"-Infinity"),
  decimals -> fixed-point strings at the column's scale, dates -> "YYYY-MM-DD",
  timestamps -> microseconds since epoch as a string, binary -> "hex:..",
  structs -> arrays in field order, lists -> arrays, maps -> arrays of [key, value].
The first line is a JSON header {"version": V, "columns": [...], "files": N}.
Shares no code with the TypeScript reader.
"""
import argparse
import datetime as dt
import decimal
import json
import math
import os
import re
import sys
import urllib.parse

import pyarrow as pa
import pyarrow.parquet as pq
from deletion_vectors import deleted_rows

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def list_log(table):
    log = os.path.join(table, "_delta_log")
    commits, checkpoints = {}, {}
    for name in os.listdir(log):
        m = re.fullmatch(r"(\d{20})\.json", name)
        if m:
            commits[int(m.group(1))] = os.path.join(log, name)
            continue
        m = re.fullmatch(r"(\d{20})\.checkpoint\.parquet", name)
        if m:
            checkpoints.setdefault(int(m.group(1)), {})[(1, 1)] = os.path.join(log, name)
            continue
        m = re.fullmatch(r"(\d{20})\.checkpoint\.(\d{10})\.(\d{10})\.parquet", name)
        if m:
            checkpoints.setdefault(int(m.group(1)), {})[(int(m.group(2)), int(m.group(3)))] = os.path.join(log, name)
            continue
        m = re.fullmatch(r"(\d{20})\.checkpoint\.[0-9a-fA-F-]{36}\.(json|parquet)", name)
        if m:  # V2 spec, UUID-named: may point at sidecar files
            checkpoints.setdefault(int(m.group(1)), {})[(1, 1)] = os.path.join(log, name)
    return commits, checkpoints


def complete_checkpoint(parts):
    if (1, 1) in parts:
        return [parts[(1, 1)]]
    by_n = {}
    for (p, n), f in parts.items():
        by_n.setdefault(n, {})[p] = f
    for n, got in by_n.items():
        if len(got) == n:
            return [got[i] for i in range(1, n + 1)]
    return None


def canonical(path):
    if path.startswith("file:"):
        rest = path[5:]
        if rest.startswith("//"):
            rest = rest[rest.index("/", 2):]
        return "abs:" + urllib.parse.unquote(rest)
    if path.startswith("/"):
        return "abs:" + urllib.parse.unquote(path)
    return "rel:" + urllib.parse.unquote(path)


def checkpoint_actions(table, path):
    """Actions of one checkpoint file (Parquet, or a V2 JSON checkpoint), sidecar files included."""
    if path.endswith(".json"):
        with open(path) as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
    else:
        rows = pq.read_table(path).to_pylist()
    out = []
    for row in rows:
        for key in ("protocol", "metaData", "txn", "remove", "add"):
            if row.get(key) is not None:
                out.append({key: row[key]})
        if row.get("sidecar") is not None:
            name = urllib.parse.unquote(row["sidecar"]["path"]).rsplit("/", 1)[-1]
            sidecar = os.path.join(table, "_delta_log", "_sidecars", name)
            for srow in pq.read_table(sidecar).to_pylist():
                for key in ("remove", "add"):
                    if srow.get(key) is not None:
                        out.append({key: srow[key]})
    return out


def dv_id(dv):
    if not dv:
        return None
    off = dv.get("offset")
    return dv["storageType"] + dv["pathOrInlineDv"] + (f"@{off}" if off is not None else "")


def replay(table, version):
    commits, checkpoints = list_log(table)
    if version is None:
        version = max(list(commits) + list(checkpoints))
    actions = []
    cps = sorted(v for v, parts in checkpoints.items() if v <= version and complete_checkpoint(parts))
    start = 0
    if cps:
        cp = cps[-1]
        start = cp + 1
        for f in complete_checkpoint(checkpoints[cp]):
            actions.extend(checkpoint_actions(table, f))
    for v in range(start, version + 1):
        with open(commits[v]) as fh:
            for line in fh:
                if line.strip():
                    actions.append(json.loads(line))
    live, metadata = {}, None
    for a in actions:
        # A logical file is (path, deletion vector id): a DV update removes (p, old) and adds (p, new).
        if a.get("add"):
            live[(canonical(a["add"]["path"]), dv_id(a["add"].get("deletionVector")))] = a["add"]
        elif a.get("remove"):
            live.pop((canonical(a["remove"]["path"]), dv_id(a["remove"].get("deletionVector"))), None)
        elif a.get("metaData"):
            metadata = a["metaData"]
    return version, metadata, list(live.values())


def as_dict(m):
    # pyarrow gives maps as lists of (key, value) tuples; JSON gives dicts.
    if m is None:
        return {}
    if isinstance(m, dict):
        return m
    return dict(m)


def parse_partition(s, typ):
    if s is None or (s == "" and typ != "binary"):
        return None
    if typ == "string":
        return s
    if typ in ("byte", "short", "integer", "long"):
        return int(s)
    if typ in ("float", "double"):
        return float(s)
    if typ == "boolean":
        return s.lower() == "true"
    if typ == "binary":
        return bytes(ord(c) & 0xFF for c in s)
    if typ == "date":
        return dt.date.fromisoformat(s[:10])
    if typ in ("timestamp", "timestamp_ntz"):
        t = dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
        if t.tzinfo is None:
            t = t.replace(tzinfo=dt.timezone.utc)
        return t
    if typ.startswith("decimal"):
        return decimal.Decimal(s)
    raise ValueError(f"partition type {typ}")


def physical(field, mapped):
    """The name a column has in the data files (column mapping: its physical name)."""
    return field["metadata"].get("delta.columnMapping.physicalName", field["name"]) if mapped else field["name"]


def norm(v, typ, mapped=False):
    if v is None:
        return None
    if isinstance(typ, dict):
        if typ["type"] == "struct":
            return [norm(v.get(physical(f, mapped)), f["type"], mapped) for f in typ["fields"]]
        if typ["type"] == "array":
            return [norm(x, typ["elementType"], mapped) for x in v]
        if typ["type"] == "map":
            items = v.items() if isinstance(v, dict) else v
            return [[norm(k, typ["keyType"], mapped), norm(x, typ["valueType"], mapped)] for k, x in items]
    if typ in ("byte", "short", "integer", "long"):
        return str(int(v))
    if typ in ("float", "double"):
        f = float(v)
        if math.isnan(f):
            return "NaN"
        if math.isinf(f):
            return "Infinity" if f > 0 else "-Infinity"
        return f
    if typ == "boolean":
        return bool(v)
    if typ == "string":
        return v
    if typ == "binary":
        return "hex:" + bytes(v).hex()
    if typ == "date":
        return v.isoformat()
    if typ in ("timestamp", "timestamp_ntz"):
        if isinstance(v, int):
            return str(v)
        if not isinstance(v, dt.datetime):  # a date column widened to timestamp_ntz
            v = dt.datetime(v.year, v.month, v.day)
        if v.tzinfo is None:
            v = v.replace(tzinfo=dt.timezone.utc)
        return str((v - EPOCH) // dt.timedelta(microseconds=1))
    m = re.fullmatch(r"decimal\((\d+),(\d+)\)", typ)
    if m:
        scale = int(m.group(2))
        q = decimal.Decimal(v).quantize(decimal.Decimal(1).scaleb(-scale), context=decimal.Context(prec=80))
        return format(q, "f")
    raise ValueError(f"type {typ}")


def file_column(t, f, mode):
    """The column of file table t holding field f: by name (case-insensitive), physical name, or field id."""
    if mode == "id" and "delta.columnMapping.id" in f["metadata"]:
        want = str(f["metadata"]["delta.columnMapping.id"]).encode()
        for i, field in enumerate(t.schema):
            if (field.metadata or {}).get(b"PARQUET:field_id") == want:
                return t.column(i)
        return None
    name = physical(f, mode != "none")
    names = {n: n for n in t.column_names}
    lower = {n.lower(): n for n in t.column_names}
    src = names.get(name) or lower.get(name.lower())
    return None if src is None else t.column(src)


def read_file(path, fields, partition_columns, partition_values, mode="none"):
    t = pq.read_table(path, coerce_int96_timestamp_unit="us")
    mapped = mode != "none"
    cols = []
    for f in fields:
        name, typ = f["name"], f["type"]
        if name in partition_columns:
            key = physical(f, mapped)
            pv = partition_values.get(key)
            if pv is None:
                pv = next((v for k, v in partition_values.items() if k.lower() == key.lower()), None)
            value = norm(parse_partition(pv, typ), typ)
            cols.append([value] * t.num_rows)
            continue
        col = file_column(t, f, mode)
        if col is None:
            cols.append([None] * t.num_rows)
            continue
        if typ in ("timestamp", "timestamp_ntz") and pa.types.is_timestamp(col.type):
            col = col.cast(pa.timestamp("us", tz=col.type.tz), safe=False).cast(pa.int64())
        # Vectorised fast path (1M-row tables): pyarrow renders ints, and decimals at their own scale, exactly.
        dec = re.fullmatch(r"decimal\((\d+),(\d+)\)", typ) if isinstance(typ, str) else None
        int_fast = typ in ("byte", "short", "integer", "long") and pa.types.is_integer(col.type)
        dec_fast = dec and pa.types.is_decimal(col.type) and col.type.scale == int(dec.group(2))
        if int_fast or dec_fast:
            strings = col.cast(pa.string()).to_pylist()
            # pyarrow prints small decimals in exponent form (0E-10): re-render those exactly.
            cols.append([norm(decimal.Decimal(x), typ) if x is not None and "E" in x else x for x in strings])
            continue
        cols.append([norm(x, typ, mapped) for x in col.to_pylist()])
    return [list(r) for r in zip(*cols)] if cols else [[] for _ in range(t.num_rows)]


def dump_rows(table, version, out):
    version, metadata, files = replay(table, version)
    schema = json.loads(metadata["schemaString"])
    fields = schema["fields"]
    partition_columns = set(metadata.get("partitionColumns") or [])
    mode = as_dict(metadata.get("configuration")).get("delta.columnMapping.mode", "none")
    out.write(json.dumps({"version": version, "columns": [f["name"] for f in fields], "files": len(files)}) + "\n")
    for add in files:
        c = canonical(add["path"])
        rel = c[4:]
        path = rel if c.startswith("abs:") else os.path.join(table, rel)
        rows = read_file(path, fields, partition_columns, as_dict(add.get("partitionValues")), mode)
        if add.get("deletionVector"):
            deleted = deleted_rows(table, add["deletionVector"])
            rows = [r for i, r in enumerate(rows) if i not in deleted]
        for row in rows:
            out.write(json.dumps(row, allow_nan=False) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("table", nargs="?")
    ap.add_argument("--version", type=int)
    ap.add_argument("--log-only", action="store_true", help="print only the version and live file paths")
    ap.add_argument(
        "--many",
        help="JSON file listing [{table, version?, out}]: read each (one process, no start-up per table) "
        "and write its rows to `out`, then `out`.done",
    )
    args = ap.parse_args()
    if args.many:
        with open(args.many) as fh:
            jobs = json.load(fh)
        for job in jobs:
            try:
                with open(job["out"], "w") as out:
                    dump_rows(job["table"], job.get("version"), out)
            except Exception as e:  # reported to the waiting test, which fails with it
                with open(job["out"] + ".error", "w") as err:
                    err.write(f"{type(e).__name__}: {e}")
            open(job["out"] + ".done", "w").close()
        return
    if args.log_only:
        version, _metadata, files = replay(args.table, args.version)
        print(json.dumps({"version": version, "paths": sorted(canonical(a["path"]) for a in files)}))
        return
    dump_rows(args.table, args.version, sys.stdout)


if __name__ == "__main__":
    main()
