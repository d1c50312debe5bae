/**
 * Log reading: file-name parsing, segment selection (checkpoint + contiguous commits),
 * and bad input — truncated commit JSON, truncated checkpoints, gaps, unknown actions,
 * unknown fields and stray files — each a specific typed error or correctly ignored,
 * with nothing written.
 */
import { mkdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildLogSegment,
  CorruptLogError,
  checkpointPath,
  LocalStorage,
  latestVersion,
  loadSnapshot,
  parseCommit,
  parseLogFileName,
  readCommit,
  scan,
  TableNotFoundError,
  VersionNotFoundError,
  writeCheckpoint,
} from '../../../kernel-lib/src/lakehouse/index.js';
import {
  add,
  commitName,
  metaData,
  protocolV1,
  tmpTable,
  treeState,
  writeCommit,
  writeParquetFile,
} from './helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function table(commits: number): string {
  const d = tmpTable('lh-log-');
  dirs.push(d);
  writeCommit(d, 0, [protocolV1, metaData([{ name: 'id', type: 'long' }]), add('f0.parquet')]);
  for (let v = 1; v < commits; v++) writeCommit(d, v, [add(`f${v}.parquet`)]);
  return d;
}

describe('log file names', () => {
  it('parses commits, classic and multi-part checkpoints and ignores everything else', () => {
    expect(parseLogFileName('00000000000000000007.json')).toEqual({ version: 7, kind: 'commit' });
    expect(parseLogFileName('00000000000000000010.checkpoint.parquet')).toEqual({ version: 10, kind: 'checkpoint' });
    expect(parseLogFileName('00000000000000000010.checkpoint.0000000002.0000000003.parquet')).toEqual({
      version: 10,
      kind: 'checkpoint',
      part: 2,
      numParts: 3,
    });
    // V2 checkpoints are named by a UUID (PROTOCOL.md, "UUID-named checkpoint").
    for (const v2 of [
      '00000000000000000002.checkpoint.6374b053-df23-479b-b2cf-c9c550132b49.json',
      '00000000000000000002.checkpoint.e8fa2696-9728-4e9c-b285-634743fdd4fb.parquet',
    ]) {
      expect(parseLogFileName(v2), v2).toEqual({ version: 2, kind: 'checkpoint', uuid: true });
    }
    for (const ignored of [
      '00000000000000000007.crc',
      '.00000000000000000007.json.crc',
      '00000000000000000007.json.tmp',
      '0000000000000000007.json',
      '00000000000000000010.checkpoint.0000000004.0000000003.parquet',
      '_last_checkpoint',
      'notes.txt',
    ]) {
      expect(parseLogFileName(ignored), ignored).toBeUndefined();
    }
  });
});

describe('log segments', () => {
  it('ignores stray files, temp files, .crc, _commits/ and v2 checkpoints', async () => {
    const d = table(3);
    const log = path.join(d, '_delta_log');
    writeFileSync(path.join(log, '00000000000000000003.crc'), '{}');
    writeFileSync(path.join(log, '.00000000000000000003.json.abc123.tmp'), '{"add":');
    writeFileSync(path.join(log, 'readme.txt'), 'hello');
    writeFileSync(path.join(log, '00000000000000000004.checkpoint.0123-uuid.parquet'), 'junk');
    mkdirSync(path.join(log, '_commits'));
    writeFileSync(path.join(log, '_commits', '00000000000000000003.0c3a-uuid.json'), '{"add":{}}');
    const before = treeState(d);
    const st = new LocalStorage(d);
    expect(await latestVersion(st)).toBe(2);
    const snap = await loadSnapshot(st);
    expect(snap.files.map((f) => f.path)).toEqual(['f0.parquet', 'f1.parquet', 'f2.parquet']);
    expect(treeState(d)).toEqual(before);
  });

  it('truncated commit JSON → CorruptLogError naming the file and line; nothing written', async () => {
    const d = table(2);
    writeFileSync(
      path.join(d, '_delta_log', commitName(2)),
      `${JSON.stringify(add('f2.parquet'))}\n{"add":{"path":"f3.parquet","partitionVal`,
    );
    const before = treeState(d);
    const err = await loadSnapshot(new LocalStorage(d)).catch((e: Error) => e);
    expect(err).toBeInstanceOf(CorruptLogError);
    expect((err as Error).message).toMatch(/_delta_log\/00000000000000000002\.json line 2 is not valid JSON/);
    expect(treeState(d)).toEqual(before);
    // Earlier versions stay readable.
    expect((await loadSnapshot(new LocalStorage(d), { version: 1 })).files.length).toBe(2);
  });

  it('a commit line that is JSON but not an object is corruption', () => {
    expect(() => parseCommit('{"add":{"path":"a"}}\n[1,2]\n', 'x/00.json')).toThrow(
      /x\/00\.json line 2 is not a JSON object/,
    );
  });

  it('unknown action types and unknown fields are ignored', async () => {
    const d = table(1);
    writeCommit(d, 1, [
      { futureAction: { whatever: 1 } },
      { add: { ...add('f1.parquet').add, someNewField: { nested: true } } },
      { commitInfo: { operation: 'WRITE', brandNew: [1, 2, 3] } },
      { domainMetadata: { domain: 'x', configuration: '{}', removed: false } },
    ]);
    const snap = await loadSnapshot(new LocalStorage(d));
    expect(snap.version).toBe(1);
    expect(snap.files.map((f) => f.path)).toEqual(['f0.parquet', 'f1.parquet']);
  });

  it('a gap in versions → CorruptLogError naming the missing commit', async () => {
    const d = table(4);
    rmSync(path.join(d, '_delta_log', commitName(2)));
    await expect(loadSnapshot(new LocalStorage(d))).rejects.toThrow(CorruptLogError);
    await expect(loadSnapshot(new LocalStorage(d))).rejects.toThrow(
      /not contiguous: _delta_log\/00000000000000000002\.json is missing/,
    );
  });

  it('versions out of range → VersionNotFoundError stating the latest version', async () => {
    const d = table(3);
    const st = new LocalStorage(d);
    await expect(loadSnapshot(st, { version: 5 })).rejects.toThrow(VersionNotFoundError);
    await expect(loadSnapshot(st, { version: 5 })).rejects.toThrow(
      /version 5 of table .* does not exist: the latest version is 2/,
    );
    await expect(loadSnapshot(st, { version: -1 })).rejects.toThrow(/invalid version -1/);
    await expect(readCommit(st, 9)).rejects.toThrow(VersionNotFoundError);
  });

  it('an empty or missing log → TableNotFoundError', async () => {
    const d = tmpTable('lh-log-empty-');
    dirs.push(d);
    await expect(loadSnapshot(new LocalStorage(d))).rejects.toThrow(TableNotFoundError);
    mkdirSync(path.join(d, '_delta_log'));
    await expect(loadSnapshot(new LocalStorage(d))).rejects.toThrow(/is not a Delta table: no commits in _delta_log/);
  });

  it('a log that starts after 0 without a checkpoint is corrupt; time travel before it is VersionNotFound', async () => {
    const d = table(4);
    rmSync(path.join(d, '_delta_log', commitName(0)));
    rmSync(path.join(d, '_delta_log', commitName(1)));
    await expect(loadSnapshot(new LocalStorage(d))).rejects.toThrow(/starts at version 2 without a checkpoint/);
    await expect(loadSnapshot(new LocalStorage(d), { version: 1 })).rejects.toThrow(VersionNotFoundError);
  });

  it('uses the newest checkpoint at or below the version, and older checkpoints for time travel', async () => {
    const d = table(12);
    const st = new LocalStorage(d);
    await writeCheckpoint(st, 4);
    await writeCheckpoint(st, 9);
    expect((await buildLogSegment(st)).checkpoint?.version).toBe(9);
    const seg = await buildLogSegment(st, 6);
    expect(seg.checkpoint?.version).toBe(4);
    expect(seg.commits.map((c) => c.version)).toEqual([5, 6]);
    expect((await loadSnapshot(st, { version: 6 })).files.length).toBe(7);
    expect((await buildLogSegment(st, 3)).checkpoint).toBeUndefined();
  });

  it('an incomplete multi-part checkpoint is ignored', async () => {
    const d = table(4);
    const log = path.join(d, '_delta_log');
    // Only part 1 of 2 exists: not a usable checkpoint.
    writeFileSync(path.join(log, '00000000000000000002.checkpoint.0000000001.0000000002.parquet'), 'partial');
    const seg = await buildLogSegment(new LocalStorage(d));
    expect(seg.checkpoint).toBeUndefined();
    expect((await loadSnapshot(new LocalStorage(d))).files.length).toBe(4);
  });

  it('a truncated checkpoint is skipped with a warning while every commit since 0 is there (as Spark)', async () => {
    const d = table(5);
    const st = new LocalStorage(d);
    await writeCheckpoint(st, 3);
    truncateSync(path.join(d, checkpointPath(3)), 40);
    const before = treeState(d);
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const snap = await loadSnapshot(st);
      expect(snap.version).toBe(4);
      expect(snap.segment.checkpoint).toBeUndefined();
      expect(snap.files.map((f) => f.path).sort()).toEqual([
        'f0.parquet',
        'f1.parquet',
        'f2.parquet',
        'f3.parquet',
        'f4.parquet',
      ]);
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((w) => [w.name, w.message])).toEqual([
      [
        'DeltaWarning',
        expect.stringMatching(
          /checkpoint .*00000000000000000003\.checkpoint\.parquet is not a readable Parquet file.*reading version 4 of table .* from the JSON commits 0\.\.4 instead/,
        ),
      ],
    ]);
    expect(treeState(d)).toEqual(before);
  });

  it('a truncated checkpoint with commits before it gone → CorruptLogError naming it; nothing written', async () => {
    const d = table(5);
    const st = new LocalStorage(d);
    await writeCheckpoint(st, 3);
    truncateSync(path.join(d, checkpointPath(3)), 40);
    rmSync(path.join(d, '_delta_log', commitName(0)));
    const before = treeState(d);
    const err = await loadSnapshot(st).catch((e: Error) => e);
    expect(err).toBeInstanceOf(CorruptLogError);
    expect((err as Error).message).toMatch(
      /checkpoint .*00000000000000000003\.checkpoint\.parquet is not a readable Parquet file/,
    );
    expect(treeState(d)).toEqual(before);
  });

  it('reads a checkpoint whose stats are only in stats_parsed and partition values in a map', async () => {
    // Hand-built checkpoint with the columns Spark uses, including stats_parsed.
    const d = tmpTable('lh-log-cp-');
    dirs.push(d);
    const { writeParquet, Table: WasmTable } = await import('parquet-wasm/node');
    const str = new arrow.Utf8();
    const mapType = new arrow.Map_(
      new arrow.Field(
        'key_value',
        new arrow.Struct<{ key: arrow.Utf8; value: arrow.Utf8 }>([
          new arrow.Field('key', str, false),
          new arrow.Field('value', str, true),
        ] as arrow.Field[]),
        false,
      ),
    );
    const addType = new arrow.Struct([
      new arrow.Field('path', str),
      new arrow.Field('partitionValues', mapType),
      new arrow.Field('size', new arrow.Int64()),
      new arrow.Field('modificationTime', new arrow.Int64()),
      new arrow.Field('dataChange', new arrow.Bool()),
      new arrow.Field(
        'stats_parsed',
        new arrow.Struct([
          new arrow.Field('numRecords', new arrow.Int64()),
          new arrow.Field('minValues', new arrow.Struct([new arrow.Field('id', new arrow.Int64())])),
        ]),
      ),
    ]);
    const protoType = new arrow.Struct([
      new arrow.Field('minReaderVersion', new arrow.Int32()),
      new arrow.Field('minWriterVersion', new arrow.Int32()),
    ]);
    const metaType = new arrow.Struct([
      new arrow.Field('id', str),
      new arrow.Field('schemaString', str),
      new arrow.Field('partitionColumns', new arrow.List(new arrow.Field('element', str))),
      new arrow.Field('configuration', mapType),
    ]);
    const schemaString = JSON.stringify({
      type: 'struct',
      fields: [
        { name: 'id', type: 'long', nullable: true, metadata: {} },
        { name: 'p', type: 'string', nullable: true, metadata: {} },
      ],
    });
    const rows = [
      { protocol: { minReaderVersion: 1, minWriterVersion: 2 }, metaData: null, add: null },
      {
        protocol: null,
        metaData: { id: 'm', schemaString, partitionColumns: ['p'], configuration: new Map() },
        add: null,
      },
      {
        protocol: null,
        metaData: null,
        add: {
          path: 'p=x%20y/a.parquet',
          partitionValues: new Map([['p', 'x y']]),
          size: 10n,
          modificationTime: 5n,
          dataChange: false,
          stats_parsed: { numRecords: 3n, minValues: { id: 9007199254740995n } },
        },
      },
    ];
    const t = new arrow.Table({
      protocol: arrow.vectorFromArray(
        rows.map((r) => r.protocol),
        protoType,
      ),
      metaData: arrow.vectorFromArray(
        rows.map((r) => r.metaData),
        metaType,
      ),
      add: arrow.vectorFromArray(
        rows.map((r) => r.add),
        addType,
      ),
    });
    mkdirSync(path.join(d, '_delta_log'));
    writeFileSync(
      path.join(d, checkpointPath(0)),
      writeParquet(WasmTable.fromIPCStream(arrow.tableToIPC(t, 'stream'))),
    );
    writeFileSync(path.join(d, '_delta_log', '_last_checkpoint'), '{"version":0,"size":3}');
    writeParquetFile(
      d,
      'p=x y/a.parquet',
      new arrow.Table({ id: arrow.vectorFromArray([1n, 2n, 3n], new arrow.Int64()) }),
    );
    const st = new LocalStorage(d);
    const snap = await loadSnapshot(st);
    expect(snap.partitionColumns).toEqual(['p']);
    expect(snap.files).toEqual([
      {
        path: 'p=x%20y/a.parquet',
        partitionValues: { p: 'x y' },
        size: 10,
        modificationTime: 5,
        dataChange: false,
        // int64 bounds beyond 2^53 survive exactly.
        stats: '{"numRecords":3,"minValues":{"id":9007199254740995}}',
      },
    ]);
    const rowsRead = (await scan(snap, st)).toArray().map((r) => r.toJSON());
    expect(rowsRead.map((r) => [Number(r.id), r.p])).toEqual([
      [1, 'x y'],
      [2, 'x y'],
      [3, 'x y'],
    ]);
  });
});
