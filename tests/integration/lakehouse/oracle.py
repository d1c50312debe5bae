"""Independent check of tables the TypeScript writer produced (pyarrow only).

usage: oracle.py TABLE_DIR

Reads the JSON commits itself, checks that every action carries the fields the
Delta protocol requires, replays add/remove by path, and reads every live data
file with pyarrow.parquet. If a checkpoint exists, it is read with pyarrow too and
its adds compared with the replay at that version. Prints one JSON document:
  {"version", "columns", "files": [{path, numRows, numRecords, partitionValues}],
   "rows": [[...values in schema order...]], "problems": [...], "checkpoints": [...]}
Values use the same conventions as `stillwater table read` (see table-output.ts):
longs as numbers (strings beyond 2^53), floats as numbers ("NaN"/"Infinity"),
decimals as fixed-point strings, dates "YYYY-MM-DD", timestamps
"YYYY-MM-DDTHH:MM:SS[.ffffff]Z", binary base64. Shares no code with the writer.
"""
import base64
import datetime as dt
import json
import math
import os
import re
import sys
import urllib.parse

import decimal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

REQUIRED = {
    "add": ["path", "partitionValues", "size", "modificationTime", "dataChange"],
    "remove": ["path", "dataChange"],
    "metaData": ["id", "format", "schemaString", "partitionColumns", "configuration"],
    "protocol": ["minReaderVersion", "minWriterVersion"],
    "txn": ["appId", "version"],
    "commitInfo": [],
}
SAFE = 2**53 - 1
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def norm_ts_us(us):
    days, rem = divmod(us, 86_400_000_000)
    d = dt.date(1970, 1, 1) + dt.timedelta(days=days)
    secs, micros = divmod(rem, 1_000_000)
    s = f"{d.isoformat()}T{secs // 3600:02d}:{secs % 3600 // 60:02d}:{secs % 60:02d}"
    return (s + (f".{micros:06d}" if micros else "")) + "Z"


def norm_value(v, t):
    if v is None:
        return None
    if pa.types.is_integer(t):
        return v if -SAFE <= v <= SAFE else str(v)
    if pa.types.is_floating(t):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return v
    if pa.types.is_decimal(t):
        return format(v, "f")
    if pa.types.is_date(t):
        return v.isoformat()
    if pa.types.is_binary(t) or pa.types.is_large_binary(t):
        return base64.b64encode(v).decode()
    return v


def norm_column(col, t):
    if pa.types.is_timestamp(t):
        factor = {"s": 1_000_000, "ms": 1000, "us": 1, "ns": None}[t.unit]
        ints = col.cast(pa.int64()).to_pylist()
        return [None if x is None else norm_ts_us(x * factor if factor else x // 1000) for x in ints]
    return [norm_value(v, t) for v in col.to_pylist()]


def norm_partition(s, delta_type):
    if s is None or s == "":
        return None
    if delta_type in ("byte", "short", "integer", "long"):
        return int(s)
    if delta_type in ("float", "double"):
        return float(s)
    if delta_type == "boolean":
        return s.lower() == "true"
    if delta_type == "timestamp":
        ts = dt.datetime.fromisoformat(s.replace(" ", "T")).replace(tzinfo=dt.timezone.utc)
        delta = ts - EPOCH
        return norm_ts_us((delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds)
    return s


def check_stats(rel, t, stats, problems):
    """The add's stats must describe the file: exact nullCount, exact or bounding min/max."""
    if stats.get("numRecords") != t.num_rows:
        problems.append(f"{rel}: numRecords {stats.get('numRecords')} != {t.num_rows} rows")
    for name in t.column_names:
        col, typ = t.column(name), t.schema.field(name).type
        if pa.types.is_nested(typ):
            continue  # nested stats are checked by the TypeScript tests
        nc = stats.get("nullCount", {}).get(name)
        if nc != col.null_count:
            problems.append(f"{rel}: nullCount.{name} {nc} != {col.null_count}")
        lo, hi = stats.get("minValues", {}).get(name), stats.get("maxValues", {}).get(name)
        if col.null_count == len(col) or pa.types.is_binary(typ) or pa.types.is_boolean(typ):
            if lo is not None or hi is not None:
                problems.append(f"{rel}: {name} should have no min/max")
            continue
        mm = pc.min_max(col)
        amin, amax = mm["min"].as_py(), mm["max"].as_py()
        if pa.types.is_floating(typ):
            if any(isinstance(x, float) and math.isnan(x) for x in col.to_pylist()):
                if lo is not None:
                    problems.append(f"{rel}: {name} has NaN but min/max {lo}/{hi}")
                continue
            ok = float(lo) == amin and float(hi) == amax
        elif pa.types.is_timestamp(typ):
            ms = col.cast(pa.int64())
            amin_us, amax_us = pc.min(ms).as_py(), pc.max(ms).as_py()
            to_us = lambda s: int((dt.datetime.fromisoformat(s.replace("Z", "+00:00")) - EPOCH) / dt.timedelta(microseconds=1))
            ok = to_us(lo) <= amin_us and to_us(hi) >= amax_us and amin_us - to_us(lo) < 1000 and to_us(hi) - amax_us < 1000
        elif pa.types.is_date(typ):
            ok = lo == amin.isoformat() and hi == amax.isoformat()
        elif pa.types.is_decimal(typ):
            ok = decimal.Decimal(str(lo)) == amin and decimal.Decimal(str(hi)) == amax
        elif pa.types.is_string(typ):
            ok = lo == amin[:32] and (hi == amax if len(amax) <= 32 else hi.startswith(amax[:32]))
        else:
            ok = lo == amin and hi == amax
        if not ok:
            problems.append(f"{rel}: {name} stats min/max {lo}/{hi} vs data {amin}/{amax}")


def main():
    table = sys.argv[1]
    log = os.path.join(table, "_delta_log")
    commits = sorted(int(m.group(1)) for n in os.listdir(log) if (m := re.fullmatch(r"(\d{20})\.json", n)))
    problems = []
    if commits != list(range(len(commits))):
        problems.append(f"versions not contiguous: {commits}")
    live, metadata, by_version = {}, None, {}
    for v in commits:
        lines = open(os.path.join(log, f"{v:020d}.json"), encoding="utf-8").read().splitlines()
        kinds = []
        for i, line in enumerate(lines):
            if not line.strip():
                continue
            action = json.loads(line)
            if len(action) != 1:
                problems.append(f"v{v} line {i + 1}: {len(action)} action keys")
            (kind, body), = action.items()
            kinds.append(kind)
            for field in REQUIRED.get(kind, []):
                if field not in body:
                    problems.append(f"v{v} line {i + 1}: {kind} lacks {field}")
            if kind == "metaData":
                metadata = body
                if body["format"].get("provider") != "parquet":
                    problems.append(f"v{v}: format.provider is {body['format'].get('provider')}")
            elif kind == "add":
                stats = json.loads(body["stats"], parse_float=decimal.Decimal) if body.get("stats") else {}
                if "numRecords" not in stats:
                    problems.append(f"v{v}: add {body['path']} has no stats.numRecords")
                live[urllib.parse.unquote(body["path"])] = body
            elif kind == "remove":
                live.pop(urllib.parse.unquote(body["path"]), None)
        if "commitInfo" not in kinds:
            problems.append(f"v{v}: no commitInfo")
        by_version[v] = set(live)
    schema = json.loads(metadata["schemaString"])
    columns = [f["name"] for f in schema["fields"]]
    types = {f["name"]: f["type"] for f in schema["fields"]}
    parts = metadata["partitionColumns"]
    files, rows = [], []
    for rel, add in live.items():
        t = pq.read_table(os.path.join(table, rel))
        stats = json.loads(add["stats"], parse_float=decimal.Decimal)
        check_stats(rel, t, stats, problems)
        files.append({"path": rel, "numRows": t.num_rows, "numRecords": stats.get("numRecords"),
                      "partitionValues": add["partitionValues"]})
        cols = {}
        for name in columns:
            if name in parts:
                cols[name] = [norm_partition(add["partitionValues"].get(name), types[name])] * t.num_rows
            elif name in t.column_names:
                cols[name] = norm_column(t.column(name), t.schema.field(name).type)
            else:
                cols[name] = [None] * t.num_rows
        rows.extend([list(r) for r in zip(*(cols[c] for c in columns))] if t.num_rows else [])
    checkpoints = []
    for n in sorted(os.listdir(log)):
        m = re.fullmatch(r"(\d{20})\.checkpoint\.parquet", n)
        if not m:
            continue
        v = int(m.group(1))
        cp = pq.read_table(os.path.join(log, n))
        adds = {urllib.parse.unquote(a["path"]) for a in cp.column("add").to_pylist() if a}
        has_meta = any(x for x in cp.column("metaData").to_pylist())
        has_proto = any(x for x in cp.column("protocol").to_pylist())
        checkpoints.append({"version": v, "adds": len(adds), "matchesReplay": adds == by_version.get(v),
                            "hasMetaData": has_meta, "hasProtocol": has_proto})
    last_cp = os.path.join(log, "_last_checkpoint")
    out = {"version": commits[-1], "columns": columns, "files": files, "rows": rows, "problems": problems,
           "checkpoints": checkpoints,
           "lastCheckpoint": json.load(open(last_cp)) if os.path.exists(last_cp) else None}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
