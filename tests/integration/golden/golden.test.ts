/**
 * Issue 2, acceptance 1: every table of the Delta golden corpus (written by Spark)
 * is either read — rows equal an independent pyarrow reading of the live files
 * (oracle.py applies the log itself) — or rejected with a specific typed error.
 * The corpus directory is enumerated, and the expectation table below must name
 * every entry, so nothing is skipped silently.
 */
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  buildLogSegment,
  DeltaTable,
  fileKey,
  LocalStorage,
  loadSnapshot,
  readCheckpoint,
  readCommit,
  replay,
  scan,
  VersionNotFoundError,
} from '../../../kernel-lib/src/lakehouse/index.js';
import { venvPython } from '../../helpers/paths.js';
import { describeWithShared, sharedPath } from '../../helpers/shared-data.js';
import { canonicalRows } from './normalize.js';

const run = promisify(execFile);
/** Three tables have 1M rows; on a loaded 2-core CI box reading and comparing one takes tens of seconds. */
const SLOW_TIMEOUT = 300_000;
const GOLDEN = sharedPath('delta-golden');
const ORACLE = path.join(path.dirname(new URL(import.meta.url).pathname), 'oracle.py');

type Expectation =
  | { read: true }
  | {
      /** Error class name expected from loadSnapshot + scan. */
      error: string;
      /** What the message must say (the feature or reason). */
      message: RegExp;
      /** Short reason used in the summary. */
      reason: string;
      /** Also check our log replay (version + live paths) against the oracle's. */
      logCheck?: boolean;
    };

const READ: Expectation = { read: true };
const feature = (f: string): Expectation => ({
  error: 'UnsupportedFeatureError',
  message: new RegExp(`feature '${f}'`),
  reason: `unsupported reader feature ${f}`,
});
const noSchema: Expectation = {
  error: 'CorruptLogError',
  message: /metaData action has no schemaString/,
  reason: 'log-only test table: metaData has no schemaString',
  logCheck: true,
};
const fakeFiles: Expectation = {
  error: 'DataFileError',
  message: /is missing/,
  reason: 'log-only test table: data files do not exist',
  logCheck: true,
};
const notATable: Expectation = { error: 'TableNotFoundError', message: /not a Delta table/, reason: 'no _delta_log' };

/** Keyed by table path relative to the corpus (nested tables use their sub-path). */
const EXPECT: Record<string, Expectation> = {
  '124-decimal-decode-bug': READ,
  '125-iterator-bug': READ,
  'basic-decimal-table': READ,
  'basic-decimal-table-legacy': READ,
  'basic-with-inserts-deletes-checkpoint': READ,
  'basic-with-inserts-merge': READ,
  'basic-with-inserts-overwrite-restore': READ,
  'basic-with-inserts-updates': READ,
  'basic-with-vacuum-protocol-check-feature': READ,
  'canonicalized-paths-normal-a': noSchema,
  'canonicalized-paths-normal-b': noSchema,
  'canonicalized-paths-special-a': noSchema,
  'canonicalized-paths-special-b': noSchema,
  checkpoint: fakeFiles,
  'collations-preview-table': READ,
  'collations-table': READ,
  'commit-info-containing-arbitrary-operationParams-types': READ,
  'corrupted-last-checkpoint': noSchema,
  'corrupted-last-checkpoint-kernel': READ,
  'data-reader-absolute-paths-escaped-chars': {
    error: 'CorruptLogError',
    message: /has no metaData action/,
    reason: 'log-only test table: no metaData action',
  },
  'data-reader-array-complex-objects': READ,
  'data-reader-array-primitives': READ,
  'data-reader-date-types-America/Los_Angeles': READ,
  'data-reader-date-types-Asia/Beirut': READ,
  'data-reader-date-types-Etc/GMT+9': READ,
  'data-reader-date-types-Iceland': READ,
  'data-reader-date-types-JST': READ,
  'data-reader-date-types-PST': READ,
  'data-reader-date-types-UTC': READ,
  'data-reader-escaped-chars': READ,
  'data-reader-map': READ,
  'data-reader-nested-struct': READ,
  'data-reader-nullable-field-invalid-schema-key': READ,
  'data-reader-partition-values': READ,
  'data-reader-primitives': READ,
  'data-reader-timestamp_ntz': READ,
  'data-reader-timestamp_ntz-id-mode': READ,
  'data-reader-timestamp_ntz-name-mode': READ,
  'data-skipping-basic-stats-all-types': READ,
  'data-skipping-basic-stats-all-types-checkpoint': READ,
  'data-skipping-basic-stats-all-types-columnmapping-id': READ,
  'data-skipping-basic-stats-all-types-columnmapping-name': READ,
  'data-skipping-change-stats-collected-across-versions': READ,
  'data-skipping-partition-and-data-column': READ,
  'decimal-various-scale-precision': READ,
  'delete-re-add-same-file-different-transactions': fakeFiles,
  'deltalog-commit-info': noSchema,
  'deltalog-getChanges': READ,
  'deltalog-invalid-protocol-version': {
    error: 'UnsupportedProtocolVersionError',
    message: /reader version 99/,
    reason: 'unknown protocol version minReaderVersion=99',
  },
  'deltalog-state-reconstruction-from-checkpoint-missing-metadata': {
    error: 'CorruptLogError',
    message: /has no metaData action/,
    reason: 'no metaData in checkpoint/log',
  },
  'deltalog-state-reconstruction-from-checkpoint-missing-protocol': {
    error: 'CorruptLogError',
    message: /has no protocol action/,
    reason: 'no protocol in checkpoint/log',
  },
  'deltalog-state-reconstruction-without-metadata': {
    error: 'CorruptLogError',
    message: /has no metaData action/,
    reason: 'no metaData in checkpoint/log',
  },
  'deltalog-state-reconstruction-without-protocol': {
    error: 'CorruptLogError',
    message: /has no protocol action/,
    reason: 'no protocol in checkpoint/log',
  },
  'dv-partitioned-with-checkpoint': READ,
  'dv-with-columnmapping': READ,
  'hive/deltatbl-column-names-case-insensitive': READ,
  'hive/deltatbl-deleted-path': READ,
  'hive/deltatbl-incorrect-format-config': READ,
  'hive/deltatbl-map-types-correctly': READ,
  'hive/deltatbl-non-partitioned': READ,
  'hive/deltatbl-not-allow-write': READ,
  'hive/deltatbl-partition-prune': READ,
  'hive/deltatbl-partitioned': READ,
  'hive/deltatbl-schema-match': READ,
  'hive/deltatbl-special-chars-in-partition-column': READ,
  'hive/deltatbl-touch-files-needed-for-partitioned': READ,
  'kernel-timestamp-INT96': READ,
  'kernel-timestamp-PST': READ,
  'kernel-timestamp-TIMESTAMP_MICROS': READ,
  'kernel-timestamp-TIMESTAMP_MILLIS': READ,
  'kernel-timestamp-partition-col-ISO8601': READ,
  'log-replay-dv-key-cases': READ,
  'log-replay-latest-metadata-protocol': READ,
  'log-replay-special-characters': READ,
  'log-replay-special-characters-a': READ,
  'log-replay-special-characters-b': fakeFiles,
  'log-store-listFrom': notATable,
  'log-store-read': notATable,
  'multi-part-checkpoint': READ,
  'no-delta-log-folder': notATable,
  'only-checkpoint-files': READ,
  'parquet-all-types': READ,
  'parquet-all-types-legacy-format': READ,
  'parquet-decimal-dictionaries': READ,
  'parquet-decimal-dictionaries-v1': {
    error: 'DataFileError',
    message: /is missing/,
    reason: 'data file left out of the corpus copy (README)',
  },
  'parquet-decimal-dictionaries-v2': READ,
  'parquet-decimal-type': READ,
  'snapshot-data0': READ,
  'snapshot-data1': READ,
  'snapshot-data2': READ,
  'snapshot-data2-deleted': READ,
  'snapshot-data3': READ,
  'snapshot-repartitioned': READ,
  'snapshot-vacuumed': READ,
  'spark-variant-checkpoint': feature('variantType-preview'),
  'table-with-columnmapping-mode-id': READ,
  'table-with-columnmapping-mode-name': READ,
  'table-with-icebegCompatV2Enabled': READ,
  'time-travel-partition-changes-a': READ,
  'time-travel-partition-changes-b': READ,
  'time-travel-schema-changes-a': READ,
  'time-travel-schema-changes-b': READ,
  'time-travel-start': READ,
  'time-travel-start-start20': READ,
  'time-travel-start-start20-start40': READ,
  'type-widening': READ,
  'type-widening-nested': READ,
  'update-deleted-directory': noSchema,
  'v2-checkpoint-json': READ,
  'v2-checkpoint-parquet': READ,
  'versions-not-contiguous': {
    error: 'CorruptLogError',
    message: /not contiguous: _delta_log\/00000000000000000001\.json is missing/,
    reason: 'non-contiguous versions',
  },
};

/** Tables in the corpus: directories with a `_delta_log`, or top-level directories without any (not tables). */
function enumerateTables(): string[] {
  const out: string[] = [];
  const tablesUnder = (rel: string): string[] => {
    const abs = path.join(GOLDEN, rel);
    if (existsSync(path.join(abs, '_delta_log'))) return [rel];
    return readdirSync(abs)
      .filter((n) => statSync(path.join(abs, n)).isDirectory())
      .flatMap((n) => tablesUnder(`${rel}/${n}`));
  };
  for (const name of readdirSync(GOLDEN).sort()) {
    if (!statSync(path.join(GOLDEN, name)).isDirectory()) continue;
    const nested = tablesUnder(name);
    out.push(...(nested.length ? nested : [name]));
  }
  return out;
}

/**
 * The oracle runs once for every (table, version) the tests need — one Python process,
 * started before the tests and read as it goes — instead of one start-up per table.
 */
// Named now (jobs need their paths at collection time), created in beforeAll so a filtered run leaves nothing.
const oracleDir = path.join(tmpdir(), `golden-oracle-${process.pid}-${Date.now()}`);
const oracleJobs: { table: string; version?: number; out: string }[] = [];
let oracleFailure: Error | undefined;

/** Registers an oracle read (at collection time) and returns a function that awaits its rows. */
function oracleJob(table: string, version?: number): () => Promise<{ version: number; rows: string[] }> {
  const out = path.join(oracleDir, `${oracleJobs.length}.jsonl`);
  oracleJobs.push({ table, ...(version !== undefined ? { version } : {}), out });
  return async () => {
    while (!existsSync(`${out}.done`)) {
      if (oracleFailure) throw oracleFailure;
      await new Promise((r) => setTimeout(r, 50));
    }
    if (existsSync(`${out}.error`))
      throw new Error(`oracle failed on ${table}: ${readFileSync(`${out}.error`, 'utf8')}`);
    const lines = readFileSync(out, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    const header = JSON.parse(lines[0]!) as { version: number };
    // Re-serialise with JS so number formatting matches our side.
    return { version: header.version, rows: lines.slice(1).map((l) => JSON.stringify(JSON.parse(l))) };
  };
}

/** Starts the single oracle process over every registered job (not awaited: tests read as it goes). */
function startOracle(): void {
  if (oracleJobs.length === 0) return; // no corpus here, or a filtered run
  mkdirSync(oracleDir, { recursive: true });
  const manifest = path.join(oracleDir, 'jobs.json');
  writeFileSync(manifest, JSON.stringify(oracleJobs));
  run(venvPython, [ORACLE, '--many', manifest], { maxBuffer: 1 << 26 }).catch((e: Error) => {
    oracleFailure = e;
  });
}

beforeAll(startOracle);
afterAll(() => rmSync(oracleDir, { recursive: true, force: true }));

async function ourRows(table: string, opts: { version?: number; timestamp?: number } = {}) {
  const storage = new LocalStorage(table);
  const snap = await loadSnapshot(storage, opts);
  const t = await scan(snap, storage);
  return { version: snap.version, rows: canonicalRows(t, snap.schema) };
}

const sorted = (rows: string[]): string[] => [...rows].sort();

/** Row-set equality; on mismatch shows the first differing rows (deep-equal on 1M rows is too slow). */
function expectSameRows(ours: string[], theirs: string[]): void {
  expect(ours.length).toBe(theirs.length);
  const a = sorted(ours);
  const b = sorted(theirs);
  const diffs: { ours: string; oracle: string }[] = [];
  for (let i = 0; i < a.length && diffs.length < 5; i++) if (a[i] !== b[i]) diffs.push({ ours: a[i]!, oracle: b[i]! });
  expect(diffs).toEqual([]);
}

const summary = { read: 0, rejected: new Map<string, number>(), rows: 0 };

describeWithShared('delta-golden', 'delta golden corpus', () => {
  const tables = enumerateTables();

  it('names every table of the corpus in the expectation table (no silent skips)', () => {
    expect(tables.length).toBeGreaterThan(100);
    expect(tables.filter((t) => !(t in EXPECT))).toEqual([]);
    expect(Object.keys(EXPECT).filter((t) => !tables.includes(t))).toEqual([]);
  });

  for (const rel of tables) {
    const exp = EXPECT[rel];
    if (!exp) continue; // reported by the test above
    const abs = path.join(GOLDEN, rel);
    if ('read' in exp) {
      const oracle = oracleJob(abs);
      it(
        `reads ${rel} exactly like the pyarrow oracle`,
        async () => {
          const ours = await ourRows(abs);
          const theirs = await oracle();
          expect(ours.version).toBe(theirs.version);
          expectSameRows(ours.rows, theirs.rows);
          // describe counts rows from stats, Parquet footers and deletion vectors, without scanning.
          expect((await new DeltaTable(abs).describe()).numRows).toBe(theirs.rows.length);
          summary.read++;
          summary.rows += ours.rows.length;
        },
        SLOW_TIMEOUT,
      );
    } else {
      it(`rejects ${rel}: ${exp.reason}`, async () => {
        const storage = new LocalStorage(abs);
        const err = await loadSnapshot(storage)
          .then((s) => scan(s, storage))
          .then(
            () => undefined,
            (e: Error) => e,
          );
        expect(err, `${rel} should fail with ${exp.error}`).toBeInstanceOf(Error);
        expect(err!.name).toBe(exp.error);
        expect(err!.message).toMatch(exp.message);
        if (exp.logCheck) {
          // The log itself is valid: our replay must agree with the oracle's.
          const seg = await buildLogSegment(storage);
          const cp = seg.checkpoint ? await readCheckpoint(storage, seg.checkpoint) : [];
          const commits = await Promise.all(seg.commits.map((c) => readCommit(storage, c.version)));
          const state = replay(cp, commits);
          const { stdout } = await run(venvPython, [ORACLE, abs, '--log-only']);
          const oracle = JSON.parse(stdout) as { version: number; paths: string[] };
          expect(seg.version).toBe(oracle.version);
          const ourPaths = state
            .files()
            .map((f) => fileKey(f.path).replace(/^r:/, 'rel:').replace(/^a:/, 'abs:'))
            .sort();
          expect(ourPaths).toEqual(oracle.paths);
        }
        summary.rejected.set(exp.reason, (summary.rejected.get(exp.reason) ?? 0) + 1);
      });
    }
  }

  afterAll(() => {
    const rejected = [...summary.rejected.values()].reduce((a, b) => a + b, 0);
    const lines = [...summary.rejected].map(([r, n]) => `  ${n} × ${r}`).join('\n');
    console.log(
      `golden corpus: ${tables.length} tables — ${summary.read} read (${summary.rows} rows equal to the oracle), ${rejected} rejected:\n${lines}`,
    );
  });
});

/** README: commit N's mtime was 1540415658000 + N × 20 min. */
const T0 = 1540415658000;
const STEP = 20 * 60 * 1000;

describeWithShared('delta-golden', 'time travel on the golden time-travel tables', () => {
  const ttTables = readdirSync(GOLDEN).filter((n) => n.startsWith('time-travel-'));
  let tmp = '';
  beforeAll(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'golden-tt-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  for (const name of ttTables) {
    // Reading by version does not depend on mtimes, so the oracle reads the shared table itself.
    const versions = readdirSync(path.join(GOLDEN, name, '_delta_log'))
      .filter((f) => /^\d{20}\.json$/.test(f))
      .map((f) => Number(f.slice(0, 20)))
      .sort((a, b) => a - b);
    const oracleAt = new Map(versions.map((v) => [v, oracleJob(path.join(GOLDEN, name), v)]));
    it(
      `${name}: by version and by timestamp, with errors outside the commit range`,
      async () => {
        const copy = path.join(tmp, name);
        cpSync(path.join(GOLDEN, name), copy, { recursive: true });
        const logDir = path.join(copy, '_delta_log');
        for (const v of versions) {
          const when = new Date(T0 + v * STEP);
          utimesSync(path.join(logDir, `${String(v).padStart(20, '0')}.json`), when, when);
        }
        const last = versions[versions.length - 1]!;
        for (const v of versions) {
          const byVersion = await ourRows(copy, { version: v });
          const oracle = await oracleAt.get(v)!();
          expect(byVersion.version).toBe(v);
          expectSameRows(byVersion.rows, oracle.rows);
          // Exactly at the commit time, and midway to the next commit, resolve to v.
          for (const ts of [T0 + v * STEP, T0 + v * STEP + STEP / 2]) {
            if (v === last && ts > T0 + v * STEP) continue;
            const byTime = await ourRows(copy, { timestamp: ts });
            expect(byTime.version).toBe(v);
            expectSameRows(byTime.rows, oracle.rows);
          }
          if (name.startsWith('time-travel-start')) {
            // README: commit N appended ids N*10 … N*10+9.
            const ids = byVersion.rows.map((r) => Number(JSON.parse(r)[0])).sort((a, b) => a - b);
            expect(ids).toEqual(Array.from({ length: (v + 1) * 10 }, (_, i) => i));
          }
        }
        const storage = new LocalStorage(copy);
        await expect(loadSnapshot(storage, { timestamp: T0 - 1 })).rejects.toThrow(VersionNotFoundError);
        await expect(loadSnapshot(storage, { timestamp: T0 - 1 })).rejects.toThrow(
          /before the earliest available version 0/,
        );
        await expect(loadSnapshot(storage, { timestamp: T0 + last * STEP + 1 })).rejects.toThrow(
          new RegExp(`after the latest version ${last}`),
        );
        await expect(loadSnapshot(storage, { timestamp: '2018-10-24T21:14:18Z' })).resolves.toMatchObject({
          version: 0,
        });
        await expect(loadSnapshot(storage, { version: last + 1 })).rejects.toThrow(
          new RegExp(`version ${last + 1} of table .* does not exist: the latest version is ${last}`),
        );
      },
      SLOW_TIMEOUT,
    );
  }
});
